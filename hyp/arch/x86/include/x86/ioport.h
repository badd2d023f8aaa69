/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's I/O ports the hypervisor takes, for both flavours (docs/x86.md "I/O ports"):
 * which ports, the bitmap both extensions read (the same layout: one bit per port), the
 * decoding of each extension's exit information into one access, and what a refused access
 * does. ioport.c has no CPU access; the x86-unit suite runs it host-native.
 */
#ifndef X86_IOPORT_H
#define X86_IOPORT_H

#include "hyp/types.h"

/* One intercepted IN/OUT/INS/OUTS, whatever the flavour. */
struct x86_io {
	u16 port;
	u8 size;  /* 1, 2 or 4 bytes */
	bool in;  /* IN or INS; else OUT or OUTS */
	bool str; /* INS or OUTS */
	bool rep; /* with a REP prefix */
};

/*
 * SVM: IOIO EXITINFO1 (AMD APM Vol. 2 15.10.2 Figure 15-2). False if the size field is not
 * exactly one of SZ8/SZ16/SZ32.
 */
bool x86_io_from_svm(u64 info1, struct x86_io *io);
/*
 * VMX: the exit qualification of an I/O instruction (Intel SDM Vol. 3C 28.2.1 Table 28-5
 * "Exit Qualification for I/O Instructions"; 27.2.1 Table 27-5 in older editions). False if
 * the size field is not 0, 1 or 3.
 */
bool x86_io_from_vmx(u64 qual, struct x86_io *io);

/*
 * Why the hypervisor takes a port that an access of @size bytes at @port touches, or NULL
 * if it touches none of them (both extensions exit when any byte's bit is set: APM 15.10.1,
 * SDM Vol. 3C 26.1.3 "Instructions That Cause VM Exits Conditionally", 25.1.3 in older
 * editions).
 */
const char *x86_io_taken(u32 port, u32 size);

/*
 * Set the bit of every taken port in @bm (@bytes long, bit p%8 of byte p/8 for port p):
 * SVM's I/O permission map (12 KiB, APM 15.10.1) and VMX's I/O bitmaps A and B laid out
 * one after the other (4 KiB each, ports 0-7FFFh then 8000h-FFFFh, SDM Vol. 3C 25.6.4
 * "I/O-Bitmap Addresses", 24.6.4 in older editions) have this layout.
 */
void x86_io_bitmap_fill(u8 *bm, size_t bytes);

/* What the flavour does after x86_io_refuse. */
enum x86_io_action {
	X86_IO_NEXT, /* done: the host goes on at the next instruction */
	X86_IO_GP,   /* inject #GP(0), RIP unchanged */
};

/*
 * An intercepted access: refused and counted, logged (the first X86_IO_LOG_MAX). An IN
 * reads all ones into the low @io->size bytes of *@rax (a 4-byte IN zero-extends into RAX,
 * SDM Vol. 1 3.4.1.1); an OUT is dropped; a string form (INS/OUTS, REP or not) is not
 * emulated: #GP. @rip, @cpl and @apic_id are for the log.
 */
enum x86_io_action x86_io_refuse(const struct x86_io *io, u64 *rax, u64 rip, u8 cpl, u32 apic_id);
#define X86_IO_LOG_MAX 32
/* Accesses refused since boot. */
u64 x86_io_refused(void);

#endif /* X86_IOPORT_H */
