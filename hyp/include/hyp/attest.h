/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The attestation key and the guest's signed report (docs/attestation.md "Guest
 * attestation report"). The private key lives only in the hypervisor's memory; the only
 * thing that signs is attest_report(), reached only from a guest's LS_GUEST_ATTEST.
 */
#ifndef HYP_ATTEST_H
#define HYP_ATTEST_H

#include <lockstep/abi.h>

#include "hyp/types.h"

/* Take the private scalar @d (big-endian, 1 <= d < n): -EINVAL otherwise. */
int attest_set_key(const u8 d[32]);
/* The public key (LS_ATT_PUBKEY_BYTES, uncompressed point): -ENOENT without a key. */
int attest_pubkey(u8 out[LS_ATT_PUBKEY_BYTES]);
/*
 * Fill @rep (LS_ATT_REPORT_BYTES) over @vm_meas and @nonce, with the digest of the
 * measurement log, and sign it: -ENOENT without a key, -ENOMEM if the crypto heap is
 * too small (a bug: the bound is fixed).
 */
int attest_report(const u8 vm_meas[32], const u8 nonce[32], u8 rep[LS_ATT_REPORT_BYTES]);

#endif /* HYP_ATTEST_H */
