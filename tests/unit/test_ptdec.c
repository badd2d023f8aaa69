// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test oracle's own tests:
 *  - the independent decoders (tests/unit/lib/ptdec.c) against descriptor vectors
 *    assembled by hand from the manuals' field tables (each cites its table);
 *  - the engine's encoder against the same bit patterns (a table built by pt_map, read
 *    back raw), so that an encode/decode bug shared by hyp/mmu cannot pass;
 *  - the invariant checker (tests/unit/lib/invariant.c): each of its checks made to fire
 *    by corrupting a real table or counter of a real state, then the state restored and
 *    the checker passing again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <lockstep/abi.h>

#include "fake.h"
#include "harness.h"
#include "hyp/own.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "invariant_env.h"
#include "ptdec.h"

struct vec {
	const char *what; /* manual, table / section: the fields set */
	enum pt_fmt_id fmt;
	unsigned int level;
	u64 desc;
	enum ptdec_type type;
	u64 addr;
	pt_attr_t attr;
};

/* Bits assembled from the field tables, written out as numbers on purpose. */
static const struct vec vecs[] = {
	/* Arm ARM DDI 0487 K.a D8.3 (descriptor formats), D8.5 (stage 2 MemAttr, S2AP, XN). */
	{ "S2 L3 page: bits[1:0]=11, MemAttr=1111 (Normal WB), S2AP=11, SH=11, AF", PT_FMT_ARM64_S2,
	  3, 0x00000000400017ffULL, PTDEC_LEAF, 0x40001000ULL, PT_RWX },
	{ "S2 L2 block: bits[1:0]=01, MemAttr=0001 (Device-nGnRE), S2AP=01 (read), AF, XN[1]",
	  PT_FMT_ARM64_S2, 2, 0x0040000008000445ULL, PTDEC_LEAF, 0x08000000ULL, PT_R | PT_DEVICE },
	{ "S2 L3 page: MemAttr=0000 (Device-nGnRnE), S2AP=11, AF", PT_FMT_ARM64_S2, 3,
	  0x00000000400014c3ULL, PTDEC_LEAF, 0x40001000ULL, PT_RWX | PT_DEVICE },
	{ "S2 L1 block 1 GiB: MemAttr=1111, S2AP=11, SH=11, AF", PT_FMT_ARM64_S2, 1,
	  0x00000000800007fdULL, PTDEC_LEAF, 0x80000000ULL, PT_RWX },
	{ "S2 XN[0] (bit 53, FEAT_XNX) alone still forbids EL1 execution", PT_FMT_ARM64_S2, 3,
	  0x00200000400017ffULL, PTDEC_LEAF, 0x40001000ULL, PT_RW },
	{ "S2 L1 table: bits[1:0]=11, next-level table [47:12]", PT_FMT_ARM64_S2, 1,
	  0x0000000041234003ULL, PTDEC_TABLE, 0x41234000ULL, 0 },
	{ "S2 L3 bits[1:0]=01: reserved", PT_FMT_ARM64_S2, 3, 0x0000000040001401ULL, PTDEC_BAD, 0,
	  0 },
	{ "S2 L0 block: not with a 4 KiB granule and 48-bit OA", PT_FMT_ARM64_S2, 0,
	  0x00000000000007fdULL, PTDEC_BAD, 0, 0 },
	{ "S2 AF clear: Access flag fault", PT_FMT_ARM64_S2, 3, 0x00000000400013ffULL, PTDEC_BAD, 0,
	  0 },
	{ "S2 bit 0 clear: invalid", PT_FMT_ARM64_S2, 3, 0x00000000400017feULL, PTDEC_INVALID, 0,
	  0 },
	/* D8.3, D8.4 (AP[2:1], XN), MAIR_EL2 = PT_ARM64_S1_MAIR: Attr0 0xff, Attr1 0x04. */
	{ "S1 L3 page: AttrIndx=0 (Normal WB), AP=01, SH=11, AF", PT_FMT_ARM64_S1, 3,
	  0x0000000040002743ULL, PTDEC_LEAF, 0x40002000ULL, PT_RWX },
	{ "S1 L3 page: AttrIndx=1 (Device-nGnRE), AP[2]=1 (read-only), AF, XN", PT_FMT_ARM64_S1, 3,
	  0x0040000009000787ULL, PTDEC_LEAF, 0x09000000ULL, PT_R | PT_DEVICE },
	{ "S1 L2 block 2 MiB: AttrIndx=0, AP=00, AF", PT_FMT_ARM64_S1, 2, 0x0000000040200701ULL,
	  PTDEC_LEAF, 0x40200000ULL, PT_RWX },
	/* Intel SDM Vol. 3C 29.3.2, Tables 29-2 (PDPTE 1 GiB), 29-4 (PDE 2 MiB), 29-6 (PTE). */
	{ "EPT PTE: R W X, memory type 6 (WB), ignore PAT", PT_FMT_X86_EPT, 3,
	  0x0000000040003077ULL, PTDEC_LEAF, 0x40003000ULL, PT_RWX },
	{ "EPT PDE bit 7 (2 MiB page): R W, memory type 0 (UC)", PT_FMT_X86_EPT, 2,
	  0x0000000008000083ULL, PTDEC_LEAF, 0x08000000ULL, PT_RW | PT_DEVICE },
	{ "EPT PDPTE bit 7 (1 GiB page): R, WB", PT_FMT_X86_EPT, 1, 0x00000000800000b1ULL,
	  PTDEC_LEAF, 0x80000000ULL, PT_R },
	{ "EPT PDE without bit 7: a page table", PT_FMT_X86_EPT, 2, 0x0000000040004007ULL,
	  PTDEC_TABLE, 0x40004000ULL, 0 },
	{ "EPT W without R: misconfiguration (29.3.3.1)", PT_FMT_X86_EPT, 3, 0x0000000040003032ULL,
	  PTDEC_BAD, 0, 0 },
	{ "EPT memory type 2: reserved", PT_FMT_X86_EPT, 3, 0x0000000040003017ULL, PTDEC_BAD, 0,
	  0 },
	{ "EPT PML4E bit 7: reserved", PT_FMT_X86_EPT, 0, 0x0000000040003087ULL, PTDEC_BAD, 0, 0 },
	{ "EPT 2 MiB page with address bit 12 set: reserved", PT_FMT_X86_EPT, 2,
	  0x0000000008001083ULL, PTDEC_BAD, 0, 0 },
	{ "EPT R = W = X = 0: not present", PT_FMT_X86_EPT, 3, 0x0000000040003030ULL, PTDEC_INVALID,
	  0, 0 },
	/* VT-d spec 3.x 9.8 (SL-PTE, SL-PDE, SL-PDPE, SL-PML4E formats). */
	{ "VT-d SL-PTE: R W, SNP", PT_FMT_VTD_SL, 3, 0x0000000040005803ULL, PTDEC_LEAF,
	  0x40005000ULL, PT_RW },
	{ "VT-d SL-PDE PS (2 MiB): R, SNP clear (peer MMIO)", PT_FMT_VTD_SL, 2,
	  0x0000000008000081ULL, PTDEC_LEAF, 0x08000000ULL, PT_R | PT_DEVICE },
	{ "VT-d SL-PDPE PS (1 GiB): needs CAP_REG.SLLPS bit 1, not assumed", PT_FMT_VTD_SL, 1,
	  0x0000000080000083ULL, PTDEC_BAD, 0, 0 },
	{ "VT-d SL-PML4E PS: reserved", PT_FMT_VTD_SL, 0, 0x0000000040006083ULL, PTDEC_BAD, 0, 0 },
	/* PT_FMT_VTD_SL_1G: a unit with CAP_REG.SLLPS bit 1 (VT-d 11.4.2) walks SL-PDPE pages. */
	{ "VT-d SL-PDPE PS (1 GiB) with SLLPS bit 1: R W, SNP", PT_FMT_VTD_SL_1G, 1,
	  0x0000000080000883ULL, PTDEC_LEAF, 0x80000000ULL, PT_RW },
	{ "VT-d SL-PDPE PS (1 GiB) with address bit 21 set: reserved", PT_FMT_VTD_SL_1G, 1,
	  0x0000000080200883ULL, PTDEC_BAD, 0, 0 },
	{ "VT-d SL-PML4E PS with SLLPS bit 1: still reserved", PT_FMT_VTD_SL_1G, 0,
	  0x0000000080000883ULL, PTDEC_BAD, 0, 0 },
	{ "VT-d SL-PDE PS (2 MiB) in the 1 GiB format: R, SNP clear", PT_FMT_VTD_SL_1G, 2,
	  0x0000000008000081ULL, PTDEC_LEAF, 0x08000000ULL, PT_R | PT_DEVICE },
	{ "VT-d SL-PDE without PS: a table", PT_FMT_VTD_SL, 2, 0x0000000040006003ULL, PTDEC_TABLE,
	  0x40006000ULL, 0 },
	{ "VT-d R = W = 0: not present", PT_FMT_VTD_SL, 3, 0x0000000040005800ULL, PTDEC_INVALID, 0,
	  0 },
	/*
	 * AMD APM Vol. 2 5.4.1 (P, R/W, U/S, PWT, PCD, PS, NX), figures 5-21 (PTE), 5-24 (PDE,
	 * PS = 1), 5-27 (PDPE, PS = 1), 5-18 (PML4E); 15.25.5 (U/S required).
	 */
	{ "NPT PTE: P R/W U/S, NX clear (executable), WB", PT_FMT_X86_NPT, 3, 0x0000000040007007ULL,
	  PTDEC_LEAF, 0x40007000ULL, PT_RWX },
	{ "NPT PTE: P U/S, PCD PWT (UC), NX", PT_FMT_X86_NPT, 3, 0x80000000fed0001dULL, PTDEC_LEAF,
	  0xfed00000ULL, PT_R | PT_DEVICE },
	{ "NPT PDE PS (2 MiB page): P R/W U/S, NX", PT_FMT_X86_NPT, 2, 0x8000000040200087ULL,
	  PTDEC_LEAF, 0x40200000ULL, PT_RW },
	{ "NPT PDPE PS (1 GiB page): P R/W U/S", PT_FMT_X86_NPT, 1, 0x00000000c0000087ULL,
	  PTDEC_LEAF, 0xc0000000ULL, PT_RWX },
	{ "NPT PDE without PS: a page table", PT_FMT_X86_NPT, 2, 0x0000000040008007ULL, PTDEC_TABLE,
	  0x40008000ULL, 0 },
	{ "NPT PTE with U/S clear: the nested walk faults (15.25.5)", PT_FMT_X86_NPT, 3,
	  0x0000000040007003ULL, PTDEC_BAD, 0, 0 },
	{ "NPT PML4E PS: must be zero", PT_FMT_X86_NPT, 0, 0x0000000040009087ULL, PTDEC_BAD, 0, 0 },
	{ "NPT 2 MiB page with bit 12 (PAT) set", PT_FMT_X86_NPT, 2, 0x0000000040201087ULL,
	  PTDEC_BAD, 0, 0 },
	{ "NPT P clear: not present", PT_FMT_X86_NPT, 3, 0x0000000040007006ULL, PTDEC_INVALID, 0,
	  0 },
};

static void decoder_vectors(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		u64 addr = 0;
		pt_attr_t attr = 0;
		enum ptdec_type t = ptdec_desc(v->fmt, v->level, v->desc, &addr, &attr);

		if (t != v->type || (t == PTDEC_TABLE && addr != v->addr) ||
		    (t == PTDEC_LEAF && (addr != v->addr || attr != v->attr)))
			fail_msg(
				"%s: %#llx decoded as type %d addr %#llx attr %#x, want %d %#llx %#x",
				v->what, (unsigned long long)v->desc, t, (unsigned long long)addr,
				attr, v->type, (unsigned long long)v->addr, v->attr);
	}
}

/*
 * The engine's encoder against the manuals: a 4 KiB page mapped by pt_map, read back raw
 * through the independent decoder's slot lookup, must be exactly the bits the vectors above
 * spell out for the same output address and attributes; and decode to what was mapped.
 */
struct enc_case {
	enum pt_fmt_id fmt;
	pt_attr_t attr;
	u64 low_bits; /* the descriptor's bits below the output address */
	u64 high_bits;
};

static const struct enc_case enc_cases[] = {
	{ PT_FMT_ARM64_S2, PT_RWX, 0x7ff, 0 },			  /* vector "S2 L3 page" */
	{ PT_FMT_ARM64_S2, PT_R | PT_DEVICE, 0x747, 1ULL << 54 }, /* MemAttr 0001, S2AP 01, XN */
	{ PT_FMT_ARM64_S1, PT_RWX, 0x743, 0 },			  /* vector "S1 L3 page" */
	{ PT_FMT_ARM64_S1, PT_R | PT_DEVICE, 0x7c7, 1ULL << 54 }, /* AttrIndx 1, AP 11, XN */
	{ PT_FMT_X86_EPT, PT_RWX, 0x877, 0 },		/* vector "EPT PTE" + bit 11 (VT-d SNP) */
	{ PT_FMT_X86_EPT, PT_RW | PT_DEVICE, 0x43, 0 }, /* UC, ignore PAT */
	{ PT_FMT_VTD_SL, PT_RW, 0x803, 0 },		/* vector "VT-d SL-PTE" */
	{ PT_FMT_VTD_SL, PT_R | PT_DEVICE, 0x1, 0 },
	/* NPT leaves carry A (bit 5) and D (bit 6) as written: APM 5.4.1, fmt_x86_npt.c. */
	{ PT_FMT_X86_NPT, PT_RWX, 0x67, 0 }, /* vector "NPT PTE: P R/W U/S" + A D */
	{ PT_FMT_X86_NPT, PT_R | PT_DEVICE, 0x7d, 1ULL << 63 }, /* "NPT PTE: ... UC, NX" + A D */
	{ PT_FMT_X86_NPT, PT_RW, 0x67, 1ULL << 63 },
};

static void engine_encodes_manual_bits(void **state)
{
	unsigned int i, level;
	struct pt_pool pool;
	struct th_pt t;
	struct ptdec_leaf l;
	const u64 ia = 0x12345000ULL, pa = 0x40abc000ULL;
	u64 *slot;

	(void)state;
	for (i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *c = &enc_cases[i];

		th_reset();
		th_pool_fill(&pool, 64);
		assert_int_equal(th_pt_init(&t, c->fmt, 40, &pool), 0);
		assert_int_equal(pt_map(&t.pt, ia, PAGE_SIZE, pa, c->attr, NULL), 0);
		slot = ptdec_leaf_slot(&t.pt, ia, &level);
		assert_non_null(slot);
		assert_int_equal(level, 3);
		if (*slot != (pa | c->low_bits | c->high_bits))
			fail_msg(
				"format %d attr %#x: engine wrote %#llx, the manual's bits are %#llx",
				c->fmt, c->attr, (unsigned long long)*slot,
				(unsigned long long)(pa | c->low_bits | c->high_bits));
		assert_int_equal(ptdec_lookup(&t.pt, ia + 0x10, &l), 0);
		assert_int_equal(l.pa, pa + 0x10);
		assert_int_equal(l.attr, c->attr);
		pt_destroy(&t.pt);
	}
}

/* A hand-built Arm stage-1 walk: APTable[1] and XNTable in a table descriptor limit the page. */
/*
 * VT-d 9.8 SL-PDPE with PS (a 1 GiB page; CAP_REG.SLLPS bit 1, 11.4.2): R 0, W 1, PS 7, SNP 11,
 * address [51:30]. An aligned GiB mapped RW in PT_FMT_VTD_SL_1G is one such entry, 0x883 below
 * the address; in PT_FMT_VTD_SL (2 MiB at most) it is 512 SL-PDE pages, the first 0x883 too.
 */
static void vtd_sl_1g_leaf(void **state)
{
	static const enum pt_fmt_id fmts[] = { PT_FMT_VTD_SL_1G, PT_FMT_VTD_SL };
	const u64 ia = 0x80000000ULL, pa = 0x40000000ULL;
	unsigned int i, level;
	struct pt_pool pool;
	struct th_pt t;
	struct ptdec_leaf l;
	u64 *slot;

	(void)state;
	for (i = 0; i < 2; i++) {
		th_reset();
		th_pool_fill(&pool, 64);
		assert_int_equal(th_pt_init(&t, fmts[i], 39, &pool), 0);
		assert_int_equal(pt_map(&t.pt, ia, SZ_1G, pa, PT_RW, NULL), 0);
		slot = ptdec_leaf_slot(&t.pt, ia + SZ_1G - PAGE_SIZE, &level);
		assert_non_null(slot);
		assert_int_equal(level, fmts[i] == PT_FMT_VTD_SL_1G ? 1 : 2);
		if (*slot != ((fmts[i] == PT_FMT_VTD_SL_1G ? pa : pa + SZ_1G - SZ_2M) | 0x883))
			fail_msg("format %d: the last leaf of the GiB is %#llx", fmts[i],
				 (unsigned long long)*slot);
		assert_int_equal(ptdec_lookup(&t.pt, ia + 0x12345678, &l), 0);
		assert_int_equal(l.pa, pa + 0x12345678);
		assert_int_equal(l.attr, PT_RW);
		pt_destroy(&t.pt);
	}
}

static void s1_table_limits(void **state)
{
	struct pt pt;
	u64 l1, l2, l3;
	struct ptdec_leaf l;

	(void)state;
	th_reset();
	l1 = fake_alloc_pages(1, PAGE_SIZE);
	l2 = fake_alloc_pages(1, PAGE_SIZE);
	l3 = fake_alloc_pages(1, PAGE_SIZE);
	memset(&pt, 0, sizeof(pt));
	pt.fmt = PT_FMT_ARM64_S1;
	pt.root = l1;
	pt.root_pages = 1;
	pt.start_level = 1;
	pt.ia_bits = 39;
	((u64 *)plat_phys_to_virt(l1))[0] = l2 | 3;
	/* D8.4 "Hierarchical control": APTable = 10 (bit 62: no write), XNTable (bit 60). */
	((u64 *)plat_phys_to_virt(l2))[0] = l3 | 3 | (1ULL << 62) | (1ULL << 60);
	((u64 *)plat_phys_to_virt(l3))[5] = 0x40005743ULL; /* RWX page (vector "S1 L3 page") */
	assert_int_equal(ptdec_lookup(&pt, 0x5000, &l), 0);
	assert_int_equal(l.attr, PT_R);
	((u64 *)plat_phys_to_virt(l2))[0] = l3 | 3;
	assert_int_equal(ptdec_lookup(&pt, 0x5000, &l), 0);
	assert_int_equal(l.attr, PT_RWX);
}

/* ---- the invariant checker, made to fire ------------------------------------------- */

#define IPA0 0x10000000ULL

static u32 vm;
static struct env_rec mirror_rec;
static u64 vpa; /* 4 pages donated to vm at IPA0 */
static u64 hpa; /* 4 host pages next to them, mapped 4 KiB by the host */

static int setup(void **state)
{
	struct own_res res;
	unsigned int idx;

	(void)state;
	env_setup(64);
	vm = env_vm_create(32, 32);
	vpa = env_host_pages(8, SZ_2M);
	hpa = vpa + 4 * PAGE_SIZE;
	assert_int_equal(own_dom_attach(vm, true, PT_FMT_ARM64_S1, true, &env_rec_ops, &mirror_rec,
					&idx, &res),
			 0);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, vpa, IPA0, 4, NULL), LS_OK);
	INV_ASSERT();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

static const struct pt *vm_mirror(void)
{
	const struct own_view *v = own_view_of(vm);
	unsigned int i;

	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->dom[i].used && v->dom[i].mirrored)
			return &v->dom[i].pt;
	fail_msg("no mirrored domain");
	return NULL;
}

/* The checker fails with a message containing @want; then, @slot restored, passes again. */
static void expect_inv(const char *want, u64 *slot, u64 saved)
{
	char msg[256];

	assert_int_equal(inv_check(msg, sizeof(msg)), -1);
	if (!strstr(msg, want))
		fail_msg("checker said \"%s\", expected \"%s\"", msg, want);
	if (slot) {
		*slot = saved;
		INV_ASSERT();
	}
}

static u64 *slot_of(const struct pt *pt, u64 ia)
{
	u64 *s = ptdec_leaf_slot(pt, ia, NULL);

	assert_non_null(s);
	return s;
}

/* S2 output address bits [47:12], MemAttr[3:2] bits [5:4], S2AP[1] bit 7. */
#define S2_OA	 0x0000fffffffff000ULL
#define S2_MEMHI 0x30ULL
#define S2_AP_W	 0x80ULL
#define S1_OA	 0x0000fffffffff000ULL

static void inv_mirror_divergence(void **state)
{
	u64 *s = slot_of(vm_mirror(), IPA0), saved = *s;

	(void)state;
	*s = (saved & ~S1_OA) | (vpa + PAGE_SIZE); /* the IOMMU view: IPA0 -> the second page */
	expect_inv("IOMMU maps", s, saved);
}

static void inv_mapped_twice(void **state)
{
	u64 *s = slot_of(&own_view_of(vm)->cpu, IPA0 + PAGE_SIZE), saved = *s;

	(void)state;
	*s = (saved & ~S2_OA) | vpa; /* IPA0 + 4 KiB -> the page IPA0 maps */
	expect_inv("twice", s, saved);
}

static void inv_table_count(void **state)
{
	struct pt *cpu = (struct pt *)&own_view_of(vm)->cpu;

	(void)state;
	cpu->nr_tables++;
	expect_inv("table counts", NULL, 0);
	cpu->nr_tables--;
	INV_ASSERT();
}

static void inv_vm_device(void **state)
{
	u64 *s = slot_of(&own_view_of(vm)->cpu, IPA0), saved = *s;

	(void)state;
	*s = saved & ~S2_MEMHI; /* MemAttr 11xx -> 00xx: Device */
	expect_inv("maps device memory", s, saved);
}

static void inv_host_ram_device(void **state)
{
	u64 *s = slot_of(&own_view_of(OWN_HOST)->cpu, hpa), saved = *s;

	(void)state;
	*s = saved & ~S2_MEMHI;
	expect_inv("as device", s, saved);
}

static void inv_host_not_identity(void **state)
{
	u64 *s = slot_of(&own_view_of(OWN_HOST)->cpu, hpa), saved = *s;

	(void)state;
	*s = (saved & ~S2_OA) | (hpa + PAGE_SIZE);
	expect_inv("not identity", s, saved);
}

static void inv_host_attr(void **state)
{
	u64 *s = slot_of(&own_view_of(OWN_HOST)->cpu, hpa), saved = *s;

	(void)state;
	*s = saved & ~S2_AP_W; /* the host's own page read-only */
	expect_inv("state wants", s, saved);
}

static void inv_vm_reaches_host_page(void **state)
{
	u64 *s = slot_of(&own_view_of(vm)->cpu, IPA0), saved = *s;

	(void)state;
	*s = (saved & ~S2_OA) | hpa;
	expect_inv("(entry", s, saved);
}

static void inv_host_reaches_vm_page(void **state)
{
	u64 *s = slot_of(&own_view_of(OWN_HOST)->cpu, hpa), saved = *s;

	(void)state;
	/* The host's leaf for vpa is gone (donated); make hpa's identity leaf cover it. */
	s[-4] = (saved & ~S2_OA) | vpa;
	expect_inv("owned by vm", &s[-4], 0);
}

static void inv_bad_descriptor(void **state)
{
	u64 *s = slot_of(&own_view_of(vm)->cpu, IPA0), saved = *s;

	(void)state;
	*s = saved & ~2ULL; /* level 3, bits[1:0] = 01: reserved */
	expect_inv("bad descriptor", s, saved);
}

static void inv_page_count(void **state)
{
	u64 *s = slot_of(&own_view_of(vm)->cpu, IPA0), saved = *s;

	(void)state;
	*s = 0; /* one page the DB gives the VM is no longer reached */
	expect_inv("reaches 3 pages, DB says 4", s, saved);
}

static void inv_pool_counter(void **state)
{
	struct pt_pool *p = (struct pt_pool *)own_pool_of(vm);

	(void)state;
	p->nr_free++;
	expect_inv("pool", NULL, 0);
	p->nr_free--;
	INV_ASSERT();
}

static void inv_db_entry(void **state)
{
	u64 nr;
	u16 *db = (u16 *)own_db_entries(&nr);
	u64 idx = (hpa - ENV_RAM_BASE) >> PAGE_SHIFT;
	u16 saved = db[idx];

	(void)state;
	db[idx] |= 0x8000; /* a bit no entry may have */
	expect_inv("impossible entry", NULL, 0);
	db[idx] = saved;
	INV_ASSERT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decoder_vectors),
		cmocka_unit_test(engine_encodes_manual_bits),
		cmocka_unit_test(vtd_sl_1g_leaf),
		cmocka_unit_test(s1_table_limits),
		cmocka_unit_test_setup_teardown(inv_mirror_divergence, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_mapped_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_table_count, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_vm_device, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_host_ram_device, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_host_not_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_host_attr, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_vm_reaches_host_page, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_host_reaches_vm_page, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_bad_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_page_count, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_pool_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(inv_db_entry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
