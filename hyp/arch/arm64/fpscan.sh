#!/bin/sh
# fpscan.sh OBJDUMP ELF: print every instruction of ELF that names an FP/SIMD/SVE/SME
# register (b/h/s/d/q/v/z n, p n, za): EL2 code must never touch the host's FP state,
# which Lockstep does not save. Branch targets ("b18 <sym+0x8>") and comments are
# removed first, so addresses are not mistaken for registers. Prints nothing if clean.
"$1" -d --no-show-raw-insn "$2" |
	awk -F '\t' 'NF >= 3 {
		ops = $3
		gsub(/[0-9a-f]+ <[^>]*>/, "", ops)
		sub(/\/\/.*/, "", ops)
		if (ops ~ /(^|[ ,{[])([bhsdqvz]([0-9]|[12][0-9]|3[01])|p([0-9]|1[0-5])|za)([.,}\] \/]|$)/)
			print
	}'
