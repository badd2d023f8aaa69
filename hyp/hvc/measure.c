// SPDX-License-Identifier: GPL-2.0-only
/*
 * The measurement log the host reads (LS_FN_MEASURE_READ, docs/attestation.md): a copy
 * in the hypervisor's own memory, never mapped for the host, written only at boot.
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "hyp/measure.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(((struct vm_meas *)0)->ctx),
	       "vm_meas holds an mbedtls SHA-256 context");

static struct ls_mlog measure_log;
static bool measure_ready;

int measure_install(const struct ls_mlog *log)
{
	if (log->magic != LS_MLOG_MAGIC || log->version != LS_MLOG_VERSION ||
	    log->event_bytes != LS_MLOG_EV_BYTES || log->nr_events > LS_MLOG_MAX_EVENTS ||
	    log->size != LS_MLOG_HDR_BYTES + log->nr_events * LS_MLOG_EV_BYTES)
		return -EINVAL;
	memcpy(&measure_log, log, sizeof(measure_log));
	/* Unused slots read as zeros whatever the loader left there. */
	memset(&measure_log.ev[log->nr_events], 0,
	       (LS_MLOG_MAX_EVENTS - log->nr_events) * sizeof(measure_log.ev[0]));
	measure_ready = true;
	return 0;
}

int measure_add(u32 type, const u8 digest[32], u64 length, const char *desc)
{
	struct ls_mlog_event *ev;
	size_t i;

	if (!measure_ready)
		return -EINVAL;
	if (measure_log.nr_events >= LS_MLOG_MAX_EVENTS)
		return -ENOSPC;
	ev = &measure_log.ev[measure_log.nr_events];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->alg = LS_MEAS_ALG_SHA256;
	ev->length = length;
	memcpy(ev->digest, digest, sizeof(ev->digest));
	for (i = 0; i + 1 < sizeof(ev->desc) && desc[i]; i++)
		ev->desc[i] = desc[i];
	measure_log.nr_events++;
	measure_log.size += LS_MLOG_EV_BYTES;
	return 0;
}

int measure_read(u64 off, u64 out[3])
{
	const u8 *p = (const u8 *)&measure_log;
	unsigned int w, b;

	if (!IS_ALIGNED(off, 8))
		return -EINVAL;
	if (!measure_ready || off >= measure_log.size)
		return -ERANGE;
	for (w = 0; w < 3; w++) {
		out[w] = 0;
		for (b = 0; b < 8; b++) {
			u64 at = off + (u64)w * 8 + b;

			if (at < measure_log.size)
				out[w] |= (u64)p[at] << (8 * b);
		}
	}
	return 0;
}

void measure_log_digest(u8 out[32])
{
	memset(out, 0, 32);
	if (measure_ready)
		(void)mbedtls_sha256_ret((const u8 *)&measure_log, measure_log.size, out, 0);
}

/* ---- protected-VM launch measurement (docs/attestation.md) ---- */

static mbedtls_sha256_context *vm_meas_ctx(struct vm_meas *m)
{
	return (mbedtls_sha256_context *)(void *)m->ctx;
}

void vm_meas_init(struct vm_meas *m)
{
	memset(m, 0, sizeof(*m));
	mbedtls_sha256_init(vm_meas_ctx(m));
	/* SHA-256, not SHA-224: mbedtls' starts cannot fail for is224 = 0. */
	(void)mbedtls_sha256_starts_ret(vm_meas_ctx(m), 0);
}

static void vm_meas_le64(u8 *out, u64 v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		out[i] = (u8)(v >> (8 * i));
}

void vm_meas_page(struct vm_meas *m, u64 gpa, const void *page)
{
	u8 hdr[16];

	if (m->final)
		return;
	vm_meas_le64(hdr, gpa);
	vm_meas_le64(hdr + 8, PAGE_SIZE);
	(void)mbedtls_sha256_update_ret(vm_meas_ctx(m), hdr, sizeof(hdr));
	(void)mbedtls_sha256_update_ret(vm_meas_ctx(m), page, PAGE_SIZE);
	m->pages++;
}

/*
 * One vCPU's initial state, at the first run (after every page): le64 ~0 (never a page's
 * gpa), le64 index | power << 32, le64 @n, then @n registers (LS_REG_* order), each le64.
 */
void vm_meas_vcpu(struct vm_meas *m, u32 idx, bool on, const u64 *regs, unsigned int n)
{
	u8 b[8];
	unsigned int i;

	if (m->final)
		return;
	vm_meas_le64(b, ~0ULL);
	(void)mbedtls_sha256_update_ret(vm_meas_ctx(m), b, sizeof(b));
	vm_meas_le64(b, idx | (u64)on << 32);
	(void)mbedtls_sha256_update_ret(vm_meas_ctx(m), b, sizeof(b));
	vm_meas_le64(b, n);
	(void)mbedtls_sha256_update_ret(vm_meas_ctx(m), b, sizeof(b));
	for (i = 0; i < n; i++) {
		vm_meas_le64(b, regs[i]);
		(void)mbedtls_sha256_update_ret(vm_meas_ctx(m), b, sizeof(b));
	}
}

void vm_meas_final(struct vm_meas *m)
{
	if (m->final)
		return;
	(void)mbedtls_sha256_finish_ret(vm_meas_ctx(m), m->digest);
	mbedtls_sha256_free(vm_meas_ctx(m));
	m->final = true;
}
