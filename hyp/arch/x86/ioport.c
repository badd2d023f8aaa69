// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's I/O ports the hypervisor takes (docs/x86.md "I/O ports"), one policy for both
 * flavours: svm.c builds its I/O permission map and vmx.c its I/O bitmaps from the same
 * table, and both hand every intercepted access, decoded here, to x86_io_refuse. No CPU
 * access: the x86-unit suite runs this file host-native (tests/x86/test_ioport.c).
 */
#include "hyp/plat.h"
#include "x86/ioport.h"
#include "x86/svm.h"
#include "x86/vmx.h"

/*
 * The taken ports. QEMU's fw_cfg DMA interface (QEMU docs/specs/fw_cfg.rst "DMA
 * interface"): the physical address of a control structure, written big-endian to 514h (high
 * 32 bits) and 518h (low 32 bits; this write starts the transfer), which QEMU then performs on
 * physical memory directly, translated by no IOMMU: a DMA master that reaches every page, the
 * hypervisor's included. The selector and data ports (510h, 511h) move no memory: the host's.
 */
static const struct x86_io_range {
	u16 first, n;
	const char *why;
} taken[] = {
	{ 0x514, 8, "QEMU's fw_cfg DMA interface reaches memory outside every IOMMU" },
};

static u64 refused;

bool x86_io_from_svm(u64 info1, struct x86_io *io)
{
	u32 sz = (u32)(info1 >> SVM_IOIO_SZ_SHIFT) & 7U; /* SZ8, SZ16, SZ32: one-hot */

	if (sz != 1 && sz != 2 && sz != 4)
		return false;
	io->port = (u16)(info1 >> SVM_IOIO_PORT_SHIFT);
	io->size = (u8)sz;
	io->in = !!(info1 & SVM_IOIO_IN);
	io->str = !!(info1 & SVM_IOIO_STR);
	io->rep = !!(info1 & SVM_IOIO_REP);
	return true;
}

bool x86_io_from_vmx(u64 qual, struct x86_io *io)
{
	u32 sz = (u32)IOQ_SIZE(qual); /* 0, 1, 3: bytes - 1 */

	if (sz != 0 && sz != 1 && sz != 3)
		return false;
	io->port = (u16)IOQ_PORT(qual);
	io->size = (u8)(sz + 1);
	io->in = !!(qual & IOQ_IN);
	io->str = !!(qual & IOQ_STR);
	io->rep = !!(qual & IOQ_REP);
	return true;
}

const char *x86_io_taken(u32 port, u32 size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(taken); i++)
		if (port < (u32)taken[i].first + taken[i].n && port + size > taken[i].first)
			return taken[i].why;
	return NULL;
}

void x86_io_bitmap_fill(u8 *bm, size_t bytes)
{
	size_t i;
	u32 p;

	for (i = 0; i < ARRAY_SIZE(taken); i++)
		for (p = taken[i].first; p < (u32)taken[i].first + taken[i].n; p++)
			if (p / 8 < bytes)
				bm[p / 8] |= (u8)(1U << (p % 8));
}

enum x86_io_action x86_io_refuse(const struct x86_io *io, u64 *rax, u64 rip, u8 cpl, u32 apic_id)
{
	const char *why = x86_io_taken(io->port, io->size);
	u64 nr = __atomic_add_fetch(&refused, 1, __ATOMIC_RELAXED);

	/* Only a taken port exits: anything else means the bitmap and this table disagree. */
	if (nr <= X86_IO_LOG_MAX)
		plat_log("host %s of I/O port %#x (%u bytes%s, RIP %#llx, CPL %u, APIC ID %u) "
			 "refused%s: %s%s",
			 io->in ? "read" : "write", io->port, io->size,
			 io->str ? (io->rep ? ", REP string" : ", string") : "",
			 (unsigned long long)rip, cpl, apic_id, io->str ? " (#GP)" : "",
			 why ? why : "not a taken port (I/O bitmap and policy disagree)",
			 nr == X86_IO_LOG_MAX ? "; further refusals are not logged" : "");
	/*
	 * INS/OUTS move memory through the host's segments and page tables, and REP repeats
	 * them RCX times: not emulated, the host gets #GP(0) as for a port it may not use.
	 */
	if (io->str)
		return X86_IO_GP;
	/* No device answers: all ones, as on an unclaimed ISA port. */
	if (io->in && io->size == 4)
		*rax = 0xffffffffULL; /* a 32-bit result zero-extends into RAX */
	else if (io->in)
		*rax |= io->size == 2 ? 0xffffULL : 0xffULL;
	return X86_IO_NEXT;
}

u64 x86_io_refused(void)
{
	return __atomic_load_n(&refused, __ATOMIC_RELAXED);
}
