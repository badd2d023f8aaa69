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
 *   DONE              prints the check count and powers off (PSCI SYSTEM_OFF)
 */
#include "guest.h"

#define KVM_MEM_SHARE	0xC6000003UL /* Linux Documentation/virt/kvm/arm/hypercalls.rst */
#define KVM_MEM_UNSHARE 0xC6000004UL
#define DATA		0x80200000UL
#define GCMD		0x09001000UL
#define GRES		0x09001008UL
#define OP_SHARE	1
#define OP_UNSHARE	2
#define OP_FILL		3
#define OP_CHECK	4
#define OP_ZERO		5
#define OP_PEEK		6
#define OP_DONE		7

const char *guest_name = "gmem";

static u64 pattern(u64 page, u64 word)
{
	return 0x676d656d00000000UL | page << 16 | word; /* "gmem" */
}

static volatile u64 *page_at(u64 page)
{
	return (volatile u64 *)(DATA + page * 4096);
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
		if (op == OP_DONE || op == 0 || op > OP_DONE)
			break;
		mmio_write32(GRES, (u32)run(op, (cmd >> 8) & 0xfff, cmd >> 20));
		cmds++;
	}
	check(op == OP_DONE, "the VMM's commands ended with DONE");
	note("commands ");
	putdec(cmds);
	putch('\n');
	finish();
}
