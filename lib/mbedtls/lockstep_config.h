/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * mbedtls 2.28 configuration of Lockstep (MBEDTLS_CONFIG_FILE): the one header that
 * decides which parts of Debian's mbedtls sources are compiled (scripts/mbedtls.sh)
 * for the hypervisor, the UEFI loaders and the host-native known-answer tests.
 *
 * What Lockstep needs: SHA-256 (measured launch), ECDSA over NIST P-256 (the
 * loader verifies the hypervisor image's signature; the hypervisor will sign
 * attestation reports). Deterministic ECDSA (RFC 6979) so that signing needs no
 * entropy source: EL2 has no trusted random number generator on QEMU.
 * Nothing else: no TLS, no X.509, no PEM, no networking, no file system, no
 * time, no threads, no printf. The only heap is mbedtls' own buffer allocator
 * over a fixed static buffer its user hands it (bounded; docs/attestation.md).
 */
#ifndef LOCKSTEP_MBEDTLS_CONFIG_H
#define LOCKSTEP_MBEDTLS_CONFIG_H

/* System support: none of the optional platform hooks. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* Blocks 16-byte aligned: the default (4) puts its 8-byte headers at misaligned addresses. */
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 16
#define MBEDTLS_DEPRECATED_REMOVED
/*
 * The buffer allocator calls mbedtls_exit() when it finds its heap corrupted: each
 * user of the allocator provides ls_mbedtls_exit(), which must not return.
 */
void ls_mbedtls_exit(int status);
#define MBEDTLS_PLATFORM_EXIT_MACRO ls_mbedtls_exit

/* Hashes. */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER /* a loop instead of the unrolled rounds: smaller TCB */
#define MBEDTLS_MD_C	       /* needed by HMAC_DRBG (deterministic ECDSA) */
#define MBEDTLS_HMAC_DRBG_C

/* Public-key: ECDSA over P-256 only. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_ASN1_PARSE_C /* required by ECDSA_C (check_config.h) */
#define MBEDTLS_ASN1_WRITE_C

/* Memory: small windows, no precomputation beyond the curve's ROM tables. */
#define MBEDTLS_MPI_WINDOW_SIZE	      2
#define MBEDTLS_MPI_MAX_SIZE	      64
#define MBEDTLS_ECP_MAX_BITS	      256
#define MBEDTLS_ECP_WINDOW_SIZE	      2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 1

#include "mbedtls/check_config.h"

#endif /* LOCKSTEP_MBEDTLS_CONFIG_H */
