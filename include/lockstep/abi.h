/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Lockstep hypercall ABI: the one header shared by the hypervisor (hyp/) and
 * the host driver (host-driver/). Nothing else includes it.
 *
 * Calling convention: SMCCC v1.2 (Arm DEN 0028), HVC conduit from the host
 * kernel at EL1, SMC64 fast calls in the Vendor Specific Hypervisor Service
 * range (OEN 6). Arguments in x1..x7, function ID in x0; on return x0 holds a
 * status (LS_OK or a negative LS_E* code) and x1..x3 hold results.
 * docs/hypercalls.md documents every call: arguments, errors, state changes.
 *
 * This header is freestanding: it uses only integer constants so that both a
 * Linux module and the hypervisor's C library environment can include it.
 */
#ifndef LOCKSTEP_ABI_H
#define LOCKSTEP_ABI_H

/* ABI version returned by LS_HVC_VERSION: major in bits [31:16], minor [15:0]. */
#define LS_ABI_MAJOR		1
#define LS_ABI_MINOR		0
#define LS_ABI_VERSION		((LS_ABI_MAJOR << 16) | LS_ABI_MINOR)

/* SMCCC function ID fields (DEN 0028, 2.5 "Function Identifiers"). */
#define LS_SMCCC_FAST		0x80000000U	/* bit 31: fast call */
#define LS_SMCCC_64		0x40000000U	/* bit 30: SMC64/HVC64 convention */
#define LS_SMCCC_OEN_SHIFT	24
#define LS_SMCCC_OEN_VENDOR_HYP	6U		/* Vendor Specific Hypervisor Service */

#define LS_HVC_ID(n) \
	(LS_SMCCC_FAST | LS_SMCCC_64 | (LS_SMCCC_OEN_VENDOR_HYP << LS_SMCCC_OEN_SHIFT) | (n))

/*
 * Standard queries of the vendor-hyp range (SMC32 IDs, DEN 0028 6.2):
 * Call UID returns the 128-bit Lockstep UUID in w0..w3.
 */
#define LS_HVC_CALL_UID		0x8600FF01U
/* Lockstep UUID 6c6f636b-7374-6570-8c1e-4c53484f5354 as returned in w0..w3. */
#define LS_UID_W0		0x6b636f6cU
#define LS_UID_W1		0x70657473U
#define LS_UID_W2		0x4c1e8c70U
#define LS_UID_W3		0x5453484fU

/* Function numbers (bits [15:0] of the ID). */
#define LS_FN_VERSION		0x0000	/* x1 = LS_ABI_VERSION */
#define LS_FN_FEATURES		0x0001	/* x1 = LS_FEAT_* bitmap */

#define LS_HVC_VERSION		LS_HVC_ID(LS_FN_VERSION)
#define LS_HVC_FEATURES		LS_HVC_ID(LS_FN_FEATURES)

/* Feature bits returned by LS_HVC_FEATURES in x1. */
#define LS_FEAT_HOST_S2		(1UL << 0)	/* host runs under a stage-2 identity map */
#define LS_FEAT_PSCI_RELAY	(1UL << 1)	/* PSCI calls are relayed by Lockstep */

/*
 * Status codes returned in x0. LS_ENOTSUPP and LS_EINVAL take the SMCCC
 * values (NOT_SUPPORTED = -1, INVALID_PARAMETER = -3); the rest are Lockstep's.
 */
#define LS_OK			0
#define LS_ENOTSUPP		(-1)	/* unknown function ID (SMCCC NOT_SUPPORTED) */
#define LS_EINVAL		(-3)	/* malformed argument (SMCCC INVALID_PARAMETER) */
#define LS_EPERM		(-4)	/* caller does not own the page or state forbids it */
#define LS_ENOMEM		(-5)	/* table-page pool too small: x1 = pages to donate */
#define LS_EBUSY		(-6)	/* page in use by another view or transition */
#define LS_ERANGE		(-7)	/* address outside RAM or the address space */
#define LS_ENOENT		(-8)	/* unknown VM, domain or stream */
#define LS_EEXIST		(-9)	/* already mapped / already exists */

#endif /* LOCKSTEP_ABI_H */
