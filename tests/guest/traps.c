// SPDX-License-Identifier: GPL-2.0-only
/*
 * traps: what Lockstep does with the guest's attempts to reach host state (docs/guest-abi.md):
 * PMU registers UNDEFINED, debug registers RAZ/WI, the EL1 physical timer UNDEFINED (the
 * virtual one works), SMC UNDEFINED, set/way cache maintenance a no-op, SVE and SME
 * UNDEFINED even with CPACR_EL1 allowing them, an unknown HVC NOT_SUPPORTED, MMIO without a
 * valid syndrome (LDP) refused with an external abort, MMIO to no device refused by the VMM,
 * loads from RAM that was never populated (lsvm -P 1: the last MiB of the 2 MiB memslot) memory
 * faults the VMM refuses.
 * The vector table (start.S) calls exception() below, which counts and skips the instruction.
 */
#include "guest.h"

#define EC_UNKNOWN 0x00 /* Arm ARM D17.2.40 ESR_ELx.EC: Unknown reason (UNDEFINED) */
#define EC_DABT_EL 0x25 /* Data Abort taken without a change in Exception level */

const char *guest_name = "traps";
static volatile u64 undefs, aborts, others, last_esr;

u64 exception(u64 *frame, u64 esr, u64 elr)
{
	u64 ec = esr >> 26;

	(void)frame;
	last_esr = esr;
	if (ec == EC_UNKNOWN)
		undefs++;
	else if (ec == EC_DABT_EL)
		aborts++;
	else
		others++;
	return elr + 4;
}

#define UNDEF(what, insn)                                                        \
	do {                                                                     \
		u64 un_ = undefs, on_ = others, v_ = 0;                          \
		asm volatile(insn : "+r"(v_) : : "memory");                      \
		check(undefs == un_ + 1 && others == on_, what " is UNDEFINED"); \
	} while (0)

void guest_main(u64 index, u64 x0)
{
	u64 v, u0, a0;

	(void)index;
	(void)x0;
	UNDEF("PMCR_EL0 read", "mrs %0, pmcr_el0");
	UNDEF("PMCCNTR_EL0 read", "mrs %0, pmccntr_el0");
	UNDEF("PMCR_EL0 write", "msr pmcr_el0, %0");

	u0 = undefs;
	asm volatile("msr mdscr_el1, %0; isb" : : "r"(1UL << 15 | 1UL << 13));
	asm volatile("mrs %0, mdscr_el1" : "=r"(v));
	check(v == 0 && undefs == u0, "MDSCR_EL1 reads as zero after a write (RAZ/WI)");
	asm volatile("msr dbgbvr0_el1, %0; isb" : : "r"(0x80001000UL));
	asm volatile("mrs %0, dbgbvr0_el1" : "=r"(v));
	check(v == 0 && undefs == u0, "DBGBVR0_EL1 reads as zero after a write (RAZ/WI)");

	UNDEF("CNTP_CTL_EL0 read", "mrs %0, cntp_ctl_el0");
	UNDEF("CNTP_CVAL_EL0 write", "msr cntp_cval_el0, %0");
	u0 = undefs;
	asm volatile("mrs %0, cntv_ctl_el0" : "=r"(v));
	asm volatile("mrs %0, cntvct_el0" : "=r"(v));
	check(undefs == u0 && v != 0, "the virtual timer and counter are the guest's");

	UNDEF("SMC #0", "smc #0");

	u0 = undefs;
	a0 = aborts;
	asm volatile("dc cisw, %0; dsb sy" : : "r"(0UL) : "memory");
	asm volatile("dc csw, %0; dsb sy" : : "r"(2UL) : "memory");
	check(undefs == u0 && aborts == a0 && others == 0, "DC CISW / DC CSW complete (no-op)");

	/* Allow FP, SVE and SME at EL1/EL0 (CPACR_EL1 FPEN, ZEN, SMEN = 0b11, Arm ARM D23.2):
	 * any trap left is Lockstep's (CPTR_EL2), which must make them UNDEFINED. */
	asm volatile("msr cpacr_el1, %0; isb" : : "r"((3UL << 20) | (3UL << 16) | (3UL << 24)));
	UNDEF("SVE RDVL", ".inst 0x04bf5020 /* rdvl x0, #1 */");
	UNDEF("SME RDSVL", ".inst 0x04bf5820 /* rdsvl x0, #1 */");
	UNDEF("SME SMSTART", ".inst 0xd503477f /* smstart */");

	check(hvc(0xC6001234UL, 0, 0, 0).a0 == -1, "unknown vendor HVC returns NOT_SUPPORTED (-1)");
	check(hvc(0x84000099UL, 0, 0, 0).a0 == -1,
	      "unknown PSCI function returns NOT_SUPPORTED (-1)");

	a0 = aborts;
	asm volatile("ldp %0, x9, [%1]" : "=&r"(v) : "r"(CON_DATA) : "x9", "memory");
	check(aborts == a0 + 1, "LDP from MMIO (no valid syndrome) takes an external abort");
	a0 = aborts;
	v = mmio_read32(0x0a000000UL);
	check(aborts == a0 + 1, "MMIO read of no device takes an external abort (VMM refused)");
	a0 = aborts;
	v = mmio_read32(0x801ff000UL);
	check(aborts == a0 + 1, "LDR of unpopulated RAM takes an external abort (memory fault)");
	a0 = aborts;
	asm volatile("ldp %0, x9, [%1]" : "=&r"(v) : "r"(0x801fe000UL) : "x9", "memory");
	check(aborts == a0 + 1, "LDP of unpopulated RAM takes an external abort (memory fault)");
	note("ESR of the last exception ");
	puthex(last_esr);
	puts(", undefs ");
	putdec(undefs);
	puts(", aborts ");
	putdec(aborts);
	puts(", others ");
	putdec(others);
	putch('\n');
	check(others == 0, "no exception of another class");
	finish();
}
