# SMMU commands per benchmark phase, from a QEMU trace of smmuv3_cmdq_opcode and
# memory_region_ops_write (tests/iommu-bench/run.sh ... trace). lsbench.ko writes 2p to the edu's
# register 0x4 when phase p starts and 2p + 1 when it ends. Prints "phase P cmds C syncs S".
function hex(s, n, i, c) {
	n = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		n = n * 16 + c - 1
	}
	return n
}
/memory_region_ops_write/ && /name 'edu-mmio'/ && / addr 0x[0-9a-f]*0004 / {
	for (i = 1; i <= NF; i++)
		if ($i == "value")
			v = hex($(i + 1))
	phase = (v % 2 == 0) ? v / 2 : 0
	if (phase > max)
		max = phase
	next
}
/smmuv3_cmdq_opcode/ && phase > 0 {
	cmds[phase]++
	if ($NF == "SMMU_CMD_SYNC")
		syncs[phase]++
}
END {
	for (p = 1; p <= max; p++)
		printf "phase %d cmds %d syncs %d\n", p, cmds[p], syncs[p]
}
