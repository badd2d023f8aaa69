// SPDX-License-Identifier: GPL-2.0-only
/*
 * Measured launch (docs/attestation.md): the loader measured the hypervisor image,
 * the kernel, the initrd and the command line into the boot info's log; the
 * hypervisor keeps a copy (hyp/hvc/measure.c) and adds its own event: SHA-256
 * (mbedtls, lib/mbedtls/lockstep_config.h) of the boot info up to the log, i.e. the
 * configuration it installs with (memory map, CPUs, pool, SMMU and StreamIDs, the
 * host's device MMIO windows).
 */
#include <stddef.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "arm64/measure.h"
#include "hyp/attest.h"
#include "hyp/measure.h"
#include "hyp/plat.h"

static void measure_hex(char *out, const u8 *d, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

int arm64_measure_boot(const struct ls_boot_info *bi)
{
	static const char *const names[] = { "?",      "hypervisor", "kernel",
					     "initrd", "cmdline",    "hyp-config" };
	const struct ls_mlog *log;
	u64 cfg_len = offsetof(struct ls_boot_info, mlog);
	char hex[65];
	u8 digest[32];
	unsigned int i;
	int ret;

	ret = measure_install(&bi->mlog);
	if (ret) {
		plat_log("boot info: measurement log malformed: refusing to install");
		return ret;
	}
	mbedtls_sha256_ret((const unsigned char *)bi, cfg_len, digest, 0);
	ret = measure_add(LS_MEAS_HYP_CONFIG, digest, cfg_len,
			  "boot info (memory map, cpus, pool, smmu, host mmio)");
	if (ret) {
		plat_log("measurement log full: no room for the hypervisor's own event");
		return ret;
	}
	log = &bi->mlog;
	for (i = 0; i < log->nr_events; i++) {
		const struct ls_mlog_event *ev = &log->ev[i];

		measure_hex(hex, ev->digest, sizeof(ev->digest));
		plat_log("measured %s: sha256 %s (%llu bytes)%s",
			 ev->type < ARRAY_SIZE(names) ? names[ev->type] : "?", hex,
			 (unsigned long long)ev->length,
			 ev->flags & LS_MEAS_F_UNSIGNED ? " UNSIGNED" : "");
	}
	measure_hex(hex, digest, sizeof(digest));
	plat_log("measured hyp-config: sha256 %s (%llu bytes)", hex, (unsigned long long)cfg_len);
	return 0;
}

void arm64_attest_key(struct ls_boot_info *bi)
{
	u8 pub[LS_ATT_PUBKEY_BYTES], id[32];
	char hex[65];
	size_t i;
	int zero = 1;

	for (i = 0; i < sizeof(bi->attest_key); i++)
		zero &= bi->attest_key[i] == 0;
	if (zero || attest_set_key(bi->attest_key)) {
		plat_log("attestation: no valid key from the loader: guests cannot attest");
	} else {
		attest_pubkey(pub);
		mbedtls_sha256_ret(pub, sizeof(pub), id, 0);
		char phex[2 * LS_ATT_PUBKEY_BYTES + 1];

		measure_hex(hex, id, sizeof(id));
		measure_hex(phex, pub, sizeof(pub));
		plat_log("attestation: key P-256, key id %s", hex);
		plat_log("attestation: public key %s", phex);
	}
	/* Only the hypervisor's .bss keeps it from here on. */
	memset(bi->attest_key, 0, sizeof(bi->attest_key));
}
