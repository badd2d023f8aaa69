// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-edu: a user-space driver for QEMU's edu device through the standard VFIO API (the legacy
 * container + type1v2 IOMMU, as QEMU, DPDK or SPDK use it), run on a Lockstep host behind
 * lockstep-iommu.ko (tests/vfio/lstest, docs/iommu.md "VFIO"). Nothing here knows about Lockstep
 * except the checks that read its counters (lockstep.ko's raw_hvc: SMMU fault records, domain
 * queries) and the PV IOMMU driver's hypercall counts (debugfs).
 *
 *   vfio-edu BDF_A GROUP_A BDF_B GROUP_B ITS_DOORBELL_PAGE [big]
 *
 * Prints "ok - NAME" / "not ok - NAME" per check and "# ..." diagnostics, one per line (the
 * shell wraps them as TAP). Both edu devices are created with dma_mask=0xffffffffff (40-bit DMA).
 *
 * edu registers (QEMU docs/specs/edu.rst): 0x00 ident (0x010000ed), 0x24 interrupt status,
 * 0x60 raise interrupt, 0x64 acknowledge, 0x80 DMA source, 0x88 DMA destination, 0x90 count,
 * 0x98 command (bit 0 start/busy, bit 1 edu buffer -> RAM, bit 2 interrupt when done); the
 * device's DMA buffer is at 0x40000 (4 KiB) in its own address space.
 */
#include <linux/vfio.h>

#include <lockstep/abi.h>

#include "sys.h"

#define EDU_IDENT     0x00
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK   0x64
#define EDU_DMA_SRC   0x80
#define EDU_DMA_DST   0x88
#define EDU_DMA_CNT   0x90
#define EDU_DMA_CMD   0x98
#define EDU_BUF	      0x40000UL
#define EDU_CMD_START 1
#define EDU_CMD_TORAM 2

#define PG	 4096UL
#define MSI_BASE 0x8000000UL /* lockstep-iommu's IOMMU_RESV_SW_MSI window, 1 MiB */
#define MSI_END	 0x80fffffUL
#define IOVA_TOP ((1UL << 40) - 1) /* the PV IOMMU's 40-bit aperture */
#define IOVA_A	 0x1000000UL
#define IOVA_X	 0x2000000UL
#define IOVA_Y	 0x3000000UL
#define IOVA_BIG 0x40000000UL
#define BIG	 (1UL << 30)

static const char *raw_path = "/sys/kernel/debug/lockstep/raw_hvc";
static const char *lsi_path = "/sys/kernel/debug/lockstep-iommu/stats";
static int fails;

struct dev {
	const char *bdf;
	int group, fd, efd;
	volatile unsigned char *bar;
	unsigned long bar_size, cfg_off;
};

static void check(int ok, const char *name)
{
	out("%s - %s", ok ? "ok" : "not ok", name);
	if (!ok)
		fails++;
}

static long ioc(int fd, unsigned long req, const void *arg)
{
	return sys(NR_IOCTL, fd, req, arg);
}

/* --- Lockstep counters through lockstep.ko's raw_hvc and lockstep-iommu's debugfs ---------- */

static char *fmt_hex(char *p, unsigned long v)
{
	int i;

	*p++ = '0';
	*p++ = 'x';
	for (i = 60; i >= 0; i -= 4)
		*p++ = "0123456789abcdef"[(v >> i) & 0xf];
	*p++ = ' ';
	return p;
}

static unsigned long parse_num(const char **s)
{
	unsigned long v = 0;
	const char *p = *s;
	int base = 10;

	while (*p == ' ' || *p == '\n')
		p++;
	if (p[0] == '0' && p[1] == 'x') {
		base = 16;
		p += 2;
	}
	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			*p >= 'a' && *p <= 'f' ? *p - 'a' + 10 :
						 99;
		if (d >= base)
			break;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	*s = p;
	return v;
}

/* One hypercall through raw_hvc; r[0..3] = x0..x3. Returns 0 if the file worked. */
static int hvc(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long r[4])
{
	char buf[128], *p = buf;
	const char *q = buf;
	int fd, i;
	long n;

	p = fmt_hex(fmt_hex(fmt_hex(p, fn), a1), a2);
	fd = open_(raw_path, O_WRONLY_);
	if (fd < 0)
		return -1;
	n = sys(NR_WRITE, fd, buf, p - buf);
	sys(NR_CLOSE, fd);
	fd = open_(raw_path, O_RDONLY_);
	if (n < 0 || fd < 0)
		return -1;
	n = sys(NR_READ, fd, buf, sizeof(buf) - 1);
	sys(NR_CLOSE, fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (i = 0; i < 4; i++)
		r[i] = parse_num(&q);
	return 0;
}

static unsigned long smmu_faults(void)
{
	unsigned long r[4];

	if (hvc(LS_HVC_SMMU_STATS, LS_SMMU_STAT_FAULTS, 0, r) || r[0] != LS_OK)
		return ~0UL;
	return r[1];
}

/* A counter of lockstep-iommu's debugfs stats ("name value" lines). */
static unsigned long lsi_stat(const char *name)
{
	static char buf[2048];
	unsigned long len = strlen(name);
	const char *p = buf;
	long n;
	int fd = open_(lsi_path, O_RDONLY_);

	if (fd < 0)
		return ~0UL;
	n = sys(NR_READ, fd, buf, sizeof(buf) - 1);
	sys(NR_CLOSE, fd);
	if (n <= 0)
		return ~0UL;
	buf[n] = 0;
	while (*p) {
		if (!memcmp(p, name, len) && p[len] == ' ') {
			p += len;
			return parse_num(&p);
		}
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return ~0UL;
}

struct calls {
	unsigned long map, batch, unmap, donate, query, leaf, pages_mapped, pages_unmapped;
};

static void calls_read(struct calls *c)
{
	c->map = lsi_stat("map_calls");
	c->batch = lsi_stat("batch_calls");
	c->unmap = lsi_stat("unmap_calls");
	c->donate = lsi_stat("donate_calls");
	c->query = lsi_stat("query_calls");
	c->leaf = lsi_stat("query_leaf_hits");
	c->pages_mapped = lsi_stat("map_pages");
	c->pages_unmapped = lsi_stat("unmap_pages");
}

/* --- VFIO ---------------------------------------------------------------------------------- */

static int map_dma(int cont, void *va, unsigned long iova, unsigned long size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (unsigned long)va,
		.iova = iova,
		.size = size,
	};

	return (int)ioc(cont, VFIO_IOMMU_MAP_DMA, &m);
}

/* Returns the bytes unmapped, or -errno. */
static long unmap_dma(int cont, unsigned long iova, unsigned long size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = iova,
		.size = size,
	};
	long r = ioc(cont, VFIO_IOMMU_UNMAP_DMA, &u);

	return r < 0 ? r : (long)u.size;
}

static void *anon(unsigned long size, int prot)
{
	void *p = (void *)sys(NR_MMAP, 0, size, prot, MAP_PRIVATE_ | MAP_ANON_ | MAP_POPULATE_, -1,
			      0);

	return (long)p < 0 && (long)p > -4096 ? MAP_FAILED_ : p;
}

static int group_open(const char *g)
{
	char path[32] = "/dev/vfio/";
	unsigned long n = strlen(path), i;

	for (i = 0; g[i] && n < sizeof(path) - 1; i++)
		path[n++] = g[i];
	path[n] = 0;
	return open_(path, O_RDWR_);
}

/* Put the group in the container (and set the IOMMU if it is the first), open the device. */
static int dev_open(struct dev *d, const char *bdf, const char *grp, int cont, int set_iommu)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	unsigned short cmd;
	long r;

	d->bdf = bdf;
	d->efd = -1;
	if (d->group <= 0)
		d->group = group_open(grp);
	if (d->group < 0) {
		out("# %s: open group %s: %d", bdf, grp, d->group);
		return -1;
	}
	if (ioc(d->group, VFIO_GROUP_GET_STATUS, &st) || !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		out("# %s: group %s not viable (flags 0x%x)", bdf, grp, st.flags);
		return -1;
	}
	r = ioc(d->group, VFIO_GROUP_SET_CONTAINER, &cont);
	if (r) {
		out("# %s: GROUP_SET_CONTAINER: %ld", bdf, r);
		return -1;
	}
	if (set_iommu) {
		r = sys(NR_IOCTL, cont, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
		if (r) {
			out("# %s: SET_IOMMU type1v2: %ld", bdf, r);
			return -1;
		}
	}
	d->fd = (int)ioc(d->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0) {
		out("# %s: GET_DEVICE_FD: %d", bdf, d->fd);
		return -1;
	}
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioc(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) ||
	    !(ri.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		out("# %s: BAR0 region info (flags 0x%x)", bdf, ri.flags);
		return -1;
	}
	d->bar = (void *)sys(NR_MMAP, 0, ri.size, PROT_READ_ | PROT_WRITE_, MAP_SHARED_, d->fd,
			     ri.offset);
	if ((long)d->bar < 0 && (long)d->bar > -4096) {
		out("# %s: mmap BAR0: %ld", bdf, (long)d->bar);
		d->bar = 0;
		return -1;
	}
	d->bar_size = ri.size;
	ri.argsz = sizeof(ri);
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioc(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return -1;
	d->cfg_off = ri.offset;
	/* PCI command: memory space and bus master (vfio-pci leaves DMA off). */
	if (sys(NR_PREAD64, d->fd, &cmd, 2, d->cfg_off + 4) != 2)
		return -1;
	cmd |= 0x6;
	if (sys(NR_PWRITE64, d->fd, &cmd, 2, d->cfg_off + 4) != 2)
		return -1;
	return 0;
}

static void dev_close(struct dev *d)
{
	if (d->efd >= 0)
		sys(NR_CLOSE, d->efd);
	d->efd = -1;
	/* The mapping holds the device file too: VFIO_GROUP_UNSET_CONTAINER waits for both. */
	if (d->bar)
		sys(NR_MUNMAP, d->bar, d->bar_size);
	if (d->fd > 0)
		sys(NR_CLOSE, d->fd);
	d->fd = -1;
	d->bar = 0;
}

static unsigned int rd32(struct dev *d, unsigned long off)
{
	return *(volatile unsigned int *)(d->bar + off);
}

static void wr32(struct dev *d, unsigned long off, unsigned int v)
{
	*(volatile unsigned int *)(d->bar + off) = v;
}

static void wr64(struct dev *d, unsigned long off, unsigned long v)
{
	*(volatile unsigned long *)(d->bar + off) = v;
}

/* One edu DMA of @cnt bytes; returns 0 when the device reports it done (faulted or not). */
static int edu_dma(struct dev *d, unsigned long src, unsigned long dst, unsigned long cnt,
		   unsigned long cmd)
{
	long t0 = now_us();

	wr64(d, EDU_DMA_SRC, src);
	wr64(d, EDU_DMA_DST, dst);
	wr64(d, EDU_DMA_CNT, cnt);
	wr64(d, EDU_DMA_CMD, cmd | EDU_CMD_START);
	while (*(volatile unsigned long *)(d->bar + EDU_DMA_CMD) & EDU_CMD_START) {
		if (now_us() - t0 > 5000000) {
			out("# %s: edu DMA still busy after 5 s", d->bdf);
			return -1;
		}
		sleep_ms(5);
	}
	return 0;
}

/* RAM (IOVA) -> edu buffer, then edu buffer -> RAM (IOVA). */
static int to_edu(struct dev *d, unsigned long iova)
{
	return edu_dma(d, iova, EDU_BUF, PG, 0);
}

static int from_edu(struct dev *d, unsigned long iova)
{
	return edu_dma(d, EDU_BUF, iova, PG, EDU_CMD_TORAM);
}

static unsigned int seed = 12345;

static void fill(void *p, unsigned long n)
{
	unsigned char *b = p;

	seed ^= (unsigned int)now_us();
	while (n--) {
		seed = seed * 1103515245U + 12345U;
		*b++ = (unsigned char)(seed >> 16);
	}
}

/* Wait up to @ms for the eventfd; returns the count read (0: nothing). */
static unsigned long wait_efd(int efd, long ms)
{
	struct pollfd_ pfd = { .fd = efd, .events = POLLIN_ };
	struct ts_ t = { ms / 1000, (ms % 1000) * 1000000 };
	unsigned long v = 0;

	if (sys(NR_PPOLL, &pfd, 1, &t, 0, 8) <= 0)
		return 0;
	if (sys(NR_READ, efd, &v, 8) != 8)
		return 0;
	return v;
}

/* --- the checks ------------------------------------------------------------------------------ */

static int info_checks(int cont)
{
	unsigned long buf[64];
	struct vfio_iommu_type1_info *info = (void *)buf;
	struct vfio_info_cap_header *h;
	struct vfio_iommu_type1_info_cap_iova_range *rg;
	unsigned int off, i, ok_ranges = 0, nr = 0;
	int ok;

	memset(buf, 0, sizeof(buf));
	info->argsz = sizeof(buf);
	ok = ioc(cont, VFIO_IOMMU_GET_INFO, info) == 0 && (info->flags & VFIO_IOMMU_INFO_PGSIZES);
	out("# GET_INFO: flags 0x%x, iova_pgsizes 0x%llx, argsz %u", info->flags,
	    (unsigned long long)info->iova_pgsizes, info->argsz);
	check(ok && (info->iova_pgsizes & (PG | (2UL << 20))) == (PG | (2UL << 20)) &&
		      !(info->iova_pgsizes & (PG - 1)),
	      "VFIO_IOMMU_GET_INFO: page sizes 4 KiB and 2 MiB (the PV IOMMU's pgsize_bitmap)");
	for (off = info->cap_offset;
	     ok && (info->flags & VFIO_IOMMU_INFO_CAPS) && off && off + sizeof(*h) <= sizeof(buf);
	     off = h->next) {
		h = (void *)((char *)buf + off);
		if (h->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			continue;
		rg = (void *)h;
		nr = rg->nr_iovas;
		for (i = 0; i < nr && i < 8; i++) {
			unsigned long s = rg->iova_ranges[i].start, e = rg->iova_ranges[i].end;

			out("# IOVA range %u: 0x%lx..0x%lx", i, s, e);
			if ((i == 0 && s == 0 && e == MSI_BASE - 1) ||
			    (i == 1 && s == MSI_END + 1 && e == IOVA_TOP))
				ok_ranges++;
		}
	}
	check(nr == 2 && ok_ranges == 2,
	      "GET_INFO IOVA ranges: the 40-bit aperture without the MSI window 0x8000000..0x80fffff");
	return 0;
}

/* Map requests VFIO or the IOMMU must refuse; nothing may be mapped by them. */
static void bad_maps(int cont, void *buf)
{
	void *ro = anon(PG, PROT_READ_);
	void *gone = anon(PG, PROT_READ_ | PROT_WRITE_);
	int r;

	r = map_dma(cont, buf, MSI_BASE, PG);
	out("# MAP_DMA at the MSI window 0x%lx: %d", MSI_BASE, r);
	check(r == -22, "MAP_DMA inside the MSI window refused (EINVAL)");
	r = map_dma(cont, buf, 1UL << 40, PG);
	out("# MAP_DMA at IOVA 2^40 (beyond the aperture): %d", r);
	check(r == -22, "MAP_DMA beyond the 40-bit IOVA aperture refused (EINVAL)");
	r = map_dma(cont, buf, IOVA_A, PG);
	out("# MAP_DMA again at the mapped IOVA 0x%lx: %d", IOVA_A, r);
	check(r == -17, "MAP_DMA over a mapped IOVA refused (EEXIST)");
	sys(NR_MUNMAP, gone, PG);
	r = map_dma(cont, gone, IOVA_Y + 16 * PG, PG);
	out("# MAP_DMA of an unmapped user address: %d", r);
	check(r == -14, "MAP_DMA of memory the process does not have mapped refused (EFAULT)");
	r = map_dma(cont, (void *)0xffff000000000000UL, IOVA_Y + 16 * PG, PG);
	out("# MAP_DMA of a kernel address: %d", r);
	check(r == -14 || r == -22, "MAP_DMA of a kernel address refused (EFAULT or EINVAL)");
	r = map_dma(cont, ro, IOVA_Y + 16 * PG, PG);
	out("# MAP_DMA (device-writable) of read-only memory: %d", r);
	check(r == -14, "MAP_DMA writable of a read-only mapping refused (EFAULT)");
	check(unmap_dma(cont, IOVA_Y + 16 * PG, PG) == 0,
	      "after the refused maps nothing is mapped there (UNMAP_DMA finds 0 bytes)");
	sys(NR_MUNMAP, ro, PG);
}

/*
 * 1 GiB at IOVA_BIG mapped and unmapped in @chunk-byte MAP_DMA / UNMAP_DMA calls, with the PV
 * IOMMU's hypercall counts. An edu DMA into the middle checks the mapping is live.
 */
static void big(struct dev *d, int cont, unsigned long chunk, const char *label)
{
	unsigned long n = BIG / chunk, i, bad = 0, mid = IOVA_BIG + BIG / 2 + 77 * PG, f0;
	struct calls c0, c1, c2;
	unsigned char *raw, *b;
	long t0, t1, t2, r;

	raw = (void *)sys(NR_MMAP, 0, BIG + (2UL << 20), PROT_READ_ | PROT_WRITE_,
			  MAP_PRIVATE_ | MAP_ANON_, -1, 0);
	if ((long)raw < 0 && (long)raw > -4096) {
		out("# %s: no 1 GiB of memory", label);
		check(0, "1 GiB buffer");
		return;
	}
	b = (unsigned char *)(((unsigned long)raw + (2UL << 20) - 1) & ~((2UL << 20) - 1));
	sys(NR_MADVISE, b, BIG, chunk > PG ? MADV_HUGEPAGE_ : MADV_NOHUGEPAGE_);
	for (i = 0; i < BIG; i += PG)
		b[i] = (unsigned char)i;
	calls_read(&c0);
	t0 = now_us();
	for (i = 0; i < n; i++)
		if (map_dma(cont, b + i * chunk, IOVA_BIG + i * chunk, chunk))
			bad++;
	t1 = now_us();
	calls_read(&c1);
	out("# %s: %lu MAP_DMA of %lu KiB in %ld ms (%ld us each): %lu failed; hypercalls: "
	    "MAP_BATCH %lu, MAP %lu, POOL_DONATE %lu, QUERY %lu; pages mapped %lu",
	    label, n, chunk >> 10, (t1 - t0) / 1000, (t1 - t0) / (long)n, bad, c1.batch - c0.batch,
	    c1.map - c0.map, c1.donate - c0.donate, c1.query - c0.query,
	    c1.pages_mapped - c0.pages_mapped);
	check(bad == 0 && c1.pages_mapped - c0.pages_mapped == BIG / PG,
	      chunk == PG ?
		      "1 GiB mapped in 262144 MAP_DMA calls of 4 KiB (262144 pages to Lockstep)" :
		      "1 GiB mapped in 512 MAP_DMA calls of 2 MiB (262144 pages to Lockstep)");
	/* The mapping is live: the device copies a page of it into its middle. */
	fill(b + PG, PG);
	memset(b + (mid - IOVA_BIG), 0x5a, PG);
	f0 = smmu_faults();
	r = to_edu(d, IOVA_BIG + PG) || from_edu(d, mid);
	check(r == 0 && !memcmp(b + PG, b + (mid - IOVA_BIG), PG) && smmu_faults() == f0,
	      chunk == PG ? "edu DMA copies a page within the 4 KiB-chunked GiB (both ways)" :
			    "edu DMA copies a page within the 2 MiB-chunked GiB (both ways)");
	t1 = now_us();
	for (i = 0; i < n; i++)
		if (unmap_dma(cont, IOVA_BIG + i * chunk, chunk) != (long)chunk)
			bad++;
	t2 = now_us();
	calls_read(&c2);
	out("# %s: %lu UNMAP_DMA of %lu KiB in %ld ms (%ld us each): %lu failed; hypercalls: "
	    "UNMAP %lu, QUERY %lu (iova_to_phys, %lu more answered from the cached leaf); "
	    "pages unmapped %lu",
	    label, n, chunk >> 10, (t2 - t1) / 1000, (t2 - t1) / (long)n, bad, c2.unmap - c1.unmap,
	    c2.query - c1.query, c2.leaf - c1.leaf, c2.pages_unmapped - c1.pages_unmapped);
	check(bad == 0 && c2.pages_unmapped - c1.pages_unmapped == BIG / PG,
	      chunk == PG ? "1 GiB unmapped in 262144 UNMAP_DMA calls of 4 KiB" :
			    "1 GiB unmapped in 512 UNMAP_DMA calls of 2 MiB");
	sys(NR_MUNMAP, raw, BIG + (2UL << 20));
}

int main(int argc, char **argv)
{
	struct dev a = { 0 }, b = { 0 };
	int ca, cb, r;
	unsigned char *buf, *bufb, *bufx, *bufy, *q;
	unsigned long f0, f1, rr[4], doorbell, dom, found = 0;
	char irqbuf[sizeof(struct vfio_irq_set) + 4];
	struct vfio_irq_set *irq = (void *)irqbuf;

	if (argc < 6) {
		out("usage: vfio-edu BDF_A GROUP_A BDF_B GROUP_B ITS_DOORBELL_PAGE [big]");
		return 2;
	}
	{
		const char *p = argv[5];

		doorbell = parse_num(&p);
	}
	ca = open_("/dev/vfio/vfio", O_RDWR_);
	check(ca >= 0 && sys(NR_IOCTL, ca, VFIO_GET_API_VERSION) == VFIO_API_VERSION &&
		      sys(NR_IOCTL, ca, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1,
	      "/dev/vfio/vfio: API version 0, type1v2 IOMMU offered");
	r = dev_open(&a, argv[1], argv[2], ca, 1);
	check(r == 0, "device A: group viable, joined container A, type1v2 set, device fd, BAR0 "
		      "mmap, bus master on");
	if (r)
		return 1;
	check(sys(NR_IOCTL, ca, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 1,
	      "container A: VFIO_DMA_CC_IOMMU (the domain enforces cache coherency)");
	out("# %s ident 0x%x", a.bdf, rd32(&a, EDU_IDENT));
	check((rd32(&a, EDU_IDENT) & 0xff) == 0xed,
	      "edu A answers through the mmapped BAR0 (ident)");
	info_checks(ca);

	/* DMA both ways through a type1 mapping. */
	buf = anon(2 * PG, PROT_READ_ | PROT_WRITE_);
	fill(buf, PG);
	memset(buf + PG, 0, PG);
	check(map_dma(ca, buf, IOVA_A, 2 * PG) == 0, "MAP_DMA 8 KiB at IOVA 0x1000000");
	f0 = smmu_faults();
	r = to_edu(&a, IOVA_A) || from_edu(&a, IOVA_A + PG);
	f1 = smmu_faults();
	out("# DMA RAM -> edu -> RAM: %d, SMMU faults %lu -> %lu", r, f0, f1);
	check(r == 0 && !memcmp(buf, buf + PG, PG) && f1 == f0,
	      "edu DMA RAM -> device -> RAM through the type1 mapping: data equal, no SMMU fault");

	/* MSI through the ITS doorbell mapped in the VFIO domain. */
	a.efd = (int)sys(NR_EVENTFD2, 0, EFD_NONBLOCK_);
	memset(irqbuf, 0, sizeof(irqbuf));
	irq->argsz = sizeof(irqbuf);
	irq->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	irq->index = VFIO_PCI_MSI_IRQ_INDEX;
	irq->start = 0;
	irq->count = 1;
	memcpy(irq->data, &a.efd, 4);
	r = (int)ioc(a.fd, VFIO_DEVICE_SET_IRQS, irq);
	out("# SET_IRQS MSI -> eventfd %d: %d", a.efd, r);
	check(r == 0 && wait_efd(a.efd, 100) == 0,
	      "MSI enabled through VFIO_DEVICE_SET_IRQS, no interrupt yet");
	wr32(&a, EDU_IRQ_RAISE, 1);
	f0 = wait_efd(a.efd, 3000);
	wr32(&a, EDU_IRQ_ACK, 1);
	out("# eventfd after raising edu interrupt: %lu", f0);
	check(f0 >= 1, "edu MSI delivered to the eventfd (device write to the ITS doorbell through "
		       "the VFIO domain)");
	f0 = 0;
	r = edu_dma(&a, EDU_BUF, IOVA_A + PG, PG, EDU_CMD_TORAM | 4);
	f0 = wait_efd(a.efd, 3000);
	wr32(&a, EDU_IRQ_ACK, 0x100);
	check(r == 0 && f0 >= 1, "edu DMA-completion MSI delivered to the eventfd");
	/* The doorbell page in Lockstep's domain: device memory, write-only, the ITS's page. */
	for (dom = 0; dom < LS_IOMMU_MAX_DOMAINS; dom++) {
		if (hvc(LS_HVC_IOMMU_QUERY, dom, MSI_BASE, rr) || rr[0] != LS_OK)
			continue;
		out("# Lockstep domain %lu maps IOVA 0x%lx -> PA 0x%lx prot %lu", dom, MSI_BASE,
		    rr[1], rr[2]);
		if (rr[1] == doorbell && rr[2] == (LS_IOMMU_WRITE | LS_IOMMU_MMIO))
			found++;
	}
	check(found == 1, "exactly one Lockstep domain maps the MSI window: the ITS doorbell page, "
			  "LS_IOMMU_MMIO, write-only");

	bad_maps(ca, buf);

	/* Container B, device B: its own domain. */
	cb = open_("/dev/vfio/vfio", O_RDWR_);
	r = dev_open(&b, argv[3], argv[4], cb, 1);
	check(r == 0, "device B: its group in container B (a second container and domain at once)");
	if (r)
		return 1;
	bufb = anon(2 * PG, PROT_READ_ | PROT_WRITE_);
	bufx = anon(PG, PROT_READ_ | PROT_WRITE_);
	fill(bufb, PG);
	memset(bufb + PG, 0, PG);
	memset(bufx, 0x77, PG);
	check(map_dma(cb, bufb, IOVA_A, 2 * PG) == 0 && map_dma(ca, bufx, IOVA_X, PG) == 0,
	      "MAP_DMA the same IOVA 0x1000000 in container B (other memory), IOVA 0x2000000 in A");
	q = anon(PG, PROT_READ_ | PROT_WRITE_);
	memcpy(q, buf + PG, PG);
	f0 = smmu_faults();
	r = to_edu(&b, IOVA_A) || from_edu(&b, IOVA_A + PG);
	f1 = smmu_faults();
	check(r == 0 && !memcmp(bufb, bufb + PG, PG) && !memcmp(buf + PG, q, PG) && f1 == f0,
	      "edu B DMA at IOVA 0x1000000 reaches container B's memory, not A's");
	f0 = smmu_faults();
	r = from_edu(&b, IOVA_X);
	f1 = smmu_faults();
	out("# edu B DMA to IOVA 0x%lx (mapped only in A): %d, SMMU faults %lu -> %lu", IOVA_X, r,
	    f0, f1);
	check(r == 0 && f1 > f0 && bufx[0] == 0x77 && bufx[PG - 1] == 0x77,
	      "edu B DMA to an IOVA mapped only in container A faults (SMMU event), A's page "
	      "untouched");

	/* After UNMAP_DMA the same DMA faults and the buffer is untouched. */
	r = (int)unmap_dma(ca, IOVA_A, 2 * PG);
	check(r == 2 * PG, "UNMAP_DMA 8 KiB at IOVA 0x1000000 in container A");
	memset(buf + PG, 0xa5, PG);
	f0 = smmu_faults();
	r = from_edu(&a, IOVA_A + PG);
	f1 = smmu_faults();
	out("# edu A DMA to RAM at the unmapped IOVA: %d, SMMU faults %lu -> %lu", r, f0, f1);
	check(r == 0 && f1 > f0 && buf[PG] == 0xa5 && buf[2 * PG - 1] == 0xa5 &&
		      !memcmp(buf + PG, buf + PG + 1, PG - 1),
	      "after UNMAP_DMA the device's write faults (SMMU event counted), the buffer is "
	      "untouched");
	fill(buf, PG); /* Q: what the device must not read */
	f0 = smmu_faults();
	r = to_edu(&a, IOVA_A);
	f1 = smmu_faults();
	bufy = anon(PG, PROT_READ_ | PROT_WRITE_);
	r |= map_dma(ca, bufy, IOVA_Y, PG) || from_edu(&a, IOVA_Y);
	out("# edu A DMA from the unmapped IOVA: SMMU faults %lu -> %lu", f0, f1);
	check(r == 0 && f1 > f0 && memcmp(bufy, buf, PG),
	      "after UNMAP_DMA the device's read faults and does not get the buffer's data");

	/* Two groups in one container: B leaves container B (its domain goes) and joins A. */
	dev_close(&b);
	r = (int)ioc(b.group, VFIO_GROUP_UNSET_CONTAINER, 0);
	if (r)
		out("# GROUP_UNSET_CONTAINER: %d", r);
	sys(NR_CLOSE, cb);
	r = r || dev_open(&b, argv[3], argv[4], ca, 0);
	memset(bufx, 0x77, PG);
	f0 = smmu_faults();
	r = r || to_edu(&b, IOVA_Y) || from_edu(&b, IOVA_X);
	f1 = smmu_faults();
	check(r == 0 && !memcmp(bufx, bufy, PG) && f1 == f0,
	      "group B moved into container A (two groups, one domain): B's DMA uses A's mappings");

	if (argc > 6) {
		unmap_dma(ca, IOVA_X, PG);
		unmap_dma(ca, IOVA_Y, PG);
		big(&a, ca, PG, "4K");
		big(&a, ca, 2UL << 20, "2M");
	}
	dev_close(&a);
	dev_close(&b);
	sys(NR_CLOSE, a.group);
	sys(NR_CLOSE, b.group);
	sys(NR_CLOSE, ca);
	out("# vfio-edu: %d failed", fails);
	return fails ? 1 : 0;
}
