// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX capability check (docs/x86.md "VMX"): from the capability MSRs (Intel SDM Vol.
 * 3C Appendix A), the value of every VM-execution, VM-exit and VM-entry control the host
 * needs, or a refusal naming the control the CPU does not allow. No CPU access here: vmx.c
 * reads the MSRs; the x86-unit suite runs this file host-native on made-up capabilities.
 */
#include <errno.h>

#include "hyp/plat.h"
#include "x86/vmx.h"

u32 vmx_ctl_value(u64 cap, u32 must1, u32 may1, u32 must0, u32 *bad)
{
	/* A.3.1: bit n of the low half set -> control n must be 1 ("allowed 0-setting" 0);
	 * bit n of the high half clear -> control n must be 0. */
	u32 fixed1 = (u32)cap, allowed1 = (u32)(cap >> 32);
	u32 v = ((must1 | may1) & allowed1) | fixed1;
	u32 miss = (must1 & ~allowed1) | (must0 & fixed1);

	*bad = miss & -miss; /* the lowest one, named by the caller */
	return v;
}

struct ctl_name {
	u32 bit;
	const char *name;
};

static const char *name_of(const struct ctl_name *t, u32 bit)
{
	for (; t->name; t++)
		if (t->bit == bit)
			return t->name;
	return "?";
}

static const struct ctl_name pin_names[] = {
	{ PIN_NMI_EXIT, "NMI exiting" },
	{ PIN_EXT_INT_EXIT, "external-interrupt exiting" },
	{ 0, NULL },
};
static const struct ctl_name proc_names[] = {
	{ PROC_SECONDARY, "activate secondary controls" },
	{ PROC_MSR_BITMAPS, "use MSR bitmaps" },
	{ PROC_CR3_LOAD, "CR3-load exiting" },
	{ PROC_CR3_STORE, "CR3-store exiting" },
	{ PROC_HLT_EXIT, "HLT exiting" },
	{ PROC_INVLPG_EXIT, "INVLPG exiting" },
	{ PROC_CR8_LOAD, "CR8-load exiting" },
	{ PROC_CR8_STORE, "CR8-store exiting" },
	{ PROC_MOV_DR_EXIT, "MOV-DR exiting" },
	{ PROC_UNCOND_IO, "unconditional I/O exiting" },
	{ PROC_IO_BITMAPS, "use I/O bitmaps" },
	{ 0, NULL },
};
static const struct ctl_name proc2_names[] = {
	{ PROC2_EPT, "enable EPT" },
	{ PROC2_UNRESTRICTED, "unrestricted guest" },
	{ 0, NULL },
};
static const struct ctl_name exit_names[] = {
	{ EXIT_HOST_64, "host address-space size" },
	{ EXIT_SAVE_EFER, "save IA32_EFER" },
	{ EXIT_LOAD_EFER, "load IA32_EFER" },
	{ EXIT_ACK_INTR, "acknowledge interrupt on exit" },
	{ 0, NULL },
};
static const struct ctl_name entry_names[] = {
	{ ENTRY_LOAD_EFER, "load IA32_EFER" },
	{ ENTRY_SMM, "entry to SMM" },
	{ 0, NULL },
};

static int ctl(const char *field, const char *msr, const struct ctl_name *names, u64 cap, u32 must1,
	       u32 may1, u32 must0, u32 *out)
{
	u32 bad;

	*out = vmx_ctl_value(cap, must1, may1, must0, &bad);
	if (!bad)
		return 0;
	plat_log("VMX: %s control '%s' (bit %u) %s by %s: not starting", field, name_of(names, bad),
		 (unsigned int)__builtin_ctz(bad), (must1 & bad) ? "not allowed" : "forced on",
		 msr);
	return -ENODEV;
}

static int need(bool ok, const char *what)
{
	if (!ok)
		plat_log("VMX: %s: not starting", what);
	return ok ? 0 : -ENODEV;
}

int vmx_check_caps(const struct vmx_caps *c, struct vmx_ctls *o)
{
	bool tru = !!(c->basic & VMX_BASIC_TRUE_CTLS);
	u64 ev = c->ept_vpid;
	int ret;

	/* A.1: a VMXON/VMCS region fits a page, write-back, anywhere in physical memory. */
	ret = need(VMX_BASIC_SIZE(c->basic) && VMX_BASIC_SIZE(c->basic) <= 4096,
		   "IA32_VMX_BASIC region size is 0 or above 4096 bytes");
	ret = ret   ?:
		      need(VMX_BASIC_MEMTYPE(c->basic) == 6,
			   "IA32_VMX_BASIC[53:50]: the VMCS memory type is not write-back");
	ret = ret   ?:
		      need(!(c->basic & VMX_BASIC_32BIT_PA),
			   "IA32_VMX_BASIC[48]: VMX structures limited to 32-bit addresses");
	/* A.2: without the TRUE_ MSRs, CR3-load/store exiting are default-1 and forced on. */
	ret = ret ?: need(tru, "IA32_VMX_BASIC[55]: no TRUE_ control MSRs (CR3 exiting forced)");
	if (ret)
		return ret;
	/*
	 * Pin: NMIs exit (the kick of an emulated INIT, smp.c); external interrupts do not
	 * (the host's IDT takes them, as with SVM).
	 */
	ret = ctl("pin-based", "IA32_VMX_TRUE_PINBASED_CTLS", pin_names, c->pin, PIN_NMI_EXIT, 0,
		  PIN_EXT_INT_EXIT, &o->pin);
	/* Primary: MSR and I/O bitmaps (the ports ioport.c takes) and the secondary controls;
	 * nothing else exits (unconditional I/O exiting is ignored with I/O bitmaps, 24.6.2,
	 * but asked clear all the same). */
	ret = ret   ?:
		      ctl("primary processor-based", "IA32_VMX_TRUE_PROCBASED_CTLS", proc_names,
			  c->proc, PROC_SECONDARY | PROC_MSR_BITMAPS | PROC_IO_BITMAPS, 0,
			  PROC_CR3_LOAD | PROC_CR3_STORE | PROC_HLT_EXIT | PROC_INVLPG_EXIT |
				  PROC_CR8_LOAD | PROC_CR8_STORE | PROC_MOV_DR_EXIT |
				  PROC_UNCOND_IO,
			  &o->proc);
	/* Secondary (no TRUE_ MSR, A.3.3): EPT and unrestricted guest needed; the rest the
	 * host would otherwise lose (#UD for RDTSCP, INVPCID, XSAVES) taken when allowed. */
	ret = ret   ?:
		      ctl("secondary processor-based", "IA32_VMX_PROCBASED_CTLS2", proc2_names,
			  c->proc2, PROC2_EPT | PROC2_UNRESTRICTED,
			  PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES, 0, &o->proc2);
	ret = ret   ?:
		      ctl("VM-exit", "IA32_VMX_TRUE_EXIT_CTLS", exit_names, c->exit,
			  EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
			  EXIT_SAVE_PAT | EXIT_LOAD_PAT, EXIT_ACK_INTR, &o->exit);
	/* IA-32e mode guest is set per guest state (vmx.c); here only its EFER loading. */
	ret = ret   ?:
		      ctl("VM-entry", "IA32_VMX_TRUE_ENTRY_CTLS", entry_names, c->entry,
			  ENTRY_LOAD_EFER, ENTRY_LOAD_PAT, ENTRY_SMM, &o->entry);
	if (ret)
		return ret;
	/* A.6: the host switches between real, protected and long mode itself. */
	ret = need(
		c->misc & VMX_MISC_EXIT_LMA,
		"IA32_VMX_MISC[5]: VM exits do not store EFER.LMA (unrestricted guest needs it)");
	/* A.10: the core's EPT (4-level, write-back tables, 2 MiB and 1 GiB leaves). */
	ret = ret ?: need(ev & EPT_CAP_WALK4, "IA32_VMX_EPT_VPID_CAP[6]: no 4-level EPT walk");
	ret = ret ?: need(ev & EPT_CAP_WB, "IA32_VMX_EPT_VPID_CAP[14]: no write-back EPT tables");
	ret = ret   ?:
		      need((ev & EPT_CAP_2M) && (ev & EPT_CAP_1G),
			   "IA32_VMX_EPT_VPID_CAP[17:16]: no 2 MiB or 1 GiB EPT pages");
	ret = ret   ?:
		      need((ev & EPT_CAP_INVEPT) &&
				   (ev & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)),
			   "IA32_VMX_EPT_VPID_CAP[20,25,26]: no INVEPT");
	if (ret)
		return ret;
	/* A.8: VMXON needs CR4.VMXE (bit 13) allowed to be 1. */
	ret = need(c->cr4_fixed1 & BIT(13), "IA32_VMX_CR4_FIXED1[13]: CR4.VMXE not allowed");
	if (ret)
		return ret;
	/* VPID only with INVVPID to flush it (a CR0.PG change emulated, vmx.c). */
	if ((o->proc2 & PROC2_VPID) &&
	    !((ev & VPID_CAP_INVVPID) && (ev & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL))))
		o->proc2 &= ~(u32)PROC2_VPID;
	/* PAT switched only when both directions are (a forced bit stays: the host PAT
	 * field is written anyway). */
	if (!(o->entry & ENTRY_LOAD_PAT) ||
	    (o->exit & (EXIT_SAVE_PAT | EXIT_LOAD_PAT)) != (EXIT_SAVE_PAT | EXIT_LOAD_PAT)) {
		o->entry &= ~(u32)ENTRY_LOAD_PAT | (u32)c->entry;
		o->exit &= ~(u32)(EXIT_SAVE_PAT | EXIT_LOAD_PAT) | (u32)c->exit;
	}
	o->vpid = !!(o->proc2 & PROC2_VPID);
	o->pat = !!(o->entry & ENTRY_LOAD_PAT);
	o->rdtscp = !!(o->proc2 & PROC2_RDTSCP);
	o->invpcid = !!(o->proc2 & PROC2_INVPCID);
	o->xsaves = !!(o->proc2 & PROC2_XSAVES);
	return 0;
}
