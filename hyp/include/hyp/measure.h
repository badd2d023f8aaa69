/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Measured launch: the hypervisor's copy of the measurement log (docs/attestation.md).
 * The loader's log (struct ls_mlog in the boot info) is copied once at boot into the
 * image's own memory, the hypervisor appends its own events, and the host reads the
 * bytes through LS_FN_MEASURE_READ. Nothing the host sends changes the log.
 */
#ifndef HYP_MEASURE_H
#define HYP_MEASURE_H

#include <lockstep/boot.h>

#include "hyp/types.h"

/* Take the loader's log: -EINVAL if malformed (magic, version, sizes, event count). */
int measure_install(const struct ls_mlog *log);

/* Append one SHA-256 event; -ENOSPC when the log is full, -EINVAL before install. */
int measure_add(u32 type, const u8 digest[32], u64 length, const char *desc);

/*
 * The 24 log bytes at byte offset off, as three little-endian u64 (0 past the end):
 * -EINVAL if off is not 8-aligned, -ERANGE at or past the end (or no log).
 */
int measure_read(u64 off, u64 out[3]);

/* SHA-256 of the log's bytes [0, size) (what LS_FN_MEASURE_READ returns); zeros without log. */
void measure_log_digest(u8 out[32]);

/*
 * A protected VM's launch measurement (docs/attestation.md "VM launch measurement"):
 * SHA-256 over one 16 + 4096-byte record per page donated before the VM's first run,
 * in donation order: u64 gpa, u64 size (4096), both little-endian, then the page's
 * contents. The SHA-256 state is opaque here (mbedtls stays out of the core's headers);
 * measure.c checks it fits.
 */
#define VM_MEAS_CTX_U64 16
struct vm_meas {
	u64 ctx[VM_MEAS_CTX_U64]; /* mbedtls_sha256_context */
	u8 digest[32];		  /* valid once @final */
	u64 pages;		  /* pages measured */
	bool final;
};

/* A new VM: nothing measured yet. */
void vm_meas_init(struct vm_meas *m);
/* Add the page at guest-physical @gpa with contents @page (4096 bytes); no-op once final. */
void vm_meas_page(struct vm_meas *m, u64 gpa, const void *page);
/* The first run: fix the digest; later calls change nothing. */
void vm_meas_final(struct vm_meas *m);
/* One vCPU's initial state (power, LS_REG_* registers), at the first run, before final. */
void vm_meas_vcpu(struct vm_meas *m, u32 idx, bool on, const u64 *regs, unsigned int n);

#endif /* HYP_MEASURE_H */
