// SPDX-License-Identifier: GPL-2.0-only
/*
 * The measurement log the host reads (LS_FN_MEASURE_READ, docs/attestation.md): a copy
 * in the hypervisor's own memory, never mapped for the host, written only at boot.
 */
#include <errno.h>
#include <string.h>

#include "hyp/measure.h"

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
