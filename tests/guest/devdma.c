// SPDX-License-Identifier: GPL-2.0-only
/*
 * devdma: a guest with a device of its own (docs/iommu.md "Devices of protected VMs"). The VMM
 * (tests/vfio/vfio-vm.c) assigned QEMU's edu to the VM with LOCKSTEP_VM_ASSIGN_DEVICE and keeps
 * its registers; the guest asks it, through an MMIO register of the VMM, to make the edu write
 * its 4 KiB buffer at a GPA, then reads what arrived and reports a checksum back:
 *
 *   0x09000020  write: a GPA (32 bits): the VMM runs an edu DMA of 4 KiB to it (IOVA = GPA)
 *   0x09000028  write: the checksum of what the guest read (low 32 bits, then high at +4)
 *
 * 1. a private page: the device's data arrives (the host cannot read the page: the VMM checks);
 * 2. a page the guest shared (MEM_SHARE): the data arrives and the VMM sees it too;
 * 3. the same page after MEM_UNSHARE, zeroed by the guest: the data arrives again, the VMM can no
 *    longer read it (the device follows the conversions both ways);
 * 4. a GPA outside the VM's memory: nothing arrives anywhere (the VMM counts the SMMU fault).
 */
#include "guest.h"

#define DEV_DMA		0x09000020UL
#define DEV_SUM		0x09000028UL
#define KVM_MEM_SHARE	0xC6000003UL
#define KVM_MEM_UNSHARE 0xC6000004UL
#define DMA_MAGIC	0x6564752d646d6121UL /* "edu-dma!", word 0 of the VMM's pattern */
#define UNMAPPED_GPA	0xc0000000UL	     /* beyond the VM's RAM (2 MiB at 0x80000000) */

const char *guest_name = "devdma";
static volatile u64 priv[512] __attribute__((aligned(4096)));
static volatile u64 shared[512] __attribute__((aligned(4096)));

/* FNV-1a over the page's 64-bit words (the VMM computes the same over its pattern). */
static u64 page_sum(volatile u64 *p)
{
	u64 h = 0xcbf29ce484222325UL;
	unsigned int i;

	for (i = 0; i < 512; i++)
		h = (h ^ p[i]) * 0x100000001b3UL;
	return h;
}

static u64 dma_and_report(volatile u64 *p, const char *what)
{
	u64 sum;

	note("device DMA to ");
	puts(what);
	puts(" gpa ");
	puthex((u64)p);
	putch('\n');
	mmio_write32(DEV_DMA, (u32)(u64)p);
	sum = page_sum(p);
	mmio_write32(DEV_SUM, (u32)sum);
	mmio_write32(DEV_SUM + 4, (u32)(sum >> 32));
	note("checksum ");
	puthex(sum);
	putch('\n');
	return sum;
}

void guest_main(u64 index, u64 x0)
{
	struct smccc_res r;
	u64 before;

	(void)index;
	(void)x0;
	check(priv[0] == 0 && priv[511] == 0, "the private page is zero before the device writes");
	dma_and_report(priv, "private");
	check(priv[0] == DMA_MAGIC,
	      "the device's data reached the private page (word 0 = edu-dma!)");

	r = hvc(KVM_MEM_SHARE, (u64)shared, 0, 0);
	check(r.a0 == 0, "MEM_SHARE of a second page returns SUCCESS");
	dma_and_report(shared, "shared");
	check(shared[0] == DMA_MAGIC, "the device's data reached the shared page");

	r = hvc(KVM_MEM_UNSHARE, (u64)shared, 0, 0);
	check(r.a0 == 0, "MEM_UNSHARE of that page returns SUCCESS");
	memset((void *)shared, 0, sizeof(shared));
	dma_and_report(shared, "unshared");
	check(shared[0] == DMA_MAGIC, "the device's data reached the page private again");

	before = page_sum(priv);
	note("device DMA to unmapped gpa ");
	puthex(UNMAPPED_GPA);
	putch('\n');
	mmio_write32(DEV_DMA, (u32)UNMAPPED_GPA);
	check(page_sum(priv) == before,
	      "a DMA outside the VM's memory left the private page alone");
	finish();
}
