// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep-verify REPORT PUBKEY MEASUREMENT NONCE [MLOG_DIGEST]
 *
 * REPORT: a file whose first LS_ATT_REPORT_BYTES bytes are the report the guest got;
 * PUBKEY: the attestation public key, 130 hex digits (LS_HVC_ATTEST_PUBKEY); MEASUREMENT:
 * the expected VM launch measurement, 64 hex digits (tools/attest/vm-measure); NONCE: the
 * nonce the verifier sent, 64 hex digits; MLOG_DIGEST: the expected SHA-256 of Lockstep's
 * measurement log (optional). Exit 0 and "report verified", or 1 and the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockstep/abi.h>
#include <mbedtls/platform.h>

#include "report.h"

void ls_mbedtls_exit(int status);
void ls_mbedtls_exit(int status)
{
	fprintf(stderr, "lockstep-verify: mbedtls fatal error %d\n", status);
	exit(2);
}

static int unhex(const char *what, const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n) {
		fprintf(stderr, "lockstep-verify: FAIL: %s: expected %zu hex digits\n", what,
			2 * n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1) {
			fprintf(stderr, "lockstep-verify: FAIL: %s: not hex\n", what);
			return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t rep[LS_ATT_REPORT_BYTES], pub[LS_ATT_PUBKEY_BYTES], meas[32], nonce[32], mlog[32];
	char why[160];
	size_t len;
	FILE *f;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: lockstep-verify REPORT PUBKEY MEASUREMENT NONCE "
				"[MLOG_DIGEST]\n");
		return 1;
	}
	if (unhex("public key", argv[2], pub, sizeof(pub)) ||
	    unhex("measurement", argv[3], meas, sizeof(meas)) ||
	    unhex("nonce", argv[4], nonce, sizeof(nonce)) ||
	    (argc == 6 && unhex("log digest", argv[5], mlog, sizeof(mlog))))
		return 1;
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	len = fread(rep, 1, sizeof(rep), f);
	fclose(f);
	mbedtls_platform_set_calloc_free(calloc, free);
	if (lsv_verify(rep, len, pub, meas, nonce, argc == 6 ? mlog : NULL, why, sizeof(why))) {
		fprintf(stderr, "lockstep-verify: FAIL: %s\n", why);
		return 1;
	}
	printf("lockstep-verify: report verified (VM measurement, nonce%s, signature)\n",
	       argc == 6 ? ", Lockstep log" : "");
	return 0;
}
