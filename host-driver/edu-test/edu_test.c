// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_test.ko: test driver for QEMU's "edu" PCI device (1234:11e8), used by the
 * smmu-dma suite (tests/smmu-dma) to start DMAs at raw physical addresses and see
 * whether Lockstep's SMMU lets them through. Linux does not see the SMMU (the loader
 * hides it), so a device address is an IPA of the host's identity stage 2, that is a
 * PA; the driver deliberately bypasses the DMA API.
 *
 * Interface: /sys/kernel/debug/edu-test/cmd. Write one command, read one result line
 * ("ok ..." or "err ..."), as lockstep.ko's raw_hvc:
 *
 *   alloc ORDER        2^ORDER zeroed contiguous pages (buddy allocator: naturally
 *                      aligned, so ORDER 9 is a 2 MiB aligned 2 MiB block) -> "ok pa=0x.."
 *   free PA            give an allocation back (PA = its start)
 *   pattern PA SEED    fill the 4 KiB page at PA with a non-uniform pattern of SEED
 *   verify PA SEED     -> "ok mismatches=N": bytes of the page that differ from it
 *   set PA BYTE        fill the page with BYTE
 *   count PA BYTE      -> "ok count=N first=0xNN": bytes equal to BYTE, the first byte
 *   dma to_dev PA      4 KiB DMA RAM[PA] -> the edu buffer (device address 0x40000)
 *   dma to_ram PA      4 KiB DMA the edu buffer -> RAM[PA]
 *                      -> "ok done us=N cmd=0x.. status=0x.." or "err timeout ..."
 *   info               edu identification, status and the last DMA's addresses
 *   dmaapi SEED        a round trip through the DMA API (dma_map_page, so through whatever
 *                      IOMMU Linux has for the device, e.g. lockstep-iommu's DMA domain): a
 *                      page patterned with SEED goes RAM -> edu -> a second, zeroed page
 *                      -> "ok mismatches=N src=0x.. (pa 0x..) dst=0x.. (pa 0x..)": the DMA
 *                      addresses used and the PAs behind them
 *   gic-baser ITS PA   the GIC guard's test (docs/iommu.md "The GIC's own memory
 *                      accesses"): turn the GICv3 ITS whose control frame is at ITS off,
 *                      aim its GITS_BASER0 table at PA, try to turn it on, then put
 *                      everything back -> "ok bad_on=B on_after=B baser_was=0x..": B = 1
 *                      when GITS_CTLR.Enabled read 1. With Lockstep, bad_on must be 0
 *                      for a PA that is not the host's. (MSIs wait while the ITS is off.)
 *
 * The CPU-side commands (pattern, verify, set, count) only touch pages inside this
 * driver's own allocations: a page donated away or hypervisor memory would take a
 * stage-2 abort. DMA commands take any address: that is what the tests are about.
 * edu registers (QEMU docs/specs/edu.rst): 0x00 ident, 0x20 status, 0x80 DMA source,
 * 0x88 DMA destination, 0x90 count, 0x98 command (bit 0 start/busy, bit 1 direction:
 * 1 = edu buffer to RAM). QEMU clamps DMA addresses to the device's dma_mask property
 * (28 bits by default): the suite sets -device edu,dma_mask=...
 */
#define pr_fmt(fmt) "edu_test: " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#define EDU_VENDOR     0x1234
#define EDU_DEVICE     0x11e8
#define EDU_IDENT      0x00
#define EDU_STATUS     0x20
#define EDU_DMA_SRC    0x80
#define EDU_DMA_DST    0x88
#define EDU_DMA_CNT    0x90
#define EDU_DMA_CMD    0x98
#define EDU_CMD_RUN    BIT(0)
#define EDU_CMD_TO_RAM BIT(1)
#define EDU_BUF_ADDR   0x40000ULL /* the device's own 4 KiB DMA buffer */
#define EDU_BUF_SIZE   4096U
#define EDU_TIMEOUT_US 2000000U /* edu completes a DMA 100 ms after the start */
#define EDU_MAX_ORDER  10

struct edu_buf {
	struct list_head node;
	struct page *page;
	unsigned int order;
	phys_addr_t pa;
};

static DEFINE_MUTEX(edu_lock);
static LIST_HEAD(edu_bufs);
static void __iomem *edu_regs;
static struct pci_dev *edu_pdev;
static struct dentry *edu_dir;
static char edu_result[160] = "err no command yet\n";
static u64 edu_last_src, edu_last_dst;

static struct edu_buf *edu_buf_of(phys_addr_t pa)
{
	struct edu_buf *b;

	list_for_each_entry(b, &edu_bufs,
			    node) if (pa >= b->pa && pa - b->pa < (PAGE_SIZE << b->order)) return b;
	return NULL;
}

static u8 edu_pattern_byte(unsigned int i, u64 seed)
{
	return (u8)(i * 31U + (i >> 8) + (unsigned int)seed * 7U + 1U);
}

static int edu_cmd_alloc(u64 order)
{
	struct edu_buf *b;

	if (order > EDU_MAX_ORDER)
		return -EINVAL;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, (unsigned int)order);
	if (!b->page) {
		kfree(b);
		return -ENOMEM;
	}
	b->order = (unsigned int)order;
	b->pa = page_to_phys(b->page);
	list_add(&b->node, &edu_bufs);
	scnprintf(edu_result, sizeof(edu_result), "ok pa=%pa order=%u\n", &b->pa, b->order);
	return 0;
}

static int edu_cmd_free(phys_addr_t pa)
{
	struct edu_buf *b = edu_buf_of(pa);

	if (!b || b->pa != pa)
		return -ENOENT;
	list_del(&b->node);
	__free_pages(b->page, b->order);
	kfree(b);
	scnprintf(edu_result, sizeof(edu_result), "ok freed %pa\n", &pa);
	return 0;
}

/* CPU access to one 4 KiB page of an allocation: @op 'p' pattern, 'v' verify, 's' set, 'c' count. */
static int edu_cmd_cpu(char op, phys_addr_t pa, u64 arg)
{
	unsigned int i, n = 0;
	u8 *p;

	if (!IS_ALIGNED(pa, EDU_BUF_SIZE) || !edu_buf_of(pa))
		return -ENOENT;
	if ((op == 's' || op == 'c') && arg > 0xff)
		return -EINVAL;
	p = (u8 *)phys_to_virt(pa);
	for (i = 0; i < EDU_BUF_SIZE; i++) {
		switch (op) {
		case 'p':
			p[i] = edu_pattern_byte(i, arg);
			break;
		case 'v':
			n += p[i] != edu_pattern_byte(i, arg);
			break;
		case 's':
			p[i] = (u8)arg;
			break;
		default:
			n += p[i] == (u8)arg;
			break;
		}
	}
	if (op == 'v')
		scnprintf(edu_result, sizeof(edu_result), "ok mismatches=%u\n", n);
	else if (op == 'c')
		scnprintf(edu_result, sizeof(edu_result), "ok count=%u first=0x%02x\n", n, p[0]);
	else
		scnprintf(edu_result, sizeof(edu_result), "ok\n");
	return 0;
}

static int edu_cmd_dma(bool to_ram, u64 pa)
{
	u64 src = to_ram ? EDU_BUF_ADDR : pa, dst = to_ram ? pa : EDU_BUF_ADDR;
	ktime_t t0 = ktime_get();
	u32 cmd, status;
	s64 us;

	if (readl(edu_regs + EDU_DMA_CMD) & EDU_CMD_RUN)
		return -EBUSY;
	edu_last_src = src;
	edu_last_dst = dst;
	writeq(src, edu_regs + EDU_DMA_SRC);
	writeq(dst, edu_regs + EDU_DMA_DST);
	writeq(EDU_BUF_SIZE, edu_regs + EDU_DMA_CNT);
	/* The CPU's writes to the source page are visible to the device before it starts. */
	wmb();
	writel(EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0), edu_regs + EDU_DMA_CMD);
	do {
		usleep_range(1000, 2000);
		cmd = readl(edu_regs + EDU_DMA_CMD);
		us = ktime_us_delta(ktime_get(), t0);
	} while ((cmd & EDU_CMD_RUN) && us < EDU_TIMEOUT_US);
	rmb();
	status = readl(edu_regs + EDU_STATUS);
	scnprintf(edu_result, sizeof(edu_result),
		  "%s us=%lld cmd=0x%x status=0x%x src=0x%llx dst=0x%llx\n",
		  (cmd & EDU_CMD_RUN) ? "err timeout" : "ok done", us, cmd, status, src, dst);
	pr_info("DMA %s 0x%llx: %s", to_ram ? "edu -> RAM" : "RAM -> edu", pa, edu_result);
	return 0;
}

/* The round trip of "dmaapi": device addresses from the DMA API, never PAs. */
static int edu_cmd_dmaapi(u64 seed)
{
	struct page *src = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct page *dst = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct device *dev = &edu_pdev->dev;
	dma_addr_t s = DMA_MAPPING_ERROR, d = DMA_MAPPING_ERROR;
	phys_addr_t spa, dpa;
	unsigned int i, bad = 0;
	u8 *p;
	int ret = -ENOMEM;

	if (!src || !dst)
		goto out;
	p = page_address(src);
	for (i = 0; i < EDU_BUF_SIZE; i++)
		p[i] = edu_pattern_byte(i, seed);
	s = dma_map_page(dev, src, 0, EDU_BUF_SIZE, DMA_TO_DEVICE);
	d = dma_map_page(dev, dst, 0, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	ret = -EIO;
	if (dma_mapping_error(dev, s) || dma_mapping_error(dev, d))
		goto out;
	ret = edu_cmd_dma(false, s);
	if (!ret && !strncmp(edu_result, "ok", 2))
		ret = edu_cmd_dma(true, d);
	if (ret || strncmp(edu_result, "ok", 2)) {
		ret = ret ?: -ETIMEDOUT;
		goto out;
	}
	dma_unmap_page(dev, d, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	dma_unmap_page(dev, s, EDU_BUF_SIZE, DMA_TO_DEVICE);
	p = page_address(dst);
	for (i = 0; i < EDU_BUF_SIZE; i++)
		bad += p[i] != edu_pattern_byte(i, seed);
	spa = page_to_phys(src);
	dpa = page_to_phys(dst);
	scnprintf(edu_result, sizeof(edu_result),
		  "ok mismatches=%u src=%pad (pa %pa) dst=%pad (pa %pa)\n", bad, &s, &spa, &d,
		  &dpa);
	s = d = DMA_MAPPING_ERROR;
	ret = 0;
out:
	if (s != DMA_MAPPING_ERROR && !dma_mapping_error(dev, s))
		dma_unmap_page(dev, s, EDU_BUF_SIZE, DMA_TO_DEVICE);
	if (d != DMA_MAPPING_ERROR && !dma_mapping_error(dev, d))
		dma_unmap_page(dev, d, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	if (src)
		__free_page(src);
	if (dst)
		__free_page(dst);
	return ret;
}

static int edu_cmd_info(void)
{
	scnprintf(edu_result, sizeof(edu_result),
		  "ok dev=%s ident=0x%08x status=0x%x cmd=0x%x last_src=0x%llx last_dst=0x%llx\n",
		  pci_name(edu_pdev), readl(edu_regs + EDU_IDENT), readl(edu_regs + EDU_STATUS),
		  readl(edu_regs + EDU_DMA_CMD), edu_last_src, edu_last_dst);
	return 0;
}

/* GICv3 ITS registers (Arm IHI 0069H 12.19). */
#define GITS_CTLR	     0x0000
#define GITS_CTLR_ENABLED    BIT(0)
#define GITS_CTLR_QUIESCENT  BIT(31)
#define GITS_BASER0	     0x0100
#define GITS_BASER_PA_4K     GENMASK_ULL(47, 12)
#define GITS_BASER_PAGE_SIZE GENMASK_ULL(9, 8)
#define GITS_BASER_VALID     BIT_ULL(63)

static bool edu_its_quiesce(void __iomem *its)
{
	unsigned int i;

	writel(readl(its + GITS_CTLR) & ~GITS_CTLR_ENABLED, its + GITS_CTLR);
	for (i = 0; i < 100000; i++) {
		if (readl(its + GITS_CTLR) & GITS_CTLR_QUIESCENT)
			return true;
		udelay(1);
	}
	return false;
}

static int edu_cmd_gic_baser(phys_addr_t its_pa, u64 pa)
{
	void __iomem *its = ioremap(its_pa, SZ_64K);
	u64 was, bad;
	u32 ctlr, bad_on, on_after;
	unsigned long flags;

	if (!its)
		return -ENOMEM;
	/* One CPU, interrupts off: nothing else of Linux touches the ITS meanwhile. */
	local_irq_save(flags);
	ctlr = readl(its + GITS_CTLR);
	was = readq(its + GITS_BASER0);
	if (!edu_its_quiesce(its)) {
		local_irq_restore(flags);
		iounmap(its);
		return -ETIMEDOUT;
	}
	/* 4 KiB pages, one page: the table is exactly the page at @pa. */
	bad = (was & ~(GITS_BASER_PA_4K | GITS_BASER_PAGE_SIZE | 0xff)) | GITS_BASER_VALID |
	      (pa & GITS_BASER_PA_4K);
	writeq(bad, its + GITS_BASER0);
	writel(ctlr | GITS_CTLR_ENABLED, its + GITS_CTLR);
	bad_on = readl(its + GITS_CTLR) & GITS_CTLR_ENABLED;
	edu_its_quiesce(its);
	writeq(was, its + GITS_BASER0);
	writel(ctlr, its + GITS_CTLR);
	on_after = readl(its + GITS_CTLR) & GITS_CTLR_ENABLED;
	local_irq_restore(flags);
	iounmap(its);
	scnprintf(edu_result, sizeof(edu_result), "ok bad_on=%u on_after=%u baser_was=0x%llx\n",
		  bad_on, on_after, was);
	return 0;
}

static int edu_run(char *line)
{
	char *tok[3] = { NULL, NULL, NULL };
	u64 a = 0, b = 0;
	int n = 0;
	char *t;

	while ((t = strsep(&line, " \t\n")) != NULL) {
		if (!*t)
			continue;
		if (n == ARRAY_SIZE(tok))
			return -E2BIG;
		tok[n++] = t;
	}
	if (!n)
		return -EINVAL;
	if (!strcmp(tok[0], "info") && n == 1)
		return edu_cmd_info();
	if (!strcmp(tok[0], "dma") && n == 3) {
		if (kstrtou64(tok[2], 0, &a))
			return -EINVAL;
		if (!strcmp(tok[1], "to_ram"))
			return edu_cmd_dma(true, a);
		if (!strcmp(tok[1], "to_dev"))
			return edu_cmd_dma(false, a);
		return -EINVAL;
	}
	if (n >= 2 && kstrtou64(tok[1], 0, &a))
		return -EINVAL;
	if (n == 3 && kstrtou64(tok[2], 0, &b))
		return -EINVAL;
	if (!strcmp(tok[0], "alloc") && n == 2)
		return edu_cmd_alloc(a);
	if (!strcmp(tok[0], "free") && n == 2)
		return edu_cmd_free((phys_addr_t)a);
	if (n == 3 && !strcmp(tok[0], "pattern"))
		return edu_cmd_cpu('p', (phys_addr_t)a, b);
	if (n == 3 && !strcmp(tok[0], "verify"))
		return edu_cmd_cpu('v', (phys_addr_t)a, b);
	if (n == 3 && !strcmp(tok[0], "set"))
		return edu_cmd_cpu('s', (phys_addr_t)a, b);
	if (n == 3 && !strcmp(tok[0], "gic-baser"))
		return edu_cmd_gic_baser((phys_addr_t)a, b);
	if (n == 2 && !strcmp(tok[0], "dmaapi"))
		return edu_cmd_dmaapi(a);
	if (n == 3 && !strcmp(tok[0], "count"))
		return edu_cmd_cpu('c', (phys_addr_t)a, b);
	return -EINVAL;
}

static ssize_t edu_cmd_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[128];
	int ret;

	if (*ppos != 0 || count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	mutex_lock(&edu_lock);
	ret = edu_run(buf);
	if (ret)
		scnprintf(edu_result, sizeof(edu_result), "err %d\n", ret);
	mutex_unlock(&edu_lock);
	return ret ? ret : (ssize_t)count;
}

static ssize_t edu_cmd_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[sizeof(edu_result)];

	mutex_lock(&edu_lock);
	memcpy(buf, edu_result, sizeof(buf));
	mutex_unlock(&edu_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, strnlen(buf, sizeof(buf)));
}

static const struct file_operations edu_cmd_fops = {
	.owner = THIS_MODULE,
	.write = edu_cmd_write,
	.read = edu_cmd_read,
	.llseek = default_llseek,
};

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret;

	if (edu_pdev)
		return -EBUSY; /* one device is enough for the tests */
	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_region(pdev, 0, "edu_test");
	if (ret)
		goto err_disable;
	edu_regs = pci_iomap(pdev, 0, 0);
	if (!edu_regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	pci_set_master(pdev); /* without bus mastering QEMU drops the device's DMA */
	edu_pdev = pdev;
	edu_dir = debugfs_create_dir("edu-test", NULL);
	debugfs_create_file("cmd", 0600, edu_dir, NULL, &edu_cmd_fops);
	dev_info(&pdev->dev, "edu ident 0x%08x, BAR0 %pR, requester id 0x%x\n",
		 readl(edu_regs + EDU_IDENT), &pdev->resource[0], pci_dev_id(pdev));
	return 0;

err_release:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
	return ret;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu_buf *b, *tmp;

	if (pdev != edu_pdev)
		return;
	debugfs_remove_recursive(edu_dir);
	/* Pages still donated away must be reclaimed by the caller before unloading. */
	list_for_each_entry_safe(b, tmp, &edu_bufs, node)
	{
		list_del(&b->node);
		__free_pages(b->page, b->order);
		kfree(b);
	}
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu_regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	edu_pdev = NULL;
}

static const struct pci_device_id edu_ids[] = { { PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) }, { 0 } };
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "edu_test",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("Lockstep smmu-dma tests: raw-address DMA with QEMU's edu device");
MODULE_LICENSE("GPL");
