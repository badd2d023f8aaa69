#!/bin/sh
# fpscan.sh OBJDUMP ELF: print every instruction of ELF that names an FP/SIMD/SVE/SME
# register (b/h/s/d/q/v/z n, p n, za): EL2 code must never touch the host's FP state.
# The one exception is the world switch's arm64_fp_save / arm64_fp_load (guest_entry.S),
# whose whole purpose is to save and restore it around a guest (docs/vcpu.md).
# Branch targets ("b18 <sym+0x8>") and comments are removed first, so addresses are not
# mistaken for registers. Prints nothing if clean.
"$1" -d --no-show-raw-insn "$2" |
	awk -F '\t' '
	/^[0-9a-f]+ <[^>]*>:$/ {
		fn = $0
		sub(/^[0-9a-f]+ </, "", fn)
		sub(/>:$/, "", fn)
		next
	}
	NF >= 3 && fn != "arm64_fp_save" && fn != "arm64_fp_load" {
		ops = $3
		gsub(/[0-9a-f]+ <[^>]*>/, "", ops)
		sub(/\/\/.*/, "", ops)
		if (ops ~ /(^|[ ,{[])([bhsdqvz]([0-9]|[12][0-9]|3[01])|p([0-9]|1[0-5])|za)([.,}\] \/]|$)/)
			print
	}'
