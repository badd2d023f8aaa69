// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 world switch for protected VMs (docs/vcpu.md "World switch", "Traps"):
 * the platform half of hyp/include/hyp/vcpu.h.
 *
 * plat_vcpu_load() saves what the host's EL1 owns and the guest could change
 * (EL1 system registers, FP/SIMD, pointer-authentication keys, the virtual timer,
 * the GIC virtual CPU interface, the EL2 trap controls) in a per-CPU area and
 * loads the vCPU's; plat_vcpu_put() does the reverse. In between, the guest runs
 * with the traps below; plat_vcpu_enter() handles what it can here (emulated
 * registers, refused instructions) and returns the rest to the core.
 *
 * What the guest gets (HCR_EL2, Arm ARM D24.2.48; MDCR_EL2 D24.2.110; CPTR_EL2
 * D24.2.32; CNTHCTL_EL2 D24.2.28):
 *   IMO/FMO/AMO   physical interrupts and SErrors come to EL2: the host handles
 *                 them after an IRQ exit; the guest's ICC_* accesses reach the
 *                 virtual CPU interface (ICH_HCR_EL2.En, no list register used)
 *   TWI/TWE       WFI/WFE exit to the host
 *   TSC           SMC is UNDEFINED to the guest (PSCI is offered over HVC)
 *   TSW           set/way cache maintenance is trapped and performed as a no-op:
 *                 every mapping is Normal write-back, coherent
 *   TIDCP, TACR   implementation-defined registers and ACTLR_EL1: UNDEFINED
 *   FB            the guest's TLB and cache maintenance is broadcast
 *   MDCR TDA/TDOSA/TDRA  debug registers read as zero, writes ignored
 *   MDCR TPM/TPMCR       PMU registers UNDEFINED
 *   CPTR TZ/TSM   SVE and SME UNDEFINED (FP/SIMD is the guest's, switched eagerly)
 *   CNTHCTL       physical timer registers UNDEFINED; physical counter readable
 *   HCRX_EL2, fine-grained traps: all 0, so everything they gate (MOPS, TCR2,
 *                 GCS, FPMR, PIE/POE, TPIDR2, ...) is UNDEFINED to the guest and
 *                 none of that state needs switching
 *   HCR API/APK   pointer authentication is the guest's: keys switched
 */
#include <errno.h>
#include <string.h>

#include <lockstep/abi.h>

#include "arm64/arm64.h"
#include "arm64/el2.h"
#include "arm64/exc.h"
#include "arm64/sysreg.h"
#include "hyp/own.h"
#include "hyp/plat.h"
#include "hyp/vcpu.h"

/* HCR_EL2 bits beyond sysreg.h's host set (Arm ARM D24.2.48). */
#define HCR_PTW		   BIT(2)
#define HCR_FB		   BIT(9)
#define HCR_TWI		   BIT(13)
#define HCR_TWE		   BIT(14)
#define HCR_TIDCP	   BIT(20)
#define HCR_TACR	   BIT(21)
#define HCR_TSW		   BIT(22)
/* MDCR_EL2 (D24.2.110). */
#define MDCR_TPMCR	   BIT(5)
#define MDCR_TPM	   BIT(6)
#define MDCR_TDA	   BIT(9)
#define MDCR_TDOSA	   BIT(10)
#define MDCR_TDRA	   BIT(11)
/* CNTV_CTL_EL0 (D24.10.16). */
#define CNTV_ENABLE	   BIT(0)
#define CNTV_IMASK	   BIT(1)
#define CNTV_ISTATUS	   BIT(2)
/* CNTHP_CTL_EL2: ENABLE. */
#define CNTHP_ENABLE	   BIT(0)
/* ICH_HCR_EL2.En (GICv3 IHI 0069H 12.5.5). */
#define ICH_HCR_EN	   BIT(0)
/* ESR_EL2 ECs and ISS fields used here (D24.2.40). */
#define ESR_EC_WFX	   0x01U
#define ESR_EC_SVE	   0x19U
#define ESR_EC_SME	   0x1dU
#define ESR_WFX_TI	   GENMASK(1, 0)
#define ESR_ABT_ISV	   BIT(24)
#define ESR_ABT_SAS	   GENMASK(23, 22)
#define ESR_ABT_SSE	   BIT(21)
#define ESR_ABT_SRT	   GENMASK(20, 16)
#define ESR_ABT_SF	   BIT(15)
#define ESR_SYS_OP0	   GENMASK(21, 20)
#define ESR_SYS_OP2	   GENMASK(19, 17)
#define ESR_SYS_OP1	   GENMASK(16, 14)
#define ESR_SYS_CRN	   GENMASK(13, 10)
#define ESR_SYS_RT	   GENMASK(9, 5)
#define ESR_SYS_CRM	   GENMASK(4, 1)
#define ESR_SYS_READ	   BIT(0)
#define ESR_FSC_TYPE	   GENMASK(5, 2) /* 0 address size, 1 translation, 2 AF, 3 permission */
/* ID_AA64ISAR1_EL1 APA/API/GPA/GPI, ID_AA64ISAR2_EL1 APA3/GPA3: pointer authentication. */
#define ISAR1_PAUTH	   (GENMASK(7, 4) | GENMASK(11, 8) | GENMASK(27, 24) | GENMASK(31, 28))
#define ISAR2_PAUTH	   (GENMASK(15, 12) | GENMASK(11, 8))
#define GUEST_PSTATE_RESET (PSR_DAIF | PSR_M_EL1H)

/* Pointer-authentication key registers (D24.2.5..): APIA, APIB, APDA, APDB, APGA lo/hi. */
#define SYS_APIAKEYLO	 s3_0_c2_c1_0
#define SYS_APIAKEYHI	 s3_0_c2_c1_1
#define SYS_APIBKEYLO	 s3_0_c2_c1_2
#define SYS_APIBKEYHI	 s3_0_c2_c1_3
#define SYS_APDAKEYLO	 s3_0_c2_c2_0
#define SYS_APDAKEYHI	 s3_0_c2_c2_1
#define SYS_APDBKEYLO	 s3_0_c2_c2_2
#define SYS_APDBKEYHI	 s3_0_c2_c2_3
#define SYS_APGAKEYLO	 s3_0_c2_c3_0
#define SYS_APGAKEYHI	 s3_0_c2_c3_1
#define SYS_ICH_VMCR_EL2 s3_4_c12_c11_7

/* EL1 state a guest can change: switched on every load/put. */
struct el1_state {
	u64 sctlr, cpacr, ttbr0, ttbr1, tcr, esr, afsr0, afsr1, far, mair, amair, vbar;
	u64 contextidr, tpidr_el0, tpidrro_el0, tpidr_el1, sp_el0, sp_el1, elr, spsr, par;
	u64 cntkctl, csselr;
	u64 keys[10];
	u64 cntv_ctl, cntv_cval;
	u8 fp[528] __attribute__((aligned(16)));
};

struct arm64_vcpu {
	u64 x[31];
	u64 pc, pstate;
	struct el1_state el1;
	u64 cntvoff, vmcr, mpidr;
	u64 last_esr, last_far; /* the abort the core may complete or refuse */
};

/* The host's side of a switch, per physical CPU. */
struct arm64_host_save {
	struct el1_state el1;
	u64 elr_el2, spsr_el2, hcr, mdcr, cptr, hcrx, hfgrtr, hfgwtr, cnthctl, vmpidr, vtcr;
	u32 last_vcpu[OWN_MAX_VMS]; /* vCPU index + 1 that last ran each VM here */
};

static struct arm64_host_save host_save[LS_BOOT_MAX_CPUS];

u64 arm64_guest_run(u64 *x);
void arm64_fp_save(u8 *area);
void arm64_fp_load(const u8 *area);

static struct arm64_vcpu *ctx(const struct vcpu *v)
{
	return (struct arm64_vcpu *)(void *)v->ctx;
}

static bool has_pauth(void)
{
	return (read_sysreg(id_aa64isar1_el1) & ISAR1_PAUTH) ||
	       (read_sysreg(id_aa64isar2_el1) & ISAR2_PAUTH);
}

static bool has_gicv3(void)
{
	return (read_sysreg(SYS_ICC_SRE_EL2) & ICC_SRE_SRE) != 0;
}

static bool has_fgt(void)
{
	return FIELD_GET(ID_MMFR0_FGT, read_sysreg(id_aa64mmfr0_el1)) != 0;
}

static bool has_hcx(void)
{
	return FIELD_GET(ID_MMFR1_HCX, read_sysreg(id_aa64mmfr1_el1)) != 0;
}

unsigned long plat_vcpu_ctx_size(void)
{
	return sizeof(struct arm64_vcpu);
}

/* PSCI CPU_ON / reset state (DEN 0022 6.4.3): EL1h, DAIF masked, MMU and caches off. */
void plat_vcpu_reset(struct vcpu *v, u64 pc, u64 x0)
{
	struct arm64_vcpu *c = ctx(v);

	memset(c, 0, sizeof(*c));
	c->x[0] = x0;
	c->pc = pc;
	c->pstate = GUEST_PSTATE_RESET;
	c->el1.sctlr = SCTLR_EL1_RES1;
	c->el1.cpacr = FIELD_PREP(CPACR_FPEN, 3); /* FP/SIMD usable without a trap to EL1 */
	c->cntvoff = read_sysreg(cntpct_el0);	  /* the guest's virtual count starts at 0 */
	c->mpidr = BIT(31) | v->idx;		  /* RES1, Aff0 = index (PSCI targets) */
}

static bool pstate_ok(u64 val)
{
	u64 m = val & PSR_M;

	/* AArch64, EL0t/EL1t/EL1h; only NZCV, DAIF and M may be set by the host. */
	return !(val & ~(PSR_NZCV | PSR_DAIF | PSR_M)) &&
	       (m == PSR_M_EL0T || m == PSR_M_EL1T || m == PSR_M_EL1H);
}

int plat_vcpu_set_reg(struct vcpu *v, u64 id, u64 val)
{
	struct arm64_vcpu *c = ctx(v);

	if (id <= 30)
		c->x[id] = val;
	else if (id == LS_REG_SP_EL1)
		c->el1.sp_el1 = val;
	else if (id == LS_REG_PC)
		c->pc = val;
	else if (id == LS_REG_PSTATE && pstate_ok(val))
		c->pstate = val;
	else if (id == LS_REG_SCTLR_EL1)
		c->el1.sctlr = val;
	else
		return -EINVAL; /* unknown, read-only (MPIDR) or not a value EL1 could hold */
	return 0;
}

int plat_vcpu_get_reg(const struct vcpu *v, u64 id, u64 *val)
{
	const struct arm64_vcpu *c = ctx(v);

	if (id <= 30)
		*val = c->x[id];
	else if (id == LS_REG_SP_EL1)
		*val = c->el1.sp_el1;
	else if (id == LS_REG_PC)
		*val = c->pc;
	else if (id == LS_REG_PSTATE)
		*val = c->pstate;
	else if (id == LS_REG_SCTLR_EL1)
		*val = c->el1.sctlr;
	else if (id == LS_REG_MPIDR)
		*val = c->mpidr;
	else
		return -EINVAL;
	return 0;
}

static void el1_save(struct el1_state *s, bool pauth)
{
	s->sctlr = read_sysreg(sctlr_el1);
	s->cpacr = read_sysreg(cpacr_el1);
	s->ttbr0 = read_sysreg(ttbr0_el1);
	s->ttbr1 = read_sysreg(ttbr1_el1);
	s->tcr = read_sysreg(tcr_el1);
	s->esr = read_sysreg(esr_el1);
	s->afsr0 = read_sysreg(afsr0_el1);
	s->afsr1 = read_sysreg(afsr1_el1);
	s->far = read_sysreg(far_el1);
	s->mair = read_sysreg(mair_el1);
	s->amair = read_sysreg(amair_el1);
	s->vbar = read_sysreg(vbar_el1);
	s->contextidr = read_sysreg(contextidr_el1);
	s->tpidr_el0 = read_sysreg(tpidr_el0);
	s->tpidrro_el0 = read_sysreg(tpidrro_el0);
	s->tpidr_el1 = read_sysreg(tpidr_el1);
	s->sp_el0 = read_sysreg(sp_el0);
	s->sp_el1 = read_sysreg(sp_el1);
	s->elr = read_sysreg(elr_el1);
	s->spsr = read_sysreg(spsr_el1);
	s->par = read_sysreg(par_el1);
	s->cntkctl = read_sysreg(cntkctl_el1);
	s->csselr = read_sysreg(csselr_el1);
	if (pauth) {
		s->keys[0] = read_sysreg(SYS_APIAKEYLO);
		s->keys[1] = read_sysreg(SYS_APIAKEYHI);
		s->keys[2] = read_sysreg(SYS_APIBKEYLO);
		s->keys[3] = read_sysreg(SYS_APIBKEYHI);
		s->keys[4] = read_sysreg(SYS_APDAKEYLO);
		s->keys[5] = read_sysreg(SYS_APDAKEYHI);
		s->keys[6] = read_sysreg(SYS_APDBKEYLO);
		s->keys[7] = read_sysreg(SYS_APDBKEYHI);
		s->keys[8] = read_sysreg(SYS_APGAKEYLO);
		s->keys[9] = read_sysreg(SYS_APGAKEYHI);
	}
	arm64_fp_save(s->fp);
}

static void el1_load(const struct el1_state *s, bool pauth)
{
	write_sysreg(s->sctlr, sctlr_el1);
	write_sysreg(s->cpacr, cpacr_el1);
	write_sysreg(s->ttbr0, ttbr0_el1);
	write_sysreg(s->ttbr1, ttbr1_el1);
	write_sysreg(s->tcr, tcr_el1);
	write_sysreg(s->esr, esr_el1);
	write_sysreg(s->afsr0, afsr0_el1);
	write_sysreg(s->afsr1, afsr1_el1);
	write_sysreg(s->far, far_el1);
	write_sysreg(s->mair, mair_el1);
	write_sysreg(s->amair, amair_el1);
	write_sysreg(s->vbar, vbar_el1);
	write_sysreg(s->contextidr, contextidr_el1);
	write_sysreg(s->tpidr_el0, tpidr_el0);
	write_sysreg(s->tpidrro_el0, tpidrro_el0);
	write_sysreg(s->tpidr_el1, tpidr_el1);
	write_sysreg(s->sp_el0, sp_el0);
	write_sysreg(s->sp_el1, sp_el1);
	write_sysreg(s->elr, elr_el1);
	write_sysreg(s->spsr, spsr_el1);
	write_sysreg(s->par, par_el1);
	write_sysreg(s->cntkctl, cntkctl_el1);
	write_sysreg(s->csselr, csselr_el1);
	if (pauth) {
		write_sysreg(s->keys[0], SYS_APIAKEYLO);
		write_sysreg(s->keys[1], SYS_APIAKEYHI);
		write_sysreg(s->keys[2], SYS_APIBKEYLO);
		write_sysreg(s->keys[3], SYS_APIBKEYHI);
		write_sysreg(s->keys[4], SYS_APDAKEYLO);
		write_sysreg(s->keys[5], SYS_APDAKEYHI);
		write_sysreg(s->keys[6], SYS_APDBKEYLO);
		write_sysreg(s->keys[7], SYS_APDBKEYHI);
		write_sysreg(s->keys[8], SYS_APGAKEYLO);
		write_sysreg(s->keys[9], SYS_APGAKEYHI);
	}
	arm64_fp_load(s->fp);
}

static u64 guest_hcr(bool pauth)
{
	return HCR_VM | HCR_SWIO | HCR_PTW | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_TWI |
	       HCR_TWE | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_RW |
	       (pauth ? HCR_API | HCR_APK : 0);
}

void plat_vcpu_load(struct vcpu *v)
{
	struct arm64_vcpu *c = ctx(v);
	struct arm64_host_save *h = &host_save[arm64_this_cpu()->idx];
	const struct own_view *view = own_view_of(v->vm);
	bool pauth = has_pauth();
	u64 vtcr;

	HYP_CHECK(view);
	/* Where the host's RUN call returns to. */
	h->elr_el2 = read_sysreg(elr_el2);
	h->spsr_el2 = read_sysreg(spsr_el2);

	/* Traps first: nothing of the guest runs before they are in place. */
	h->hcr = read_sysreg(hcr_el2);
	h->mdcr = read_sysreg(mdcr_el2);
	h->cptr = read_sysreg(cptr_el2);
	h->cnthctl = read_sysreg(cnthctl_el2);
	h->vmpidr = read_sysreg(vmpidr_el2);
	h->vtcr = read_sysreg(vtcr_el2);
	write_sysreg(h->mdcr | MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA, mdcr_el2);
	write_sysreg(h->cptr | CPTR_EL2_TZ | CPTR_EL2_TSM, cptr_el2);
	write_sysreg(CNTHCTL_EL1PCTEN, cnthctl_el2);
	if (has_hcx()) {
		h->hcrx = read_sysreg(SYS_HCRX_EL2);
		write_sysreg(0, SYS_HCRX_EL2);
	}
	if (has_fgt()) {
		h->hfgrtr = read_sysreg(SYS_HFGRTR_EL2);
		h->hfgwtr = read_sysreg(SYS_HFGWTR_EL2);
		write_sysreg(0, SYS_HFGRTR_EL2);
		write_sysreg(0, SYS_HFGWTR_EL2);
	}
	write_sysreg(c->mpidr, vmpidr_el2);

	/* EL1 state, FP/SIMD, keys. */
	el1_save(&h->el1, pauth);
	h->el1.cntv_ctl = read_sysreg(cntv_ctl_el0);
	h->el1.cntv_cval = read_sysreg(cntv_cval_el0);
	el1_load(&c->el1, pauth);

	/* The guest's virtual timer; the host's deadline goes on the EL2 physical timer. */
	write_sysreg(0, cntv_ctl_el0);
	write_sysreg(c->cntvoff, cntvoff_el2);
	write_sysreg(c->el1.cntv_cval, cntv_cval_el0);
	write_sysreg(c->el1.cntv_ctl, cntv_ctl_el0);
	if ((h->el1.cntv_ctl & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE) {
		write_sysreg(h->el1.cntv_cval, cnthp_cval_el2); /* host CNTVOFF is 0 */
		write_sysreg(CNTHP_ENABLE, cnthp_ctl_el2);
	}
	if (has_gicv3()) {
		write_sysreg(c->vmcr, SYS_ICH_VMCR_EL2);
		write_sysreg(ICH_HCR_EN, SYS_ICH_HCR_EL2);
	}

	/* The VM's stage 2 (VMID = vm + 1, plat.c) and the guest's HCR_EL2. */
	vtcr = (h->vtcr & ~(VTCR_T0SZ | VTCR_SL0)) | FIELD_PREP(VTCR_T0SZ, 64 - view->cpu.ia_bits) |
	       FIELD_PREP(VTCR_SL0, 2U - view->cpu.start_level);
	write_sysreg(vtcr, vtcr_el2);
	write_sysreg(pt_root_pa(&view->cpu) | ((u64)v->vm + 1) << 48, vttbr_el2);
	isb();
	write_sysreg(guest_hcr(pauth), hcr_el2);
	isb();
	/*
	 * Another vCPU of this VM ran here last: its stage-1 entries (same VMID) are
	 * not this vCPU's. Drop this CPU's EL1&0 entries of the VMID.
	 */
	if (h->last_vcpu[v->vm] != v->idx + 1) {
		__asm__ volatile("tlbi vmalle1" : : : "memory");
		dsb(nsh);
		isb();
		h->last_vcpu[v->vm] = v->idx + 1;
	}
}

void plat_vcpu_put(struct vcpu *v)
{
	struct arm64_vcpu *c = ctx(v);
	struct arm64_host_save *h = &host_save[arm64_this_cpu()->idx];
	bool pauth = has_pauth();
	u64 ctl;

	/* Back to the host's controls first: its stage 2, no guest traps. */
	write_sysreg(h->hcr, hcr_el2);
	write_sysreg(h->vtcr, vtcr_el2);
	write_sysreg(arm64_el2.vttbr, vttbr_el2);
	isb();

	if (has_gicv3()) {
		c->vmcr = read_sysreg(SYS_ICH_VMCR_EL2);
		write_sysreg(0, SYS_ICH_HCR_EL2);
	}
	/*
	 * The guest's timer. No virtual interrupt can be delivered to it yet (no list
	 * register in use): once its condition is met, it stays masked so it cannot
	 * bring the guest out again and again (docs/vcpu.md "Timers").
	 */
	ctl = read_sysreg(cntv_ctl_el0);
	if ((ctl & (CNTV_ENABLE | CNTV_IMASK | CNTV_ISTATUS)) == (CNTV_ENABLE | CNTV_ISTATUS))
		ctl |= CNTV_IMASK;
	c->el1.cntv_ctl = ctl & (CNTV_ENABLE | CNTV_IMASK);
	c->el1.cntv_cval = read_sysreg(cntv_cval_el0);
	write_sysreg(0, cntv_ctl_el0);
	write_sysreg(0, cnthp_ctl_el2);
	write_sysreg(0, cntvoff_el2);
	write_sysreg(h->el1.cntv_cval, cntv_cval_el0);
	write_sysreg(h->el1.cntv_ctl, cntv_ctl_el0);

	/* EL1 state, FP/SIMD, keys: nothing of the guest's stays in a register. */
	el1_save(&c->el1, pauth);
	el1_load(&h->el1, pauth);

	write_sysreg(h->vmpidr, vmpidr_el2);
	if (has_fgt()) {
		write_sysreg(h->hfgrtr, SYS_HFGRTR_EL2);
		write_sysreg(h->hfgwtr, SYS_HFGWTR_EL2);
	}
	if (has_hcx())
		write_sysreg(h->hcrx, SYS_HCRX_EL2);
	write_sysreg(h->cnthctl, cnthctl_el2);
	write_sysreg(h->cptr, cptr_el2);
	write_sysreg(h->mdcr, mdcr_el2);
	write_sysreg(h->elr_el2, elr_el2);
	write_sysreg(h->spsr_el2, spsr_el2);
	isb();
}

/* The guest takes an exception to its EL1 (Arm ARM, AArch64.TakeException()). */
static void guest_take(struct arm64_vcpu *c, u64 esr_el1, u64 far)
{
	write_sysreg(esr_el1, esr_el1);
	write_sysreg(far, far_el1);
	write_sysreg(c->pc, elr_el1);
	write_sysreg(c->pstate, spsr_el1);
	c->pstate = arm64_exc_pstate(c->pstate, read_sysreg(sctlr_el1), false);
	c->pc = read_sysreg(vbar_el1) + arm64_exc_vector(read_sysreg(spsr_el1));
}

/* UNDEFINED at the trapped instruction: EC 0 ("unknown reason"), IL as trapped. */
static void guest_undef(struct arm64_vcpu *c, u64 esr)
{
	guest_take(c, esr & ESR_IL, 0);
}

static u64 reg_read(const struct arm64_vcpu *c, unsigned int rt)
{
	return rt == 31 ? 0 : c->x[rt];
}

static void reg_write(struct arm64_vcpu *c, unsigned int rt, u64 val)
{
	if (rt != 31)
		c->x[rt] = val;
}

/*
 * A trapped MSR/MRS/SYS (EC 0x18, ISS D24.2.40.x): true when emulated (the guest
 * steps over it), false to refuse it (UNDEFINED).
 */
static bool guest_sysreg(struct arm64_vcpu *c, u64 esr)
{
	u32 op0 = (u32)FIELD_GET(ESR_SYS_OP0, esr), op1 = (u32)FIELD_GET(ESR_SYS_OP1, esr);
	u32 crn = (u32)FIELD_GET(ESR_SYS_CRN, esr), crm = (u32)FIELD_GET(ESR_SYS_CRM, esr);
	u32 op2 = (u32)FIELD_GET(ESR_SYS_OP2, esr), rt = (u32)FIELD_GET(ESR_SYS_RT, esr);

	/* Debug registers (op0 == 2: MDSCR_EL1, OSLAR_EL1, DBGB*, DBGW*, ...): RAZ/WI. */
	if (op0 == 2) {
		if (esr & ESR_SYS_READ)
			reg_write(c, rt, 0);
		return true;
	}
	/* DC ISW / CSW / CISW (op0 1, op1 0, CRn 7, CRm 6/10/14, op2 2): a no-op. */
	if (op0 == 1 && op1 == 0 && crn == 7 && (crm == 6 || crm == 10 || crm == 14) && op2 == 2)
		return true;
	/* PMU, physical timer, implementation defined, ACTLR_EL1, the rest: UNDEFINED. */
	return false;
}

/* A stage-2 abort (EC 0x20/0x24) as the core's event. */
static void guest_abort(struct arm64_vcpu *c, u64 esr, struct vcpu_event *ev)
{
	u64 far = read_sysreg(far_el2), hpfar = read_sysreg(hpfar_el2);
	u32 type = (u32)FIELD_GET(ESR_FSC_TYPE, esr);
	bool data = FIELD_GET(ESR_EC, esr) == ESR_EC_DABT_LOW;

	c->last_esr = esr;
	c->last_far = far;
	memset(ev, 0, sizeof(*ev));
	ev->kind = VCPU_EV_ABORT;
	ev->ipa = (FIELD_GET(HPFAR_FIPA, hpfar) << 12) | ((esr & ESR_ABT_FNV) ? 0 : far & 0xfff);
	ev->exec = !data;
	ev->write = data && (esr & ESR_ABT_WNR) && !(esr & ESR_ABT_CM);
	ev->s1ptw = (esr & ESR_ABT_S1PTW) != 0;
	ev->unmapped = type == 1; /* translation fault */
	ev->isv = data && (esr & ESR_ABT_ISV) && !(esr & ESR_ABT_CM);
	if (ev->isv) {
		unsigned int w = 1U << FIELD_GET(ESR_ABT_SAS, esr);
		u64 val = reg_read(c, (unsigned int)FIELD_GET(ESR_ABT_SRT, esr));

		ev->width = (u8)w;
		if (ev->write)
			ev->data = w == 8 ? val : val & ((1ULL << (8 * w)) - 1);
	}
}

void plat_vcpu_enter(struct vcpu *v, struct vcpu_event *ev)
{
	struct arm64_vcpu *c = ctx(v);
	u64 kind, esr;
	unsigned int i;

	for (;;) {
		write_sysreg(c->pc, elr_el2);
		write_sysreg(c->pstate, spsr_el2);
		kind = arm64_guest_run(c->x);
		c->pc = read_sysreg(elr_el2);
		c->pstate = read_sysreg(spsr_el2);
		if (kind != 0) {
			if (kind == 3)
				plat_log("vm%u vcpu%u: SError, ESR %#llx", v->vm, v->idx,
					 (unsigned long long)read_sysreg(esr_el2));
			memset(ev, 0, sizeof(*ev));
			ev->kind = VCPU_EV_IRQ; /* the host takes it once the call returns */
			return;
		}
		esr = read_sysreg(esr_el2);
		switch (FIELD_GET(ESR_EC, esr)) {
		case ESR_EC_HVC64:
			/* SMCCC uses HVC #0 (DEN 0028 2.8); ELR already points past the HVC. */
			if (FIELD_GET(GENMASK(15, 0), esr)) {
				c->x[0] = (u64)-1;
				continue;
			}
			memset(ev, 0, sizeof(*ev));
			ev->kind = VCPU_EV_HVC;
			for (i = 0; i < ARRAY_SIZE(ev->hvc.x); i++)
				ev->hvc.x[i] = c->x[i];
			return;
		case ESR_EC_WFX:
			c->pc += 4;
			memset(ev, 0, sizeof(*ev));
			ev->kind = VCPU_EV_WFX;
			ev->wfe = (FIELD_GET(ESR_WFX_TI, esr) & 1) != 0;
			return;
		case ESR_EC_SYS64:
			if (guest_sysreg(c, esr)) {
				c->pc += 4;
				continue;
			}
			break;
		case ESR_EC_DABT_LOW:
		case ESR_EC_IABT_LOW:
			if (FIELD_GET(ESR_ABT_FSC, esr) == ESR_FSC_TLB_CONFLICT) {
				/* FEAT_BBM level 2 block swap (as trap.c): drop and retry. */
				__asm__ volatile("tlbi vmalls12e1\n\tdsb nsh\n\tisb"
						 :
						 :
						 : "memory");
				continue;
			}
			guest_abort(c, esr, ev);
			return;
		default: /* SMC (TSC), SVE, SME, anything unexpected: refused */
			break;
		}
		guest_undef(c, esr);
		memset(ev, 0, sizeof(*ev));
		ev->kind = VCPU_EV_INJECTED;
		return;
	}
}

void plat_vcpu_hvc_ret(struct vcpu *v, const struct hvc_regs *r)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		ctx(v)->x[i] = r->x[i];
}

void plat_vcpu_hvc_retry(struct vcpu *v)
{
	ctx(v)->pc -= 4; /* ELR_EL2 pointed past the HVC (its preferred return address) */
}

/* A load's data into Xt/Wt, sign-extended if the load says so (ISS SSE, SF). */
void plat_vcpu_mmio_done(struct vcpu *v, u64 data)
{
	struct arm64_vcpu *c = ctx(v);
	u64 esr = c->last_esr;
	unsigned int w = 1U << FIELD_GET(ESR_ABT_SAS, esr);

	if (!(esr & ESR_ABT_WNR)) {
		if (w < 8) {
			data &= (1ULL << (8 * w)) - 1;
			if ((esr & ESR_ABT_SSE) && (data >> (8 * w - 1)))
				data |= ~0ULL << (8 * w);
		}
		if (!(esr & ESR_ABT_SF))
			data &= 0xffffffffULL;
		reg_write(c, (unsigned int)FIELD_GET(ESR_ABT_SRT, esr), data);
	}
	c->pc += 4;
}

/* A synchronous external abort for the access that exited (arm64_abort_esr_el1). */
void plat_vcpu_inject_abort(struct vcpu *v)
{
	struct arm64_vcpu *c = ctx(v);

	guest_take(c, arm64_abort_esr_el1(c->last_esr, c->pstate), c->last_far);
}
