// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest payload: ask Lockstep for an attestation report and print it (docs/attestation.md
 * "Guest attestation report"). Bare-metal arm64, a flat binary loaded at GPA 0x80000000
 * and entered at its first byte at EL1 with the MMU off; console = byte writes to the
 * PL011 data register at MMIO 0x09000000 (UARTDR, offset 0: PL011 TRM 3.3.1); PSCI
 * SYSTEM_OFF (0x84000008, Arm DEN 0022D 5.1) over HVC at the end.
 *
 * Output, for the test that runs it (once `lsvm` lands):
 *   attest: x0=0000000000000000
 *   attest: report <416 hex digits: the 208-byte report>
 * The test then checks the report with build/tools/lockstep-verify against the public key
 * the hypervisor printed ("lockstep: attestation: public key ..."), the measurement
 * tools/attest/vm-measure computes for this binary at 0x80000000, and the nonce below.
 * The report page is part of this image (private guest memory, donated before the first run).
 */
#define UART		0x09000000
#define LS_GUEST_ATTEST	0xC6000080
#define PSCI_SYSTEM_OFF	0x84000008
#define REPORT_BYTES	208

	.text
	.global _start
_start:
	mov	x19, #UART
	adr	x0, s_hello
	bl	puts
	/* x1 = the report page (IPA = PA of this image), x2..x5 = the nonce (little-endian). */
	ldr	x0, =LS_GUEST_ATTEST
	adr	x1, report_page
	adr	x9, nonce
	ldp	x2, x3, [x9]
	ldp	x4, x5, [x9, #16]
	hvc	#0
	mov	x20, x0
	adr	x0, s_x0
	bl	puts
	mov	x0, x20
	bl	puthex64
	bl	newline
	cbnz	x20, off
	adr	x0, s_report
	bl	puts
	adr	x21, report_page
	mov	x22, #REPORT_BYTES
1:	ldrb	w0, [x21], #1
	bl	puthex8
	subs	x22, x22, #1
	b.ne	1b
	bl	newline
off:
	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	.

/* puts(x0): NUL-terminated string to the UART. */
puts:
	ldrb	w1, [x0], #1
	cbz	w1, 2f
	strb	w1, [x19]
	b	puts
2:	ret

newline:
	mov	w1, #'\n'
	strb	w1, [x19]
	ret

/* puthex8(w0): two hex digits. Clobbers x1, x2. */
puthex8:
	ubfx	x1, x0, #4, #4
	adr	x2, hexdigits
	ldrb	w1, [x2, x1]
	strb	w1, [x19]
	and	x1, x0, #15
	ldrb	w1, [x2, x1]
	strb	w1, [x19]
	ret

/* puthex64(x0): 16 hex digits, most significant first. Clobbers x1..x4. */
puthex64:
	mov	x3, #60
3:	lsr	x1, x0, x3
	and	x1, x1, #15
	adr	x2, hexdigits
	ldrb	w1, [x2, x1]
	strb	w1, [x19]
	subs	x3, x3, #4
	b.ge	3b
	ret

	.ltorg
hexdigits:	.ascii "0123456789abcdef"
s_hello:	.asciz "attest: asking Lockstep for a report\n"
s_x0:		.asciz "attest: x0="
s_report:	.asciz "attest: report "
	.balign 8
/* The verifier's nonce; a real guest gets it from its verifier over the network. */
nonce:		.ascii "lockstep-attest-guest-nonce-0001"

	.balign 4096
report_page:
	.fill	4096, 1, 0
