/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checking a Lockstep attestation report (docs/attestation.md "Guest attestation report"),
 * host userspace, mbedtls. Shared by tools/attest/lockstep-verify.c and the unit tests.
 */
#ifndef TOOLS_ATTEST_REPORT_H
#define TOOLS_ATTEST_REPORT_H

#include <stddef.h>
#include <stdint.h>

/*
 * 0 when @rep (@len bytes) is a well-formed report signed by @pub (65-byte uncompressed
 * P-256 point) whose VM measurement is @meas, nonce @nonce and, unless @mlog is NULL,
 * measurement-log digest @mlog; otherwise non-zero with the reason in @why. mbedtls'
 * calloc/free must be set (mbedtls_platform_set_calloc_free).
 */
int lsv_verify(const uint8_t *rep, size_t len, const uint8_t pub[65], const uint8_t meas[32],
	       const uint8_t nonce[32], const uint8_t *mlog, char *why, size_t whylen);

#endif /* TOOLS_ATTEST_REPORT_H */
