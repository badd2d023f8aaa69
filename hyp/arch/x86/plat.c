// SPDX-License-Identifier: GPL-2.0-only
/*
 * plat.h services on x86. The hypervisor runs on its own identity map (boot.c), so
 * physical and hypervisor-virtual addresses are equal; x86 table walks (CPU and nested)
 * snoop the caches, so there is nothing to clean. Device registers (the VT-d units) are
 * accessed with plain loads and stores: x86 keeps them in program order for uncached
 * memory (APM Vol. 2 7.3.1 "Memory types", UC: strongly ordered), which the firmware's
 * MTRRs make the MMIO hole below 4 GiB; the compiler barriers keep the compiler from
 * moving normal-memory accesses across them. Time: the TSC, calibrated against the PIT at
 * boot (x86_time_init). */
#include <errno.h>

#include "hyp/plat.h"
#include "hyp/vcpu.h"
#include "x86/x86.h"

void *plat_phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)pa;
}

/* RAM is identity-mapped as on arm64 (the VM launch measurement reads donated pages). */
const void *plat_page_read(u64 pa)
{
	return (const void *)(uintptr_t)pa;
}

u64 plat_virt_to_phys(const void *va)
{
	return (u64)(uintptr_t)va;
}

void plat_dcache_clean(const void *va, size_t size)
{
	(void)va;
	(void)size;
	/* Coherent walkers; a compiler barrier keeps the stores where the caller put them. */
	__asm__ volatile("" : : : "memory");
}

void plat_spin_relax(unsigned int spins)
{
	(void)spins;
	__asm__ volatile("pause");
}

u32 plat_read32(u64 pa)
{
	u32 v = *(volatile u32 *)(uintptr_t)pa;

	__asm__ volatile("" : : : "memory");
	return v;
}

void plat_write32(u64 pa, u32 val)
{
	__asm__ volatile("" : : : "memory");
	*(volatile u32 *)(uintptr_t)pa = val;
}

u64 plat_read64(u64 pa)
{
	u64 v = *(volatile u64 *)(uintptr_t)pa;

	__asm__ volatile("" : : : "memory");
	return v;
}

void plat_write64(u64 pa, u64 val)
{
	__asm__ volatile("" : : : "memory");
	*(volatile u64 *)(uintptr_t)pa = val;
}

static u64 tsc_per_ms;

static u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

/*
 * TSC ticks per millisecond, measured over 10 ms of PIT channel 2 (i8254: 1.193182 MHz
 * input, mode 0 "interrupt on terminal count", OUT2 readable at port 61h bit 5, gate at
 * port 61h bit 0). Bounded: a PIT that never counts leaves 1 GHz assumed, logged.
 */
void x86_time_init(void)
{
	const u16 count = 11932; /* 10 ms */
	u64 t0, t1, spins = 0;
	u8 p61 = x86_inb(0x61);

	x86_outb(0x61, (u8)((p61 & ~0x02) | 0x01)); /* gate on, speaker off */
	x86_outb(0x43, 0xb0);			    /* channel 2, lobyte/hibyte, mode 0 */
	x86_outb(0x42, (u8)count);
	x86_outb(0x42, (u8)(count >> 8));
	t0 = rdtsc();
	while (!(x86_inb(0x61) & 0x20) && ++spins < 100000000ULL)
		;
	t1 = rdtsc();
	x86_outb(0x61, p61);
	if (!(x86_inb(0x61) & 0x20) && spins >= 100000000ULL) {
		tsc_per_ms = 1000000;
		plat_log("PIT did not count: TSC assumed at 1 GHz");
		return;
	}
	tsc_per_ms = (t1 - t0) / 10 ? (t1 - t0) / 10 : 1;
}

u64 plat_now_us(void)
{
	return rdtsc() * 1000 / (tsc_per_ms ? tsc_per_ms : 1000000);
}

void plat_udelay(u32 us)
{
	u64 end = plat_now_us() + us;

	while (plat_now_us() < end)
		__asm__ volatile("pause");
}

/*
 * vCPUs of protected VMs (hyp/include/hyp/vcpu.h) have no x86 world switch yet: guests on
 * x86 come later (docs/x86.md "What is left"). svm.c answers LS_HVC_VCPU_CREATE, _SET_REG,
 * _GET_REG and _RUN with NOT_SUPPORTED before the dispatcher sees them, so no vCPU exists
 * on x86 and none of these is reached; the two that can report an error do, the others
 * treat a call as the broken invariant it would be.
 */
unsigned long plat_vcpu_ctx_size(void)
{
	return 0;
}

int plat_vcpu_set_reg(struct vcpu *v, u64 id, u64 val)
{
	(void)v;
	(void)id;
	(void)val;
	return -EOPNOTSUPP;
}

int plat_vcpu_get_reg(const struct vcpu *v, u64 id, u64 *val)
{
	(void)v;
	(void)id;
	*val = 0;
	return -EOPNOTSUPP;
}

void plat_vcpu_reset(struct vcpu *v, u64 pc, u64 x0)
{
	(void)pc;
	(void)x0;
	plat_panic("vCPU %u of VM %u: no vCPUs on x86", v->idx, v->vm);
}

void plat_vcpu_load(struct vcpu *v)
{
	plat_panic("vCPU %u of VM %u: no vCPUs on x86", v->idx, v->vm);
}

void plat_vcpu_put(struct vcpu *v)
{
	plat_panic("vCPU %u of VM %u: no vCPUs on x86", v->idx, v->vm);
}

void plat_vcpu_enter(struct vcpu *v, struct vcpu_event *ev)
{
	(void)ev;
	plat_panic("vCPU %u of VM %u: no vCPUs on x86", v->idx, v->vm);
}

void plat_vcpu_hvc_ret(struct vcpu *v, const struct hvc_regs *r)
{
	(void)r;
	plat_panic("vCPU %u of VM %u: no vCPUs on x86", v->idx, v->vm);
}

void plat_vcpu_hvc_retry(struct vcpu *v)
{
	plat_panic("vCPU %u of VM %u: no vCPUs on x86", v->idx, v->vm);
}

void plat_vcpu_mmio_done(struct vcpu *v, u64 data)
{
	(void)data;
	plat_panic("vCPU %u of VM %u: no vCPUs on x86", v->idx, v->vm);
}

void plat_vcpu_inject_abort(struct vcpu *v)
{
	plat_panic("vCPU %u of VM %u: no vCPUs on x86", v->idx, v->vm);
}
