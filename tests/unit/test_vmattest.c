// SPDX-License-Identifier: GPL-2.0-only
/*
 * Protected-VM launch measurement (hyp/hvc/measure.c, the donation path of
 * hyp/mem/mem_protect.c, the first run in hyp/mem/vcpu.c) through the real
 * dispatcher on the fake platform: order, gpa and contents of the pages donated
 * before the first run; later donations not measured; a destroyed VM's slot
 * starts fresh. The expected values are computed here from the encoding
 * docs/attestation.md "VM launch measurement" gives (one record per page:
 * le64 gpa, le64 4096, contents), or are known answers computed apart (Python
 * hashlib over the same encoding).
 *
 * The guest's signed report (hyp/hvc/attest.c, LS_GUEST_ATTEST in hyp/hvc/guest.c):
 * checked with the verifier's own code (tools/attest/report.c) over the host mbedtls;
 * the attestation public key is a known answer (the RFC 6979 A.2.5 key pair); a
 * tampered report, a wrong nonce, another measurement or key fail; the report page must
 * be the guest's private page (shared or unmapped: INVALID_PARAMETER, nothing written).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <lockstep/abi.h>
#include <mbedtls/platform.h>
#include <mbedtls/sha256.h>
#include <stdlib.h>

#include "../../tools/attest/report.h"
#include "fake.h"
#include "hyp/attest.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "invariant_env.h"

#define MEM_IPA 0x10000000ULL

static u32 vm;

static void script_none(void)
{
	struct vcpu_event none = { 0 };

	fake_vcpu_script(&none, 0);
}

static int setup(void **state)
{
	(void)state;
	env_setup(64);
	fake_vcpu_enter_hook(NULL);
	script_none();
	vm = env_vm_create(16, 32);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	script_none();
	env_teardown();
	return 0;
}

static void new_vcpu(u32 vmid, u32 idx)
{
	struct hvc_regs r;

	if (env_hvc(LS_FN_VCPU_CREATE, vmid, idx, env_host_pages(1, PAGE_SIZE), 0, &r) != LS_OK)
		fail_msg("vcpu create: %lld", (long long)r.x[0]);
}

/* One RUN that enters the guest (the fake's empty script: an IRQ exit). */
static void run_once(u32 vmid)
{
	struct hvc_regs r;

	assert_int_equal(env_hvc(LS_FN_VCPU_RUN, vmid, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], LS_EXIT_IRQ);
}

/* @n host pages filled with @fill(page index, byte index), donated at @ipa. */
static u64 donate_filled(u32 vmid, u64 ipa, u64 n, u8 seed)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(n, PAGE_SIZE), i;
	u8 *p = plat_phys_to_virt(pa);

	for (i = 0; i < n * PAGE_SIZE; i++)
		p[i] = (u8)(seed + i * 7 + (i >> 12));
	if (env_hvc(LS_FN_HOST_DONATE_VM, vmid, pa, ipa, n, &r) != LS_OK || r.x[1] != n)
		fail_msg("donate: %lld done %llu", (long long)r.x[0], (unsigned long long)r.x[1]);
	return pa;
}

/* The host call: status; digest and page count out. */
static s64 vm_meas(u32 vmid, u8 d[32], u64 *pages)
{
	struct hvc_regs r;
	s64 st = env_hvc(LS_FN_VM_MEASUREMENT, vmid, 0, 0, 0, &r);
	unsigned int i;

	for (i = 0; i < 32; i++)
		d[i] = (u8)(r.x[1 + i / 8] >> (8 * (i % 8)));
	*pages = r.x[5];
	return st;
}

/* Expected value: the documented encoding, written out here. */
struct rec {
	u64 gpa;
	const u8 *page;
};

/*
 * The record of vCPU 0 at the first run, as the tests create it (on, the fake's reset state:
 * every register 0 but PSTATE 0x3c5, SCTLR_EL1 0x30d00800, MPIDR 0x80000000): le64 ~0,
 * le64 index | on << 32, le64 LS_REG_NR, the LS_REG_NR registers.
 */
static void expect_vcpu0(mbedtls_sha256_context *c)
{
	u64 w[3 + LS_REG_NR] = { ~0ULL, 1ULL << 32, LS_REG_NR };
	u8 b[8];
	unsigned int i, k;

	w[3 + LS_REG_PSTATE] = 0x3c5;
	w[3 + LS_REG_SCTLR_EL1] = 0x30d00800;
	w[3 + LS_REG_MPIDR] = 0x80000000;
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		for (k = 0; k < 8; k++)
			b[k] = (u8)(w[i] >> (8 * k));
		mbedtls_sha256_update_ret(c, b, 8);
	}
}

static void expect(const struct rec *recs, unsigned int n, u8 out[32])
{
	mbedtls_sha256_context c;
	unsigned int i, b;

	mbedtls_sha256_init(&c);
	assert_int_equal(mbedtls_sha256_starts_ret(&c, 0), 0);
	for (i = 0; i < n; i++) {
		u8 hdr[16];

		for (b = 0; b < 8; b++) {
			hdr[b] = (u8)(recs[i].gpa >> (8 * b));
			hdr[8 + b] = (u8)(4096ULL >> (8 * b));
		}
		mbedtls_sha256_update_ret(&c, hdr, 16);
		mbedtls_sha256_update_ret(&c, recs[i].page, 4096);
	}
	expect_vcpu0(&c);
	mbedtls_sha256_finish_ret(&c, out);
	mbedtls_sha256_free(&c);
}

static void unhex(const char *s, u8 *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned int v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (u8)v;
	}
}

/* Order, gpa and contents; not readable before the first run; a known answer. */
static void measure_order(void **state)
{
	u8 got[32], want[32], copy[3][4096];
	u64 pa1, pa2, pages;
	struct rec recs[3];
	unsigned int i;

	(void)state;
	new_vcpu(vm, 0);
	pa1 = donate_filled(vm, MEM_IPA + 0x5000, 1, 3);
	pa2 = donate_filled(vm, MEM_IPA, 2, 9);
	memcpy(copy[0], plat_phys_to_virt(pa1), 4096);
	memcpy(copy[1], plat_phys_to_virt(pa2), 4096);
	memcpy(copy[2], plat_phys_to_virt(pa2 + PAGE_SIZE), 4096);
	/* Still open before the first run. */
	assert_int_equal(vm_meas(vm, got, &pages), LS_EPERM);
	run_once(vm);
	assert_int_equal(vm_meas(vm, got, &pages), LS_OK);
	assert_int_equal(pages, 3);
	recs[0] = (struct rec){ MEM_IPA + 0x5000, copy[0] };
	recs[1] = (struct rec){ MEM_IPA, copy[1] };
	recs[2] = (struct rec){ MEM_IPA + 0x1000, copy[2] };
	expect(recs, 3, want);
	assert_memory_equal(got, want, 32);
	/* Another order, another gpa, one byte of contents: each a different value. */
	recs[0] = (struct rec){ MEM_IPA, copy[1] };
	recs[1] = (struct rec){ MEM_IPA + 0x5000, copy[0] };
	expect(recs, 3, want);
	assert_memory_not_equal(got, want, 32);
	recs[0] = (struct rec){ MEM_IPA + 0x5000, copy[0] };
	recs[1] = (struct rec){ MEM_IPA, copy[1] };
	recs[2].gpa += PAGE_SIZE;
	expect(recs, 3, want);
	assert_memory_not_equal(got, want, 32);
	recs[2].gpa -= PAGE_SIZE;
	copy[2][100] ^= 1;
	expect(recs, 3, want);
	assert_memory_not_equal(got, want, 32);
	for (i = 0; i < 2; i++) /* reading it twice changes nothing */
		assert_int_equal(vm_meas(vm, want, &pages), LS_OK);
	assert_memory_equal(got, want, 32);
}

/*
 * Known answer (Python hashlib over the documented encoding): pages 0..255 repeated at
 * MEM_IPA, zeros at MEM_IPA + 0x3000, then vCPU 0's record (on, reset state).
 */
static void measure_kat(void **state)
{
	static const char kat[] =
		"effdc4151c379d55e574bf10e5c8ea501de28e16ef850a1ada329c5f514de25d";
	struct hvc_regs r;
	u8 got[32], want[32], *p;
	u64 pa, pages, i;

	(void)state;
	new_vcpu(vm, 0);
	pa = env_host_pages(1, PAGE_SIZE);
	p = plat_phys_to_virt(pa);
	for (i = 0; i < PAGE_SIZE; i++)
		p[i] = (u8)i;
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, MEM_IPA, 1, &r), LS_OK);
	pa = env_host_pages(1, PAGE_SIZE);
	memset(plat_phys_to_virt(pa), 0, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, MEM_IPA + 0x3000, 1, &r), LS_OK);
	run_once(vm);
	assert_int_equal(vm_meas(vm, got, &pages), LS_OK);
	unhex(kat, want, 32);
	assert_memory_equal(got, want, 32);
	assert_int_equal(pages, 2);
}

/* Donations after the first run are not measured; a refused donation measures nothing. */
static void measure_after_run(void **state)
{
	u8 before[32], after[32], d[32];
	u64 pages, pa;
	struct hvc_regs r;

	(void)state;
	new_vcpu(vm, 0);
	donate_filled(vm, MEM_IPA, 1, 1);
	/* A refused donation (the IPA is taken) adds nothing. */
	pa = env_host_pages(1, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, MEM_IPA, 1, &r), LS_EEXIST);
	run_once(vm);
	assert_int_equal(vm_meas(vm, before, &pages), LS_OK);
	assert_int_equal(pages, 1);
	donate_filled(vm, MEM_IPA + 0x1000, 4, 2);
	run_once(vm);
	assert_int_equal(vm_meas(vm, after, &pages), LS_OK);
	assert_int_equal(pages, 1);
	assert_memory_equal(before, after, 32);
	/* No VM there: ENOENT. */
	assert_int_equal(vm_meas(OWN_MAX_VMS - 1, d, &pages), LS_ENOENT);
}

/*
 * A destroyed VM's slot starts fresh: no page measured, only vCPU 0's record (the same
 * value expect() gives for no page).
 */
static void measure_destroyed_slot(void **state)
{
	struct hvc_regs r;
	u8 got[32], want[32];
	u64 pages;
	u32 vm2;

	(void)state;
	new_vcpu(vm, 0);
	donate_filled(vm, MEM_IPA, 2, 5);
	run_once(vm);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA, 2, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, &r), LS_OK);
	assert_int_equal(vm_meas(vm, got, &pages), LS_ENOENT);
	vm2 = env_vm_create(16, 32);
	assert_int_equal(vm2, vm); /* the same slot */
	new_vcpu(vm2, 0);
	assert_int_equal(vm_meas(vm2, got, &pages), LS_EPERM);
	run_once(vm2);
	assert_int_equal(vm_meas(vm2, got, &pages), LS_OK);
	expect(NULL, 0, want);
	assert_memory_equal(got, want, 32);
	assert_int_equal(pages, 0);
}

/*
 * The vCPUs' initial state is measured: the same memory started at another PC, with another
 * x0, or with a second vCPU (off) gives another value; the same start gives the same one.
 */
static void measure_vcpu_state(void **state)
{
	static const u64 pcs[4] = { MEM_IPA, MEM_IPA + 0x40, MEM_IPA, MEM_IPA };
	u8 got[4][32];
	struct hvc_regs r;
	u64 pages;
	unsigned int i;
	u32 v;

	(void)state;
	for (i = 0; i < 4; i++) {
		v = i ? env_vm_create(16, 32) : vm;
		new_vcpu(v, 0);
		if (i == 3)
			assert_int_equal(env_hvc(LS_FN_VCPU_CREATE, v, 1,
						 env_host_pages(1, PAGE_SIZE), LS_VCPU_POWER_OFF,
						 &r),
					 LS_OK);
		donate_filled(v, MEM_IPA, 1, 4);
		assert_int_equal(env_hvc(LS_FN_VCPU_SET_REG, v, 0, LS_REG_PC, pcs[i], &r), LS_OK);
		if (i == 2)
			assert_int_equal(env_hvc(LS_FN_VCPU_SET_REG, v, 0, LS_REG_X(0), 7, &r),
					 LS_OK);
		run_once(v);
		assert_int_equal(vm_meas(v, got[i], &pages), LS_OK);
		assert_int_equal(pages, 1);
	}
	assert_memory_not_equal(got[0], got[1], 32); /* another PC */
	assert_memory_not_equal(got[0], got[2], 32); /* another x0 */
	assert_memory_not_equal(got[0], got[3], 32); /* a second vCPU */
	v = env_vm_create(16, 32);		     /* the same start again: the same value */
	new_vcpu(v, 0);
	donate_filled(v, MEM_IPA, 1, 4);
	assert_int_equal(env_hvc(LS_FN_VCPU_SET_REG, v, 0, LS_REG_PC, pcs[0], &r), LS_OK);
	run_once(v);
	assert_int_equal(vm_meas(v, got[1], &pages), LS_OK);
	assert_memory_equal(got[0], got[1], 32);
}

/* ---- the guest's report ---- */

/* RFC 6979 A.2.5: the P-256 key pair (x, Ux, Uy). */
static const char rfc_x[] = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
static const char rfc_pub[] = "04"
			      "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
			      "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
#define SMCCC_NOT_SUPPORTED ((u64)(s64)-1)
#define SMCCC_INVALID_PARAM ((u64)(s64)-3)
#define KVM_MEM_SHARE	    0xc6000003ULL

static void set_rfc_key(void)
{
	u8 d[32];

	unhex(rfc_x, d, 32);
	assert_int_equal(attest_set_key(d), 0);
}

/* One guest HVC on vCPU 0 with x0..x5; the guest's x0 after it (no exit to the host). */
static u64 guest6x(u32 vmid, u64 fn, u64 a1, const u8 nonce[32], u64 exit_reason)
{
	struct vcpu_event e;
	struct hvc_regs r;
	unsigned int i;

	memset(&e, 0, sizeof(e));
	e.kind = VCPU_EV_HVC;
	e.hvc.x[0] = fn;
	e.hvc.x[1] = a1;
	for (i = 0; nonce && i < 32; i++)
		e.hvc.x[2 + i / 8] |= (u64)nonce[i] << (8 * (i % 8));
	fake_vcpu_script(&e, 1);
	assert_int_equal(env_hvc(LS_FN_VCPU_RUN, vmid, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], exit_reason);
	assert_int_equal(fake_vcpu_script_left(), 0);
	return fake_vcpu_x(vcpu_peer(vmid, 0))[0];
}

static u64 guest6(u32 vmid, u64 fn, u64 a1, const u8 nonce[32])
{
	return guest6x(vmid, fn, a1, nonce, LS_EXIT_IRQ);
}

static void host_pubkey(u8 pub[65])
{
	struct hvc_regs r;
	unsigned int i;

	assert_int_equal(env_hvc(LS_FN_ATTEST_PUBKEY, 0, 0, 0, 0, &r), LS_OK);
	for (i = 0; i < 65; i++)
		pub[i] = (u8)(r.x[1 + i / 8] >> (8 * (i % 8)));
}

static int verify(const u8 *rep, const u8 pub[65], const u8 meas[32], const u8 nonce[32],
		  const u8 *mlog)
{
	char why[160];
	int ret;

	mbedtls_platform_set_calloc_free(calloc, free);
	ret = lsv_verify(rep, LS_ATT_REPORT_BYTES, pub, meas, nonce, mlog, why, sizeof(why));
	(void)why; /* lsv_verify's message: lockstep-verify prints it */
	return ret;
}

/* A VM with an image page and a report page, run once: the report page's PA. */
static u64 attest_vm(u8 meas[32])
{
	u64 pa, pages;

	new_vcpu(vm, 0);
	donate_filled(vm, MEM_IPA, 1, 42);
	pa = donate_filled(vm, MEM_IPA + 0x1000, 1, 0);
	run_once(vm);
	assert_int_equal(vm_meas(vm, meas, &pages), LS_OK);
	return pa;
}

static void report_ok(void **state)
{
	u8 nonce[32], meas[32], pub[65], want_pub[65], rep[LS_ATT_REPORT_BYTES], other[32];
	u8 *page;
	u64 pa;
	unsigned int i;

	(void)state;
	set_rfc_key();
	host_pubkey(pub);
	unhex(rfc_pub, want_pub, 65);
	assert_memory_equal(pub, want_pub, 65); /* d * G as built for the hypervisor */
	pa = attest_vm(meas);
	page = plat_phys_to_virt(pa);
	for (i = 0; i < 32; i++)
		nonce[i] = (u8)(0xa0 + i);
	assert_int_equal(guest6(vm, LS_GUEST_ATTEST, MEM_IPA + 0x1000, nonce), 0);
	memcpy(rep, page, sizeof(rep));
	assert_int_equal(verify(rep, pub, meas, nonce, NULL), 0);
	/* Cleaned to the PoC: a guest reading with its MMU off (non-cacheable) sees it. */
	assert_true(fake_poc_equal(pa, LS_ATT_REPORT_BYTES));
	/* Deterministic (RFC 6979): the same request signs the same bytes. */
	memset(page, 0, sizeof(rep));
	assert_int_equal(guest6(vm, LS_GUEST_ATTEST, MEM_IPA + 0x1000, nonce), 0);
	assert_memory_equal(page, rep, sizeof(rep));
	/* Wrong nonce, wrong expected measurement: refused. */
	memcpy(other, nonce, 32);
	other[31] ^= 1;
	assert_int_equal(verify(rep, pub, meas, other, NULL), 5);
	memcpy(other, meas, 32);
	other[0] ^= 0x80;
	assert_int_equal(verify(rep, pub, other, nonce, NULL), 6);
	/* Any bit of the signed part or of the signature flipped: refused. */
	for (i = 0; i < LS_ATT_REPORT_BYTES * 8; i += 7) {
		u8 t[LS_ATT_REPORT_BYTES];

		memcpy(t, rep, sizeof(t));
		t[i / 8] ^= (u8)(1 << (i % 8));
		if (verify(t, pub, meas, nonce, NULL) == 0)
			fail_msg("bit %u flipped: still verifies", i);
	}
	/* Another key's public point: refused. */
	{
		u8 d2[32] = { 0 };
		u8 pub2[65];

		d2[31] = 7;
		assert_int_equal(attest_set_key(d2), 0);
		host_pubkey(pub2);
		assert_int_not_equal(verify(rep, pub2, meas, nonce, NULL), 0);
	}
}

/* The report page must be the guest's own private page; no key: NOT_SUPPORTED. */
static void report_refused(void **state)
{
	u8 nonce[32] = { 1, 2, 3 }, meas[32], snap[PAGE_SIZE], zero[32] = { 0 };
	struct hvc_regs r;
	u64 pa;

	(void)state;
	set_rfc_key();
	pa = attest_vm(meas);
	memcpy(snap, plat_phys_to_virt(pa), PAGE_SIZE);
	/* Unmapped, unaligned, outside the IPA space. */
	assert_int_equal(guest6(vm, LS_GUEST_ATTEST, MEM_IPA + 0x8000, nonce), SMCCC_INVALID_PARAM);
	assert_int_equal(guest6(vm, LS_GUEST_ATTEST, MEM_IPA + 0x1008, nonce), SMCCC_INVALID_PARAM);
	assert_int_equal(guest6(vm, LS_GUEST_ATTEST, 1ULL << 40, nonce), SMCCC_INVALID_PARAM);
	assert_memory_equal(plat_phys_to_virt(pa), snap, PAGE_SIZE);
	/* Shared with the host: the guest offers it, the host takes it. */
	assert_int_equal(guest6x(vm, KVM_MEM_SHARE, MEM_IPA + 0x1000, NULL, LS_EXIT_MEM_SHARE), 0);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA + 0x1000, 1, 0, &r), LS_OK);
	assert_int_equal(guest6(vm, LS_GUEST_ATTEST, MEM_IPA + 0x1000, nonce), SMCCC_INVALID_PARAM);
	assert_memory_equal(plat_phys_to_virt(pa), snap, PAGE_SIZE);
	/*
	 * The host cannot have a report signed: the guest's function ID from the host reaches
	 * the host's table (fn 0x80 is the debug walk there, or nothing), never the signer.
	 * With every argument a guest would give, the host's page and the VM's stay as they are.
	 */
	{
		struct hvc_regs h;
		u64 hp = env_host_pages(1, PAGE_SIZE);
		unsigned int i;

		memset(&h, 0, sizeof(h));
		h.x[1] = hp;
		for (i = 0; i < 32; i++)
			h.x[2 + i / 8] |= (u64)nonce[i] << (8 * (i % 8));
		assert_true(env_hvc_regs(LS_GUEST_ATTEST & 0xffffU, &h) != LS_OK);
		for (i = 0; i < PAGE_SIZE; i++)
			assert_int_equal(((u8 *)plat_phys_to_virt(hp))[i], 0);
		h.x[1] = MEM_IPA + 0x1000;
		assert_true(env_hvc_regs(LS_GUEST_ATTEST & 0xffffU, &h) != LS_OK);
		assert_memory_equal(plat_phys_to_virt(pa), snap, PAGE_SIZE);
	}
	/* No attestation key (an invalid scalar drops it): NOT_SUPPORTED, nothing written. */
	assert_int_equal(attest_set_key(zero), -EINVAL);
	assert_int_equal(env_hvc(LS_FN_ATTEST_PUBKEY, 0, 0, 0, 0, &r), LS_ENOENT);
	assert_int_equal(guest6(vm, LS_GUEST_ATTEST, MEM_IPA, nonce), SMCCC_NOT_SUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(report_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(report_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(measure_order, setup, teardown),
		cmocka_unit_test_setup_teardown(measure_kat, setup, teardown),
		cmocka_unit_test_setup_teardown(measure_vcpu_state, setup, teardown),
		cmocka_unit_test_setup_teardown(measure_after_run, setup, teardown),
		cmocka_unit_test_setup_teardown(measure_destroyed_slot, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
