// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fake platform's vCPUs (fake.h): no guest runs; plat_vcpu_enter() replays
 * the events a test scripted with fake_vcpu_script(), then reports a physical
 * interrupt so that every run ends. Register ids and their checks mimic the
 * arm64 backend's (hyp/arch/arm64/guest.c) closely enough for the core's tests.
 */
#include <errno.h>
#include <string.h>

#include <lockstep/abi.h>

#include "fake.h"
#include "hyp/plat.h"
#include "hyp/vcpu.h"

struct fake_vcpu {
	u64 x[31];
	u64 sp_el1, pc, pstate, sctlr;
	u64 loads, puts, aborts, mmio_done, retries;
	bool loaded;
};

#define FAKE_SCRIPT_MAX 64
static struct vcpu_event fake_script[FAKE_SCRIPT_MAX];
static unsigned int fake_script_nr, fake_script_pos;
static void (*fake_enter_hook)(struct vcpu *v);

static struct fake_vcpu *ctx(const struct vcpu *v)
{
	return (struct fake_vcpu *)(void *)v->ctx;
}

void fake_vcpu_enter_hook(void (*fn)(struct vcpu *v))
{
	fake_enter_hook = fn;
}

void fake_vcpu_script(const struct vcpu_event *ev, unsigned int n)
{
	if (n > FAKE_SCRIPT_MAX)
		n = FAKE_SCRIPT_MAX;
	memcpy(fake_script, ev, n * sizeof(*ev));
	fake_script_nr = n;
	fake_script_pos = 0;
}

unsigned int fake_vcpu_script_left(void)
{
	return fake_script_nr - fake_script_pos;
}

const u64 *fake_vcpu_x(const struct vcpu *v)
{
	return ctx(v)->x;
}

void fake_vcpu_counts(const struct vcpu *v, u64 *loads, u64 *aborts, u64 *mmio_done, u64 *pc)
{
	*loads = ctx(v)->loads;
	*aborts = ctx(v)->aborts;
	*mmio_done = ctx(v)->mmio_done;
	*pc = ctx(v)->pc;
}

unsigned long plat_vcpu_ctx_size(void)
{
	return sizeof(struct fake_vcpu);
}

void plat_vcpu_reset(struct vcpu *v, u64 pc, u64 x0)
{
	struct fake_vcpu *c = ctx(v);

	memset(c->x, 0, sizeof(c->x));
	c->x[0] = x0;
	c->pc = pc;
	c->pstate = 0x3c5; /* EL1h, DAIF masked */
	c->sctlr = 0x30d00800;
	c->sp_el1 = 0;
}

int plat_vcpu_set_reg(struct vcpu *v, u64 id, u64 val)
{
	struct fake_vcpu *c = ctx(v);

	if (id <= 30)
		c->x[id] = val;
	else if (id == LS_REG_SP_EL1)
		c->sp_el1 = val;
	else if (id == LS_REG_PC)
		c->pc = val;
	else if (id == LS_REG_PSTATE && (val & ~0x3cfULL) == 0 &&
		 ((val & 0xf) == 0 || (val & 0xf) == 4 || (val & 0xf) == 5))
		c->pstate = val;
	else if (id == LS_REG_SCTLR_EL1)
		c->sctlr = val;
	else
		return -EINVAL;
	return 0;
}

int plat_vcpu_get_reg(const struct vcpu *v, u64 id, u64 *val)
{
	const struct fake_vcpu *c = ctx(v);

	if (id <= 30)
		*val = c->x[id];
	else if (id == LS_REG_SP_EL1)
		*val = c->sp_el1;
	else if (id == LS_REG_PC)
		*val = c->pc;
	else if (id == LS_REG_PSTATE)
		*val = c->pstate;
	else if (id == LS_REG_SCTLR_EL1)
		*val = c->sctlr;
	else if (id == LS_REG_MPIDR)
		*val = (1ULL << 31) | v->idx;
	else
		return -EINVAL;
	return 0;
}

void plat_vcpu_load(struct vcpu *v)
{
	if (ctx(v)->loaded)
		plat_panic("fake: vcpu%u loaded twice", v->idx);
	ctx(v)->loaded = true;
	ctx(v)->loads++;
}

void plat_vcpu_put(struct vcpu *v)
{
	if (!ctx(v)->loaded)
		plat_panic("fake: vcpu%u put while not loaded", v->idx);
	ctx(v)->loaded = false;
	ctx(v)->puts++;
}

void plat_vcpu_enter(struct vcpu *v, struct vcpu_event *ev)
{
	if (!ctx(v)->loaded)
		plat_panic("fake: vcpu%u entered while not loaded", v->idx);
	if (fake_enter_hook)
		fake_enter_hook(v);
	if (fake_script_pos < fake_script_nr) {
		*ev = fake_script[fake_script_pos++];
		if (ev->kind == VCPU_EV_HVC)
			memcpy(ctx(v)->x, ev->hvc.x, sizeof(ev->hvc.x));
		return;
	}
	memset(ev, 0, sizeof(*ev));
	ev->kind = VCPU_EV_IRQ;
}

void plat_vcpu_hvc_ret(struct vcpu *v, const struct hvc_regs *r)
{
	memcpy(ctx(v)->x, r->x, 4 * sizeof(u64));
}

void plat_vcpu_hvc_retry(struct vcpu *v)
{
	ctx(v)->pc -= 4;
	ctx(v)->retries++;
}

void plat_vcpu_mmio_done(struct vcpu *v, u64 data)
{
	if (!v->pend_write)
		ctx(v)->x[1] = data; /* the fake's loads target x1; a store writes no register */
	ctx(v)->pc += 4;
	ctx(v)->mmio_done++;
}

void plat_vcpu_inject_abort(struct vcpu *v)
{
	ctx(v)->aborts++;
}
