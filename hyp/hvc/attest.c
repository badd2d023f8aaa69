// SPDX-License-Identifier: GPL-2.0-only
/*
 * The attestation key and the guest's report (docs/attestation.md "Guest attestation
 * report"): ECDSA P-256 over SHA-256 (mbedtls, lib/mbedtls/lockstep_config.h), the
 * nonce deterministic per RFC 6979 (EL2 has no trusted entropy source on QEMU). mbedtls'
 * bignums need a heap: its buffer allocator over a fixed static buffer, set up afresh for
 * every operation under attest_lock (mbedtls is built without threading support).
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/sha256.h>

#include "hyp/attest.h"
#include "hyp/measure.h"
#include "hyp/plat.h"
#include "hyp/spinlock.h"

/* ECDSA P-256 sign with window 2 peaks well below this (the loader verifies in 32 KiB). */
#define ATTEST_HEAP_BYTES (32U * 1024U)

static struct hyp_spinlock attest_lock;
static u8 attest_heap[ATTEST_HEAP_BYTES] __attribute__((aligned(16)));
static u8 attest_d[32];
static u8 attest_pub[LS_ATT_PUBKEY_BYTES];
static u8 attest_key_id[32];
static bool attest_have_key;

/* mbedtls' last-resort stop (heap corruption): never returns. */
void ls_mbedtls_exit(int status)
{
	plat_panic("mbedtls: fatal error %d", status);
}

/*
 * Blinding for the scalar multiplications: deterministic too (HMAC_DRBG seeded with the
 * key and the message digest), so the same report always signs the same way; it hides
 * nothing from a timing attacker on QEMU, where everything is observable anyway.
 */
static int attest_blind_init(mbedtls_hmac_drbg_context *drbg, const u8 hash[32])
{
	static const u8 tag[8] = "LS-BLIND"; /* no NUL: 8 bytes exactly */
	u8 seed[32 + 32 + sizeof(tag)];

	memcpy(seed, attest_d, 32);
	memcpy(seed + 32, hash, 32);
	memcpy(seed + 64, tag, sizeof(tag));
	mbedtls_hmac_drbg_init(drbg);
	return mbedtls_hmac_drbg_seed_buf(drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), seed,
					  sizeof(seed));
}

static int attest_err(int mret)
{
	if (!mret)
		return 0;
	return mret == MBEDTLS_ERR_MPI_ALLOC_FAILED || mret == MBEDTLS_ERR_ECP_ALLOC_FAILED ?
		       -ENOMEM :
		       -EINVAL;
}

int attest_set_key(const u8 d[32])
{
	static const u8 pub_tag[32] = "LS attestation key public point"; /* 31 + NUL */
	mbedtls_hmac_drbg_context drbg;
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi m;
	size_t olen = 0;
	int mret;

	hyp_spin_lock(&attest_lock);
	mbedtls_memory_buffer_alloc_init(attest_heap, sizeof(attest_heap));
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&m);
	memcpy(attest_d, d, 32);
	mret = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
	if (!mret)
		mret = mbedtls_mpi_read_binary(&m, d, 32);
	if (!mret)
		mret = mbedtls_ecp_check_privkey(&grp, &m);
	if (!mret)
		mret = attest_blind_init(&drbg, pub_tag);
	if (!mret) {
		mret = mbedtls_ecp_mul(&grp, &q, &m, &grp.G, mbedtls_hmac_drbg_random, &drbg);
		mbedtls_hmac_drbg_free(&drbg);
	}
	if (!mret)
		mret = mbedtls_ecp_point_write_binary(&grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
						      attest_pub, sizeof(attest_pub));
	if (!mret && olen == sizeof(attest_pub))
		mret = mbedtls_sha256_ret(attest_pub, sizeof(attest_pub), attest_key_id, 0);
	attest_have_key = !mret && olen == sizeof(attest_pub);
	if (!attest_have_key)
		mbedtls_platform_zeroize(attest_d, sizeof(attest_d));
	mbedtls_mpi_free(&m);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	mbedtls_memory_buffer_alloc_free();
	hyp_spin_unlock(&attest_lock);
	if (attest_have_key)
		return 0;
	return mret ? attest_err(mret) : -EINVAL;
}

int attest_pubkey(u8 out[LS_ATT_PUBKEY_BYTES])
{
	int ret = -ENOENT;

	hyp_spin_lock(&attest_lock);
	if (attest_have_key) {
		memcpy(out, attest_pub, LS_ATT_PUBKEY_BYTES);
		ret = 0;
	}
	hyp_spin_unlock(&attest_lock);
	return ret;
}

static void attest_le(u8 *p, u64 v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(v >> (8 * i));
}

int attest_report(const u8 vm_meas[32], const u8 nonce[32], u8 rep[LS_ATT_REPORT_BYTES])
{
	mbedtls_hmac_drbg_context drbg;
	mbedtls_ecp_group grp;
	mbedtls_mpi d, r, s;
	u8 hash[32];
	int mret;

	memset(rep, 0, LS_ATT_REPORT_BYTES);
	attest_le(rep, LS_ATT_MAGIC, 8);
	attest_le(rep + 8, LS_ATT_VERSION, 4);
	attest_le(rep + 12, LS_ATT_ALG_ECDSA_P256, 4);
	memcpy(rep + LS_ATT_OFF_VM_MEAS, vm_meas, 32);
	measure_log_digest(rep + LS_ATT_OFF_MLOG);
	memcpy(rep + LS_ATT_OFF_NONCE, nonce, 32);

	hyp_spin_lock(&attest_lock);
	if (!attest_have_key) {
		hyp_spin_unlock(&attest_lock);
		return -ENOENT;
	}
	memcpy(rep + LS_ATT_OFF_KEY_ID, attest_key_id, 32);
	(void)mbedtls_sha256_ret(rep, LS_ATT_SIGNED_BYTES, hash, 0);
	mbedtls_memory_buffer_alloc_init(attest_heap, sizeof(attest_heap));
	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	mret = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
	if (!mret)
		mret = mbedtls_mpi_read_binary(&d, attest_d, 32);
	if (!mret)
		mret = attest_blind_init(&drbg, hash);
	if (!mret) {
		mret = mbedtls_ecdsa_sign_det_ext(&grp, &r, &s, &d, hash, sizeof(hash),
						  MBEDTLS_MD_SHA256, mbedtls_hmac_drbg_random,
						  &drbg);
		mbedtls_hmac_drbg_free(&drbg);
	}
	if (!mret)
		mret = mbedtls_mpi_write_binary(&r, rep + LS_ATT_OFF_SIG, 32);
	if (!mret)
		mret = mbedtls_mpi_write_binary(&s, rep + LS_ATT_OFF_SIG + 32, 32);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&d);
	mbedtls_ecp_group_free(&grp);
	mbedtls_memory_buffer_alloc_free();
	hyp_spin_unlock(&attest_lock);
	return attest_err(mret);
}
