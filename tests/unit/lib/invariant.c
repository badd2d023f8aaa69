// SPDX-License-Identifier: GPL-2.0-only
/*
 * Invariant checker: what every table reaches must be exactly what the
 * ownership DB says, and every table page must be accounted for once.
 *
 *  - DB: owners are the hypervisor, the host or a live VM; only host and VM
 *    pages are shared; only VM pages carry consent; only hypervisor pages are
 *    table pages; each VM's page counter matches the DB.
 *  - Host (CPU table and every mirrored IOMMU table): identity map; reaches
 *    exactly the pages it owns (RWX) and the VM pages shared with it (RW).
 *  - VM n (CPU and mirrored IOMMU tables): reaches exactly its own pages, each
 *    at one IPA, private RWX and shared RW; mirrored tables translate every
 *    IPA to the same page as the CPU table.
 *  - Nothing reaches a hypervisor page.
 *  - Host DMA domains: reach only pages the host owns or borrows (a VM page
 *    shared with it), with R/W only; each page's DMA map count equals the
 *    number of domain IOVAs mapping it; each domain's mapped counter matches.
 *    Device (MMIO) leaves map no RAM, only what the host CPU stage-2 maps as
 *    device memory with at least the same R/W.
 *  - Table pages: every page of every table and of every pool free list is a
 *    hypervisor table page inside its own pool's donations, used once; pool
 *    counters balance (total = free + used = donated, used = tables, nothing
 *    left reserved).
 *  - No view maps RAM as device memory, and a VM's view maps no device memory at all.
 *
 * Every table is read through the independent decoders of ptdec.c (written from the
 * manuals), never through the engine under test (pt_walk, pt_lookup): a bug shared by the
 * engine's encoder and decoder cannot pass both. A descriptor the decoder finds bad (a
 * reserved encoding, no access flag, a leaf beyond the input range) is a failure too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp/hdom.h"
#include "hyp/mem_protect.h"
#include "hyp/own.h"
#include "hyp/vm.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "ptdec.h"

struct inv {
	char *msg;
	size_t len;
	int err;
	const struct own_range *ram;
	unsigned int nr_ram;
	u64 nr_pages;
	const u16 *db;
	u64 expect[OWN_MAX_VMS + 1]; /* pages each VM (last: the host) should reach */
	u8 *tbl_seen;		     /* per RAM page: used as a table / free pool page */
	u8 *dma_seen;		     /* per RAM page: host DMA domain mappings found (mod 256) */
	u64 *vm_ipa;		     /* per RAM page: IPA + 1 in the VM being checked, 0 = none */
	/* current view */
	u32 who;
	bool iommu;  /* an IOMMU table: may not express X */
	bool mirror; /* a VM's IOMMU table: checked against vm_ipa */
	u64 mapped;
	/* current pool */
	const struct own_range *runs;
	unsigned int nr_runs;
	u64 tables;
};

static int inv_fail(struct inv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int inv_fail(struct inv *v, const char *fmt, ...)
{
	va_list ap;

	if (!v->err) {
		va_start(ap, fmt);
		vsnprintf(v->msg, v->len, fmt, ap);
		va_end(ap);
	}
	v->err = -1;
	return 1;
}

/* Index of @pa among all RAM pages, or -1. */
static long long inv_idx(const struct inv *v, u64 pa)
{
	u64 first = 0;
	unsigned int i;

	for (i = 0; i < v->nr_ram; i++) {
		if (pa >= v->ram[i].base && pa - v->ram[i].base < v->ram[i].size)
			return (long long)(first + ((pa - v->ram[i].base) >> PAGE_SHIFT));
		first += v->ram[i].size >> PAGE_SHIFT;
	}
	return -1;
}

static const char *inv_name(u32 who)
{
	static char buf[4][16];
	static unsigned int k;
	char *b = buf[k++ & 3];

	if (who == OWN_HOST)
		return "host";
	snprintf(b, 16, "vm%u", who);
	return b;
}

/* ---- views -------------------------------------------------------------- */

static int inv_leaf(const struct ptdec_leaf *l, void *arg)
{
	struct inv *v = arg;
	u64 off;

	if ((l->attr & PT_DEVICE) && v->who != OWN_HOST)
		return inv_fail(v, "%s%s maps device memory %#llx at %#llx", inv_name(v->who),
				v->iommu ? " IOMMU" : "", (unsigned long long)l->pa,
				(unsigned long long)l->ia);
	long long idx0 = inv_idx(v, l->pa), last = inv_idx(v, l->pa + l->size - PAGE_SIZE);
	/* Whole leaf inside one RAM range: page indices are consecutive. */
	bool fast = idx0 >= 0 && last - idx0 == (long long)(l->size >> PAGE_SHIFT) - 1;

	for (off = 0; off < l->size; off += PAGE_SIZE) {
		u64 ia = l->ia + off, pa = l->pa + off;
		long long idx = fast ? idx0 + (long long)(off >> PAGE_SHIFT) : inv_idx(v, pa);
		u16 e, owner;
		pt_attr_t want, rw = l->attr & PT_RW;

		if (idx < 0) {
			if (l->attr & PT_DEVICE)
				continue; /* MMIO, outside the DB */
			return inv_fail(v, "%s maps non-RAM pa %#llx at %#llx", inv_name(v->who),
					(unsigned long long)pa, (unsigned long long)ia);
		}
		if (l->attr & PT_DEVICE)
			return inv_fail(v, "%s%s maps RAM %#llx as device", inv_name(v->who),
					v->iommu ? " IOMMU" : "", (unsigned long long)pa);
		e = v->db[idx];
		owner = e & OWN_E_OWNER;
		if (owner == OWN_OWNER_HYP)
			return inv_fail(v, "%s reaches hypervisor page %#llx (entry %#x)",
					inv_name(v->who), (unsigned long long)pa, e);
		if (v->who == OWN_HOST) {
			if (ia != pa)
				return inv_fail(v, "host map not identity: %#llx -> %#llx",
						(unsigned long long)ia, (unsigned long long)pa);
			if (owner == OWN_OWNER_HOST)
				want = PT_RWX;
			else if (e & OWN_E_SHARED)
				want = PT_RW;
			else
				return inv_fail(v, "host reaches %#llx owned by vm%u, not shared",
						(unsigned long long)pa, owner - OWN_OWNER_VM(0));
		} else {
			if (owner != OWN_OWNER_VM(v->who))
				return inv_fail(v, "vm%u reaches %#llx (entry %#x)", v->who,
						(unsigned long long)pa, e);
			want = (e & OWN_E_SHARED) ? PT_RW : PT_RWX;
			if (!v->mirror) {
				if (v->vm_ipa[idx])
					return inv_fail(v, "vm%u maps %#llx twice", v->who,
							(unsigned long long)pa);
				v->vm_ipa[idx] = ia + 1;
			} else if (v->vm_ipa[idx] != ia + 1) {
				return inv_fail(v, "vm%u IOMMU maps %#llx at %#llx, CPU at %#llx",
						v->who, (unsigned long long)pa,
						(unsigned long long)ia,
						(unsigned long long)(v->vm_ipa[idx] - 1));
			}
		}
		/* IOMMU formats may not express X: compare R/W there, all of RWX on the CPU. */
		if ((v->iommu ? rw : (l->attr & PT_RWX)) != (v->iommu ? (want & PT_RW) : want))
			return inv_fail(v, "%s%s maps %#llx with attr %#x, state wants %#x",
					inv_name(v->who), v->iommu ? " IOMMU" : "",
					(unsigned long long)pa, l->attr, want);
		v->mapped++;
	}
	return 0;
}

/* Walk @pt with the independent decoder; a bad descriptor is a failure. */
static void inv_walk(struct inv *v, const struct pt *pt,
		     int (*leaf)(const struct ptdec_leaf *l, void *arg),
		     int (*table)(u64 table_pa, unsigned int level, void *arg), const char *what)
{
	char err[160];

	if (ptdec_walk(pt, leaf, table, v, err, sizeof(err)) && !v->err)
		inv_fail(v, "%s %s: %s", inv_name(v->who), what, err);
}

static u64 inv_expected(struct inv *v, u32 who)
{
	return v->expect[who == OWN_HOST ? OWN_MAX_VMS : who];
}

static void inv_table(struct inv *v, const struct pt *pt, u32 who, bool iommu, u64 expect)
{
	v->who = who;
	v->iommu = iommu;
	v->mirror = iommu && who != OWN_HOST;
	v->mapped = 0;
	inv_walk(v, pt, inv_leaf, NULL, iommu ? "IOMMU table" : "table");
	if (!v->err && v->mapped != expect)
		inv_fail(v, "%s%s reaches %llu pages, DB says %llu", inv_name(who),
			 iommu ? " IOMMU" : "", (unsigned long long)v->mapped,
			 (unsigned long long)expect);
}

static void inv_view(struct inv *v, const struct own_view *view, u32 who)
{
	u64 expect = inv_expected(v, who);
	unsigned int i;

	if (who != OWN_HOST)
		memset(v->vm_ipa, 0, v->nr_pages * sizeof(u64));
	inv_table(v, &view->cpu, who, false, expect);
	/* Host IOMMU tables are checked like the CPU one; VM ones against its IPAs. */
	for (i = 0; i < OWN_MAX_DOMS && !v->err; i++)
		if (view->dom[i].used && view->dom[i].mirrored)
			inv_table(v, &view->dom[i].pt, who, true, expect);
	if (!v->err && who != OWN_HOST && own_vm_pages(who) != expect)
		inv_fail(v, "vm%u counter %llu, DB %llu", who,
			 (unsigned long long)own_vm_pages(who), (unsigned long long)expect);
}

/* ---- host DMA domains --------------------------------------------------- */

/* An MMIO leaf (LS_IOMMU_MMIO): no RAM, and the host stage-2 maps it as device with its R/W. */
static int inv_dma_mmio_leaf(struct inv *v, const struct ptdec_leaf *l)
{
	const struct pt *cpu = &own_view_of(OWN_HOST)->cpu;
	pt_attr_t need = l->attr & PT_RW, hattr;
	struct ptdec_leaf hl;
	u64 off;

	for (off = 0; off < l->size; off += PAGE_SIZE) {
		u64 pa = l->pa + off;

		if (inv_idx(v, pa) >= 0)
			return inv_fail(v, "DMA domain maps RAM pa %#llx as device",
					(unsigned long long)pa);
		if (pa >= ((u64)1 << cpu->ia_bits) || ptdec_lookup(cpu, pa, &hl))
			hattr = 0;
		else
			hattr = hl.attr;
		if (!(hattr & PT_DEVICE) || (hattr & need) != need)
			return inv_fail(v,
					"DMA domain reaches MMIO %#llx the host stage-2 does not "
					"map as device with attr %#x",
					(unsigned long long)pa, l->attr);
		v->mapped++;
	}
	return 0;
}

static int inv_dma_leaf(const struct ptdec_leaf *l, void *arg)
{
	struct inv *v = arg;
	u64 off;

	if ((l->attr & ~(pt_attr_t)(PT_RW | PT_DEVICE)) || !(l->attr & PT_RW))
		return inv_fail(v, "DMA domain maps %#llx with attr %#x", (unsigned long long)l->ia,
				l->attr);
	if (l->attr & PT_DEVICE)
		return inv_dma_mmio_leaf(v, l);
	for (off = 0; off < l->size; off += PAGE_SIZE) {
		long long idx = inv_idx(v, l->pa + off);
		u16 e, owner;

		if (idx < 0)
			return inv_fail(v, "DMA domain maps non-RAM pa %#llx",
					(unsigned long long)(l->pa + off));
		e = v->db[idx];
		owner = e & OWN_E_OWNER;
		if (owner != OWN_OWNER_HOST && !(owner >= OWN_OWNER_VM(0) && (e & OWN_E_SHARED)))
			return inv_fail(v,
					"DMA domain reaches %#llx the host neither owns nor "
					"borrows (entry %#x)",
					(unsigned long long)(l->pa + off), e);
		v->dma_seen[idx]++;
		v->mapped++;
	}
	return 0;
}

/* Device pins (hyp/mem/pin.c): each pinned page is the host's and counts once. */
static void inv_pins(struct inv *v)
{
	const struct own_pin *pin = own_pins();
	unsigned int i;
	u64 k;

	for (i = 0; i < OWN_MAX_PINS && !v->err; i++) {
		if (!pin[i].pages)
			continue;
		for (k = 0; k < pin[i].pages && !v->err; k++) {
			u64 pa = pin[i].pa + (k << PAGE_SHIFT);
			long long idx = inv_idx(v, pa);

			if (idx < 0) {
				inv_fail(v, "pin %u: PA %#llx is not RAM", i,
					 (unsigned long long)pa);
				break;
			}
			if ((v->db[idx] & OWN_E_OWNER) != OWN_OWNER_HOST)
				inv_fail(v, "pin %u: PA %#llx is not the host's (entry %#x)", i,
					 (unsigned long long)pa, v->db[idx]);
			v->dma_seen[idx]++;
		}
	}
}

static void inv_hdoms(struct inv *v)
{
	u64 nr, i;
	const u8 *cnt = own_dma_counts(&nr);
	u32 dom;

	for (dom = 0; dom < OWN_MAX_HDOMS && !v->err; dom++) {
		const struct own_hdom *d = own_hdom_of(dom);

		if (!d)
			continue;
		v->mapped = 0;
		v->who = OWN_HOST;
		inv_walk(v, &d->pt, inv_dma_leaf, NULL, "DMA domain table");
		if (!v->err && v->mapped != d->mapped)
			inv_fail(v, "DMA domain %u maps %llu pages, counter says %llu", dom,
				 (unsigned long long)v->mapped, (unsigned long long)d->mapped);
	}
	inv_pins(v);
	if (v->err || !memcmp(cnt, v->dma_seen, nr))
		return;
	for (i = 0; i < nr && !v->err; i++)
		if (cnt[i] != v->dma_seen[i])
			inv_fail(v, "page #%llu DMA map count %u, domains and pins map it %u times",
				 (unsigned long long)i, cnt[i], v->dma_seen[i]);
}

/* ---- table pages and pools ---------------------------------------------- */

static bool inv_in_runs(const struct inv *v, u64 pa)
{
	unsigned int i;

	for (i = 0; i < v->nr_runs; i++)
		if (pa >= v->runs[i].base && pa - v->runs[i].base < v->runs[i].size)
			return true;
	return false;
}

static int inv_tbl_page(struct inv *v, u64 pa, const char *what)
{
	long long idx = inv_idx(v, pa);
	u16 e;

	if (idx < 0)
		return inv_fail(v, "%s page %#llx of %s outside RAM", what, (unsigned long long)pa,
				inv_name(v->who));
	e = v->db[idx];
	if (e != (OWN_OWNER_HYP | OWN_E_TABLE))
		return inv_fail(v, "%s page %#llx of %s has DB entry %#x", what,
				(unsigned long long)pa, inv_name(v->who), e);
	if (!inv_in_runs(v, pa))
		return inv_fail(v, "%s page %#llx not donated to %s's pool", what,
				(unsigned long long)pa, inv_name(v->who));
	if (v->tbl_seen[idx])
		return inv_fail(v, "%s page %#llx used twice (%s)", what, (unsigned long long)pa,
				inv_name(v->who));
	v->tbl_seen[idx] = 1;
	return 0;
}

static int inv_tbl_fn(u64 table_pa, unsigned int level, void *arg)
{
	struct inv *v = arg;

	(void)level;
	v->tables++;
	return inv_tbl_page(v, table_pa, "table");
}

static void inv_pt_tables(struct inv *v, const struct pt *pt)
{
	u64 before = v->tables;

	inv_walk(v, pt, NULL, inv_tbl_fn, "table pages");
	if (!v->err && v->tables - before != pt->nr_tables)
		inv_fail(v, "%s table counts %llu pages, walk found %llu", inv_name(v->who),
			 (unsigned long long)pt->nr_tables,
			 (unsigned long long)(v->tables - before));
}

static void inv_pool(struct inv *v, u32 who)
{
	const struct own_view *view = own_view_of(who);
	const struct pt_pool *pool = own_pool_of(who);
	u64 pa, nfree = 0, donated = 0;
	unsigned int i;

	v->who = who;
	v->nr_runs = own_pool_runs(who, &v->runs);
	v->tables = 0;
	for (i = 0; i < v->nr_runs; i++)
		donated += v->runs[i].size >> PAGE_SHIFT;
	inv_pt_tables(v, &view->cpu);
	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (view->dom[i].used && view->dom[i].mirrored)
			inv_pt_tables(v, &view->dom[i].pt);
	for (pa = pool->free_head; pa && !v->err; pa = *(const u64 *)plat_phys_to_virt(pa)) {
		if (inv_tbl_page(v, pa, "free"))
			break;
		if (++nfree > pool->nr_total)
			break;
	}
	if (v->err)
		return;
	if (nfree != pool->nr_free || v->tables != pool->nr_used ||
	    pool->nr_total != pool->nr_free + pool->nr_used || pool->nr_total != donated ||
	    pool->nr_reserved)
		inv_fail(v,
			 "%s pool: total %llu free %llu (list %llu) used %llu (tables %llu) "
			 "donated %llu reserved %llu",
			 inv_name(who), (unsigned long long)pool->nr_total,
			 (unsigned long long)pool->nr_free, (unsigned long long)nfree,
			 (unsigned long long)pool->nr_used, (unsigned long long)v->tables,
			 (unsigned long long)donated, (unsigned long long)pool->nr_reserved);
}

/* A DMA domain's table pages and pool (its own donations). */
static void inv_hdom_pool(struct inv *v, const struct own_hdom *d)
{
	u64 pa, nfree = 0, donated = 0;
	unsigned int i;

	v->who = OWN_HOST;
	v->runs = d->runs;
	v->nr_runs = d->nr_runs;
	v->tables = 0;
	for (i = 0; i < v->nr_runs; i++)
		donated += v->runs[i].size >> PAGE_SHIFT;
	inv_pt_tables(v, &d->pt);
	for (pa = d->pool.free_head; pa && !v->err; pa = *(const u64 *)plat_phys_to_virt(pa)) {
		if (inv_tbl_page(v, pa, "free"))
			break;
		if (++nfree > d->pool.nr_total)
			break;
	}
	if (v->err)
		return;
	if (nfree != d->pool.nr_free || v->tables != d->pool.nr_used ||
	    d->pool.nr_total != d->pool.nr_free + d->pool.nr_used || d->pool.nr_total != donated ||
	    d->pool.nr_reserved)
		inv_fail(v,
			 "DMA domain %u pool: total %llu free %llu (list %llu) used %llu "
			 "(tables %llu) donated %llu",
			 d->id, (unsigned long long)d->pool.nr_total,
			 (unsigned long long)d->pool.nr_free, (unsigned long long)nfree,
			 (unsigned long long)d->pool.nr_used, (unsigned long long)v->tables,
			 (unsigned long long)donated);
}

/* ---- DB ----------------------------------------------------------------- */

static void inv_db(struct inv *v)
{
	u64 i;

	for (i = 0; i < v->nr_pages; i++) {
		u16 e = v->db[i], owner = e & OWN_E_OWNER;

		if (owner >= OWN_OWNER_VM(0) &&
		    (owner >= OWN_OWNER_VM(OWN_MAX_VMS) || !own_vm_live(owner - OWN_OWNER_VM(0)))) {
			inv_fail(v, "page #%llu owned by dead vm (entry %#x)",
				 (unsigned long long)i, e);
			return;
		}
		if ((owner == OWN_OWNER_HYP && (e & OWN_E_SHARED)) ||
		    (owner < OWN_OWNER_VM(0) && (e & OWN_E_CONSENT)) ||
		    (owner != OWN_OWNER_HYP && (e & OWN_E_TABLE)) || (e & 0x8000)) {
			inv_fail(v, "page #%llu has impossible entry %#x", (unsigned long long)i,
				 e);
			return;
		}
		if (owner == OWN_OWNER_HOST || (owner >= OWN_OWNER_VM(0) && (e & OWN_E_SHARED)))
			v->expect[OWN_MAX_VMS]++;
		if (owner >= OWN_OWNER_VM(0))
			v->expect[owner - OWN_OWNER_VM(0)]++;
	}
}

/*
 * Block summaries against the per-page truth, recomputed here from the DB and the DMA map
 * counts: for each RAM range in order, one summary per PA-aligned block of @size the range
 * touches (clipped to the range), the entry all its pages share when none has a DMA map
 * count, else OWN_SUM_MIXED (hyp/include/hyp/own.h).
 */
static void inv_summaries(struct inv *v, unsigned int which, u64 size)
{
	u64 nr, nr_dma, blk = 0, idx = 0, pa, end, bend, i;
	const u16 *sum = own_block_summaries(which, &nr);
	const u8 *dma = own_dma_counts(&nr_dma);
	unsigned int r;

	for (r = 0; r < v->nr_ram && !v->err; r++) {
		for (pa = v->ram[r].base, end = pa + v->ram[r].size; pa < end && !v->err;
		     pa = bend, blk++) {
			u16 want;

			bend = MIN((pa & ~(size - 1)) + size, end);
			want = dma[idx] ? OWN_SUM_MIXED : v->db[idx];
			for (i = idx; i < idx + ((bend - pa) >> PAGE_SHIFT); i++)
				if (dma[i] || v->db[i] != want)
					want = OWN_SUM_MIXED;
			if (blk >= nr)
				inv_fail(v, "%s summaries: %llu, fewer than the blocks of RAM",
					 which ? "1 GiB" : "2 MiB", (unsigned long long)nr);
			else if (sum[blk] != want)
				inv_fail(v, "%s summary #%llu (pa %#llx) is %#x, its pages say %#x",
					 which ? "1 GiB" : "2 MiB", (unsigned long long)blk,
					 (unsigned long long)pa, sum[blk], want);
			idx += (bend - pa) >> PAGE_SHIFT;
		}
	}
	if (!v->err && blk != nr)
		inv_fail(v, "%llu %s summaries for %llu blocks", (unsigned long long)nr,
			 which ? "1 GiB" : "2 MiB", (unsigned long long)blk);
}

int inv_check(char *msg, size_t len)
{
	struct inv v = { .msg = msg, .len = len };
	u32 vm;

	msg[0] = 0;
	v.nr_ram = own_ram_ranges(&v.ram);
	v.db = own_db_entries(&v.nr_pages);
	v.tbl_seen = calloc(v.nr_pages, 1);
	v.vm_ipa = calloc(v.nr_pages, sizeof(u64));
	v.dma_seen = calloc(v.nr_pages, 1);
	if (!v.tbl_seen || !v.vm_ipa || !v.dma_seen) {
		snprintf(msg, len, "out of memory");
		free(v.tbl_seen);
		free(v.vm_ipa);
		free(v.dma_seen);
		return -1;
	}
	inv_db(&v);
	if (!v.err)
		inv_summaries(&v, 0, OWN_SUM_2M);
	if (!v.err)
		inv_summaries(&v, 1, OWN_SUM_1G);
	if (!v.err)
		inv_view(&v, own_view_of(OWN_HOST), OWN_HOST);
	for (vm = 0; vm < OWN_MAX_VMS && !v.err; vm++)
		if (own_vm_live(vm))
			inv_view(&v, own_view_of(vm), vm);
	if (!v.err)
		inv_pool(&v, OWN_HOST);
	for (vm = 0; vm < OWN_MAX_VMS && !v.err; vm++)
		if (own_vm_live(vm))
			inv_pool(&v, vm);
	if (!v.err)
		inv_hdoms(&v);
	for (vm = 0; vm < OWN_MAX_HDOMS && !v.err; vm++)
		if (own_hdom_of(vm))
			inv_hdom_pool(&v, own_hdom_of(vm));
	free(v.tbl_seen);
	free(v.vm_ipa);
	free(v.dma_seen);
	return v.err;
}
