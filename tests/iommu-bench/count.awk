# IOMMU commands per benchmark phase, from a QEMU trace (tests/iommu-bench/run.sh ... trace) of
# memory_region_ops_write and, with arch=arm64 (default), smmuv3_cmdq_opcode: C = SMMU commands,
# S = CMD_SYNCs; with -v arch=x86, the vtd_inv_desc* events of the VT-d invalidation queue:
# C = IOTLB invalidation descriptors (global, domain-selective, page-selective), S = invalidation
# wait descriptors. lsbench.ko writes 2p to the edu's register 0x4 when phase p starts and 2p + 1
# when it ends. Prints "phase P cmds C syncs S".
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
/smmuv3_cmdq_opcode/ && arch != "x86" && phase > 0 {
	cmds[phase]++
	if ($NF == "SMMU_CMD_SYNC")
		syncs[phase]++
}
/vtd_inv_desc_iotlb_(global|domain|pages) / && arch == "x86" && phase > 0 {
	cmds[phase]++
}
/vtd_inv_desc_wait_(sw|irq) / && arch == "x86" && phase > 0 {
	syncs[phase]++
}
END {
	for (p = 1; p <= max; p++)
		printf "phase %d cmds %d syncs %d\n", p, cmds[p], syncs[p]
}
