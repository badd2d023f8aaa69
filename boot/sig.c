// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Hashing and signature verification of what the loader loads (docs/attestation.md),
 * with mbedtls (lib/mbedtls/lockstep_config.h): SHA-256 (FIPS 180-4) and ECDSA over
 * NIST P-256 (FIPS 186-4 6.4). Plain C over byte buffers: the same file builds into
 * the loaders and into the host unit tests.
 */
#include "ldr.h"

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <string.h>

/*
 * mbedtls' only heap: its buffer allocator over this static buffer (bounded). One
 * P-256 verification needs about 5 KiB of it.
 */
static unsigned char ldr_crypto_heap[32768] __attribute__((aligned(16)));
static int ldr_crypto_ready;

void ldr_crypto_init(void)
{
	if (!ldr_crypto_ready) {
		mbedtls_memory_buffer_alloc_init(ldr_crypto_heap, sizeof(ldr_crypto_heap));
		ldr_crypto_ready = 1;
	}
}

void ldr_sha256_init(struct ldr_sha256 *c)
{
	_Static_assert(sizeof(c->opaque) >= sizeof(mbedtls_sha256_context), "sha256 context");
	mbedtls_sha256_context *m = (mbedtls_sha256_context *)(void *)c->opaque;

	mbedtls_sha256_init(m);
	mbedtls_sha256_starts_ret(m, 0);
}

void ldr_sha256_update(struct ldr_sha256 *c, const void *buf, size_t len)
{
	mbedtls_sha256_update_ret((mbedtls_sha256_context *)(void *)c->opaque, buf, len);
}

void ldr_sha256_final(struct ldr_sha256 *c, uint8_t out[32])
{
	mbedtls_sha256_context *m = (mbedtls_sha256_context *)(void *)c->opaque;

	mbedtls_sha256_finish_ret(m, out);
	mbedtls_sha256_free(m);
}

void ldr_sha256(const void *buf, size_t len, uint8_t out[32])
{
	struct ldr_sha256 c;

	ldr_sha256_init(&c);
	ldr_sha256_update(&c, buf, len);
	ldr_sha256_final(&c, out);
}

static int ldr_bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* ECDSA P-256 verification of a SHA-256 digest (SEC 1 4.1.4). 0 if valid. */
static int ldr_ecdsa_verify(const uint8_t pub[LDR_PUBKEY_BYTES], const uint8_t digest[32],
			    const uint8_t sig[64])
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	int ret;

	ldr_crypto_init();
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	ret = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
	if (!ret)
		ret = mbedtls_ecp_point_read_binary(&grp, &q, pub, LDR_PUBKEY_BYTES);
	if (!ret)
		ret = mbedtls_ecp_check_pubkey(&grp, &q);
	if (!ret)
		ret = mbedtls_mpi_read_binary(&r, sig, 32);
	if (!ret)
		ret = mbedtls_mpi_read_binary(&s, sig + 32, 32);
	if (!ret)
		ret = mbedtls_ecdsa_verify(&grp, digest, 32, &q, &r, &s);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return ret;
}

enum ldr_sig_result sig_check(const void *file, size_t len, const uint8_t pub[LDR_PUBKEY_BYTES],
			      uint8_t digest[32])
{
	const struct ls_image_hdr *h = file;
	const struct ls_image_sig *t;
	uint8_t key_id[32];

	/* img_check() accepted the file: image_size <= len, the header is readable. */
	ldr_sha256(file, h->image_size, digest);
	if (len == h->image_size)
		return LDR_SIG_NONE;
	t = (const struct ls_image_sig *)((const uint8_t *)file + h->image_size);
	if (len - h->image_size != sizeof(*t) || t->magic != LS_IMAGE_SIG_MAGIC ||
	    t->size != sizeof(*t) || t->alg != LS_IMAGE_SIG_ECDSA_P256_SHA256)
		return LDR_SIG_MALFORMED;
	ldr_sha256(pub, LDR_PUBKEY_BYTES, key_id);
	if (!ldr_bytes_eq(key_id, t->key_id, sizeof(key_id)))
		return LDR_SIG_OTHER_KEY;
	if (ldr_ecdsa_verify(pub, digest, t->sig))
		return LDR_SIG_BAD;
	return LDR_SIG_OK;
}

const char *sig_result_str(enum ldr_sig_result r)
{
	switch (r) {
	case LDR_SIG_OK:
		return "signature verified";
	case LDR_SIG_NONE:
		return "image is not signed (no signature trailer)";
	case LDR_SIG_MALFORMED:
		return "signature trailer malformed (length, magic, size or algorithm)";
	case LDR_SIG_OTHER_KEY:
		return "image is signed by another key (its key id is not this loader's)";
	case LDR_SIG_BAD:
		return "signature does not verify (image modified after signing, or forged)";
	}
	return "internal: bad signature result";
}

/*
 * DEVELOPMENT attestation secret: every loader built from this tree has it, and anyone
 * who reads the ESP or the source has it too. On QEMU nothing can hide a secret from
 * whoever runs the emulator; a real platform derives the key from a hardware secret
 * (a DICE CDI, docs/attestation.md) instead of this constant.
 */
static const uint8_t ldr_attest_dev_secret[32] = "LOCKSTEP-DEV-ATTEST-SECRET-NOT-4";

/* P-256 group order n (SEC 2 2.4.2), big-endian. */
static const uint8_t ldr_p256_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
	0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/*
 * d = HMAC-SHA256(secret, "LS-ATTEST-KEY-v1" || counter || image digest), the first
 * counter (0, 1, ...) whose result is a valid scalar (0 < d < n: all but ~2^-32 of the
 * time the first). Tied to the image's measurement: another hypervisor image gets
 * another key, so it cannot sign as this one.
 */
int ldr_attest_key(const uint8_t img_digest[32], uint8_t out[32])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	uint8_t msg[16 + 1 + 32];
	unsigned int ctr, i;
	int zero;

	static const uint8_t tag[16] = "LS-ATTEST-KEY-v1"; /* no NUL: 16 bytes exactly */

	memcpy(msg, tag, sizeof(tag));
	memcpy(msg + 17, img_digest, 32);
	for (ctr = 0; ctr < 16; ctr++) {
		msg[16] = (uint8_t)ctr;
		if (mbedtls_md_hmac(md, ldr_attest_dev_secret, sizeof(ldr_attest_dev_secret), msg,
				    sizeof(msg), out))
			break;
		for (zero = 1, i = 0; i < 32; i++)
			zero &= out[i] == 0;
		if (!zero && memcmp(out, ldr_p256_n, 32) < 0)
			return 0;
	}
	mbedtls_platform_zeroize(out, 32);
	return -1;
}
