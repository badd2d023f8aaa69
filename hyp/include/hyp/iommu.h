/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arm SMMUv3 driver of the hypervisor (hyp/iommu/smmuv3.c, docs/iommu.md).
 *
 * Lockstep owns the SMMU: the host never sees its registers. Every stream
 * starts aborted; a stream attached to the host translates through stage 2
 * with S2TTB = the host's CPU stage-2 root (one shared table), so a mapping
 * change needs only invalidation: CMD_TLBI_S2_IPA (range form if IDR3.RIL)
 * then CMD_SYNC, polled with a bounded timeout.
 *
 * Locking: the caller serialises every call on one struct smmu (the ownership
 * lock, hyp/mem). Errors are negative errno; bad arguments change nothing.
 * A command that does not complete in time (or an SMMU that entered service
 * failure mode) makes the driver "fail closed": it turns translation off with
 * GBPA.ABORT set, so every DMA aborts rather than using stale translations.
 */
#ifndef HYP_IOMMU_H
#define HYP_IOMMU_H

#include "hyp/hdom.h"
#include "hyp/own.h"
#include "hyp/pgtable.h"
#include "hyp/spinlock.h"
#include "hyp/types.h"

/* Table memory the caller should give smmu_init (queues, stream table, a few L2 tables). */
#define SMMU_MEM_DEFAULT (128U * 1024U)

/* Bounded polls (microseconds, via plat_udelay). */
#define SMMU_ACK_TIMEOUT_US  100000U  /* CR0ACK, IRQ_CTRLACK, GBPA.Update */
#define SMMU_SYNC_TIMEOUT_US 1000000U /* CMD_SYNC completion, queue space */

/* Largest queues the driver uses (capped by IDR1.CMDQS / EVENTQS). */
#define SMMU_CMDQ_LOG2_MAX	8U /* 256 commands, 4 KiB */
#define SMMU_EVTQ_LOG2_MAX	7U /* 128 records, 4 KiB */
/* 2-level stream table: SIDs per L2 table (a PCI bus), and the L1 cap. */
#define SMMU_STRTAB_SPLIT	8U
#define SMMU_STRTAB_L1_LOG2_MAX 12U /* 4096 L1 descriptors = 32 KiB: SIDs < 2^20 */
/*
 * Event log rate limit (docs/iommu.md "Events and global errors"), per key (StreamID,
 * event type, 4 KiB page of the input address): the first record of a key is logged
 * in full, repeats are counted in its slot; a "N more" line follows when the key comes
 * back after SMMU_EVT_QUIET_US of silence (then that record is logged in full again),
 * when a drain finds the key quiet that long, or when the slot is evicted (least
 * recently seen of SMMU_EVT_KEYS). Counting (struct smmu_stats) is always exact.
 */
#define SMMU_EVT_KEYS		16U
#define SMMU_EVT_QUIET_US	1000000ULL
/* Full lines per StreamID per drain (new keys of a scanning device); the rest summed. */
#define SMMU_EVT_LOG_MAX	8U
/*
 * Host streams (docs/iommu.md "Which streams"): at most this many StreamID ranges
 * (the loader's, boot.h LS_BOOT_MAX_SID_RANGES), at most SMMU_HOST_SIDS_MAX streams in
 * all: one PCI segment's requester IDs, 4 MiB of STEs in 256 L2 tables.
 */
#define SMMU_SID_RANGES_MAX	8U
#define SMMU_HOST_SIDS_MAX	(1U << 16)
/* Above this many commands, invalidate the whole VMID instead. */
#define SMMU_INVAL_MAX_CMDS	64U

struct smmu;

/* StreamIDs [base, base + nr). */
struct smmu_sid_range {
	u32 base;
	u32 nr;
};

/* One circular queue (SMMU 3.5.1): shadow PROD/CONS carry the wrap bit. */
struct smmu_queue {
	u64 pa;
	u8 *va;
	u32 log2n; /* 2^log2n entries */
	u32 ent_bytes;
	u32 prod; /* index | wrap << log2n */
	u32 cons;
	u32 prod_reg; /* register offsets */
	u32 cons_reg;
};

/* Counters, for logs, tests and the debug interface. */
struct smmu_stats {
	u64 cmds;	/* commands written to the queue */
	u64 syncs;	/* CMD_SYNCs seen complete */
	u64 timeouts;	/* polls that gave up */
	u64 cmd_errors; /* CMDQ_ERR handled (command skipped) */
	u64 gerrors;	/* global error bits acknowledged */
	u64 events;	/* event records drained */
	u64 faults;	/* of which translation/permission/access/address-size faults */
	u64 cfg_errors; /* of which C_BAD_* configuration errors */
	u64 evtq_overflows;
	u64 inval_ranges; /* CMD_TLBI_S2_IPA issued */
	u64 inval_vmall;  /* CMD_TLBI_S12_VMALL issued */
};

/* One key of the event log rate limit. */
struct smmu_evt_key {
	u64 page;     /* input address >> 12; 0 for events without one */
	u64 last_us;  /* last record of the key (plat_now_us) */
	u64 first_us; /* first record not logged since the last line */
	u64 more;     /* records counted, not logged, since the last line */
	u32 sid;
	u8 id;
	bool used;
};

/* A stage-2 context the SMMU walks: one VMID, one root (shared with the CPU). */
struct smmu_domain {
	struct smmu *smmu;
	u32 who; /* OWN_HOST or a VM id (own.h) */
	u16 vmid;
	bool live;  /* some stream uses it */
	u64 ste[4]; /* STE dwords 0-3 streams of this domain get */
};

struct smmu {
	/*
	 * Taken by the own.h ops and smmu_poll_events(): the ownership lock
	 * serialises the ops, but events are drained from any CPU's hypercall
	 * exit and abort trap. Lock order: own.host.lock, then this.
	 */
	struct hyp_spinlock lock;
	u64 base; /* MMIO physical base (64 KiB aligned), size >= 128 KiB */
	u64 size;
	u32 idr[6];
	u32 aidr;
	/* Decoded features. */
	u8 sid_bits; /* IDR1.SIDSIZE */
	u8 oas_bits; /* IDR5.OAS */
	u8 ias_bits; /* stage-2 input size (SMMU 3.4) */
	u8 bbml;     /* IDR3.BBML (0 when IDR3 predates v3.2) */
	bool ril;    /* IDR3.RIL: range TLBI */
	bool vmid16;
	bool hyp;	/* IDR0.HYP: EL2 TLB entries exist */
	bool two_level; /* the stream table we built */
	/* Table memory given by the caller (bump allocation, never freed). */
	u64 mem_pa;
	u64 mem_size;
	u64 mem_used;
	/* Stream table. */
	u64 strtab_pa;
	u8 strtab_log2; /* SIDs covered: [0, 2^strtab_log2) */
	u8 split;	/* 2-level: SID bits per L2 table */
	struct smmu_queue cmdq;
	struct smmu_queue evtq;
	u32 gerrorn; /* last value written to GERRORN */
	bool enabled;
	bool failed;	      /* failed closed: every call returns -EIO */
	bool cmd_err_pending; /* a command was skipped since the last smmu_sync() */
	bool host_dom;	      /* registered as a domain of the host view (own.h) */
	u32 dom_sids;	      /* registered with the core: streams [0, dom_sids) exist */
	u32 nr_dom_ranges;    /* of which these may join host DMA domains: */
	struct smmu_sid_range dom_ranges[SMMU_SID_RANGES_MAX];
	unsigned int host_dom_idx;
	struct smmu_domain host;
	struct smmu_stats st;
	struct smmu_evt_key evt_keys[SMMU_EVT_KEYS];
	u64 evt_lines; /* event lines logged (full and summaries), for tests */
};

/*
 * Probe, reset and enable the SMMU at [base, base + size) with its tables in
 * [mem_pa, mem_pa + mem_size) (hypervisor RAM, 4 KiB aligned, >= SMMU_MEM_DEFAULT
 * recommended). Afterwards translation is on and every stream aborts (and is
 * logged as C_BAD_STE / C_BAD_STREAMID) until attached.
 * -EINVAL bad arguments; -ENODEV the SMMU lacks what Lockstep needs (stage 2,
 * AArch64 tables, 4K granule, little-endian walks) and -ENOTSUP what this
 * driver does not do yet (non-coherent SMMU, preset tables): nothing written.
 * -ENOMEM tables do not fit: nothing written. -ETIMEDOUT / -EIO the SMMU did
 * not acknowledge: it is left disabled with GBPA.ABORT (all DMA aborts).
 */
int smmu_init(struct smmu *s, u64 base, u64 size, u64 mem_pa, u64 mem_size);

/*
 * Make streams [sid, sid + nr) translate through the host's stage 2 @s2 (its
 * root shared with the CPU) under @vmid. @vtcr is the VTCR_EL2 value the CPU
 * uses for @s2: its T0SZ, SL0, TG0, IRGN0/ORGN0/SH0 and PS are checked against
 * @s2 and the SMMU (IAS/OAS, BBML when @s2 swaps blocks without BBM) and copied
 * into the STE. A stream already translating is switched through abort
 * (SMMU 3.21.3). -EINVAL incompatible, -ERANGE SID out of the stream table,
 * -ENOMEM no L2 table memory, -ETIMEDOUT/-EIO command failure.
 */
int smmu_attach_host_s2(struct smmu *s, u32 sid, u32 nr, const struct pt *s2, u16 vmid, u64 vtcr);
/*
 * The boot-time call (hyp/iommu/smmu_host.c): register the SMMU as a shared
 * domain of the ownership core's host view (own_dom_attach, once) and attach
 * streams [sid, sid + nr) to that view's CPU stage 2 with @vtcr (the value
 * VTCR_EL2 gets). *dom_idx: the domain index. Call before the host runs.
 * Errors as smmu_attach_host_s2 and own_dom_attach; nothing stays registered
 * when the first attach fails.
 */
int smmu_attach_host(struct smmu *s, u32 sid, u32 nr, u16 vmid, u64 vtcr, unsigned int *dom_idx);
/*
 * Host DMA domains (own.h own_iommu_ops, docs/iommu.md). smmu_attach_pt: stream
 * @sid (< dom_sids) translates through the domain table @pt under @vmid (STE
 * fields derived from @pt; a live STE is switched through abort, SMMU 3.21.3).
 * -EPERM not a host stream, -EINVAL table the SMMU cannot walk (IA above IAS,
 * root beyond OAS, ...), -ERANGE/-ENOMEM/-EIO as smmu_attach_host_s2.
 * smmu_detach_to_host: back to the host's boot STE (identity view).
 */
int smmu_attach_pt(struct smmu *s, u32 sid, const struct pt *pt, u16 vmid);
int smmu_detach_to_host(struct smmu *s, u32 sid);
/*
 * Register @s with the core for host DMA domains (own_iommu_register): the streams
 * of the @n ranges @r (sorted, disjoint, as smmu_sid_ranges_check gives them), which
 * must be attached to the host already. The core is told streams [0, end of the last
 * range) exist; the driver refuses (-EPERM) the ones in no range. Call once at boot
 * after smmu_attach_host. -EINVAL / -EBUSY as own_iommu_register.
 */
int smmu_register_domains(struct smmu *s, const struct smmu_sid_range *r, u32 n);
/* Whether @sid is one of the host streams registered for DMA domains. */
bool smmu_is_dom_sid(const struct smmu *s, u32 sid);
/*
 * Validate the host stream ranges the loader described (boot.h smmu_sids): each must
 * be non-empty, below 2^@sid_bits (IDR1.SIDSIZE, or the stream table's size), not
 * overlap a range accepted before it, and keep the total within SMMU_HOST_SIDS_MAX.
 * A bad range is logged with the reason and skipped; the others are written to @out
 * sorted by base. Returns how many were accepted, or -EINVAL (@n above
 * SMMU_SID_RANGES_MAX, NULL pointers, @sid_bits 0 or above 32).
 */
int smmu_sid_ranges_check(const struct smmu_sid_range *in, u32 n, u32 sid_bits,
			  struct smmu_sid_range *out);
/*
 * Bytes of L2 stream tables (2-level, SMMU_STRTAB_SPLIT SIDs per table) the @n ranges
 * @r (sorted, disjoint) need: one table per span of 2^SMMU_STRTAB_SPLIT SIDs they touch.
 */
u64 smmu_sid_ranges_l2_bytes(const struct smmu_sid_range *r, u32 n);
/* The ops smmu_register_domains gives the core (drv = struct smmu *). */
extern const struct own_iommu_ops smmu_own_iommu_ops;

/* Abort streams [sid, sid + nr) again (invalid STE: logged C_BAD_STE). */
int smmu_detach(struct smmu *s, u32 sid, u32 nr);

/*
 * Invalidate the SMMU's stage-2 TLB and walk caches for [ipa, ipa + size) of
 * @vmid and wait for completion (CMD_SYNC). @level: level (1..3) of every
 * leaf that changed, used as TTL hint in the range form; 0 when unknown or when
 * table entries changed. Call after the CPU side (see docs/iommu.md) and
 * before the hypercall returns.
 */
int smmu_inval_ipa_range(struct smmu *s, u16 vmid, u64 ipa, u64 size, unsigned int level);
/* Every stage-1/2 entry of @vmid (CMD_TLBI_S12_VMALL) + CMD_SYNC. */
int smmu_inval_vmid(struct smmu *s, u16 vmid);
/* Queue the invalidations of a gather (no wait); smmu_sync() completes them. */
int smmu_inval_gather(struct smmu *s, u16 vmid, const struct pt_gather *g);
/* CMD_SYNC and wait until every command before it has completed. */
int smmu_sync(struct smmu *s);

/*
 * Drain the event queue: decode and log each record, count it. Also handles
 * global errors. Returns the number of records drained or -errno.
 */
int smmu_drain_events(struct smmu *s);
/*
 * The cheap check for the hypercall exit and abort trap paths, callable on any
 * CPU at any time after smmu_init() succeeded: two register reads (EVENTQ_PROD,
 * GERROR) against the shadows; only when something is pending, take s->lock
 * and drain. Returns records drained (0 when nothing was pending) or -errno.
 */
int smmu_poll_events(struct smmu *s);
/* Log and acknowledge active GERROR bits; returns how many were active. */
int smmu_handle_gerror(struct smmu *s);

/*
 * own.h view invalidation ops for a domain sharing the CPU stage 2:
 * own_dom_attach(who, false, PT_FMT_ARM64_S2, true, &smmu_own_inval_ops,
 * &s->host, ...). invalidate() queues CMD_TLBI_S2_IPA per gathered range,
 * sync() issues CMD_SYNC and waits; a failure fails the SMMU closed.
 */
extern const struct own_inval_ops smmu_own_inval_ops;

/* Read a live STE (tests, debug): 0 and 8 dwords, or -ERANGE / -ENOENT (no L2). */
int smmu_read_ste(const struct smmu *s, u32 sid, u64 out[8]);

#endif /* HYP_IOMMU_H */
