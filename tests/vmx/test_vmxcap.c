// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-native tests of the VMX capability check (hyp/arch/x86/vmxcap.c, the real file;
 * docs/x86.md "VMX"): the allowed-0/allowed-1 computation of a control value (Intel SDM Vol.
 * 3C A.3-A.5) and the refusal, naming the control, of a CPU that lacks one the host needs.
 * The capability values start from those of a VMX CPU with EPT, VPID and unrestricted guest
 * (the shape Bochs' corei7_skylake_x reports) and remove one thing per check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hyp/plat.h"
#include "x86/vmx.h"

static int t_n, t_fail;
static char last_log[512];

static void t_ok(int cond, const char *name)
{
	t_n++;
	if (!cond)
		t_fail++;
	printf("%s %d - x86 vmxcap: %s\n", cond ? "ok" : "not ok", t_n, name);
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	printf("# log: %s\n", last_log);
}

#define CAP(allowed0, allowed1) ((u64)(allowed1) << 32 | (u32)(allowed0))

/* A CPU that has everything: default-1 controls as in A.3-A.5 (the TRUE_ MSRs' values). */
static struct vmx_caps good(void)
{
	struct vmx_caps c = {
		.basic = 1 | (4096ULL << 32) | (6ULL << 50) | VMX_BASIC_TRUE_CTLS,
		.pin = CAP(0x16, 0x7f),
		.proc = CAP(0x04006172, 0xfff9fffe),
		.proc2 = CAP(0, 0x001010ff),
		.exit = CAP(0x00036dfb, 0x003fffff),
		.entry = CAP(0x000011fb, 0x0000ffff),
		.misc = VMX_MISC_EXIT_LMA | (7ULL << 6),
		.ept_vpid = EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_2M | EPT_CAP_1G | EPT_CAP_INVEPT |
			    EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL | VPID_CAP_INVVPID |
			    VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL,
		.cr0_fixed0 = 0x80000021,
		.cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000,
		.cr4_fixed1 = 0x3767ff,
	};
	return c;
}

/* vmx_check_caps refuses @c and the log names @what. */
static int refuses(const struct vmx_caps *c, const char *what)
{
	struct vmx_ctls o;

	last_log[0] = 0;
	return vmx_check_caps(c, &o) == -ENODEV && strstr(last_log, what) &&
	       strstr(last_log, "not starting");
}

int main(void)
{
	struct vmx_caps c;
	struct vmx_ctls o;
	u32 bad, v;

	printf("1..18\n");

	/* A.3.1: low half set = must be 1, high half clear = must be 0. */
	v = vmx_ctl_value(CAP(0x16, 0x7f), BIT(3), 0, 0, &bad);
	t_ok(v == 0x1e && !bad, "a needed control allowed: set, with the default-1 bits");
	v = vmx_ctl_value(CAP(0x16, 0x7f), BIT(7), 0, 0, &bad);
	t_ok(bad == BIT(7), "a needed control whose allowed-1 bit is clear: reported");
	v = vmx_ctl_value(CAP(0x16, 0x7f), 0, 0, BIT(2), &bad);
	t_ok(bad == BIT(2), "a control needed clear but forced by allowed-0: reported");
	v = vmx_ctl_value(CAP(0x16, 0x3f), 0, BIT(3) | BIT(6), 0, &bad);
	t_ok(v == 0x1e && !bad, "an optional control not allowed: left clear, no refusal");
	v = vmx_ctl_value(CAP(0, 0xff), BIT(1) | BIT(4), 0, 0, &bad);
	t_ok(v == 0x12 && !bad, "no default-1 bits: exactly the needed controls");

	c = good();
	memset(&o, 0, sizeof(o));
	t_ok(!vmx_check_caps(&c, &o) && (o.pin & PIN_NMI_EXIT) && !(o.pin & PIN_EXT_INT_EXIT) &&
		     (o.proc & (PROC_SECONDARY | PROC_MSR_BITMAPS | PROC_IO_BITMAPS)) ==
			     (PROC_SECONDARY | PROC_MSR_BITMAPS | PROC_IO_BITMAPS) &&
		     !(o.proc & (PROC_CR3_LOAD | PROC_CR3_STORE | PROC_HLT_EXIT)) &&
		     (o.proc2 & (PROC2_EPT | PROC2_UNRESTRICTED | PROC2_VPID | PROC2_RDTSCP |
				 PROC2_INVPCID | PROC2_XSAVES)) ==
			     (PROC2_EPT | PROC2_UNRESTRICTED | PROC2_VPID | PROC2_RDTSCP |
			      PROC2_INVPCID | PROC2_XSAVES) &&
		     (o.exit & (EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER)) ==
			     (EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER) &&
		     !(o.exit & EXIT_ACK_INTR) && (o.entry & ENTRY_LOAD_EFER) &&
		     !(o.entry & ENTRY_IA32E) && o.vpid && o.pat,
	     "a full VMX CPU: NMI exiting, MSR and I/O bitmaps, EPT, unrestricted guest, VPID, EFER/PAT "
	     "switched, no CR3/HLT exiting");

	c = good();
	c.proc2 &= ~((u64)PROC2_UNRESTRICTED << 32);
	t_ok(refuses(&c, "secondary processor-based control 'unrestricted guest' (bit 7) not "
			 "allowed"),
	     "no unrestricted guest: refused, named");
	c = good();
	c.proc2 &= ~((u64)PROC2_EPT << 32);
	t_ok(refuses(&c, "'enable EPT' (bit 1)"), "no EPT: refused, named");
	c = good();
	c.pin &= ~((u64)PIN_NMI_EXIT << 32);
	t_ok(refuses(&c, "pin-based control 'NMI exiting' (bit 3)"),
	     "no NMI exiting: refused, named");
	c = good();
	c.proc &= ~((u64)PROC_IO_BITMAPS << 32);
	t_ok(refuses(&c, "primary processor-based control 'use I/O bitmaps' (bit 25) not allowed"),
	     "no I/O bitmaps (the fw_cfg DMA ports could not be taken): refused, named");
	c = good();
	c.proc |= PROC_CR3_LOAD;
	t_ok(refuses(&c, "'CR3-load exiting' (bit 15) forced on"),
	     "CR3-load exiting forced on: refused, named");
	c = good();
	c.entry &= ~((u64)ENTRY_LOAD_EFER << 32);
	t_ok(refuses(&c, "VM-entry control 'load IA32_EFER' (bit 15)"),
	     "no VM-entry load IA32_EFER: refused, named");
	c = good();
	c.basic &= ~VMX_BASIC_TRUE_CTLS;
	t_ok(refuses(&c, "IA32_VMX_BASIC[55]"), "no TRUE_ control MSRs: refused");
	c = good();
	c.basic = (c.basic & ~(0xfULL << 50)) | 0; /* uncached VMCS */
	t_ok(refuses(&c, "IA32_VMX_BASIC[53:50]"), "VMCS memory type not write-back: refused");
	c = good();
	c.ept_vpid &= ~EPT_CAP_1G;
	t_ok(refuses(&c, "1 GiB EPT pages"), "no 1 GiB EPT pages: refused");
	c = good();
	c.misc &= ~VMX_MISC_EXIT_LMA;
	t_ok(refuses(&c, "IA32_VMX_MISC[5]"), "exits not storing EFER.LMA: refused");

	c = good();
	c.ept_vpid &= ~(VPID_CAP_INVVPID | VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL);
	memset(&o, 0, sizeof(o));
	t_ok(!vmx_check_caps(&c, &o) && !o.vpid && !(o.proc2 & PROC2_VPID),
	     "VPID without INVVPID: accepted, VPID left off");
	c = good();
	c.proc2 &= ~((u64)(PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES) << 32);
	c.exit &= ~((u64)EXIT_LOAD_PAT << 32);
	memset(&o, 0, sizeof(o));
	t_ok(!vmx_check_caps(&c, &o) && !o.rdtscp && !o.invpcid && !o.xsaves && !o.pat &&
		     !(o.entry & ENTRY_LOAD_PAT) && !(o.exit & (EXIT_SAVE_PAT | EXIT_LOAD_PAT)),
	     "no RDTSCP/INVPCID/XSAVES/PAT loading: accepted without them (CPUID hides them)");

	printf("# x86 vmxcap: %d tests, %d failed\n", t_n, t_fail);
	return t_fail ? 1 : 0;
}
