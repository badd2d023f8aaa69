// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SMMUv3 in the arm64 boot path (docs/iommu.md "Taking the SMMU over",
 * docs/arm64.md boot steps). The driver is hyp/iommu; this file decides where
 * the SMMU is, gives it table memory, keeps its frame out of the host stage-2
 * and in the EL2 stage-1, attaches the host's streams to the host stage-2 and
 * polls the event queue on the host's way back from EL2.
 *
 * Discovery is the loader's (boot.h: smmu_base/smmu_size from the DT
 * "arm,smmu-v3" node or the ACPI IORT SMMUv3 node). No SMMU, a frame that
 * overlaps RAM or the hypervisor, or an SMMU the driver refuses without
 * touching it: Lockstep continues without (LS_FEAT_SMMU off) and the frame
 * stays the host's. An SMMU that was touched and then failed is left disabled
 * with GBPA.ABORT and stays hidden (DMA aborts rather than bypasses).
 */
#include <errno.h>
#include <stddef.h>

#include "arm64/arm64.h"
#include "arm64/el2.h"
#include "arm64/iommu.h"
#include "arm64/ram.h"
#include "hyp/hvc.h"
#include "hyp/iommu.h"
#include "hyp/hdom.h"
#include "hyp/own.h"
#include "hyp/plat.h"

#include <lockstep/abi.h>
#include <lockstep/boot.h>

/*
 * Streams the host uses: the StreamID ranges the loader read from the IORT ID mappings
 * or the DT iommu-map / iommus (boot.h smmu_sids). Without them (older loader, or
 * nothing described): SIDs 0..255, which on QEMU virt are PCI bus 0's requester IDs.
 */
#define ARM64_SMMU_FALLBACK_NR	256U
#define ARM64_SMMU_MEM_ALIGN	0x10000ULL /* queues and stream table sized <= 64 KiB */
#define ARM64_SMMU_MEM		((u64)SMMU_MEM_DEFAULT) /* + the L2 stream tables */
/* Largest stream table the driver builds: SIDs below 2^20 (iommu.h). */
#define ARM64_SMMU_SID_BITS_MAX (SMMU_STRTAB_SPLIT + SMMU_STRTAB_L1_LOG2_MAX)

_Static_assert(SMMU_SID_RANGES_MAX == LS_BOOT_MAX_SID_RANGES, "loader and driver range counts");

enum arm64_smmu_state {
	ARM64_SMMU_NONE,   /* no SMMU described, or refused untouched: the host keeps it */
	ARM64_SMMU_FOUND,  /* frame valid, memory carved: to be taken */
	ARM64_SMMU_LIVE,   /* taken: host streams on the host stage-2 */
	ARM64_SMMU_BROKEN, /* touched then failed: disabled, GBPA.ABORT, hidden */
};

static struct smmu arm64_smmu;
static enum arm64_smmu_state arm64_smmu_state;
static u64 arm64_smmu_base, arm64_smmu_size, arm64_smmu_mem, arm64_smmu_mem_size;
static struct smmu_sid_range arm64_smmu_sids[SMMU_SID_RANGES_MAX];
static u32 arm64_smmu_nr_sids, arm64_smmu_loader_sids; /* accepted, given by the loader */
static u64 arm64_smmu_host_mmio;		       /* host accesses to the frame refused */

static bool smmu_overlaps(u64 a, u64 asz, u64 b, u64 bsz)
{
	return a < b + bsz && b < a + asz;
}

/*
 * The host's streams: the loader's ranges, checked against the largest stream table
 * the driver builds (the SMMU's own SIDSIZE is checked again once it is probed), or
 * SIDs 0..255 when the loader gave none.
 */
static void arm64_smmu_pick_sids(const struct ls_boot_info *bi)
{
	struct smmu_sid_range in[SMMU_SID_RANGES_MAX];
	u32 n = 0;
	int k;

	if (bi->size >= offsetof(struct ls_boot_info, smmu_sids) + sizeof(bi->smmu_sids))
		n = bi->nr_smmu_sids;
	arm64_smmu_loader_sids = n;
	if (!n) {
		plat_log("smmu: warning: the loader passed no StreamID ranges: falling back to "
			 "streams 0..0x%x (PCI bus 0 on QEMU virt)",
			 ARM64_SMMU_FALLBACK_NR - 1);
		arm64_smmu_sids[0] = (struct smmu_sid_range){ 0, ARM64_SMMU_FALLBACK_NR };
		arm64_smmu_nr_sids = 1;
		return;
	}
	if (n > SMMU_SID_RANGES_MAX) {
		plat_log("smmu: the loader claims %u StreamID ranges (at most %u): refusing all; "
			 "no host stream will be attached",
			 n, SMMU_SID_RANGES_MAX);
		arm64_smmu_nr_sids = 0;
		return;
	}
	for (u32 i = 0; i < n; i++) {
		in[i].base = bi->smmu_sids[i].base;
		in[i].nr = bi->smmu_sids[i].count;
		plat_log("smmu: loader's StreamIDs (%s): 0x%x..0x%llx",
			 bi->smmu_sid_src == LS_BOOT_SID_FROM_IORT ? "IORT" :
			 bi->smmu_sid_src == LS_BOOT_SID_FROM_DT   ? "DT" :
								     "?",
			 in[i].base, (unsigned long long)in[i].base + in[i].nr - 1);
	}
	k = smmu_sid_ranges_check(in, n, ARM64_SMMU_SID_BITS_MAX, arm64_smmu_sids);
	arm64_smmu_nr_sids = k > 0 ? (u32)k : 0;
	if (!arm64_smmu_nr_sids)
		plat_log("smmu: none of the loader's %u StreamID ranges is usable: no host stream "
			 "will be attached",
			 n);
}

static int arm64_smmu_discover(const struct ls_boot_info *bi, unsigned int pa_bits, u64 *pool_at,
			       u64 pool_end)
{
	u64 base, size, mem, msize;

	arm64_smmu_state = ARM64_SMMU_NONE;
	if (bi->size < offsetof(struct ls_boot_info, smmu_size) + sizeof(bi->smmu_size) ||
	    !bi->smmu_base) {
		plat_log("smmu: none described by the loader: DMA is not isolated");
		return 0;
	}
	base = bi->smmu_base;
	size = bi->smmu_size;
	/* SMMU 6.1: two 64 KiB pages (page 1 holds EVENTQ PROD/CONS), 64 KiB aligned. */
	if (!IS_ALIGNED(base, 0x10000) || !IS_ALIGNED(size, PAGE_SIZE) || size < 0x20000 ||
	    base + size < base || base + size > (1ULL << pa_bits) ||
	    smmu_overlaps(base, size, bi->hyp_base, bi->hyp_size) ||
	    arm64_is_ram(base, PAGE_SIZE) || arm64_is_ram(base + size - PAGE_SIZE, PAGE_SIZE)) {
		plat_log("smmu: loader's frame %#llx+%#llx is not a valid SMMUv3 frame (64 KiB "
			 "aligned, >= 128 KiB, not RAM, inside the %u-bit PA space): ignored",
			 (unsigned long long)base, (unsigned long long)size, pa_bits);
		return 0;
	}
	for (unsigned int i = 0; i < bi->nr_mem; i++)
		if (smmu_overlaps(base, size, bi->mem[i].base, bi->mem[i].size)) {
			plat_log("smmu: frame %#llx+%#llx overlaps RAM: ignored",
				 (unsigned long long)base, (unsigned long long)size);
			return 0;
		}
	arm64_smmu_pick_sids(bi);
	/*
	 * Table memory: from the hypervisor's pool, before the host's tables take the rest:
	 * queues, L1 table and slack, plus one L2 table per 256-SID span the streams touch.
	 */
	msize = ARM64_SMMU_MEM + smmu_sid_ranges_l2_bytes(arm64_smmu_sids, arm64_smmu_nr_sids);
	mem = ALIGN_UP(*pool_at, ARM64_SMMU_MEM_ALIGN);
	if (mem + msize > pool_end || mem + msize < mem) {
		plat_log("smmu: table pool too small for %llu KiB of SMMU tables: not taken",
			 (unsigned long long)(msize >> 10));
		return 0;
	}
	/*
	 * The loader hides the SMMU from the host's description (boot.h smmu_hide). If it
	 * could not, Linux's own SMMU driver will probe the frame and get aborts: the SMMU
	 * is taken anyway (DMA isolation first) and the log says why the host may fail.
	 */
	if (bi->size >= offsetof(struct ls_boot_info, smmu_hide) + sizeof(bi->smmu_hide) &&
	    (bi->smmu_hide & LS_BOOT_SMMU_VISIBLE))
		plat_log("smmu: the loader could not hide it from the host's description: Linux "
			 "will find it and its accesses will be refused (boot with "
			 "initcall_blacklist=arm_smmu_driver_init)");
	*pool_at = mem + msize;
	arm64_smmu_base = base;
	arm64_smmu_size = size;
	arm64_smmu_mem = mem;
	arm64_smmu_mem_size = msize;
	arm64_smmu_state = ARM64_SMMU_FOUND;
	return 0;
}

/*
 * What the SMMU will walk, read back from the stream table itself (not from the driver's
 * state): every host stream's STE, S2TTB (SMMUv3 IHI 0070 5.2 "Stream Table Entry": STE
 * bits [243:196], dword 3 bits [51:4]) and S2VMID (STE bits [143:128], dword 2 bits [15:0]).
 * The smmu-dma suite compares the S2TTB with the VTTBR_EL2 each CPU loaded (cpu.c): one
 * table for the CPU and the SMMU.
 */
static void arm64_smmu_log_stes(const struct smmu_sid_range *sids, u32 nr, u64 root)
{
	u64 ste[8], ttb = 0, n = 0, bad = 0;
	u32 vmid = 0;

	for (u32 i = 0; i < nr; i++) {
		for (u32 sid = sids[i].base; sid < sids[i].base + sids[i].nr; sid++) {
			if (smmu_read_ste(&arm64_smmu, sid, ste)) {
				bad++;
				continue;
			}
			if (!n++) {
				ttb = ste[3] & 0x000ffffffffffff0ULL;
				vmid = (u32)(ste[2] & 0xffffU);
			} else if ((ste[3] & 0x000ffffffffffff0ULL) != ttb ||
				   (u32)(ste[2] & 0xffffU) != vmid) {
				bad++;
			}
		}
	}
	plat_log("smmu: stream table: %llu host STEs read back, S2TTB %#llx S2VMID %u, %llu "
		 "differing or unreadable (host stage-2 root %#llx)",
		 (unsigned long long)n, (unsigned long long)ttb, vmid, (unsigned long long)bad,
		 (unsigned long long)root);
}

static int arm64_smmu_map_el2(struct pt *s1)
{
	if (arm64_smmu_state != ARM64_SMMU_FOUND)
		return 0;
	/* Device-nGnRE at EL2: every invalidation after the switch to our stage-1 uses it. */
	return pt_map(s1, arm64_smmu_base, arm64_smmu_size, arm64_smmu_base, PT_RW | PT_DEVICE,
		      NULL);
}

/* Give the frame back to the host stage-2 (the SMMU was refused untouched). */
static void smmu_give_back(struct pt *s2)
{
	int ret = pt_map(s2, arm64_smmu_base, arm64_smmu_size, arm64_smmu_base, PT_RW | PT_DEVICE,
			 NULL);

	if (ret)
		plat_log("smmu: could not map the frame back for the host (%d): it stays hidden",
			 ret);
}

static void arm64_smmu_take(u64 vtcr)
{
	struct pt *s2 = (struct pt *)&own_view_of(OWN_HOST)->cpu;
	struct smmu_sid_range sids[SMMU_SID_RANGES_MAX];
	unsigned int idx = 0;
	u32 nr, total = 0;
	int ret, k;

	if (arm64_smmu_state != ARM64_SMMU_FOUND)
		return;
	/*
	 * Out of the host stage-2 first: from here a host access to the frame faults to
	 * EL2 (trap.c logs it and injects an abort). The host has not run yet.
	 */
	ret = pt_unmap(s2, arm64_smmu_base, arm64_smmu_size, NULL);
	if (ret) {
		plat_log("smmu: could not unmap the frame from the host stage-2 (%d): not taken",
			 ret);
		arm64_smmu_state = ARM64_SMMU_NONE;
		return;
	}
	ret = smmu_init(&arm64_smmu, arm64_smmu_base, arm64_smmu_size, arm64_smmu_mem,
			arm64_smmu_mem_size);
	if (ret == -EINVAL || ret == -ENODEV || ret == -ENOTSUP || ret == -ENOMEM) {
		/* smmu_init wrote nothing: leave the SMMU to the host. */
		plat_log("smmu: refused (%d), left untouched for the host: DMA is not isolated",
			 ret);
		smmu_give_back(s2);
		arm64_smmu_state = ARM64_SMMU_NONE;
		return;
	}
	if (ret) {
		plat_log("smmu: reset failed (%d): disabled with GBPA.ABORT, hidden from the host; "
			 "all DMA aborts",
			 ret);
		arm64_smmu_state = ARM64_SMMU_BROKEN;
		return;
	}
	/*
	 * The SMMU walks the host stage-2 too: splits and merges may skip
	 * break-before-make only if it has BBML2 (SMMU IDR3.BBML); boot.c decided
	 * for the CPU, the weaker of the two wins.
	 */
	if (s2->bbm_free && arm64_smmu.bbml < 2) {
		s2->bbm_free = false;
		plat_log("smmu: BBML %u: host stage-2 splits and merges break before make "
			 "(DMA to a neighbour page may fault during one)",
			 arm64_smmu.bbml);
	}
	/* The ranges against this SMMU's SIDSIZE (the stream table covers 2^strtab_log2). */
	k = smmu_sid_ranges_check(arm64_smmu_sids, arm64_smmu_nr_sids, arm64_smmu.strtab_log2,
				  sids);
	nr = k > 0 ? (u32)k : 0;
	if (!nr) {
		plat_log("smmu: no usable host stream range: every stream aborts; the SMMU stays "
			 "hidden, DMA isolation is not advertised");
		arm64_smmu_state = ARM64_SMMU_BROKEN;
		return;
	}
	/* VMID 0: the host's VMID in VTTBR_EL2 (boot.c). */
	for (u32 i = 0; i < nr; i++) {
		ret = smmu_attach_host(&arm64_smmu, sids[i].base, sids[i].nr, 0, vtcr, &idx);
		if (ret) {
			plat_log("smmu: attaching the host's streams 0x%x..0x%x failed (%d): every "
				 "stream aborts, the SMMU stays hidden",
				 sids[i].base, sids[i].base + sids[i].nr - 1, ret);
			smmu_detach(&arm64_smmu, 0, 1U << arm64_smmu.strtab_log2);
			arm64_smmu_state = ARM64_SMMU_BROKEN;
			return;
		}
		total += sids[i].nr;
	}
	/*
	 * Host DMA domains (LS_HVC_IOMMU_*): the same streams, the ones the host
	 * uses and whose boot STE a detach restores. A refusal only leaves the
	 * domain calls unavailable (LS_ENOTSUP): the identity view stays.
	 */
	ret = smmu_register_domains(&arm64_smmu, sids, nr);
	if (ret)
		plat_log("smmu: host DMA domains unavailable (%d)", ret);
	for (u32 i = 0; i < nr; i++)
		plat_log("smmu: host streams %#x..%#x (%s)", sids[i].base,
			 sids[i].base + sids[i].nr - 1,
			 arm64_smmu_loader_sids ? "from the loader" : "fallback");
	plat_log("smmu: taken at %#llx+%#llx: streams %#x..%#x%s -> host stage-2 (root %#llx, "
		 "VMID 0, shared with the CPU, own.h domain %u); %u host streams in %u range%s, "
		 "%llu/%llu bytes of table memory; frame unmapped from the host",
		 (unsigned long long)arm64_smmu_base, (unsigned long long)arm64_smmu_size,
		 sids[0].base, sids[0].base + sids[0].nr - 1, nr > 1 ? " and more" : "",
		 (unsigned long long)pt_root_pa(s2), idx, total, nr, nr == 1 ? "" : "s",
		 (unsigned long long)arm64_smmu.mem_used, (unsigned long long)arm64_smmu.mem_size);
	arm64_smmu_log_stes(sids, nr, pt_root_pa(s2));
	arm64_smmu_state = ARM64_SMMU_LIVE;
}

static u64 arm64_smmu_features(void)
{
	/*
	 * A live SMMU is coherent (smmu_init refuses IDR0.COHACC = 0) and a DMA
	 * domain's stream is forced to Normal write-back (smmu_attach_pt).
	 */
	return arm64_smmu_state == ARM64_SMMU_LIVE ? LS_FEAT_SMMU | LS_FEAT_DMA_COHERENT : 0;
}

static void arm64_smmu_poll(void)
{
	if (arm64_smmu_state == ARM64_SMMU_LIVE)
		smmu_poll_events(&arm64_smmu);
}

static bool arm64_smmu_host_abort(u64 ipa, bool write)
{
	if (arm64_smmu_state == ARM64_SMMU_NONE || ipa < arm64_smmu_base ||
	    ipa - arm64_smmu_base >= arm64_smmu_size)
		return false;
	__atomic_fetch_add(&arm64_smmu_host_mmio, 1, __ATOMIC_RELAXED);
	plat_log("cpu %u: host %s of SMMU register %#llx refused (the SMMU is Lockstep's)",
		 arm64_this_cpu()->idx, write ? "write" : "read",
		 (unsigned long long)(ipa - arm64_smmu_base));
	return true;
}

/* LS_HVC_SMMU_STATS: x1 = counter id; x1 = value, x2 = LS_SMMU_STAT_NR. */
static int arm64_smmu_stat(u64 id, u64 *val)
{
	const struct smmu_stats *st = &arm64_smmu.st;
	u64 v[LS_SMMU_STAT_NR];

	if (arm64_smmu_state == ARM64_SMMU_NONE || arm64_smmu_state == ARM64_SMMU_FOUND)
		return -ENOENT;
	if (id >= LS_SMMU_STAT_NR)
		return -EINVAL;
	/* Count what the SMMU has recorded up to now, not up to the last exit. */
	arm64_smmu_poll();
	/* A consistent snapshot: the counters change under the lock (drains, own.h ops). */
	hyp_spin_lock(&arm64_smmu.lock);
	v[LS_SMMU_STAT_EVENTS] = st->events;
	v[LS_SMMU_STAT_FAULTS] = st->faults;
	v[LS_SMMU_STAT_CFG_ERRORS] = st->cfg_errors;
	v[LS_SMMU_STAT_GERRORS] = st->gerrors;
	v[LS_SMMU_STAT_OVERFLOWS] = st->evtq_overflows;
	v[LS_SMMU_STAT_CMDS] = st->cmds;
	v[LS_SMMU_STAT_SYNCS] = st->syncs;
	v[LS_SMMU_STAT_INVAL_IPA] = st->inval_ranges;
	v[LS_SMMU_STAT_INVAL_ALL] = st->inval_vmall;
	v[LS_SMMU_STAT_TIMEOUTS] = st->timeouts;
	v[LS_SMMU_STAT_HOST_MMIO] = __atomic_load_n(&arm64_smmu_host_mmio, __ATOMIC_RELAXED);
	v[LS_SMMU_STAT_FAILED] = arm64_smmu.failed || arm64_smmu_state != ARM64_SMMU_LIVE;
	v[LS_SMMU_STAT_STREAMS] = arm64_smmu.dom_sids; /* end of the last host stream range */
	hyp_spin_unlock(&arm64_smmu.lock);
	*val = v[id];
	return 0;
}

const struct arm64_iommu_ops arm64_smmuv3_ops = {
	.name = "SMMUv3",
	.discover = arm64_smmu_discover,
	.map_el2 = arm64_smmu_map_el2,
	.take = arm64_smmu_take,
	.features = arm64_smmu_features,
	.poll = arm64_smmu_poll,
	.host_abort = arm64_smmu_host_abort,
	.stat = arm64_smmu_stat,
};
