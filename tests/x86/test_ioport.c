// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-native tests of the I/O port policy both x86 flavours share (hyp/arch/x86/ioport.c,
 * the real file; docs/x86.md "I/O ports"): which ports are taken, the bitmap SVM's IOPM and
 * VMX's I/O bitmaps A/B are built from (and that it agrees with the policy for every port
 * and size), the decoding of SVM's IOIO EXITINFO1 (AMD APM Vol. 2 15.10.2 Figure 15-2) and of
 * VMX's I/O exit qualification (Intel SDM Vol. 3C 28.2.1 Table 28-5) into one access, and
 * what a refused access does to RAX, RIP and the log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hyp/plat.h"
#include "x86/ioport.h"
#include "x86/svm.h"
#include "x86/vmx.h"

static int t_n, t_fail;
static char last_log[512];
static unsigned int nr_logs;

static void t_ok(int cond, const char *name)
{
	t_n++;
	if (!cond)
		t_fail++;
	printf("%s %d - x86 ioport: %s\n", cond ? "ok" : "not ok", t_n, name);
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	nr_logs++;
	printf("# log: %s\n", last_log);
}

/* SVM EXITINFO1: TYPE bit 0, STR 2, REP 3, SZ8/16/32 4-6, A16/32/64 7-9, PORT 31:16. */
static u64 svm_info(u16 port, unsigned int size, bool in, bool str, bool rep)
{
	return (u64)port << 16 | (u64)size << 4 | (in ? 1U : 0) | (str ? 4U : 0) | (rep ? 8U : 0) |
	       BIT(8) /* A32, ignored */;
}

/* VMX qualification: size - 1 in 2:0, IN 3, string 4, REP 5, immediate 6, port 31:16. */
static u64 vmx_qual(u16 port, unsigned int size, bool in, bool str, bool rep, bool imm)
{
	return (u64)port << 16 | (size - 1) | (in ? 8U : 0) | (str ? 0x10U : 0) |
	       (rep ? 0x20U : 0) | (imm ? 0x40U : 0);
}

static bool io_is(const struct x86_io *io, u16 port, u8 size, bool in, bool str, bool rep)
{
	return io->port == port && io->size == size && io->in == in && io->str == str &&
	       io->rep == rep;
}

/* Does the bitmap make an access of @size bytes at @port exit (any byte's bit set)? */
static bool bm_exits(const u8 *bm, u32 port, u32 size)
{
	u32 p;

	for (p = port; p < port + size; p++)
		if (bm[p / 8] & (1U << (p % 8)))
			return true;
	return false;
}

int main(void)
{
	static u8 iopm[3 * 4096], iob[2 * 4096];
	struct x86_io io;
	unsigned int i, bits = 0, sizes[] = { 1, 2, 4 };
	u32 p, bad = 0;
	u64 rax;
	bool ok;

	printf("1..22\n");

	/* The policy: QEMU's fw_cfg DMA address ports 514h-51Bh, and only they. */
	ok = true;
	for (p = 0x514; p <= 0x51b; p++)
		ok = ok && x86_io_taken(p, 1) &&
		     strstr(x86_io_taken(p, 1), "fw_cfg DMA interface reaches memory outside");
	t_ok(ok, "514h-51Bh (fw_cfg DMA address, high and low halves) are taken, with the reason");
	t_ok(!x86_io_taken(0x510, 2) && !x86_io_taken(0x511, 1) && !x86_io_taken(0x513, 1) &&
		     !x86_io_taken(0x51c, 4) && !x86_io_taken(0x3f8, 1) && !x86_io_taken(0xcf8, 4),
	     "the fw_cfg selector/data ports (510h, 511h), 513h, 51Ch, COM1, CF8h stay the host's");
	t_ok(x86_io_taken(0x512, 4) && x86_io_taken(0x51b, 2) && x86_io_taken(0x513, 2) &&
		     !x86_io_taken(0x510, 4),
	     "an access is taken when any of its bytes is (512h dword, 51Bh word, 513h word; "
	     "510h dword is not)");

	/* The bitmaps: SVM's 12 KiB IOPM, VMX's A then B. */
	x86_io_bitmap_fill(iopm, sizeof(iopm));
	x86_io_bitmap_fill(iob, sizeof(iob));
	for (i = 0; i < sizeof(iopm) * 8; i++)
		bits += (iopm[i / 8] >> (i % 8)) & 1;
	t_ok(bits == 8 && iopm[0x514 / 8] == 0xf0 && iopm[0x518 / 8] == 0x0f,
	     "IOPM: exactly the 8 bits of 514h-51Bh set (bit p%8 of byte p/8)");
	t_ok(!memcmp(iopm, iob, sizeof(iob)),
	     "VMX I/O bitmaps A+B: the same bits as the IOPM's first 8 KiB");
	for (p = 0; p < 0x10000; p++)
		for (i = 0; i < 3; i++)
			if (bm_exits(iopm, p, sizes[i]) != !!x86_io_taken(p, sizes[i]))
				bad++;
	t_ok(bad == 0, "every port and size: the bitmap exits exactly where the policy takes it");

	/* SVM EXITINFO1. */
	ok = x86_io_from_svm(svm_info(0x514, 1, true, false, false), &io);
	t_ok(ok && io_is(&io, 0x514, 1, true, false, false), "SVM: IN AL, DX at 514h decoded");
	ok = x86_io_from_svm(svm_info(0x518, 4, false, false, false), &io);
	t_ok(ok && io_is(&io, 0x518, 4, false, false, false), "SVM: OUT DX, EAX at 518h decoded");
	ok = x86_io_from_svm(svm_info(0x514, 2, true, true, true), &io);
	t_ok(ok && io_is(&io, 0x514, 2, true, true, true), "SVM: REP INSW at 514h decoded");
	t_ok(!x86_io_from_svm(svm_info(0x514, 3, true, false, false), &io) &&
		     !x86_io_from_svm(svm_info(0x514, 0, true, false, false), &io),
	     "SVM: a size field that is not one-hot (SZ8|SZ16, none) is refused");

	/* VMX exit qualification. */
	ok = x86_io_from_vmx(vmx_qual(0x514, 4, true, false, false, false), &io);
	t_ok(ok && io_is(&io, 0x514, 4, true, false, false), "VMX: IN EAX, DX at 514h decoded");
	ok = x86_io_from_vmx(vmx_qual(0x51b, 1, false, false, false, true), &io);
	t_ok(ok && io_is(&io, 0x51b, 1, false, false, false),
	     "VMX: OUT imm8, AL at 51Bh decoded (immediate operand)");
	ok = x86_io_from_vmx(vmx_qual(0x518, 2, false, true, true, false), &io);
	t_ok(ok && io_is(&io, 0x518, 2, false, true, true), "VMX: REP OUTSW at 518h decoded");
	t_ok(!x86_io_from_vmx(vmx_qual(0x514, 3, true, false, false, false), &io) &&
		     !x86_io_from_vmx(vmx_qual(0x514, 5, true, false, false, false), &io),
	     "VMX: the unused size encodings 2 and 4-7 are refused");

	/* Refusals. */
	io = (struct x86_io){ 0x514, 1, true, false, false };
	rax = 0x1122334455667788ULL;
	t_ok(x86_io_refuse(&io, &rax, 0xffffffff81000000ULL, 0, 2) == X86_IO_NEXT &&
		     rax == 0x11223344556677ffULL,
	     "IN AL: AL reads FFh, the rest of RAX kept, next instruction");
	t_ok(!strcmp(last_log, "host read of I/O port 0x514 (1 bytes, RIP 0xffffffff81000000, "
			       "CPL 0, APIC ID 2) refused: QEMU's fw_cfg DMA interface reaches "
			       "memory outside every IOMMU"),
	     "IN AL: logged with port, size, RIP, CPL, APIC ID and the reason (svm-qemu's line)");
	io.size = 2;
	rax = 0x1122334455667788ULL;
	t_ok(x86_io_refuse(&io, &rax, 0, 0, 0) == X86_IO_NEXT && rax == 0x112233445566ffffULL,
	     "IN AX: AX reads FFFFh, the rest of RAX kept");
	io.size = 4;
	rax = 0x1122334455667788ULL;
	t_ok(x86_io_refuse(&io, &rax, 0x401000, 3, 1) == X86_IO_NEXT && rax == 0xffffffffULL &&
		     strstr(last_log, "host read of I/O port 0x514 (4 bytes, RIP 0x401000, CPL 3, "
				      "APIC ID 1) refused: "),
	     "IN EAX: FFFFFFFFh zero-extended into RAX, logged (vmx-bochs's line)");
	io = (struct x86_io){ 0x518, 4, false, false, false };
	rax = 0x1234;
	t_ok(x86_io_refuse(&io, &rax, 0, 0, 0) == X86_IO_NEXT && rax == 0x1234 &&
		     strstr(last_log, "host write of I/O port 0x518 (4 bytes, "),
	     "OUT: dropped (RAX unchanged), logged as a write");
	io = (struct x86_io){ 0x514, 4, true, true, true };
	rax = 0x1234;
	t_ok(x86_io_refuse(&io, &rax, 0x401000, 3, 0) == X86_IO_GP && rax == 0x1234 &&
		     strstr(last_log, "(4 bytes, REP string, RIP 0x401000, CPL 3, APIC ID 0) "
				      "refused (#GP)"),
	     "REP INSD: not emulated, #GP (RAX unchanged), logged as a REP string refusal");
	io.rep = false;
	t_ok(x86_io_refuse(&io, &rax, 0, 3, 0) == X86_IO_GP && strstr(last_log, ", string, "),
	     "INSD without REP: #GP too");

	/* The log is bounded; the count is not. */
	nr_logs = 0;
	io = (struct x86_io){ 0x514, 1, true, false, false };
	for (i = 0; i < 100; i++)
		x86_io_refuse(&io, &rax, 0, 0, 0);
	t_ok(x86_io_refused() == 106 && nr_logs == X86_IO_LOG_MAX - 6,
	     "106 refusals counted, the first 32 logged (then no more lines)");

	return t_fail ? 1 : 0;
}
