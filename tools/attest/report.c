// SPDX-License-Identifier: GPL-2.0-only
/*
 * Report check (docs/attestation.md): layout and constants from include/lockstep/abi.h
 * "Protected-VM launch measurement and attestation". Order: structure, key id, signature
 * (ECDSA P-256 over SHA-256 of bytes [0, LS_ATT_SIGNED_BYTES)), then the values the
 * caller expects; the first failure is reported.
 */
#include <stdio.h>
#include <string.h>

#include <lockstep/abi.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>

#include "report.h"

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static int sig_ok(const uint8_t *rep, const uint8_t pub[65])
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	uint8_t hash[32];
	int ret;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	ret = mbedtls_sha256_ret(rep, LS_ATT_SIGNED_BYTES, hash, 0);
	if (!ret)
		ret = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
	if (!ret)
		ret = mbedtls_ecp_point_read_binary(&grp, &q, pub, 65);
	if (!ret)
		ret = mbedtls_ecp_check_pubkey(&grp, &q);
	if (!ret)
		ret = mbedtls_mpi_read_binary(&r, rep + LS_ATT_OFF_SIG, 32);
	if (!ret)
		ret = mbedtls_mpi_read_binary(&s, rep + LS_ATT_OFF_SIG + 32, 32);
	if (!ret)
		ret = mbedtls_ecdsa_verify(&grp, hash, sizeof(hash), &q, &r, &s);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return ret == 0;
}

int lsv_verify(const uint8_t *rep, size_t len, const uint8_t pub[65], const uint8_t meas[32],
	       const uint8_t nonce[32], const uint8_t *mlog, char *why, size_t whylen)
{
	uint8_t kid[32];

	if (len < LS_ATT_REPORT_BYTES) {
		snprintf(why, whylen, "report too short: %zu bytes, a report has %d", len,
			 LS_ATT_REPORT_BYTES);
		return 1;
	}
	if (le(rep, 8) != LS_ATT_MAGIC || le(rep + 8, 4) != LS_ATT_VERSION ||
	    le(rep + 12, 4) != LS_ATT_ALG_ECDSA_P256) {
		snprintf(why, whylen, "not a Lockstep report (magic, version 1, algorithm 1)");
		return 2;
	}
	if (mbedtls_sha256_ret(pub, 65, kid, 0) || memcmp(kid, rep + LS_ATT_OFF_KEY_ID, 32)) {
		snprintf(why, whylen, "report names another attestation key (key id mismatch)");
		return 3;
	}
	if (!sig_ok(rep, pub)) {
		snprintf(why, whylen, "signature does not verify (report modified, or forged)");
		return 4;
	}
	if (memcmp(rep + LS_ATT_OFF_NONCE, nonce, 32)) {
		snprintf(why, whylen, "nonce mismatch (a replayed or another request's report)");
		return 5;
	}
	if (memcmp(rep + LS_ATT_OFF_VM_MEAS, meas, 32)) {
		snprintf(why, whylen, "VM launch measurement mismatch (another image was loaded)");
		return 6;
	}
	if (mlog && memcmp(rep + LS_ATT_OFF_MLOG, mlog, 32)) {
		snprintf(why, whylen, "Lockstep measurement-log digest mismatch");
		return 7;
	}
	snprintf(why, whylen, "ok");
	return 0;
}
