// SPDX-License-Identifier: GPL-2.0-only
/*
 * devbar: a guest that drives its device itself (docs/iommu.md "Devices of protected VMs"). The
 * VMM (tests/vfio/vfio-vm.c, mode "bar") assigned QEMU's edu to the VM and moved its BAR 0 into
 * the VM's stage 2 at EDU_GPA (LOCKSTEP_VM_MAP_DEVICE_BAR): the guest's accesses to the edu's
 * registers go to the device through its own stage 2, not to the VMM as MMIO exits (the VMM
 * counts those: none may be in the BAR). The VMM loaded its pattern into the edu's buffer
 * before; the guest:
 *
 * 1. reads the edu's identification register and its liveness register (write x, read ~x);
 * 2. makes the edu DMA its buffer into a private page of the guest and checks word 0, then
 *    reports the page's checksum to the VMM (MMIO 0x09000028, compared with the pattern's);
 * 3. writes a page of its own, makes the edu DMA it into the edu's buffer and back into a third
 *    private page, and compares: the device reads and writes the guest's private memory.
 */
#include "guest.h"

#define EDU_GPA	      0x40000000UL /* where the VMM maps BAR 0 (outside RAM at 0x80000000) */
#define EDU_ID	      0x00UL
#define EDU_LIVE      0x04UL
#define EDU_DMA_SRC   0x80UL
#define EDU_DMA_DST   0x88UL
#define EDU_DMA_CNT   0x90UL
#define EDU_DMA_CMD   0x98UL
#define EDU_BUF	      0x40000UL
#define EDU_CMD_START 1U
#define EDU_CMD_TORAM 2U
#define EDU_IDENT     0x010000edUL /* QEMU hw/misc/edu.c: major 1, minor 0, 0xed */
#define DEV_SUM	      0x09000028UL
#define DMA_MAGIC     0x6564752d646d6121UL /* "edu-dma!", word 0 of the VMM's pattern */

const char *guest_name = "devbar";
static volatile u64 priv[512] __attribute__((aligned(4096)));
static volatile u64 mine[512] __attribute__((aligned(4096)));
static volatile u64 back[512] __attribute__((aligned(4096)));

static u64 page_sum(volatile u64 *p)
{
	u64 h = 0xcbf29ce484222325UL;
	unsigned int i;

	for (i = 0; i < 512; i++)
		h = (h ^ p[i]) * 0x100000001b3UL;
	return h;
}

/* One 4 KiB edu DMA programmed by the guest (32-bit accesses: edu.c takes 4 or 8 bytes). */
static int edu_dma(u64 src, u64 dst, u32 cmd)
{
	unsigned long spins;

	mmio_write32(EDU_GPA + EDU_DMA_SRC, (u32)src);
	mmio_write32(EDU_GPA + EDU_DMA_DST, (u32)dst);
	mmio_write32(EDU_GPA + EDU_DMA_CNT, 4096);
	mmio_write32(EDU_GPA + EDU_DMA_CMD, cmd | EDU_CMD_START);
	for (spins = 0; spins < 100000000UL; spins++)
		if (!(mmio_read32(EDU_GPA + EDU_DMA_CMD) & EDU_CMD_START))
			return 0;
	return -1;
}

void guest_main(u64 index, u64 x0)
{
	u64 sum, i;

	(void)index;
	(void)x0;
	note("edu ident ");
	puthex(mmio_read32(EDU_GPA + EDU_ID));
	putch('\n');
	check(mmio_read32(EDU_GPA + EDU_ID) == EDU_IDENT,
	      "the guest reads the edu's identification register through its stage 2");
	mmio_write32(EDU_GPA + EDU_LIVE, 0x12345678U);
	check(mmio_read32(EDU_GPA + EDU_LIVE) == (u32)~0x12345678U,
	      "the edu's liveness register answers the guest's write (~x)");

	check(edu_dma(EDU_BUF, (u64)priv, EDU_CMD_TORAM) == 0 && priv[0] == DMA_MAGIC,
	      "the guest's own edu DMA reached its private page (word 0 = edu-dma!)");
	sum = page_sum(priv);
	mmio_write32(DEV_SUM, (u32)sum);
	mmio_write32(DEV_SUM + 4, (u32)(sum >> 32));

	for (i = 0; i < 512; i++)
		mine[i] = 0x6775657374000000UL | i; /* "guest" */
	check(edu_dma((u64)mine, EDU_BUF, 0) == 0 &&
		      edu_dma(EDU_BUF, (u64)back, EDU_CMD_TORAM) == 0,
	      "the guest's edu DMAs private page -> device -> private page complete");
	check(page_sum(back) == page_sum(mine) && back[511] == (0x6775657374000000UL | 511),
	      "the device read the guest's private page and wrote it back unchanged");
	finish();
}
