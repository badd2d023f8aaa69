// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GIC guard's emulation (hyp/arch/arm64/gic_emul.c) against a simulated GICv3: a
 * distributor, two redistributors and an ITS whose registers this file implements as
 * plat.h's MMIO accessors. Host accesses go through gic_emul_access() as trap.c sends them;
 * the checks are on what the simulated GIC ends up programmed with, what the shadow command
 * queue holds, and the pins in the ownership database (the invariant checker runs too).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <lockstep/abi.h>

#include "arm64/gic.h"
#include "fake.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "invariant_env.h"

#define GICD 0x08000000ULL
#define ITS  0x08080000ULL
#define RD0  0x080a0000ULL
#define RD1  0x080c0000ULL

/* ---- the simulated GIC: plat.h MMIO accessors for its frames ---- */

static struct {
	u64 its_ctlr, its_typer, cbaser, cwriter, creadr, baser[8];
	struct {
		u64 ctlr, typer, prop, pend;
	} rd[2];
	u64 writes; /* register writes the GIC received */
} sim;

static u64 *sim_reg(u64 pa)
{
	unsigned int r = pa >= RD1 ? 1 : 0;
	u64 rb = r ? RD1 : RD0;

	if (pa >= ITS && pa < ITS + GIC_FRAME) {
		switch (pa - ITS) {
		case GITS_CTLR:
			return &sim.its_ctlr;
		case GITS_TYPER:
			return &sim.its_typer;
		case GITS_CBASER:
			return &sim.cbaser;
		case GITS_CWRITER:
			return &sim.cwriter;
		case GITS_CREADR:
			return &sim.creadr;
		default:
			if (pa - ITS >= GITS_BASER(0) && pa - ITS < GITS_BASER(8))
				return &sim.baser[(pa - ITS - GITS_BASER(0)) / 8];
		}
	} else if (pa >= RD0 && pa < RD1 + GIC_FRAME) {
		switch (pa - rb) {
		case GICR_CTLR:
			return &sim.rd[r].ctlr;
		case GICR_TYPER:
			return &sim.rd[r].typer;
		case GICR_PROPBASER:
			return &sim.rd[r].prop;
		case GICR_PENDBASER:
			return &sim.rd[r].pend;
		}
	}
	fail_msg("simulated GIC: no register at %#llx", (unsigned long long)pa);
	return NULL;
}

u32 plat_read32(u64 pa)
{
	if (pa == GICD + GICD_TYPER)
		return 15U << 19; /* 16 interrupt ID bits */
	return (u32)*sim_reg(pa);
}

u64 plat_read64(u64 pa)
{
	return *sim_reg(pa);
}

void plat_write32(u64 pa, u32 val)
{
	sim.writes++;
	*sim_reg(pa) = val;
}

void plat_write64(u64 pa, u64 val)
{
	u64 *r = sim_reg(pa);

	sim.writes++;
	if (r == &sim.cbaser)
		sim.creadr = 0; /* 12.19.3: writing GITS_CBASER resets GITS_CREADR */
	*r = val;
}

/* ---- helpers ---- */

static u64 shadow; /* the shadow queue (Lockstep's pool) */
static u64 queue;  /* the host's command queue */
static u32 vm;

static void w64(u64 pa, u64 v)
{
	assert_true(gic_emul_access(pa, 8, true, &v));
}

static void w32(u64 pa, u64 v)
{
	assert_true(gic_emul_access(pa, 4, true, &v));
}

static u64 r64(u64 pa)
{
	u64 v = 0;

	assert_true(gic_emul_access(pa, 8, false, &v));
	return v;
}

/* A page the host does not own: donated to the VM. */
static u64 vm_page(u64 ipa)
{
	u64 pa = env_host_pages(1, PAGE_SIZE);
	struct hvc_regs r;

	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, ipa, 1, &r), LS_OK);
	return pa;
}

static void put_cmd(unsigned int slot, u64 dw0, u64 dw1, u64 dw2, u64 dw3)
{
	u64 *c = plat_phys_to_virt(queue + (u64)slot * GITS_CMD_BYTES);

	c[0] = dw0;
	c[1] = dw1;
	c[2] = dw2;
	c[3] = dw3;
}

static const u64 *shadow_cmd(unsigned int slot)
{
	return plat_phys_to_virt(shadow + (u64)slot * GITS_CMD_BYTES);
}

static u64 mapd(u32 devid, u64 itt, unsigned int bits, bool valid, u64 *dw1, u64 *dw2)
{
	*dw1 = bits - 1;
	*dw2 = (valid ? GITS_MAPD_VALID : 0) | (itt & GITS_MAPD_ITT);
	return GITS_CMD_MAPD | (u64)devid << 32;
}

static int setup(void **state)
{
	struct gic_desc d = { .gicd = GICD, .nr_its = 1, .nr_rd = 2 };

	(void)state;
	env_setup(64);
	memset(&sim, 0, sizeof(sim));
	sim.its_typer = 7U << 4;   /* 8-byte ITT entries, PTA = 0 */
	sim.baser[0] = 1ULL << 56; /* Device table */
	sim.baser[1] = 4ULL << 56; /* Collection table */
	sim.rd[0].typer = 0;	   /* processor 0 */
	sim.rd[1].typer = 1ULL << 8 | GICR_TYPER_LAST;
	shadow = env_host_pages(GIC_SHADOW_PAGES, 0x10000);
	queue = env_host_pages(GIC_SHADOW_PAGES, 0x10000);
	d.its[0] = ITS;
	d.rd[0] = RD0;
	d.rd[1] = RD1;
	d.shadow_pa[0] = shadow;
	assert_int_equal(gic_emul_init(&d), 0);
	vm = env_vm_create(16, 40);
	INV_ASSERT();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

/* CBASER: the ITS gets the shadow queue, the host sees its own; the host queue is pinned. */
static void its_shadow_queue(void **state)
{
	u64 cb = GITS_CBASER_VALID | (0x7ULL << 59) | (1ULL << 10) | queue | 15;

	(void)state;
	w64(ITS + GITS_CBASER, cb);
	assert_int_equal(sim.cbaser & GITS_CBASER_PA, shadow);
	assert_int_equal(sim.cbaser & ~GITS_CBASER_PA, cb & ~GITS_CBASER_PA);
	assert_int_equal(r64(ITS + GITS_CBASER), cb);
	assert_int_equal(env_dma_count(queue), 1);
	assert_int_equal(env_dma_count(queue + 15 * PAGE_SIZE), 1);
	INV_ASSERT();
	/* A queue larger than the shadow one, or not the host's: refused, Valid reads 0. */
	w64(ITS + GITS_CBASER, GITS_CBASER_VALID | queue | 16);
	assert_false(sim.cbaser & GITS_CBASER_VALID);
	assert_false(r64(ITS + GITS_CBASER) & GITS_CBASER_VALID);
	assert_int_equal(env_dma_count(queue), 0); /* the old queue's pin went with it */
	w64(ITS + GITS_CBASER, GITS_CBASER_VALID | vm_page(0x1000));
	assert_false(sim.cbaser & GITS_CBASER_VALID);
	/* No queue: GITS_CWRITER is dropped. */
	sim.writes = 0;
	w64(ITS + GITS_CWRITER, 0x20);
	assert_int_equal(sim.writes, 0);
	INV_ASSERT();
}

/* Commands: MAPD's ITT checked and pinned, a bad one and GICv4 ones become SYNC. */
static void its_commands(void **state)
{
	u64 itt = env_host_pages(1, PAGE_SIZE), bad = vm_page(0x2000), dw1, dw2, dw0;
	const u64 *c;

	(void)state;
	w64(ITS + GITS_CBASER, GITS_CBASER_VALID | queue | 15);
	w64(ITS + GITS_CWRITER, 0);
	dw0 = mapd(5, itt + 0x100, 2, true, &dw1, &dw2); /* 4 entries x 8 bytes */
	put_cmd(0, dw0, dw1, dw2, 0);
	dw0 = mapd(6, bad, 2, true, &dw1, &dw2);
	put_cmd(1, dw0, dw1, dw2, 0);
	put_cmd(2, 0x29 /* VMAPP */, 0, bad, 0);
	put_cmd(3, GITS_CMD_MAPTI | 5ULL << 32, 3, 0x2000, 0);
	w64(ITS + GITS_CWRITER, 4 * GITS_CMD_BYTES);
	assert_int_equal(sim.cwriter, 4 * GITS_CMD_BYTES);
	c = shadow_cmd(0);
	assert_int_equal(c[0], GITS_CMD_MAPD | 5ULL << 32);
	assert_int_equal(c[2], GITS_MAPD_VALID | (itt + 0x100));
	assert_int_equal(env_dma_count(itt), 1);
	c = shadow_cmd(1); /* the ITT in the VM's memory: a SYNC to processor 0 instead */
	assert_int_equal(c[0], GITS_CMD_SYNC);
	assert_int_equal(c[2], 0);
	assert_int_equal(env_dma_count(bad), 0);
	c = shadow_cmd(2);
	assert_int_equal(c[0], GITS_CMD_SYNC);
	c = shadow_cmd(3);
	assert_int_equal(c[0], GITS_CMD_MAPTI | 5ULL << 32);
	INV_ASSERT();
	/* Changing the host queue after the copy changes nothing the ITS reads. */
	dw0 = mapd(5, bad, 2, true, &dw1, &dw2);
	put_cmd(0, dw0, dw1, dw2, 0);
	assert_int_equal(shadow_cmd(0)[2], GITS_MAPD_VALID | (itt + 0x100));
	/* Unmapping the device: the ITT stays pinned until the ITS has drained its queue. */
	dw0 = mapd(5, 0, 1, false, &dw1, &dw2);
	put_cmd(4, dw0, dw1, dw2, 0);
	w64(ITS + GITS_CWRITER, 5 * GITS_CMD_BYTES);
	assert_int_equal(env_dma_count(itt), 1);
	sim.creadr = 3 * GITS_CMD_BYTES; /* not yet */
	(void)r64(ITS + GITS_CREADR);
	assert_int_equal(env_dma_count(itt), 1);
	sim.creadr = 5 * GITS_CMD_BYTES;
	assert_int_equal(r64(ITS + GITS_CREADR), 5 * GITS_CMD_BYTES);
	assert_int_equal(env_dma_count(itt), 0);
	INV_ASSERT();
}

/* The queue wraps: commands copied across its end, offsets beyond it dropped. */
static void its_queue_wraps(void **state)
{
	const u32 last = (GIC_SHADOW_PAGES * PAGE_SIZE) / GITS_CMD_BYTES - 1;
	u64 itt = env_host_pages(1, PAGE_SIZE), dw1, dw2, dw0;
	u32 i;

	(void)state;
	for (i = 0; i < last; i++) /* SYNCs up to the last slot */
		put_cmd(i, GITS_CMD_SYNC, 0, 0, 0);
	w64(ITS + GITS_CBASER, GITS_CBASER_VALID | queue | 15);
	w64(ITS + GITS_CWRITER, (u64)last * GITS_CMD_BYTES);
	assert_int_equal(shadow_cmd(last - 1)[0], GITS_CMD_SYNC);
	sim.creadr = (u64)last * GITS_CMD_BYTES;
	dw0 = mapd(9, itt, 1, true, &dw1, &dw2);
	put_cmd(last, dw0, dw1, dw2, 0);
	put_cmd(0, GITS_CMD_INV | 9ULL << 32, 0, 0, 0);
	w32(ITS + GITS_CWRITER, GITS_CMD_BYTES); /* Linux writes 32 bits */
	assert_int_equal(sim.cwriter, GITS_CMD_BYTES);
	assert_int_equal(shadow_cmd(last)[2], GITS_MAPD_VALID | itt);
	assert_int_equal(shadow_cmd(0)[0], GITS_CMD_INV | 9ULL << 32);
	assert_int_equal(env_dma_count(itt), 1);
	sim.writes = 0;
	w64(ITS + GITS_CWRITER, GIC_SHADOW_PAGES * PAGE_SIZE);
	assert_int_equal(sim.writes, 0);
	INV_ASSERT();
}

/* GITS_BASER: Indirect never set; tables pinned when the ITS turns on, else it stays off. */
static void its_tables(void **state)
{
	u64 dev = env_host_pages(16, 0x10000), coll = env_host_pages(16, 0x10000);
	u64 bad = vm_page(0x3000);
	/* 64 KiB pages (Page_Size 2), one page each, InnerShareable RaWaWb like Linux. */
	u64 b0 = GITS_BASER_VALID | GITS_BASER_INDIRECT | (1ULL << 56) | dev | (2ULL << 8);
	u64 b1 = GITS_BASER_VALID | (4ULL << 56) | bad | (2ULL << 8);

	(void)state;
	w64(ITS + GITS_BASER(0), b0);
	assert_int_equal(sim.baser[0], b0 & ~GITS_BASER_INDIRECT);
	w64(ITS + GITS_BASER(1), b1);
	w32(ITS + GITS_CTLR, GITS_CTLR_ENABLED);
	assert_false(sim.its_ctlr & GITS_CTLR_ENABLED);
	/* The device table's pin stays for the retry (its pages only stay the host's). */
	w64(ITS + GITS_BASER(1), (b1 & ~GITS_BASER_PA) | coll);
	w32(ITS + GITS_CTLR, GITS_CTLR_ENABLED);
	assert_true(sim.its_ctlr & GITS_CTLR_ENABLED);
	assert_int_equal(env_dma_count(dev), 1);
	assert_int_equal(env_dma_count(dev + 15 * PAGE_SIZE), 1);
	assert_int_equal(env_dma_count(coll + 15 * PAGE_SIZE), 1);
	assert_int_equal(env_dma_count(coll + 16 * PAGE_SIZE), 0);
	/* On: GITS_BASER and GITS_CBASER writes are dropped. */
	sim.writes = 0;
	w64(ITS + GITS_BASER(0), (b0 & ~GITS_BASER_PA) | bad);
	w64(ITS + GITS_CBASER, GITS_CBASER_VALID | bad);
	assert_int_equal(sim.writes, 0);
	assert_int_equal(sim.baser[0] & GITS_BASER_PA, dev);
	INV_ASSERT();
}

/* Redistributors: LPI tables pinned at EnableLPIs, refused when not the host's. */
static void rd_lpi_tables(void **state)
{
	u64 prop = env_host_pages(16, 0x10000), pend = env_host_pages(16, 0x10000);
	u64 pend1 = env_host_pages(16, 0x10000), bad = vm_page(0x4000);

	(void)state;
	w64(RD0 + GICR_PROPBASER, prop | 15); /* 16 ID bits */
	w64(RD0 + GICR_PENDBASER, pend);
	w32(RD0 + GICR_CTLR, GICR_CTLR_ENABLE_LPIS);
	assert_true(sim.rd[0].ctlr & GICR_CTLR_ENABLE_LPIS);
	/* 2^16 - 8192 bytes of properties: 14 pages; 2^16 / 8 bytes of pending bits: 2. */
	assert_int_equal(env_dma_count(prop + 13 * PAGE_SIZE), 1);
	assert_int_equal(env_dma_count(prop + 14 * PAGE_SIZE), 0);
	assert_int_equal(env_dma_count(pend + PAGE_SIZE), 1);
	assert_int_equal(env_dma_count(pend + 2 * PAGE_SIZE), 0);
	/* On: the base registers are dropped. */
	sim.writes = 0;
	w64(RD0 + GICR_PROPBASER, bad | 15);
	w64(RD0 + GICR_PENDBASER, bad);
	assert_int_equal(sim.writes, 0);
	/* The second redistributor aims its pending table at the VM's page: LPIs stay off. */
	w64(RD1 + GICR_PROPBASER, prop | 15);
	w64(RD1 + GICR_PENDBASER, bad);
	w32(RD1 + GICR_CTLR, GICR_CTLR_ENABLE_LPIS);
	assert_false(sim.rd[1].ctlr & GICR_CTLR_ENABLE_LPIS);
	assert_int_equal(env_dma_count(prop), 1); /* its property-table pin was undone */
	/* More ID bits than the distributor has: the distributor's apply (12.11.29). */
	w64(RD1 + GICR_PENDBASER, pend1);
	w64(RD1 + GICR_PROPBASER, prop | 23);
	w32(RD1 + GICR_CTLR, GICR_CTLR_ENABLE_LPIS);
	assert_true(sim.rd[1].ctlr & GICR_CTLR_ENABLE_LPIS);
	assert_int_equal(env_dma_count(prop), 2);
	assert_int_equal(env_dma_count(prop + 14 * PAGE_SIZE), 0);
	INV_ASSERT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(its_shadow_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(its_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(its_queue_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(its_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(rd_lpi_tables, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
