// SPDX-License-Identifier: GPL-2.0-only
/*
 * The measurement log of the core (hyp/hvc/measure.c) and LS_FN_MEASURE_READ: what the
 * hypervisor accepts from the loader, what it appends, what the host reads back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <lockstep/abi.h>
#include <lockstep/boot.h>

#include "hyp/hvc.h"
#include "hyp/measure.h"

static struct hvc_regs call_read(u64 off, enum hvc_caller caller)
{
	struct hvc_ctx ctx = { caller, 0, 0 };
	struct hvc_regs r;

	memset(&r, 0, sizeof(r));
	r.x[0] = LS_HVC_MEASURE_READ;
	r.x[1] = off;
	r.x[2] = r.x[3] = 0x5a5a5a5a5a5a5a5aULL; /* must not leak back */
	hvc_handle(&ctx, &r);
	return r;
}

static void log_init(struct ls_mlog *l, u32 nr)
{
	u32 i;

	memset(l, 0, sizeof(*l));
	l->magic = LS_MLOG_MAGIC;
	l->version = LS_MLOG_VERSION;
	l->event_bytes = LS_MLOG_EV_BYTES;
	l->nr_events = nr;
	l->size = LS_MLOG_HDR_BYTES + nr * LS_MLOG_EV_BYTES;
	for (i = 0; i < nr; i++) {
		l->ev[i].type = i + 1;
		l->ev[i].alg = LS_MEAS_ALG_SHA256;
		l->ev[i].length = 1000 + i;
		memset(l->ev[i].digest, (int)(0x10 + i), sizeof(l->ev[i].digest));
		strcpy(l->ev[i].desc, "loader event");
	}
}

/* Runs first: nothing installed yet. */
static void before_install(void **state)
{
	struct hvc_regs r = call_read(0, HVC_CALLER_HOST);
	u8 d[32] = { 0 };

	(void)state;
	assert_int_equal((s64)r.x[0], LS_ERANGE);
	assert_int_equal(r.x[1] | r.x[2] | r.x[3], 0);
	assert_int_equal(measure_add(LS_MEAS_HYP_CONFIG, d, 1, "x"), -EINVAL);
}

static void install_rejects_malformed(void **state)
{
	struct ls_mlog l;

	(void)state;
	log_init(&l, 2);
	l.magic ^= 1;
	assert_int_equal(measure_install(&l), -EINVAL);
	log_init(&l, 2);
	l.version = 2;
	assert_int_equal(measure_install(&l), -EINVAL);
	log_init(&l, 2);
	l.event_bytes = 64;
	assert_int_equal(measure_install(&l), -EINVAL);
	log_init(&l, 2);
	l.size += 8;
	assert_int_equal(measure_install(&l), -EINVAL);
	log_init(&l, 2);
	l.nr_events = LS_MLOG_MAX_EVENTS + 1;
	l.size = LS_MLOG_HDR_BYTES + l.nr_events * LS_MLOG_EV_BYTES;
	assert_int_equal(measure_install(&l), -EINVAL);
	/* Nothing was taken. */
	assert_int_equal((s64)call_read(0, HVC_CALLER_HOST).x[0], LS_ERANGE);
}

static void install_add_read(void **state)
{
	struct ls_mlog l, want;
	struct hvc_regs r;
	u8 got[LS_MLOG_MAX_BYTES + 24], d[32];
	u64 off;

	(void)state;
	log_init(&l, 2);
	memset(&l.ev[5], 0xee, sizeof(l.ev[5])); /* garbage past the events: not kept */
	assert_int_equal(measure_install(&l), 0);
	memset(d, 0xab, sizeof(d));
	assert_int_equal(measure_add(LS_MEAS_HYP_CONFIG, d, 1248, "hypervisor's own"), 0);

	log_init(&want, 2);
	want.nr_events = 3;
	want.size = LS_MLOG_HDR_BYTES + 3 * LS_MLOG_EV_BYTES;
	want.ev[2].type = LS_MEAS_HYP_CONFIG;
	want.ev[2].alg = LS_MEAS_ALG_SHA256;
	want.ev[2].length = 1248;
	memcpy(want.ev[2].digest, d, sizeof(d));
	strcpy(want.ev[2].desc, "hypervisor's own");

	memset(got, 0x77, sizeof(got));
	for (off = 0; off < want.size; off += 24) {
		r = call_read(off, HVC_CALLER_HOST);
		assert_int_equal((s64)r.x[0], LS_OK);
		memcpy(got + off, &r.x[1], 24); /* little-endian host, as the hypervisor */
	}
	assert_memory_equal(got, &want, want.size);
	/* The last call's bytes past the end read as zero. */
	assert_int_equal(want.size % 24, 8);
	assert_int_equal(r.x[2] | r.x[3], 0);

	r = call_read(want.size, HVC_CALLER_HOST);
	assert_int_equal((s64)r.x[0], LS_ERANGE);
	assert_int_equal(r.x[1] | r.x[2] | r.x[3], 0);
	r = call_read(4, HVC_CALLER_HOST);
	assert_int_equal((s64)r.x[0], LS_EINVAL);
	assert_int_equal(r.x[1] | r.x[2] | r.x[3], 0);
	r = call_read(~0ULL & ~7ULL, HVC_CALLER_HOST);
	assert_int_equal((s64)r.x[0], LS_ERANGE);
	r = call_read(0, HVC_CALLER_VM);
	assert_int_equal((s64)r.x[0], LS_EPERM);
	assert_int_equal(r.x[1] | r.x[2] | r.x[3], 0);
}

static void full_log(void **state)
{
	struct ls_mlog l;
	u8 d[32] = { 1 };

	(void)state;
	log_init(&l, LS_MLOG_MAX_EVENTS);
	assert_int_equal(measure_install(&l), 0);
	assert_int_equal(measure_add(LS_MEAS_HYP_CONFIG, d, 1, "x"), -ENOSPC);
	assert_int_equal(call_read(0, HVC_CALLER_HOST).x[0], LS_OK);
	assert_int_equal((s64)call_read(LS_MLOG_MAX_BYTES, HVC_CALLER_HOST).x[0], LS_ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(before_install),
		cmocka_unit_test(install_rejects_malformed),
		cmocka_unit_test(install_add_read),
		cmocka_unit_test(full_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
