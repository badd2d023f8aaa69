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
#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/sha256.h>

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
