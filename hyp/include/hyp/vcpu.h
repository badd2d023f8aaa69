/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vCPUs of protected VMs (hyp/mem/vcpu.c, docs/vcpu.md): the arch-neutral state
 * machine, the run loop and every check on the host's arguments. The world switch
 * itself is the platform's (plat_vcpu_* below: hyp/arch/arm64/guest.c, and a
 * scripted one in hyp/arch/fake for the host-native tests).
 *
 * A vCPU lives in one page the host donated (hypervisor OWNED from then on): struct
 * vcpu, then the platform's register context (plat_vcpu_ctx_size() bytes).
 *
 * States: a vCPU is on or off (PSCI); it is running while one CPU is inside
 * vcpu_run() for it (never two: the run lock of its VM guards the flag). A VM has
 * started once any of its vCPUs entered the guest (its registers and its vCPU set
 * are fixed from then on) and is shut down after a guest SYSTEM_OFF/RESET.
 */
#ifndef HYP_VCPU_H
#define HYP_VCPU_H

#include "hyp/hvc.h"
#include "hyp/own.h"
#include "hyp/types.h"

#define VCPU_MAX	    8U
#define VCPU_MMIO_GUARD_MAX 32U /* MMIO_GUARD granules one VM may register */
#define VCPU_HOLE_MAX	    32U /* IPA ranges taken from a running VM it keeps track of */
#define VCPU_PSCI_NOT_SUPP  ((u64)-1)

/* Why the platform came back from the guest. */
enum vcpu_ev_kind {
	VCPU_EV_HVC,	  /* guest HVC #0: ev->hvc holds x0..x17 */
	VCPU_EV_IRQ,	  /* a physical interrupt is pending for the host */
	VCPU_EV_WFX,	  /* WFI/WFE trapped; already stepped over */
	VCPU_EV_ABORT,	  /* stage-2 abort at ev->ipa */
	VCPU_EV_INJECTED, /* the platform refused an access and injected an exception */
};

struct vcpu_event {
	enum vcpu_ev_kind kind;
	struct hvc_regs hvc;
	u64 ipa;       /* ABORT: faulting IPA (byte address) */
	u64 data;      /* ABORT, write with a valid syndrome: the value written */
	u8 width;      /* ABORT with a valid syndrome: 1, 2, 4 or 8 */
	bool isv;      /* ABORT: the syndrome describes the access (single load/store) */
	bool write;    /* ABORT: write access */
	bool exec;     /* ABORT: instruction fetch */
	bool s1ptw;    /* ABORT: on the guest's own stage-1 table walk */
	bool unmapped; /* ABORT: translation fault (no mapping); else permission or other */
	bool wfe;      /* WFX: WFE rather than WFI */
};

/* What vcpu_run() hands back: LS_EXIT_* and x2..x6 of LS_FN_VCPU_RUN. */
struct vcpu_exit {
	u64 reason;
	u64 x[5];
	bool retry; /* guest_hvc(): run the guest's HVC again instead of returning from it */
};

enum vcpu_pending { VCPU_PEND_NONE, VCPU_PEND_MMIO, VCPU_PEND_FAULT };

struct vcpu {
	u32 vm;
	u32 idx;
	u64 pa;		    /* this page */
	bool on;	    /* PSCI power state */
	bool running;	    /* a CPU is inside vcpu_run() for it */
	bool reset_pending; /* a CPU_ON waits to be applied at the next run */
	u64 on_entry, on_ctx;
	enum vcpu_pending pending; /* the exit the next run may complete */
	u64 pend_ipa;
	bool pend_write;
	u64 ctx[] __attribute__((aligned(16))); /* the platform's register context */
};

/* ---- core: called by the hypercall dispatcher (0 or -errno, nothing changed) ---- */
int vcpu_create(u32 vm, u32 idx, u64 pa, u64 flags, struct own_res *res);
int vcpu_set_reg(u32 vm, u32 idx, u64 id, u64 val);
int vcpu_get_reg(u32 vm, u32 idx, u64 id, u64 *val);
int vcpu_run(u32 vm, u32 idx, u64 flags, u64 data, struct vcpu_exit *ex);
int vm_stat(u32 vm, u64 id, u64 *val);
/* The VM's launch measurement and its page count: -EPERM until its first run. */
int vm_measurement(u32 vm, u8 digest[32], u64 *pages);

/* The guest's hypercall (hyp/hvc/guest.c): true when the host must see an exit. */
bool guest_hvc(struct vcpu *v, struct hvc_regs *r, struct vcpu_exit *ex);
/* For guest.c: the vCPU of @vm with index @idx (NULL: none), and VM-level guest state. */
struct vcpu *vcpu_peer(u32 vm, u32 idx);
/* PSCI power state: false when @t is on already. */
bool vcpu_psci_cpu_on(struct vcpu *t, u64 entry, u64 ctx_id);
void vcpu_psci_cpu_off(struct vcpu *v);
bool vcpu_is_on(struct vcpu *v);
int vcpu_mmio_guard(u32 vm, u64 ipa);
void vcpu_shutdown(u32 vm, u64 type);

/* ---- platform: the world switch (hyp/arch/arm64/guest.c; hyp/arch/fake) ---- */
/* Bytes of register context after struct vcpu (the page holds both). */
unsigned long plat_vcpu_ctx_size(void);
/* Architectural reset state (EL1h, interrupts masked, MMU off) entering at @pc with x0 = @x0. */
void plat_vcpu_reset(struct vcpu *v, u64 pc, u64 x0);
/* LS_REG_* ids: -EINVAL for an unknown id or a value the architecture would not hold. */
int plat_vcpu_set_reg(struct vcpu *v, u64 id, u64 val);
int plat_vcpu_get_reg(const struct vcpu *v, u64 id, u64 *val);
/* Save the host's state and load @v's (VM stage-2, EL1 state, FP, timer, GIC), and back. */
void plat_vcpu_load(struct vcpu *v);
void plat_vcpu_put(struct vcpu *v);
/* Run the loaded vCPU until an event the core must see. */
void plat_vcpu_enter(struct vcpu *v, struct vcpu_event *ev);
/* Write x0..x3 of a handled guest hypercall (the PC is past the HVC already). */
void plat_vcpu_hvc_ret(struct vcpu *v, const struct hvc_regs *r);
/* The guest's last HVC runs again at the next entry (the PC goes back to it). */
void plat_vcpu_hvc_retry(struct vcpu *v);
/* Complete the MMIO access of the last ABORT event (a read gets @data) and step over it. */
void plat_vcpu_mmio_done(struct vcpu *v, u64 data);
/* Refuse the access of the last ABORT event: a synchronous external abort to the guest. */
void plat_vcpu_inject_abort(struct vcpu *v);

#endif /* HYP_VCPU_H */
