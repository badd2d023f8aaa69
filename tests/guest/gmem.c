// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem: the guest of the gmem suite (tests/gmem/gmemtest.c "guest" tests): it does what the
 * VMM asks, one command at a time, so that the VMM can drive conversions of its memory
 * through the guest_memfd uAPI (LOCKSTEP_SET_MEMORY_ATTRIBUTES2) and check each side.
 *
 * Its data is the 2 MiB block at GPA 0x80200000 (DATA: the second 2 MiB of its RAM, which the
 * VMM populates with zeros, one block mapping). The command register GCMD (MMIO read, 32 bits)
 * returns op | page << 8 | count << 20, page and count in 4 KiB pages of DATA; the guest writes
 * each command's result to GRES (MMIO write) before it reads the next command:
 *   SHARE n pages     pKVM MEM_SHARE each page (consent; the VMM converts): 0 or the first
 *                     failed page's SMCCC status
 *   UNSHARE           MEM_UNSHARE each page: the same
 *   FILL              write pattern(page, word) to every word
 *   CHECK             the number of pages whose words are not pattern(page, word)
 *   ZERO?             the number of pages with a non-zero word
 *   PEEK              the low 32 bits of the page's word 1 (what the host wrote there)
 *   SMP n rounds      private_mem_conversions_test's pattern: vCPU 0 starts vCPUs 1..3 (PSCI
 *                     CPU_ON); each vCPU i, n times, fills its page 100 + 8 i + round % 8
 *                     with pattern ^ round << 40, MEM_SHAREs it (the VMM's thread of that vCPU
 *                     converts it to shared, checks the data, writes ~word 0 at word 1 and
 *                     converts it back, PRESERVE) and checks the host's word; the number of
 *                     bad rounds of all vCPUs. Secondaries then CPU_OFF.
 *   STRESS n rounds   SMP's rounds, and vCPU 0 also drives the VMM's assigned device (QEMU's
 *                     edu, tests/gmem/edu.c) over private pages beside the converted windows,
 *                     while vCPUs 1..3 convert: after each of its own rounds and until the
 *                     others are done (at least once per command), one DMA round k: it fills
 *                     page src with dma_pattern(k, word), writes src | dst << 16 to EDU_ARG,
 *                     reads EDU_GO (the VMM makes the edu copy src -> its buffer -> dst, IOVA =
 *                     GPA: the device reads and writes private memory; 0 when both DMAs ended)
 *                     and checks every word of dst. src and dst alternate between pages
 *                     96..99 and 132..135 of DATA, the neighbours of the windows 100..131 in
 *                     the same 2 MiB block, so the DMA goes through the splits and merges of
 *                     that block. Before its result it writes the DMA rounds that went wrong
 *                     (EDU_GO not 0 or a word wrong) to EDU_BAD; the result is SMP's.
 *   DONE              prints the check count and powers off (PSCI SYSTEM_OFF)
 *   BASE g            later commands' pages count from GPA g GiB (g = 0: from DATA again):
 *                     the 1 GiB guest_memfd of the "gmem1g" tests; result 0
 *   SHARE2M b n       MEM_SHARE every page of n 2 MiB blocks from block b (of the base): the
 *                     consent for a whole GiB in one command (make bench-gmem); as SHARE
 */
#include "guest.h"

#define KVM_MEM_SHARE	0xC6000003UL /* Linux Documentation/virt/kvm/arm/hypercalls.rst */
#define KVM_MEM_UNSHARE 0xC6000004UL
#define DATA		0x80200000UL
#define GCMD		0x09001000UL
#define GRES		0x09001008UL
#define EDU_ARG		0x09001010UL /* OP_STRESS: tests/gmem/edu.c */
#define EDU_GO		0x09001018UL
#define EDU_BAD		0x09001020UL
#define OP_SHARE	1
#define OP_UNSHARE	2
#define OP_FILL		3
#define OP_CHECK	4
#define OP_ZERO		5
#define OP_PEEK		6
#define OP_DONE		7
#define OP_SMP		8
#define OP_BASE		9
#define OP_SHARE2M	10
#define OP_STRESS	11
#define NCPUS		4

const char *guest_name = "gmem";

static u64 pattern(u64 page, u64 word)
{
	return 0x676d656d00000000UL | page << 16 | word; /* "gmem" */
}

static u64 base_gib; /* OP_BASE: 0 = DATA */

static volatile u64 *page_at(u64 page)
{
	return (volatile u64 *)((base_gib ? base_gib << 30 : DATA) + page * 4096);
}

static volatile u64 smp_rounds, smp_bad[NCPUS], smp_done[NCPUS];
static u64 dma_k, dma_bad, dma_this; /* vCPU 0's DMA rounds (OP_STRESS) */

static u64 dma_pattern(u64 k, u64 word)
{
	return 0x6564750000000000UL ^ k << 24 ^ word * 0x9e3779b1UL; /* "edu" */
}

/* One DMA round of the assigned device over two private pages (OP_STRESS). */
static void dma_round(void)
{
	u64 k = dma_k++, a = 96 + k % 4, b = 132 + (k / 4) % 4, src = k & 1 ? b : a,
	    dst = k & 1 ? a : b, w;
	volatile u64 *s = page_at(src), *d = page_at(dst);
	u32 go;

	for (w = 0; w < 512; w++)
		s[w] = dma_pattern(k, w);
	mmio_write32(EDU_ARG, (u32)(src | dst << 16));
	go = mmio_read32(EDU_GO);
	for (w = 0; w < 512 && d[w] == dma_pattern(k, w); w++)
		;
	dma_bad += go != 0 || w < 512;
	dma_this++;
}

static int others_running(void)
{
	u64 i;

	for (i = 1; i < NCPUS; i++)
		if (!smp_done[i])
			return 1;
	return 0;
}

/* One vCPU's rounds of the SMP command (@dma: vCPU 0 of OP_STRESS); the number of bad ones. */
static u64 smp_loop(u64 index, int dma)
{
	u64 r, w, bad = 0;

	for (r = 0; r < smp_rounds; r++) {
		u64 p = 100 + 8 * index + r % 8;
		volatile u64 *q = page_at(p);
		struct smccc_res res;

		for (w = 0; w < 512; w++)
			q[w] = pattern(p, w) ^ r << 40;
		res = hvc(KVM_MEM_SHARE, (u64)q, 0, 0);
		bad += res.a0 != 0 || q[1] != ~(pattern(p, 0) ^ r << 40) ||
		       q[0] != (pattern(p, 0) ^ r << 40) || q[511] != (pattern(p, 511) ^ r << 40);
		if (dma && others_running())
			dma_round();
	}
	while (dma && (others_running() || !dma_this))
		dma_round();
	return bad;
}

void guest_secondary(u64 index, u64 context)
{
	(void)context;
	smp_bad[index] = smp_loop(index, 0);
	smp_done[index] = 1;
	hvc(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		asm volatile("wfi");
}

static u64 smp(u64 rounds, int dma)
{
	u64 i, bad, spin;

	smp_rounds = rounds;
	dma_bad = dma_this = 0;
	for (i = 1; i < NCPUS; i++)
		smp_done[i] = smp_bad[i] = 0; /* a second SMP command (the stress rounds) */
	for (i = 1; i < NCPUS; i++)
		if (hvc(PSCI_CPU_ON, i, (u64)secondary_entry, i).a0 != PSCI_SUCCESS)
			return 1000 + i;
	bad = smp_loop(0, dma);
	for (i = 1; i < NCPUS; i++) {
		for (spin = 0; !smp_done[i] && spin < 2000000000UL; spin++)
			;
		bad += smp_done[i] ? smp_bad[i] : 100;
	}
	return bad;
}

static u64 run(u64 op, u64 first, u64 n)
{
	u64 p, w, bad = 0;
	struct smccc_res r;

	for (p = first; p < first + n; p++) {
		volatile u64 *q = page_at(p);

		switch (op) {
		case OP_SHARE:
		case OP_UNSHARE:
			r = hvc(op == OP_SHARE ? KVM_MEM_SHARE : KVM_MEM_UNSHARE, (u64)q, 0, 0);
			if (r.a0)
				return (u64)r.a0;
			break;
		case OP_FILL:
			for (w = 0; w < 512; w++)
				q[w] = pattern(p, w);
			break;
		case OP_CHECK:
			for (w = 0; w < 512 && q[w] == pattern(p, w); w++)
				;
			bad += w < 512;
			break;
		case OP_ZERO:
			for (w = 0; w < 512 && !q[w]; w++)
				;
			bad += w < 512;
			break;
		case OP_PEEK:
			return q[1];
		}
	}
	return bad;
}

void guest_main(u64 index, u64 x0)
{
	u64 cmd, op, cmds = 0;

	(void)index;
	(void)x0;
	for (;;) {
		cmd = mmio_read32(GCMD);
		op = cmd & 0xff;
		if (op == OP_DONE || op == 0 || op > OP_STRESS)
			break;
		if (op == OP_SHARE2M) {
			mmio_write32(GRES, (u32)run(OP_SHARE, ((cmd >> 8) & 0xfff) * 512,
						    (cmd >> 20) * 512));
		} else if (op == OP_BASE) {
			base_gib = (cmd >> 8) & 0xfff;
			mmio_write32(GRES, 0);
		} else if (op == OP_SMP || op == OP_STRESS) {
			u32 res = (u32)smp(cmd >> 20, op == OP_STRESS);

			if (op == OP_STRESS)
				mmio_write32(EDU_BAD, (u32)dma_bad);
			mmio_write32(GRES, res);
		} else {
			mmio_write32(GRES, (u32)run(op, (cmd >> 8) & 0xfff, cmd >> 20));
		}
		cmds++;
	}
	check(op == OP_DONE, "the VMM's commands ended with DONE");
	note("commands ");
	putdec(cmds);
	putch('\n');
	finish();
}
