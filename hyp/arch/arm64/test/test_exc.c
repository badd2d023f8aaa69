// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-native tests of the EL2 backend's pure computations (arm64/exc.h):
 * the syndrome, PSTATE and vector of an injected synchronous external abort,
 * and the EL1 copy of the firmware's EL2 translation regime. Expected values
 * are written out from the Arm ARM field layouts, not computed with the same
 * macros. TAP on stdout; exit status 0 (the runner counts "not ok").
 */
#include <stdio.h>

#include "arm64/exc.h"

/* The TAP plan: how many checks main() makes (tests/run.sh fails the suite on a shortfall). */
#define TEST_EXC_PLAN 24

static int tap_n, tap_fail;

static void check(int ok, const char *name, u64 got, u64 want)
{
	tap_n++;
	if (ok) {
		printf("ok %d - %s\n", tap_n, name);
		return;
	}
	tap_fail++;
	printf("not ok %d - %s\n#   got  %#018llx\n#   want %#018llx\n", tap_n, name,
	       (unsigned long long)got, (unsigned long long)want);
}

#define CHECK_EQ(name, got, want) check((got) == (want), name, got, want)

/* SPSR values: M[3:0] EL0t 0x0, EL1t 0x4, EL1h 0x5; M[4] AArch32 (0x10 = usr). */
#define SPSR_EL0     0x00000000ULL
#define SPSR_EL1T    0x00000004ULL
#define SPSR_EL1H    0x00000005ULL
#define SPSR_A32_USR 0x00000010ULL

int main(void)
{
	printf("1..%d\n", TEST_EXC_PLAN);
	/* ESR_EL2 of a stage-2 translation fault, level 3 (DFSC 0b000111), ISV set,
	 * SAS/SRT filled, IL = 1: EC 0x24 << 26 | IL | ISV | ... */
	u64 dabt_read = (0x24ULL << 26) | (1ULL << 25) | (1ULL << 24) | (3ULL << 22) |
			(5ULL << 16) | 0x07;
	u64 dabt_write = dabt_read | (1ULL << 6);
	u64 dabt_cm = dabt_read | (1ULL << 8);
	u64 dabt_walk_l2 = (0x24ULL << 26) | (1ULL << 25) | (1ULL << 7) | 0x06; /* S1PTW, level 2 */
	u64 iabt = (0x20ULL << 26) | (1ULL << 25) | 0x07;

	/* Vectors: table "Vector offsets from vector table base address". */
	CHECK_EQ("vector: EL1h source -> current EL with SPx sync (0x200)",
		 arm64_exc_vector(SPSR_EL1H), 0x200);
	CHECK_EQ("vector: EL1t source -> current EL with SP0 sync (0x000)",
		 arm64_exc_vector(SPSR_EL1T), 0x000);
	CHECK_EQ("vector: EL0 AArch64 source -> lower EL AArch64 sync (0x400)",
		 arm64_exc_vector(SPSR_EL0), 0x400);
	CHECK_EQ("vector: EL0 AArch32 source -> lower EL AArch32 sync (0x600)",
		 arm64_exc_vector(SPSR_A32_USR), 0x600);

	/* Syndromes: EC, IL, FSC = 0x10 (SEA), WnR/CM kept, ISV/SAS/SRT dropped. */
	CHECK_EQ("ESR: EL0 read -> EC 0x24, IL, DFSC 0x10, nothing else",
		 arm64_abort_esr_el1(dabt_read, SPSR_EL0), (0x24ULL << 26) | (1ULL << 25) | 0x10);
	CHECK_EQ("ESR: EL1 read -> EC 0x25 (same EL)", arm64_abort_esr_el1(dabt_read, SPSR_EL1H),
		 (0x25ULL << 26) | (1ULL << 25) | 0x10);
	CHECK_EQ("ESR: EL1 write keeps WnR", arm64_abort_esr_el1(dabt_write, SPSR_EL1H),
		 (0x25ULL << 26) | (1ULL << 25) | (1ULL << 6) | 0x10);
	CHECK_EQ("ESR: cache maintenance keeps CM", arm64_abort_esr_el1(dabt_cm, SPSR_EL1T),
		 (0x25ULL << 26) | (1ULL << 25) | (1ULL << 8) | 0x10);
	CHECK_EQ("ESR: AArch32 EL0 read -> lower-EL EC 0x24",
		 arm64_abort_esr_el1(dabt_read, SPSR_A32_USR),
		 (0x24ULL << 26) | (1ULL << 25) | 0x10);
	CHECK_EQ("ESR: stage-1 walk refused at level 2 -> DFSC 0x16 (SEA on walk, level 2)",
		 arm64_abort_esr_el1(dabt_walk_l2, SPSR_EL1H),
		 (0x25ULL << 26) | (1ULL << 25) | 0x16);
	CHECK_EQ("ESR: EL1 instruction fetch -> EC 0x21, IFSC 0x10",
		 arm64_abort_esr_el1(iabt, SPSR_EL1H), (0x21ULL << 26) | (1ULL << 25) | 0x10);
	CHECK_EQ("ESR: EL0 instruction fetch -> EC 0x20", arm64_abort_esr_el1(iabt, SPSR_EL0),
		 (0x20ULL << 26) | (1ULL << 25) | 0x10);
	CHECK_EQ("ESR: instruction abort never carries WnR",
		 arm64_abort_esr_el1(iabt | (1ULL << 6), SPSR_EL1H),
		 (0x21ULL << 26) | (1ULL << 25) | 0x10);

	/* PSTATE on entry: 0x3c5 = D A I F | EL1h. SCTLR_EL1.SPAN = bit 23, DSSBS = bit 44. */
	CHECK_EQ("PSTATE: from EL0, SPAN=1: DAIF | EL1h, PAN untouched (0)",
		 arm64_exc_pstate(SPSR_EL0, 1ULL << 23, false), 0x3c5);
	CHECK_EQ("PSTATE: SPAN=0 sets PAN (bit 22)", arm64_exc_pstate(SPSR_EL0, 0, false),
		 0x3c5 | (1ULL << 22));
	CHECK_EQ("PSTATE: SPAN=1 keeps an old PAN",
		 arm64_exc_pstate(SPSR_EL1H | (1ULL << 22), 1ULL << 23, false),
		 0x3c5 | (1ULL << 22));
	CHECK_EQ("PSTATE: NZCV and DIT kept; SS, IL, BTYPE, UAO, SSBS dropped",
		 arm64_exc_pstate(SPSR_EL1H | (0xfULL << 28) | (1ULL << 24) | (1ULL << 21) |
					  (1ULL << 20) | (3ULL << 10) | (1ULL << 23) | (1ULL << 12),
				  1ULL << 23, false),
		 0x3c5 | (0xfULL << 28) | (1ULL << 24));
	CHECK_EQ("PSTATE: SSBS = SCTLR_EL1.DSSBS (bit 12)",
		 arm64_exc_pstate(SPSR_EL0, (1ULL << 23) | (1ULL << 44), false),
		 0x3c5 | (1ULL << 12));
	CHECK_EQ("PSTATE: TCO (bit 25) set with MTE", arm64_exc_pstate(SPSR_EL0, 1ULL << 23, true),
		 0x3c5 | (1ULL << 25));
	CHECK_EQ("PSTATE: AArch32 source keeps PAN (22), DIT (24); drops GE, IT (13), T, mode",
		 arm64_exc_pstate(SPSR_A32_USR | (1ULL << 22) | (1ULL << 24) | (0xfULL << 16) |
					  (1ULL << 13) | (1ULL << 5) | (0x3ULL << 28),
				  1ULL << 23, false),
		 0x3c5 | (1ULL << 22) | (1ULL << 24) | (0x3ULL << 28));
	CHECK_EQ("PSTATE: AArch64 source keeps ALLINT (13)",
		 arm64_exc_pstate(SPSR_EL1H | (1ULL << 13), 1ULL << 23, false),
		 0x3c5 | (1ULL << 13));

	/*
	 * TCR: an edk2-like TCR_EL2 = RES1 (bits 31, 23) | PS 48-bit (5 << 16) | TG0 4K |
	 * SH0 inner (3 << 12) | ORGN0/IRGN0 WBWA (1 << 10, 1 << 8) | T0SZ 16, plus TBI.
	 */
	CHECK_EQ("TCR_EL1: T0SZ/RGN/SH/TG0 kept, IPS = PS, EPD1, TG1 = 4K, TBI0",
		 arm64_tcr_el1_from_el2((1ULL << 31) | (1ULL << 23) | (1ULL << 20) | (5ULL << 16) |
					(3ULL << 12) | (1ULL << 10) | (1ULL << 8) | 16),
		 (5ULL << 32) | (2ULL << 30) | (1ULL << 23) | (1ULL << 37) | (3ULL << 12) |
			 (1ULL << 10) | (1ULL << 8) | 16);
	CHECK_EQ("TCR_EL1: HA/HD (EL2 bits 21/22) move to bits 39/40",
		 arm64_tcr_el1_from_el2((1ULL << 21) | (1ULL << 22) | 25),
		 (1ULL << 39) | (1ULL << 40) | (2ULL << 30) | (1ULL << 23) | 25);

	/* SCTLR: EL2 RES1 bits (4, 5, 16, 18, ...) must not become EL1 controls. */
	CHECK_EQ("SCTLR_EL1: M C I SA from EL2, EL1 RES1 set, EL2-only RES1 bits dropped",
		 arm64_sctlr_el1_from_el2(0x30c50838ULL | 0x100dULL),
		 (1ULL << 11) | (1ULL << 20) | (1ULL << 22) | (1ULL << 23) | (1ULL << 28) |
			 (1ULL << 29) | 0x100dULL);

	printf("# %d tests, %d failed\n", tap_n, tap_fail);
	return 0;
}
