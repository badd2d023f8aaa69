// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GIC guard's emulation (arm64/gic.h, docs/iommu.md "The GIC's own memory accesses").
 * Every host access to a guarded frame lands here (trap.c decodes it). Everything passes
 * through to the GIC except what aims the GIC at memory:
 *
 *   GICR_CTLR.EnableLPIs 0 -> 1   the property table (GICR_PROPBASER) and the pending table
 *                                 (GICR_PENDBASER) must be the host's memory: both are pinned,
 *                                 else the bit is not set. While LPIs are on, writes to the two
 *                                 base registers are dropped (IHI 0069H 12.11.29/12.11.33 make
 *                                 them UNPREDICTABLE then).
 *   GITS_CTLR.Enabled 0 -> 1      every valid GITS_BASER<n> table must be the host's: pinned,
 *                                 else the ITS stays off. GITS_BASER<n>.Indirect reads as zero
 *                                 (two-level tables would put table addresses in host memory);
 *                                 writes to GITS_BASER<n> and GITS_CBASER while on are dropped.
 *   GITS_CBASER                   the host's value is kept here; the ITS gets Lockstep's shadow
 *                                 queue of the same size (the host's queue is pinned).
 *   GITS_CWRITER                  the commands between the old and the new offset are copied
 *                                 from the host's queue into the shadow one, each checked:
 *                                 MAPD with V = 1 must name an ITT in the host's memory (pinned
 *                                 until a later MAPD unmaps the device and the ITS has drained
 *                                 its queue); the GICv3 physical-LPI commands pass; anything
 *                                 else (GICv4 commands, unknown numbers, a bad MAPD) becomes a
 *                                 SYNC and is counted and logged.
 *
 * One lock serialises all of it (host CPUs trap here concurrently).
 */
#include <errno.h>
#include <string.h>

#include "arm64/gic.h"
#include "hyp/hdom.h"
#include "hyp/plat.h"

static struct {
	struct hyp_spinlock lock;
	u64 gicd;
	unsigned int nr_its, nr_rd;
	u32 idbits; /* GICD_TYPER.IDbits + 1 */
	struct gic_its its[GIC_MAX_ITS];
	struct gic_rd rd[GIC_MAX_RD];
	struct gic_stats st;
} gic;

/* ---- pins ------------------------------------------------------------------------------ */

static int gic_pin(struct gic_pin *p, u64 pa, u64 bytes)
{
	u64 first = ALIGN_DOWN(pa, PAGE_SIZE), pages;
	int ret;

	if (!bytes || pa + bytes < pa)
		return -EINVAL;
	pages = (ALIGN_UP(pa + bytes, PAGE_SIZE) - first) >> PAGE_SHIFT;
	ret = own_host_pin(first, pages);
	if (ret) {
		gic.st.pin_failures++;
		return ret;
	}
	gic.st.pins++;
	p->pa = first;
	p->pages = pages;
	return 0;
}

static void gic_unpin(struct gic_pin *p)
{
	if (!p->pages)
		return;
	if (own_host_unpin(p->pa, p->pages))
		plat_panic("gic: pin %#llx+%llu pages lost", (unsigned long long)p->pa,
			   (unsigned long long)p->pages);
	p->pa = p->pages = 0;
}

/* @p holds exactly the pages of @pa + @bytes. */
static bool gic_pin_same(const struct gic_pin *p, u64 pa, u64 bytes)
{
	u64 first = ALIGN_DOWN(pa, PAGE_SIZE);

	return p->pages && p->pa == first &&
	       p->pages == (ALIGN_UP(pa + bytes, PAGE_SIZE) - first) >> PAGE_SHIFT;
}

/* Pin @pa + @bytes into @p, replacing what @p held (kept on failure). */
static int gic_repin(struct gic_pin *p, u64 pa, u64 bytes)
{
	struct gic_pin n = { 0 };
	int ret;

	if (gic_pin_same(p, pa, bytes))
		return 0;
	ret = gic_pin(&n, pa, bytes);
	if (ret)
		return ret;
	gic_unpin(p);
	*p = n;
	return 0;
}

/* ---- redistributors -------------------------------------------------------------------- */

/* LPIs on: both tables, sized by the ID bits in effect (12.11.29: at most GICD_TYPER's). */
static bool gic_rd_enable_lpis(struct gic_rd *rd)
{
	u64 prop = plat_read64(rd->base + GICR_PROPBASER);
	u64 pend = plat_read64(rd->base + GICR_PENDBASER);
	u32 bits = MIN((u32)FIELD_GET(GICR_PROPBASER_IDBITS, prop) + 1, gic.idbits);
	u64 ppa = prop & GICR_PROPBASER_PA, qpa = pend & GICR_PENDBASER_PA, pb, qb;
	struct gic_pin np = { 0 }, nq = { 0 };
	int ret = 0;

	if (bits <= GIC_LPI_FIRST_BITS || bits > 24) {
		plat_log("gic: redistributor %#llx: LPIs with %u ID bits refused",
			 (unsigned long long)rd->base, bits);
		return false;
	}
	pb = (1ULL << bits) - (1ULL << GIC_LPI_FIRST_BITS); /* one byte per LPI (6.1.1) */
	qb = (1ULL << bits) / 8;			    /* one bit per INTID (6.1.2) */
	/* Both new pins first, then drop the old ones: all or nothing. */
	if (!gic_pin_same(&rd->prop, ppa, pb))
		ret = gic_pin(&np, ppa, pb);
	if (!ret && !gic_pin_same(&rd->pend, qpa, qb))
		ret = gic_pin(&nq, qpa, qb);
	if (ret) {
		gic_unpin(&np);
		plat_log("gic: redistributor %#llx: LPI tables at %#llx/%#llx (%u ID bits) are not "
			 "the host's memory (%d): LPIs stay off",
			 (unsigned long long)rd->base, (unsigned long long)ppa,
			 (unsigned long long)qpa, bits, ret);
		return false;
	}
	if (np.pages) {
		gic_unpin(&rd->prop);
		rd->prop = np;
	}
	if (nq.pages) {
		gic_unpin(&rd->pend);
		rd->pend = nq;
	}
	return true;
}

static void gic_rd_write(struct gic_rd *rd, u64 off, unsigned int size, u64 val)
{
	u64 pa = rd->base + off;

	if (off == GICR_CTLR && size == 4) {
		if ((val & GICR_CTLR_ENABLE_LPIS) &&
		    !(plat_read32(rd->base + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS) &&
		    !gic_rd_enable_lpis(rd)) {
			val &= ~GICR_CTLR_ENABLE_LPIS;
			gic.st.refused_writes++;
		}
		plat_write32(pa, (u32)val);
		return;
	}
	if (off >= GICR_PROPBASER && off < GICR_PENDBASER + 8) {
		if (size != 8 || (plat_read32(rd->base + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS)) {
			gic.st.refused_writes++;
			plat_log("gic: redistributor %#llx: %u-byte write to %s dropped (%s)",
				 (unsigned long long)rd->base, size,
				 off < GICR_PENDBASER ? "GICR_PROPBASER" : "GICR_PENDBASER",
				 size != 8 ? "not 64-bit" : "LPIs are on");
			return;
		}
		plat_write64(pa, val);
		return;
	}
	if (size == 8)
		plat_write64(pa, val);
	else if (size == 4)
		plat_write32(pa, (u32)val);
	else
		gic.st.refused_writes++; /* no byte/halfword registers in RD_base */
}

/* ---- ITS --------------------------------------------------------------------------------- */

static u64 gic_queue_bytes(u64 cbaser)
{
	return (FIELD_GET(GITS_CBASER_SIZE, cbaser) + 1) * PAGE_SIZE;
}

/* The table GITS_BASER<n> describes: PA and bytes (12.19.1). */
static void gic_baser_table(u64 v, u64 *pa, u64 *bytes)
{
	static const u64 psz[4] = { 0x1000, 0x4000, 0x10000, 0x10000 };
	u64 page = psz[FIELD_GET(GITS_BASER_PAGE_SIZE, v)];

	*pa = v & GITS_BASER_PA;
	if (page == 0x10000)
		*pa = (*pa & ~GITS_BASER_PA_64K_HI) | (FIELD_GET(GITS_BASER_PA_64K_HI, v) << 48);
	*bytes = (FIELD_GET(GITS_BASER_SIZE, v) + 1) * page;
}

static bool gic_its_enable(struct gic_its *its)
{
	unsigned int n;

	for (n = 0; n < GITS_BASER_NR; n++) {
		u64 v = plat_read64(its->base + GITS_BASER(n)), pa, bytes;
		int ret;

		if (!(v & GITS_BASER_VALID) || !FIELD_GET(GITS_BASER_TYPE, v))
			continue;
		gic_baser_table(v, &pa, &bytes);
		ret = (v & GITS_BASER_INDIRECT) ? -EINVAL : gic_repin(&its->baser[n], pa, bytes);
		if (ret) {
			plat_log("gic: ITS %#llx: GITS_BASER%u table %#llx+%#llx is not the host's "
				 "memory (%d): the ITS stays off",
				 (unsigned long long)its->base, n, (unsigned long long)pa,
				 (unsigned long long)bytes, ret);
			return false;
		}
	}
	return true;
}

static void gic_its_set_cbaser(struct gic_its *its, u64 val)
{
	u64 hw = (val & ~GITS_CBASER_PA) | its->shadow_pa;
	int ret = 0;

	if (val & GITS_CBASER_VALID) {
		if (gic_queue_bytes(val) > (u64)GIC_SHADOW_PAGES * PAGE_SIZE)
			ret = -E2BIG;
		else
			ret = gic_repin(&its->queue, val & GITS_CBASER_PA, gic_queue_bytes(val));
	}
	if (ret) {
		plat_log("gic: ITS %#llx: command queue %#llx (%llu KiB) refused (%d): no commands "
			 "until a valid GITS_CBASER",
			 (unsigned long long)its->base, (unsigned long long)(val & GITS_CBASER_PA),
			 (unsigned long long)(gic_queue_bytes(val) >> 10), ret);
		gic.st.refused_writes++;
		val &= ~GITS_CBASER_VALID;
		hw &= ~GITS_CBASER_VALID;
	}
	if (!(val & GITS_CBASER_VALID))
		gic_unpin(&its->queue);
	its->cbaser = val;
	its->cwriter = 0; /* the ITS resets GITS_CREADR; the host writes GITS_CWRITER next */
	memset(plat_phys_to_virt(its->shadow_pa), 0, (size_t)GIC_SHADOW_PAGES * PAGE_SIZE);
	plat_write64(its->base + GITS_CBASER, hw);
}

/* The ITS executed everything it was given: ITTs of unmapped devices are free. */
static void gic_its_drained(struct gic_its *its)
{
	unsigned int i;

	if ((plat_read64(its->base + GITS_CREADR) & GITS_CQ_OFFSET) != its->cwriter)
		return;
	for (i = 0; i < GIC_MAX_DEFER; i++)
		gic_unpin(&its->defer[i]);
}

static void gic_its_defer(struct gic_its *its, struct gic_pin *p)
{
	unsigned int i;

	for (i = 0; i < GIC_MAX_DEFER; i++)
		if (!its->defer[i].pages) {
			its->defer[i] = *p;
			*p = (struct gic_pin){ 0 };
			return;
		}
	/* No room: the pin stays for good (safe: the page only stays the host's). */
	*p = (struct gic_pin){ 0 };
}

static struct gic_itt *gic_itt_of(struct gic_its *its, u32 devid, bool alloc)
{
	struct gic_itt *free = NULL;
	unsigned int i;

	for (i = 0; i < GIC_MAX_ITT; i++) {
		if (its->itt[i].pin.pages && its->itt[i].devid == devid)
			return &its->itt[i];
		if (!its->itt[i].pin.pages && !free)
			free = &its->itt[i];
	}
	return alloc ? free : NULL;
}

/* MAPD (5.3.9): 0 to pass it on, else refuse it. */
static int gic_its_mapd(struct gic_its *its, const u64 *c)
{
	u32 devid = (u32)(c[0] >> 32);
	struct gic_itt *t = gic_itt_of(its, devid, true);
	u64 itt = c[2] & GITS_MAPD_ITT, bits = FIELD_GET(GITS_MAPD_SIZE, c[1]) + 1;
	struct gic_pin n = { 0 };
	int ret;

	if (!(c[2] & GITS_MAPD_VALID)) {
		if (t && t->pin.pages)
			gic_its_defer(its, &t->pin);
		return 0;
	}
	if (!t)
		return -ENOSPC;
	if (bits > 24)
		return -E2BIG;
	ret = gic_pin(&n, itt, (1ULL << bits) * its->ite_bytes);
	if (ret)
		return ret;
	if (t->pin.pages)
		gic_its_defer(its, &t->pin); /* remapped: the old ITT goes when the ITS drains */
	t->devid = devid;
	t->pin = n;
	return 0;
}

static void gic_its_command(struct gic_its *its, u64 *c)
{
	u8 op = (u8)c[0];
	int ret = 0;

	gic.st.cmds++;
	switch (op) {
	case GITS_CMD_MAPD:
		ret = gic_its_mapd(its, c);
		break;
	case GITS_CMD_MOVI:
	case GITS_CMD_INT:
	case GITS_CMD_CLEAR:
	case GITS_CMD_SYNC:
	case GITS_CMD_MAPC:
	case GITS_CMD_MAPTI:
	case GITS_CMD_MAPI:
	case GITS_CMD_INV:
	case GITS_CMD_INVALL:
	case GITS_CMD_MOVALL:
	case GITS_CMD_DISCARD:
		return;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	if (!ret)
		return;
	gic.st.refused_cmds++;
	plat_log("gic: ITS %#llx: command %#x (DW0 %#llx DW2 %#llx) refused (%d): a SYNC instead",
		 (unsigned long long)its->base, op, (unsigned long long)c[0],
		 (unsigned long long)c[2], ret);
	c[0] = GITS_CMD_SYNC;
	c[1] = 0;
	c[2] = its->sync_dw2;
	c[3] = 0;
}

static void gic_its_cwriter(struct gic_its *its, u64 val)
{
	u64 qbytes = gic_queue_bytes(its->cbaser), host = its->cbaser & GITS_CBASER_PA;
	u32 to = (u32)(val & GITS_CQ_OFFSET), off;

	if (!(its->cbaser & GITS_CBASER_VALID) || to >= qbytes) {
		gic.st.refused_writes++;
		plat_log("gic: ITS %#llx: GITS_CWRITER %#llx dropped (%s)",
			 (unsigned long long)its->base, (unsigned long long)val,
			 (its->cbaser & GITS_CBASER_VALID) ? "beyond the queue" : "no queue");
		return;
	}
	gic_its_drained(its);
	for (off = its->cwriter; off != to; off = (u32)((off + GITS_CMD_BYTES) % qbytes)) {
		u64 c[4];
		void *dst = plat_phys_to_virt(its->shadow_pa + off);

		memcpy(c, plat_phys_to_virt(host + off), sizeof(c));
		gic_its_command(its, c);
		memcpy(dst, c, sizeof(c));
		plat_dcache_clean(dst, sizeof(c)); /* the ITS may read it non-cacheable */
	}
	its->cwriter = to;
	plat_write64(its->base + GITS_CWRITER, to | (val & GITS_CWRITER_RETRY));
}

static void gic_its_write(struct gic_its *its, u64 off, unsigned int size, u64 val)
{
	bool on = plat_read32(its->base + GITS_CTLR) & GITS_CTLR_ENABLED;

	if (off == GITS_CTLR && size == 4) {
		if ((val & GITS_CTLR_ENABLED) && !on && !gic_its_enable(its)) {
			val &= ~GITS_CTLR_ENABLED;
			gic.st.refused_writes++;
		}
		plat_write32(its->base + off, (u32)val);
		return;
	}
	if (off == GITS_CWRITER && (size == 4 || size == 8)) {
		gic_its_cwriter(its, val);
		return;
	}
	if (off == GITS_CWRITER + 4)
		return; /* RES0 half */
	if ((off >= GITS_CBASER && off < GITS_CBASER + 8) ||
	    (off >= GITS_BASER(0) && off < GITS_BASER(GITS_BASER_NR))) {
		if (size != 8 || on) {
			gic.st.refused_writes++;
			plat_log("gic: ITS %#llx: %u-byte write to %#llx dropped (%s)",
				 (unsigned long long)its->base, size, (unsigned long long)off,
				 size != 8 ? "not 64-bit" : "the ITS is on");
			return;
		}
		if (off == GITS_CBASER)
			gic_its_set_cbaser(its, val);
		else
			plat_write64(its->base + off, val & ~GITS_BASER_INDIRECT);
		return;
	}
	if (size == 8)
		plat_write64(its->base + off, val);
	else if (size == 4)
		plat_write32(its->base + off, (u32)val);
	else
		gic.st.refused_writes++;
}

static u64 gic_its_read(struct gic_its *its, u64 off, unsigned int size)
{
	u64 v;

	if (off >= GITS_CREADR && off < GITS_CREADR + 8)
		gic_its_drained(its);
	if (off >= GITS_CBASER && off < GITS_CBASER + 8)
		/* The ITS's attributes (it may refuse a shareability), the host's address. */
		v = (plat_read64(its->base + GITS_CBASER) & ~GITS_CBASER_PA) |
		    (its->cbaser & GITS_CBASER_PA);
	else if (off >= GITS_CWRITER && off < GITS_CWRITER + 8)
		v = its->cwriter;
	else if (size == 8)
		return plat_read64(its->base + off);
	else
		return plat_read32(its->base + ALIGN_DOWN(off, 4)) >> (8 * (off & 3));
	return v >> (8 * (off & 7));
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static struct gic_its *gic_its_at(u64 pa)
{
	unsigned int i;

	for (i = 0; i < gic.nr_its; i++)
		if (pa >= gic.its[i].base && pa - gic.its[i].base < GIC_FRAME)
			return &gic.its[i];
	return NULL;
}

static struct gic_rd *gic_rd_at(u64 pa)
{
	unsigned int i;

	for (i = 0; i < gic.nr_rd; i++)
		if (pa >= gic.rd[i].base && pa - gic.rd[i].base < GIC_FRAME)
			return &gic.rd[i];
	return NULL;
}

bool gic_emul_claims(u64 pa)
{
	return gic_its_at(pa) || gic_rd_at(pa);
}

bool gic_emul_access(u64 pa, unsigned int size, bool write, u64 *val)
{
	struct gic_its *its;
	struct gic_rd *rd;
	u64 mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

	its = gic_its_at(pa);
	rd = its ? NULL : gic_rd_at(pa);
	if (!its && !rd)
		return false;
	hyp_spin_lock(&gic.lock);
	gic.st.traps++;
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		gic.st.refused_writes += write;
		if (!write)
			*val = 0;
	} else if (!IS_ALIGNED(pa, size)) {
		gic.st.refused_writes += write;
		if (!write)
			*val = ~0ULL & mask;
	} else if (its) {
		if (write)
			gic_its_write(its, pa - its->base, size, *val & mask);
		else
			*val = gic_its_read(its, pa - its->base, size) & mask;
	} else if (write) {
		gic_rd_write(rd, pa - rd->base, size, *val & mask);
	} else if (size == 8) {
		*val = plat_read64(pa);
	} else {
		*val = (plat_read32(ALIGN_DOWN(pa, 4)) >> (8 * (pa & 3))) & mask;
	}
	hyp_spin_unlock(&gic.lock);
	return true;
}

void gic_emul_stats(struct gic_stats *s)
{
	hyp_spin_lock(&gic.lock);
	*s = gic.st;
	hyp_spin_unlock(&gic.lock);
}

int gic_emul_init(const struct gic_desc *d)
{
	unsigned int i;

	if (d->nr_its > GIC_MAX_ITS || d->nr_rd > GIC_MAX_RD || (d->nr_its && !d->nr_rd))
		return -EINVAL;
	memset(&gic, 0, sizeof(gic));
	hyp_spin_init(&gic.lock);
	gic.gicd = d->gicd;
	gic.idbits = (u32)FIELD_GET(GICD_TYPER_IDBITS, plat_read32(d->gicd + GICD_TYPER)) + 1;
	gic.nr_rd = d->nr_rd;
	for (i = 0; i < d->nr_rd; i++)
		gic.rd[i].base = d->rd[i];
	gic.nr_its = d->nr_its;
	for (i = 0; i < d->nr_its; i++) {
		struct gic_its *its = &gic.its[i];
		u64 typer = plat_read64(d->its[i] + GITS_TYPER);
		u64 rd0 = plat_read64(d->rd[0] + GICR_TYPER);

		its->base = d->its[i];
		its->shadow_pa = d->shadow_pa[i];
		its->ite_bytes = (u32)FIELD_GET(GITS_TYPER_ITT_SIZE, typer) + 1;
		/* SYNC's RDbase (5.3.20): a redistributor's PA with PTA = 1, else its number. */
		its->sync_dw2 = (typer & GITS_TYPER_PTA) ?
					(d->rd[0] & GITS_SYNC_RDBASE) :
					(FIELD_GET(GICR_TYPER_PROC_NUM, rd0) << 16);
		if (plat_read32(its->base + GITS_CTLR) & GITS_CTLR_ENABLED)
			plat_log("gic: ITS %#llx is already on at takeover: its tables are the "
				 "firmware's (not guarded until the host turns it off and on)",
				 (unsigned long long)its->base);
	}
	return 0;
}
