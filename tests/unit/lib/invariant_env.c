// SPDX-License-Identifier: GPL-2.0-only
/* Test environment for the ownership core (see invariant_env.h). */
#include <lockstep/abi.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "hyp/plat.h"
#include "invariant_env.h"

struct env_rec env_cpu_rec;
static u16 *env_db;

static void env_rec_inval(void *priv, u32 who, const struct pt_gather *g)
{
	struct env_rec *r = priv;

	(void)who;
	r->inval_calls++;
	r->ranges += g->all ? 1 : g->nr;
	r->alls += g->all;
}

static void env_rec_sync(void *priv, u32 who)
{
	struct env_rec *r = priv;

	(void)who;
	r->syncs++;
}

const struct own_inval_ops env_rec_ops = { env_rec_inval, env_rec_sync };

void env_setup(u64 host_pool_pages)
{
	struct own_range ram = { ENV_RAM_BASE, ENV_RAM_SIZE };
	struct own_range hyp[2];
	struct own_config cfg;
	u64 db_bytes = own_db_bytes(&ram, 1);

	fake_mem_reset();
	memset(&env_cpu_rec, 0, sizeof(env_cpu_rec));
	free(env_db);
	env_db = malloc(db_bytes);
	/* The "hypervisor image" (16 pages) and the host pool, at the start of RAM. */
	hyp[0].base = fake_alloc_pages(16, PAGE_SIZE);
	hyp[0].size = 16 * PAGE_SIZE;
	hyp[1].base = fake_alloc_pages(host_pool_pages, PAGE_SIZE);
	hyp[1].size = host_pool_pages * PAGE_SIZE;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ram = &ram;
	cfg.nr_ram = 1;
	cfg.hyp = hyp;
	cfg.nr_hyp = 2;
	cfg.db = env_db;
	cfg.db_bytes = db_bytes;
	cfg.host_pool_pa = hyp[1].base;
	cfg.host_pool_pages = host_pool_pages;
	cfg.host_ia_bits = 40;
	cfg.cpu_fmt = PT_FMT_ARM64_S2;
	cfg.cpu_coherent = true;
	cfg.cpu_ops = &env_rec_ops;
	cfg.cpu_priv = &env_cpu_rec;
	if (own_init(&cfg))
		plat_panic("env_setup: own_init failed");
	hvc_set_features(0);
}

void env_teardown(void)
{
	free(env_db);
	env_db = NULL;
}

s64 env_hvc(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, struct hvc_regs *r)
{
	struct hvc_ctx ctx = { HVC_CALLER_HOST, 0, 0 };
	struct hvc_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.x[0] = LS_HVC_ID(fn);
	regs.x[1] = a1;
	regs.x[2] = a2;
	regs.x[3] = a3;
	regs.x[4] = a4;
	hvc_handle(&ctx, &regs);
	if (r)
		*r = regs;
	return (s64)regs.x[0];
}

s64 env_hvc5(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, struct hvc_regs *r)
{
	struct hvc_ctx ctx = { HVC_CALLER_HOST, 0, 0 };
	struct hvc_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.x[0] = LS_HVC_ID(fn);
	regs.x[1] = a1;
	regs.x[2] = a2;
	regs.x[3] = a3;
	regs.x[4] = a4;
	regs.x[5] = a5;
	hvc_handle(&ctx, &regs);
	if (r)
		*r = regs;
	return (s64)regs.x[0];
}

s64 env_hvc_regs(u32 fn, struct hvc_regs *r)
{
	struct hvc_ctx ctx = { HVC_CALLER_HOST, 0, 0 };

	r->x[0] = LS_HVC_ID(fn);
	hvc_handle(&ctx, r);
	return (s64)r->x[0];
}

s64 env_hvc_vm(u32 vm, u32 fn, u64 a1, u64 a2, struct hvc_regs *r)
{
	struct hvc_ctx ctx = { HVC_CALLER_VM, vm, 0 };
	struct hvc_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.x[0] = LS_HVC_ID(fn);
	regs.x[1] = a1;
	regs.x[2] = a2;
	hvc_handle(&ctx, &regs);
	if (r)
		*r = regs;
	return (s64)regs.x[0];
}

s64 env_guest_mem(u32 vm, bool share, u64 ipa, u64 n, struct hvc_regs *r)
{
	struct own_res res = { 0 };
	int err = share ? own_vm_offer_host(vm, ipa, n, &res) :
			  own_vm_withdraw_host(vm, ipa, n, &res);
	s64 st;

	switch (err) {
	case 0:
		st = LS_OK;
		break;
	case -EPERM:
		st = LS_EPERM;
		break;
	case -EBUSY:
		st = LS_EBUSY;
		break;
	case -ENOENT:
		st = LS_ENOENT;
		break;
	case -ERANGE:
		st = LS_ERANGE;
		break;
	case -ENOMEM:
		st = LS_ENOMEM;
		break;
	default:
		st = LS_EINVAL;
	}
	if (r) {
		memset(r, 0, sizeof(*r));
		r->x[0] = (u64)st;
		r->x[1] = err == -ENOMEM ? res.need : res.done;
	}
	return st;
}

u64 env_host_pages(u64 n, u64 align)
{
	return fake_alloc_pages(n, align);
}

unsigned int env_dma_count(u64 pa)
{
	unsigned int maps;

	if (!own_dma_maps_pa(pa, &maps))
		return maps;
	plat_panic("env_dma_count: PA %#llx is not RAM", (unsigned long long)pa);
}

u32 env_vm_create(u64 pool_pages, unsigned int ia_bits)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(pool_pages, LS_VM_POOL_ALIGN);

	if (env_hvc(LS_FN_VM_CREATE, pa, pool_pages, ia_bits, 0, &r) != LS_OK)
		plat_panic("env_vm_create: %lld", (long long)r.x[0]);
	return (u32)r.x[1];
}

/* FNV-1a over bytes. */
static u64 env_hash(u64 h, const void *p, size_t n)
{
	const u8 *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int env_tbl_hash(u64 pa, unsigned int level, void *arg)
{
	u64 *h = arg;

	*h = env_hash(*h, &pa, sizeof(pa));
	*h = env_hash(*h, &level, sizeof(level));
	*h = env_hash(*h, plat_phys_to_virt(pa), PAGE_SIZE);
	return 0;
}

static u64 env_view_hash(u64 h, u32 who)
{
	const struct own_view *v = own_view_of(who);
	const struct pt_pool *p = own_pool_of(who);
	unsigned int i;

	if (!v)
		return env_hash(h, &who, sizeof(who));
	h = env_hash(h, p, sizeof(*p));
	pt_for_each_table(&v->cpu, env_tbl_hash, &h);
	h = env_hash(h, &v->cpu.nr_tables, sizeof(v->cpu.nr_tables));
	for (i = 0; i < OWN_MAX_DOMS; i++) {
		h = env_hash(h, &v->dom[i].used, sizeof(bool));
		if (v->dom[i].used && v->dom[i].mirrored)
			pt_for_each_table(&v->dom[i].pt, env_tbl_hash, &h);
	}
	if (who != OWN_HOST) {
		u64 n = own_vm_pages(who);

		h = env_hash(h, &n, sizeof(n));
	}
	return h;
}

u64 env_snapshot(void)
{
	u64 h = 0xcbf29ce484222325ULL;
	u32 vm;

	h = env_hash(h, env_db, own_db_bytes(&(struct own_range){ ENV_RAM_BASE, ENV_RAM_SIZE }, 1));
	h = env_view_hash(h, OWN_HOST);
	for (vm = 0; vm < OWN_MAX_VMS; vm++) {
		struct own_mmio m;
		unsigned int i;

		h = env_view_hash(h, vm);
		/* The MMIO ranges each VM took (vmmmio.c). */
		for (i = 0; own_vm_mmio_of(vm, i, &m) == 0; i++) {
			u64 f[4] = { m.ipa, m.pa, m.n, m.host_attr };

			h = env_hash(h, f, sizeof(f));
		}
	}
	/* Host DMA domains: tables, pools, counters; the DMA map counts (in env_db). */
	for (vm = 0; vm < OWN_MAX_HDOMS; vm++) {
		const struct own_hdom *d = own_hdom_of(vm);

		if (!d) {
			h = env_hash(h, &vm, sizeof(vm));
			continue;
		}
		h = env_hash(h, &d->pool, sizeof(d->pool));
		h = env_hash(h, &d->mapped, sizeof(d->mapped));
		h = env_hash(h, &d->streams, sizeof(d->streams));
		h = env_hash(h, &d->pt.nr_tables, sizeof(d->pt.nr_tables));
		pt_for_each_table(&d->pt, env_tbl_hash, &h);
	}
	return h;
}
