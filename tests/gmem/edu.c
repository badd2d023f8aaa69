// SPDX-License-Identifier: GPL-2.0-only
/*
 * The gmem guest's assigned device (included by gmemtest.c; docs/gmem.md "Stress"): QEMU's edu,
 * opened with VFIO by this VMM and handed to the running gmem VM with LOCKSTEP_VM_ASSIGN_DEVICE
 * for the stress rounds (docs/iommu.md "Devices of protected VMs"). Its registers stay the VMM's;
 * the guest asks for a copy through two MMIO registers of the VMM (tests/guest/gmem.c
 * OP_STRESS) and the VMM's thread of vCPU 0 programs the edu with GPAs as DMA addresses: the
 * edu reads the guest's private source page into its 4 KiB buffer, then writes it to the
 * private destination page, both through the VM's stage 2 under the VM's VMID.
 *
 *   EDU_ARG (write)  src | dst << 16, pages of DATA
 *   EDU_GO  (read)   runs the copy; 0 when both DMAs ended, 1 if the edu stayed busy (5 s),
 *                    2 without a device
 *   EDU_BAD (write)  the guest's count of bad DMA rounds of the command (added up)
 */
#include <linux/vfio.h>

#define NR_PREAD64  67
#define NR_PWRITE64 68

#define EDU_ARG	      0x09001010ULL /* tests/guest/gmem.c */
#define EDU_GO	      0x09001018ULL
#define EDU_BAD	      0x09001020ULL
#define EDU_DMA_SRC   0x80 /* QEMU hw/misc/edu.c, docs/specs/edu.rst */
#define EDU_DMA_DST   0x88
#define EDU_DMA_CNT   0x90
#define EDU_DMA_CMD   0x98
#define EDU_BUF	      0x40000ULL
#define EDU_CMD_START 1
#define EDU_CMD_TORAM 2

static struct {
	int cont, group, dev;
	volatile unsigned char *bar;
	unsigned long long arg;
	unsigned int copies, busy, guest_bad;
	unsigned long long ns;
} edu = { -1, -1, -1, 0, 0, 0, 0, 0, 0 };

/* Opens @bdf of VFIO group @grp (type1v2 container, device fd, BAR 0, bus master on). */
static int edu_open(const char *bdf, const char *grp)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	char path[32] = "/dev/vfio/";
	unsigned long n = strlen(path), i;
	unsigned short cmd;

	for (i = 0; grp[i] && n < sizeof(path) - 1; i++)
		path[n++] = grp[i];
	path[n] = 0;
	edu.cont = open_("/dev/vfio/vfio", O_RDWR_);
	edu.group = open_(path, O_RDWR_);
	if (edu.cont < 0 || edu.group < 0 ||
	    xioctl(edu.group, VFIO_GROUP_GET_STATUS, (unsigned long)&st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    xioctl(edu.group, VFIO_GROUP_SET_CONTAINER, (unsigned long)&edu.cont) ||
	    xioctl(edu.cont, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		out("# edu: container %d, group %s %d (status 0x%x): VFIO refused\n", edu.cont,
		    path, edu.group, st.flags);
		return -1;
	}
	edu.dev = (int)xioctl(edu.group, VFIO_GROUP_GET_DEVICE_FD, (unsigned long)bdf);
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (edu.dev < 0 || xioctl(edu.dev, VFIO_DEVICE_GET_REGION_INFO, (unsigned long)&ri))
		return -1;
	edu.bar = (volatile unsigned char *)sys(NR_MMAP, 0, ri.size, PROT_READ_ | PROT_WRITE_,
						MAP_SHARED_, edu.dev, ri.offset);
	if ((long)edu.bar < 0 && (long)edu.bar > -4096) {
		edu.bar = 0;
		return -1;
	}
	ri.argsz = sizeof(ri);
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (xioctl(edu.dev, VFIO_DEVICE_GET_REGION_INFO, (unsigned long)&ri) ||
	    sys(NR_PREAD64, edu.dev, &cmd, 2, ri.offset + 4) != 2)
		return -1;
	/* PCI Command: memory space (bit 1) and bus master (bit 2; vfio-pci leaves it off). PCI
	 * Express Base 6.0, 7.5.1.1.3 */
	cmd |= 0x6;
	return sys(NR_PWRITE64, edu.dev, &cmd, 2, ri.offset + 4) == 2 ? 0 : -1;
}

static long edu_assign(struct vm *v, int release)
{
	struct lockstep_assign_device a;

	memset(&a, 0, sizeof(a));
	a.fd = (unsigned int)edu.group;
	return xioctl(v->fd, release ? LOCKSTEP_VM_RELEASE_DEVICE : LOCKSTEP_VM_ASSIGN_DEVICE,
		      (unsigned long)&a);
}

/* One edu DMA of 4 KiB (edu.rst: the transfer starts on a write of the command with bit 0 and
 * bit 0 clears when it is done); 0 once done, -1 if still busy after 5 s. */
static int edu_dma(unsigned long long src, unsigned long long dst, unsigned long long cmd)
{
	long t0 = now_ms();

	*(volatile unsigned long long *)(edu.bar + EDU_DMA_SRC) = src;
	*(volatile unsigned long long *)(edu.bar + EDU_DMA_DST) = dst;
	*(volatile unsigned long long *)(edu.bar + EDU_DMA_CNT) = PAGE;
	*(volatile unsigned long long *)(edu.bar + EDU_DMA_CMD) = cmd | EDU_CMD_START;
	while (*(volatile unsigned long long *)(edu.bar + EDU_DMA_CMD) & EDU_CMD_START) {
		if (now_ms() - t0 > 5000)
			return -1;
		sleep_ms(1);
	}
	return 0;
}

/* The guest's EDU_GO: the copy src -> the edu's buffer -> dst (GPAs). */
static unsigned int edu_copy(void)
{
	unsigned long long src = RAM_GPA + DPAGE(edu.arg & 0xfff),
			   dst = RAM_GPA + DPAGE((edu.arg >> 16) & 0xfff), t0 = now_ns();

	if (!edu.bar)
		return 2;
	if (edu_dma(src, EDU_BUF, 0) || edu_dma(EDU_BUF, dst, EDU_CMD_TORAM)) {
		edu.busy++;
		return 1;
	}
	edu.copies++;
	edu.ns += now_ns() - t0;
	return 0;
}

/* vCPU 0's MMIO exits to the edu's registers; 1 if @run's exit was one of them. */
static int edu_mmio(struct lockstep_run *run)
{
	unsigned long long data, r;

	memcpy(&data, run->mmio.data, sizeof(data));
	if (run->mmio.phys_addr == EDU_ARG && run->mmio.is_write) {
		edu.arg = data & 0xffffffffULL;
	} else if (run->mmio.phys_addr == EDU_GO && !run->mmio.is_write) {
		r = edu_copy();
		memcpy(run->mmio.data, &r, sizeof(r));
	} else if (run->mmio.phys_addr == EDU_BAD && run->mmio.is_write) {
		edu.guest_bad += (unsigned int)data;
	} else {
		return 0;
	}
	return 1;
}
