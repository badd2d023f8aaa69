/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest payloads' library (tests/guest/lib.c): the lsvm console (tools/lsvm/lsvm.c: byte
 * register 0x09000000, status 0x09000008, doorbell 0x09000010), SMCCC calls over HVC (DEN
 * 0028: function id in x0, arguments x1..x3, results x0..x3), PSCI (DEN 0022), and a check
 * counter that becomes the guest's exit status.
 */
#ifndef GUEST_H
#define GUEST_H

typedef unsigned long u64;
typedef unsigned int u32;

#define CON_DATA   0x09000000UL
#define CON_STATUS 0x09000008UL
#define CON_DOOR   0x09000010UL

/* PSCI 1.1 (DEN 0022D), SMC64 ids where the call takes addresses. */
#define PSCI_VERSION	   0x84000000UL
#define PSCI_CPU_OFF	   0x84000002UL
#define PSCI_CPU_ON	   0xC4000003UL
#define PSCI_AFFINITY_INFO 0xC4000004UL
#define PSCI_SYSTEM_OFF	   0x84000008UL
#define PSCI_SYSTEM_RESET  0x84000009UL
#define PSCI_FEATURES	   0x8400000AUL
#define PSCI_SUCCESS	   0L
#define PSCI_NOT_SUPPORTED (-1L)
#define PSCI_INVALID	   (-2L)
#define PSCI_ALREADY_ON	   (-4L)

struct smccc_res {
	long a0;
	u64 a1, a2, a3;
};

void putch(char c);
void puts(const char *s);
void puthex(u64 v);
void putdec(u64 v);
/* "name: ok - what" or "name: not ok - what"; counts failures. */
void check(int ok, const char *what);
void note(const char *s);
extern const char *guest_name;
extern volatile u64 failures;
u64 mmio_read32(u64 addr);
void mmio_write32(u64 addr, u32 v);
struct smccc_res hvc(u64 fn, u64 a1, u64 a2, u64 a3);
/* Reports the failures as the exit status and powers the VM off. */
__attribute__((noreturn)) void finish(void);
void *memset(void *d, int c, unsigned long n);
u64 exception(u64 *frame, u64 esr, u64 elr);
void bad_vector(u64 off);
void guest_main(u64 index, u64 x0);
void guest_secondary(u64 index, u64 context);
void secondary_entry(void);

#endif
