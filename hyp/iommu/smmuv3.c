// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arm SMMUv3 driver: probe, reset, stream table, command and event queues,
 * stage-2 STEs sharing the host's CPU stage-2 table, and invalidation.
 * Spec: Arm IHI 0070 (SMMUv3), see smmuv3_regs.h for the section map.
 *
 * Memory ordering: queue entries and STEs are normal memory; the SMMU sees
 * them once it observes a later register write, because plat_write32() orders
 * every earlier normal-memory store before the register store (DMB OSHST;
 * plat.h). The driver therefore never relies on the SMMU reading memory
 * "soon": every structure change is followed by a command (PROD write) and
 * a CMD_SYNC.
 */
#include <errno.h>

#include "hyp/iommu.h"
#include "hyp/plat.h"
#include "smmuv3_regs.h"

/* ---- MMIO and polling ----------------------------------------------------- */

static u32 smmu_rd32(const struct smmu *s, u32 off)
{
	return plat_read32(s->base + off);
}

static void smmu_wr32(const struct smmu *s, u32 off, u32 val)
{
	plat_write32(s->base + off, val);
}

static void smmu_wr64(const struct smmu *s, u32 off, u64 val)
{
	plat_write64(s->base + off, val);
}

/* Wait until (reg & mask) == want, at most @us microseconds. */
static int smmu_poll(struct smmu *s, u32 off, u32 mask, u32 want, u32 us, const char *what)
{
	u32 v = 0;

	for (u32 t = 0; t <= us; t++) {
		v = smmu_rd32(s, off);
		if ((v & mask) == want)
			return 0;
		plat_udelay(1);
	}
	s->st.timeouts++;
	plat_log("smmu: timeout waiting for %s (reg 0x%x = 0x%x, mask 0x%x, want 0x%x)", what, off,
		 v, mask, want);
	return -ETIMEDOUT;
}

/* CR0 write then CR0ACK poll (SMMU 6.3.9/6.3.10: a change is complete when ACK matches). */
static int smmu_write_cr0(struct smmu *s, u32 val)
{
	smmu_wr32(s, SMMU_CR0, val);
	return smmu_poll(s, SMMU_CR0ACK, 0xffffffffU, val, SMMU_ACK_TIMEOUT_US, "CR0ACK");
}

/*
 * Fail closed: something the isolation depends on did not complete (a
 * CMD_SYNC, an acknowledge) or the SMMU reports service failure. Turn
 * translation off; GBPA.ABORT (set at init) then aborts every transaction.
 */
static void smmu_fail_closed(struct smmu *s, const char *why)
{
	if (!s->failed)
		plat_log("smmu: FAILING CLOSED (%s): translation off, all DMA aborts", why);
	s->failed = true;
	s->enabled = false;
	smmu_wr32(s, SMMU_CR0, 0);
}

/* ---- Table memory ------------------------------------------------------- */

static u64 smmu_align_up(u64 v, u64 a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Bytes needed from mem_used to allocate @bytes aligned to @align (a power of two). */
static u64 smmu_mem_cost(const struct smmu *s, u64 used, u64 bytes, u64 align)
{
	return smmu_align_up(s->mem_pa + used, align) - s->mem_pa + bytes;
}

/* Zeroed, naturally aligned allocation; 0 when the region is exhausted. */
static u64 smmu_mem_alloc(struct smmu *s, u64 bytes, u64 align)
{
	u64 end = smmu_mem_cost(s, s->mem_used, bytes, align);
	u64 pa;
	u8 *va;

	if (end > s->mem_size)
		return 0;
	pa = s->mem_pa + end - bytes;
	va = plat_phys_to_virt(pa);
	for (u64 i = 0; i < bytes; i++)
		va[i] = 0;
	s->mem_used = end;
	return pa;
}

/* ---- Command queue (SMMU 3.5, 4) ------------------------------------------- */

static u32 smmu_q_idx(const struct smmu_queue *q, u32 p)
{
	return p & ((1U << q->log2n) - 1);
}

static u32 smmu_q_wrap(const struct smmu_queue *q, u32 p)
{
	return p & (1U << q->log2n);
}

static u32 smmu_q_inc(const struct smmu_queue *q, u32 p)
{
	return (p + 1) & ((2U << q->log2n) - 1);
}

static bool smmu_q_full(const struct smmu_queue *q)
{
	return smmu_q_idx(q, q->prod) == smmu_q_idx(q, q->cons) &&
	       smmu_q_wrap(q, q->prod) != smmu_q_wrap(q, q->cons);
}

static volatile u64 *smmu_q_slot(const struct smmu_queue *q, u32 p)
{
	return (volatile u64 *)(void *)(q->va + (u64)smmu_q_idx(q, p) * q->ent_bytes);
}

static const char *smmu_cerror_name(u32 e)
{
	switch (e) {
	case CERROR_NONE:
		return "none";
	case CERROR_ILL:
		return "CERROR_ILL (illegal command)";
	case CERROR_ABT:
		return "CERROR_ABT (abort reading the command)";
	case CERROR_ATC_INV_SYNC:
		return "CERROR_ATC_INV_SYNC";
	default:
		return "unknown";
	}
}

/*
 * SMMU 7.1: on a command error the SMMU stops with CONS at the failed command
 * and raises GERROR.CMDQ_ERR. Log it, overwrite the command with a CMD_SYNC
 * (harmless, so the queue can go on) and acknowledge via GERRORN.
 */
static void smmu_cmdq_skip_error(struct smmu *s)
{
	struct smmu_queue *q = &s->cmdq;
	u32 cons = smmu_rd32(s, q->cons_reg);
	volatile u64 *slot = smmu_q_slot(q, cons);

	plat_log("smmu: command error %s at CONS %u: cmd 0x%016llx 0x%016llx (opcode 0x%02llx)",
		 smmu_cerror_name((u32)FIELD_GET(CMDQ_CONS_ERR, cons)), smmu_q_idx(q, cons),
		 (unsigned long long)slot[0], (unsigned long long)slot[1],
		 (unsigned long long)FIELD_GET(CMD0_OP, slot[0]));
	slot[1] = 0;
	slot[0] = FIELD_PREP(CMD0_OP, CMD_SYNC) | FIELD_PREP(CMD0_SYNC_CS, SYNC_CS_NONE);
	s->st.cmd_errors++;
	s->cmd_err_pending = true; /* the next smmu_sync() reports it, whoever found it */
	s->gerrorn ^= (u32)GERROR_CMDQ_ERR;
	smmu_wr32(s, SMMU_GERRORN, s->gerrorn); /* orders the rewritten slot before resume */
}

/* Refresh the shadow CONS; returns true if a command error was handled. */
static bool smmu_cmdq_update_cons(struct smmu *s)
{
	struct smmu_queue *q = &s->cmdq;
	u32 gerror = smmu_rd32(s, SMMU_GERROR);
	bool err = false;

	if ((gerror ^ s->gerrorn) & GERROR_CMDQ_ERR) {
		smmu_cmdq_skip_error(s);
		err = true;
	}
	q->cons = smmu_rd32(s, q->cons_reg) & ((2U << q->log2n) - 1);
	return err;
}

/* Wait for room for one command (publishing what is queued so the SMMU can go on). */
static int smmu_cmdq_wait_space(struct smmu *s)
{
	struct smmu_queue *q = &s->cmdq;

	for (u32 t = 0; t <= SMMU_SYNC_TIMEOUT_US; t++) {
		smmu_cmdq_update_cons(s);
		if (!smmu_q_full(q))
			return 0;
		smmu_wr32(s, q->prod_reg, q->prod);
		plat_udelay(1);
	}
	s->st.timeouts++;
	plat_log("smmu: command queue full for %u us (prod 0x%x cons 0x%x)", SMMU_SYNC_TIMEOUT_US,
		 q->prod, q->cons);
	return -ETIMEDOUT;
}

/* Write one command into the next slot (not yet visible: PROD is written later). */
static int smmu_cmdq_push(struct smmu *s, u64 d0, u64 d1)
{
	struct smmu_queue *q = &s->cmdq;
	volatile u64 *slot;

	if (s->failed)
		return -EIO;
	if (smmu_q_full(q)) {
		int ret = smmu_cmdq_wait_space(s);

		if (ret) {
			smmu_fail_closed(s, "command queue stuck");
			return ret;
		}
	}
	slot = smmu_q_slot(q, q->prod);
	slot[0] = d0;
	slot[1] = d1;
	q->prod = smmu_q_inc(q, q->prod);
	s->st.cmds++;
	return 0;
}

/* Make queued commands visible (the register write orders the slot stores first). */
static void smmu_cmdq_publish(struct smmu *s)
{
	smmu_wr32(s, s->cmdq.prod_reg, s->cmdq.prod);
}

/*
 * CMD_SYNC with CS=SIG_NONE (SMMU 4.7): it is consumed only once every
 * earlier command has completed, and its completion is seen as CONS moving
 * past it. We are the only producer and always wait for an empty queue, so
 * "CONS == PROD" after the SYNC is exactly "the SYNC has completed".
 */
int smmu_sync(struct smmu *s)
{
	struct smmu_queue *q = &s->cmdq;
	bool had_err = false;
	int ret;

	if (s->failed)
		return -EIO;
	ret = smmu_cmdq_push(
		s, FIELD_PREP(CMD0_OP, CMD_SYNC) | FIELD_PREP(CMD0_SYNC_CS, SYNC_CS_NONE), 0);
	if (ret)
		return ret;
	smmu_cmdq_publish(s);
	for (u32 t = 0; t <= SMMU_SYNC_TIMEOUT_US; t++) {
		if (smmu_cmdq_update_cons(s))
			had_err = true;
		if (q->cons == q->prod) {
			s->st.syncs++;
			had_err = had_err || s->cmd_err_pending;
			s->cmd_err_pending = false;
			return had_err ? -EIO : 0;
		}
		plat_udelay(1);
	}
	s->st.timeouts++;
	plat_log("smmu: CMD_SYNC did not complete in %u us (prod 0x%x cons 0x%x)",
		 SMMU_SYNC_TIMEOUT_US, q->prod, q->cons);
	smmu_fail_closed(s, "CMD_SYNC timeout");
	return -ETIMEDOUT;
}

static int smmu_cmd_cfgi_ste(struct smmu *s, u32 sid)
{
	/* Leaf = 0: also any cached L1 descriptor that located this STE (SMMU 4.3.1). */
	return smmu_cmdq_push(s, FIELD_PREP(CMD0_OP, CMD_CFGI_STE) | FIELD_PREP(CMD0_CFGI_SID, sid),
			      0);
}

static int smmu_cmd_cfgi_all(struct smmu *s)
{
	return smmu_cmdq_push(s, FIELD_PREP(CMD0_OP, CMD_CFGI_STE_RANGE),
			      FIELD_PREP(CMD1_CFGI_RANGE, CMD_CFGI_ALL_RANGE));
}

/* ---- Event queue and global errors (SMMU 7) ------------------------------- */

static const char *smmu_evt_name(u32 id)
{
	switch (id) {
	case EVT_F_UUT:
		return "F_UUT";
	case EVT_C_BAD_STREAMID:
		return "C_BAD_STREAMID";
	case EVT_F_STE_FETCH:
		return "F_STE_FETCH";
	case EVT_C_BAD_STE:
		return "C_BAD_STE";
	case EVT_F_BAD_ATS_TREQ:
		return "F_BAD_ATS_TREQ";
	case EVT_F_STREAM_DISABLED:
		return "F_STREAM_DISABLED";
	case EVT_F_TRANSL_FORBIDDEN:
		return "F_TRANSL_FORBIDDEN";
	case EVT_C_BAD_SUBSTREAMID:
		return "C_BAD_SUBSTREAMID";
	case EVT_F_CD_FETCH:
		return "F_CD_FETCH";
	case EVT_C_BAD_CD:
		return "C_BAD_CD";
	case EVT_F_WALK_EABT:
		return "F_WALK_EABT";
	case EVT_F_TRANSLATION:
		return "F_TRANSLATION";
	case EVT_F_ADDR_SIZE:
		return "F_ADDR_SIZE";
	case EVT_F_ACCESS:
		return "F_ACCESS";
	case EVT_F_PERMISSION:
		return "F_PERMISSION";
	case EVT_F_TLB_CONFLICT:
		return "F_TLB_CONFLICT";
	case EVT_F_CFG_CONFLICT:
		return "F_CFG_CONFLICT";
	case EVT_E_PAGE_REQUEST:
		return "E_PAGE_REQUEST";
	case EVT_F_VMS_FETCH:
		return "F_VMS_FETCH";
	default:
		return "IMPDEF/unknown";
	}
}

static bool smmu_evt_is_fault(u32 id)
{
	return id == EVT_F_TRANSLATION || id == EVT_F_ADDR_SIZE || id == EVT_F_ACCESS ||
	       id == EVT_F_PERMISSION || id == EVT_F_WALK_EABT;
}

/* One record in full (SMMU 7.3). */
static void smmu_evt_print(struct smmu *s, const u64 e[EVT_DWORDS])
{
	u32 id = (u32)FIELD_GET(EVT0_ID, e[0]);
	u32 sid = (u32)FIELD_GET(EVT0_SID, e[0]);

	s->evt_lines++;
	switch (id) {
	case EVT_F_TRANSLATION:
	case EVT_F_ADDR_SIZE:
	case EVT_F_ACCESS:
	case EVT_F_PERMISSION:
	case EVT_F_WALK_EABT:
		/* SMMU 7.3.12-7.3.15: input address, IPA, direction, stage. */
		plat_log(
			"smmu: event %s sid 0x%x%s addr 0x%llx ipa 0x%llx %s%s%s stage %u class %u",
			smmu_evt_name(id), sid, (e[0] & EVT0_SSV) ? " (ssid valid)" : "",
			(unsigned long long)e[2], (unsigned long long)(e[3] & EVT3_IPA),
			(e[1] & EVT1_RNW) ? "read" : "write", (e[1] & EVT1_IND) ? " insn" : "",
			(e[1] & EVT1_PNU) ? " priv" : "", (e[1] & EVT1_S2) ? 2U : 1U,
			(u32)FIELD_GET(EVT1_CLASS, e[1]));
		break;
	case EVT_C_BAD_STREAMID:
	case EVT_C_BAD_STE:
	case EVT_C_BAD_SUBSTREAMID:
	case EVT_C_BAD_CD:
		plat_log("smmu: event %s sid 0x%x (stream not attached or bad STE)",
			 smmu_evt_name(id), sid);
		break;
	default:
		plat_log("smmu: event %s (0x%02x) sid 0x%x: %016llx %016llx %016llx %016llx",
			 smmu_evt_name(id), id, sid, (unsigned long long)e[0],
			 (unsigned long long)e[1], (unsigned long long)e[2],
			 (unsigned long long)e[3]);
		break;
	}
}

/* The "N more" line of a key, if it counted records since its last line. */
static void smmu_evt_summary(struct smmu *s, struct smmu_evt_key *k, const char *why)
{
	if (!k->more)
		return;
	s->evt_lines++;
	/* Not "smmu: event ...": log readers take those lines for single records. */
	plat_log("smmu: %llu more %s events from sid 0x%x on page 0x%llx over %llu ms, counted, "
		 "not logged (%s)",
		 (unsigned long long)k->more, smmu_evt_name(k->id), k->sid,
		 (unsigned long long)k->page << 12,
		 (unsigned long long)((k->last_us - k->first_us) / 1000U), why);
	k->more = 0;
}

/* Summaries of the keys quiet for SMMU_EVT_QUIET_US: their storm is over. */
static void smmu_evt_flush(struct smmu *s, u64 now)
{
	for (u32 i = 0; i < SMMU_EVT_KEYS; i++) {
		struct smmu_evt_key *k = &s->evt_keys[i];

		if (k->used && k->more && now - k->last_us >= SMMU_EVT_QUIET_US)
			smmu_evt_summary(s, k, "quiet for 1 s");
	}
}

enum smmu_evt_fate {
	SMMU_EVT_LOGGED,  /* logged in full */
	SMMU_EVT_COUNTED, /* a repeat of a key: counted in its slot */
	SMMU_EVT_HELD,	  /* a new key while @may_log is false: only counted */
};

/*
 * Count @e (exact, whatever is logged) and rate-limit its log line by key
 * (StreamID, type, input page). A new key takes a free slot or the least recently
 * seen one (whose count is summarised first) and is logged, unless !@may_log.
 */
static enum smmu_evt_fate smmu_log_event(struct smmu *s, const u64 e[EVT_DWORDS], u64 now,
					 bool may_log)
{
	u32 id = (u32)FIELD_GET(EVT0_ID, e[0]);
	u32 sid = (u32)FIELD_GET(EVT0_SID, e[0]);
	bool fault = smmu_evt_is_fault(id);
	u64 page = fault ? e[2] >> 12 : 0;
	struct smmu_evt_key *k = NULL, *victim = NULL;

	s->st.events++;
	if (fault)
		s->st.faults++;
	else if (id == EVT_C_BAD_STREAMID || id == EVT_C_BAD_STE || id == EVT_C_BAD_SUBSTREAMID ||
		 id == EVT_C_BAD_CD)
		s->st.cfg_errors++;
	for (u32 i = 0; i < SMMU_EVT_KEYS && !k; i++) {
		struct smmu_evt_key *c = &s->evt_keys[i];

		if (c->used && c->sid == sid && c->id == id && c->page == page)
			k = c;
		else if (!victim || (victim->used && (!c->used || c->last_us < victim->last_us)))
			victim = c;
	}
	if (k) {
		if (now - k->last_us < SMMU_EVT_QUIET_US) {
			if (!k->more)
				k->first_us = now;
			k->more++;
			k->last_us = now;
			return SMMU_EVT_COUNTED;
		}
		/* Back after a quiet interval: close the last burst, log this one. */
		smmu_evt_summary(s, k, "quiet for 1 s, then again");
		k->last_us = now;
		smmu_evt_print(s, e);
		return SMMU_EVT_LOGGED;
	}
	if (!may_log)
		return SMMU_EVT_HELD;
	if (victim->used)
		smmu_evt_summary(s, victim, "evicted");
	*victim = (struct smmu_evt_key){
		.page = page, .last_us = now, .sid = sid, .id = (u8)id, .used = true
	};
	smmu_evt_print(s, e);
	return SMMU_EVT_LOGGED;
}

/* QEMU also raises EVTQ_ABT_ERR when it finds the event queue full. */
static const char *const smmu_gerror_names[10] = {
	"CMDQ_ERR",	    "(bit 1)",		"EVTQ_ABT_ERR",	    "PRIQ_ABT_ERR",
	"MSI_CMDQ_ABT_ERR", "MSI_EVTQ_ABT_ERR", "MSI_PRIQ_ABT_ERR", "MSI_GERROR_ABT_ERR",
	"SFM_ERR",	    "CMDQP_ERR",
};

int smmu_handle_gerror(struct smmu *s)
{
	u32 gerror, active;
	int n = 0;

	if (!s->base)
		return -EINVAL;
	gerror = smmu_rd32(s, SMMU_GERROR);
	active = (gerror ^ s->gerrorn) & GERROR_ALL;
	if (!active)
		return 0;
	if (active & GERROR_CMDQ_ERR) {
		/* Handled where commands are waited for; do it here too if nobody waits. */
		smmu_cmdq_skip_error(s);
		active &= ~(u32)GERROR_CMDQ_ERR;
		n++;
	}
	for (u32 b = 0; b < ARRAY_SIZE(smmu_gerror_names); b++) {
		if (active & (1U << b)) {
			plat_log("smmu: global error %s", smmu_gerror_names[b]);
			n++;
		}
	}
	s->st.gerrors += (u64)n;
	if (active) {
		s->gerrorn ^= active;
		smmu_wr32(s, SMMU_GERRORN, s->gerrorn);
	}
	if (active & GERROR_SFM_ERR)
		smmu_fail_closed(s, "service failure mode (GERROR.SFM_ERR)");
	return n;
}

int smmu_drain_events(struct smmu *s)
{
	/* Per drain: full lines per StreamID (a device faulting on many pages at once). */
	struct {
		u32 sid, lines;
		u64 held;
	} seen[SMMU_EVT_LOG_MAX];
	struct smmu_queue *q = &s->evtq;
	u32 prod_reg, prod, nseen = 0;
	u64 now;
	int n = 0;

	if (!s->base || !q->va)
		return -EINVAL;
	smmu_handle_gerror(s);
	now = plat_now_us();
	smmu_evt_flush(s, now);
	/* The register read is ordered before the record reads (plat.h). */
	prod_reg = smmu_rd32(s, q->prod_reg);
	prod = prod_reg & ((2U << q->log2n) - 1);
	if ((prod_reg ^ q->cons) & Q_OVF) {
		/* SMMU 7.2: OVFLG toggled: records were lost. Ack by copying it to CONS. */
		s->st.evtq_overflows++;
		plat_log("smmu: event queue overflowed, events were lost");
	}
	while ((q->cons & ((2U << q->log2n) - 1)) != prod) {
		const volatile u64 *slot = smmu_q_slot(q, q->cons);
		u64 e[EVT_DWORDS];
		u32 sid, j;
		bool may_log;

		for (u32 i = 0; i < EVT_DWORDS; i++)
			e[i] = slot[i];
		sid = (u32)FIELD_GET(EVT0_SID, e[0]);
		for (j = 0; j < nseen && seen[j].sid != sid; j++)
			;
		if (j == nseen && nseen < SMMU_EVT_LOG_MAX)
			seen[nseen++] = (typeof(seen[0])){ .sid = sid };
		/* More StreamIDs than slots in one drain: those are not capped. */
		may_log = j == nseen || seen[j].lines < SMMU_EVT_LOG_MAX;
		switch (smmu_log_event(s, e, now, may_log)) {
		case SMMU_EVT_LOGGED:
			if (j < nseen)
				seen[j].lines++;
			break;
		case SMMU_EVT_HELD:
			seen[j].held++;
			break;
		case SMMU_EVT_COUNTED:
			break;
		}
		q->cons = (q->cons & Q_OVF) | smmu_q_inc(q, q->cons & ~(u32)Q_OVF);
		n++;
		if (n > (int)(1U << q->log2n) * 2)
			break; /* a misbehaving PROD cannot keep us here */
	}
	for (u32 j = 0; j < nseen; j++)
		if (seen[j].held) {
			s->evt_lines++;
			plat_log(
				"smmu: sid 0x%x: %llu more events on other pages or types in this "
				"drain, counted, not logged (%llu faults, %llu config errors so far)",
				seen[j].sid, (unsigned long long)seen[j].held,
				(unsigned long long)s->st.faults,
				(unsigned long long)s->st.cfg_errors);
		}
	q->cons = (q->cons & ~(u32)Q_OVF) | (prod_reg & Q_OVF);
	smmu_wr32(s, q->cons_reg, q->cons); /* frees the slots (SMMU 3.5.1) */
	return n;
}

int smmu_poll_events(struct smmu *s)
{
	u32 prod, gerror, cons, gerrorn;
	int n;

	if (!s || !s->base || !s->evtq.va)
		return -EINVAL;
	/*
	 * Unlocked peek at the shadows: a stale value only makes us take the lock
	 * for nothing (the locked drain re-reads everything).
	 */
	cons = __atomic_load_n(&s->evtq.cons, __ATOMIC_RELAXED);
	gerrorn = __atomic_load_n(&s->gerrorn, __ATOMIC_RELAXED);
	prod = smmu_rd32(s, s->evtq.prod_reg);
	gerror = smmu_rd32(s, SMMU_GERROR);
	if (prod == cons && !((gerror ^ gerrorn) & GERROR_ALL))
		return 0;
	hyp_spin_lock(&s->lock);
	n = smmu_drain_events(s);
	hyp_spin_unlock(&s->lock);
	return n;
}

/* ---- Probe --------------------------------------------------------------- */

static int smmu_oas_bits(u32 oas)
{
	static const u8 bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return oas < ARRAY_SIZE(bits) ? bits[oas] : -1;
}

/* Read and check the ID registers; writes nothing. */
static int smmu_probe(struct smmu *s)
{
	u32 idr0, idr1, idr3, idr5, ttf;
	int oas;

	for (u32 i = 0; i < 6; i++)
		s->idr[i] = smmu_rd32(s, SMMU_IDR0 + 4 * i);
	s->aidr = smmu_rd32(s, SMMU_AIDR);
	idr0 = s->idr[0];
	idr1 = s->idr[1];
	idr3 = s->idr[3];
	idr5 = s->idr[5];
	plat_log("smmu: at 0x%llx: IDR0 0x%08x IDR1 0x%08x IDR3 0x%08x IDR5 0x%08x AIDR 0x%x",
		 (unsigned long long)s->base, idr0, idr1, idr3, idr5, s->aidr);

	if (!(idr0 & IDR0_S2P)) {
		plat_log("smmu: no stage-2 translation (IDR0.S2P = 0); QEMU needs "
			 "-global arm-smmuv3.stage=2 (or nested)");
		return -ENODEV;
	}
	ttf = (u32)FIELD_GET(IDR0_TTF, idr0);
	if (!(ttf & IDR0_TTF_AARCH64)) {
		plat_log("smmu: no AArch64 table format (IDR0.TTF = %u)", ttf);
		return -ENODEV;
	}
	if (FIELD_GET(IDR0_TTENDIAN, idr0) == IDR0_TTENDIAN_BE) {
		plat_log("smmu: big-endian table walks only (IDR0.TTENDIAN)");
		return -ENODEV;
	}
	if (!(idr5 & IDR5_GRAN4K)) {
		plat_log("smmu: no 4 KiB granule (IDR5.GRAN4K = 0)");
		return -ENODEV;
	}
	oas = smmu_oas_bits((u32)FIELD_GET(IDR5_OAS, idr5));
	if (oas < 0) {
		plat_log("smmu: reserved IDR5.OAS %u", (u32)FIELD_GET(IDR5_OAS, idr5));
		return -ENODEV;
	}
	if (!(idr0 & IDR0_COHACC)) {
		/* Needs cache maintenance of tables/queues and evtq invalidation: planned. */
		plat_log("smmu: non-coherent SMMU (IDR0.COHACC = 0) not supported yet");
		return -ENOTSUP;
	}
	if (idr1 & (IDR1_TABLES_PRESET | IDR1_QUEUES_PRESET)) {
		plat_log("smmu: preset table/queue bases (IDR1 0x%x) not supported", idr1);
		return -ENOTSUP;
	}
	if (FIELD_GET(IDR1_CMDQS, idr1) < 1 || FIELD_GET(IDR1_EVENTQS, idr1) < 1) {
		plat_log("smmu: queues too small (IDR1.CMDQS %u EVENTQS %u)",
			 (u32)FIELD_GET(IDR1_CMDQS, idr1), (u32)FIELD_GET(IDR1_EVENTQS, idr1));
		return -ENODEV;
	}
	/* 52-bit output needs 64K granule or LPA2: the 4K tables reach 48 bits. */
	s->oas_bits = (u8)MIN(oas, 48);
	/* SMMU 3.4: IAS = OAS, or at least 40 bits when AArch32 (LPAE) tables are supported. */
	s->ias_bits = (ttf & IDR0_TTF_AARCH32) ? (u8)MAX(s->oas_bits, 40) : s->oas_bits;
	s->sid_bits = (u8)FIELD_GET(IDR1_SIDSIZE, idr1);
	if (s->sid_bits > 32) {
		plat_log("smmu: reserved IDR1.SIDSIZE %u", s->sid_bits);
		return -ENODEV;
	}
	s->ril = (idr3 & IDR3_RIL) != 0;
	s->bbml = (u8)FIELD_GET(IDR3_BBML, idr3);
	s->vmid16 = (idr0 & IDR0_VMID16) != 0;
	s->hyp = (idr0 & IDR0_HYP) != 0;
	s->two_level = FIELD_GET(IDR0_ST_LEVEL, idr0) == IDR0_ST_LEVEL_2LVL &&
		       s->sid_bits > SMMU_STRTAB_SPLIT;
	plat_log("smmu: v3.%u, %u-bit SIDs, OAS %u IAS %u, %s, RIL %u, BBML %u, %u-bit VMID",
		 (u32)FIELD_GET(AIDR_MINOR, s->aidr), s->sid_bits, s->oas_bits, s->ias_bits,
		 s->two_level ? "2-level stream table" : "linear stream table", s->ril, s->bbml,
		 s->vmid16 ? 16U : 8U);
	return 0;
}

/* ---- Init ------------------------------------------------------------------ */

static int smmu_reset(struct smmu *s)
{
	u32 cfg;
	int ret;

	/* Quiesce: no interrupts (we poll), GBPA abort, then translation off. */
	smmu_wr32(s, SMMU_IRQ_CTRL, 0);
	ret = smmu_poll(s, SMMU_IRQ_CTRLACK, 0xffffffffU, 0, SMMU_ACK_TIMEOUT_US, "IRQ_CTRLACK");
	if (ret)
		return ret;
	/*
	 * SMMU 6.3.14: GBPA applies while SMMUEN == 0. Write the new value with
	 * Update = 1 and wait for Update to clear. ABORT makes the windows where
	 * the SMMU is off (now, or after failing closed) abort every DMA.
	 */
	ret = smmu_poll(s, SMMU_GBPA, GBPA_UPDATE, 0, SMMU_ACK_TIMEOUT_US, "GBPA.Update (idle)");
	if (ret)
		return ret;
	smmu_wr32(s, SMMU_GBPA, (u32)(GBPA_ABORT | GBPA_UPDATE));
	ret = smmu_poll(s, SMMU_GBPA, GBPA_UPDATE, 0, SMMU_ACK_TIMEOUT_US, "GBPA.Update");
	if (ret)
		return ret;
	ret = smmu_write_cr0(s, 0);
	if (ret)
		return ret;

	/* Tables and queues: walks and queue accesses are coherent (COHACC checked). */
	smmu_wr32(s, SMMU_CR1,
		  (u32)(FIELD_PREP(CR1_TABLE_SH, CR1_SH_ISH) |
			FIELD_PREP(CR1_TABLE_OC, CR1_CACHE_WB) |
			FIELD_PREP(CR1_TABLE_IC, CR1_CACHE_WB) |
			FIELD_PREP(CR1_QUEUE_SH, CR1_SH_ISH) |
			FIELD_PREP(CR1_QUEUE_OC, CR1_CACHE_WB) |
			FIELD_PREP(CR1_QUEUE_IC, CR1_CACHE_WB)));
	/* PTM: only our explicit commands invalidate the SMMU TLBs; record bad SIDs. */
	smmu_wr32(s, SMMU_CR2, (u32)(CR2_PTM | CR2_RECINVSID));

	cfg = (u32)FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, s->strtab_log2);
	if (s->two_level)
		cfg |= (u32)(FIELD_PREP(STRTAB_BASE_CFG_FMT, STRTAB_FMT_2LVL) |
			     FIELD_PREP(STRTAB_BASE_CFG_SPLIT, s->split));
	smmu_wr64(s, SMMU_STRTAB_BASE, STRTAB_BASE_RA | (s->strtab_pa & STRTAB_BASE_ADDR));
	smmu_wr32(s, SMMU_STRTAB_BASE_CFG, cfg);

	smmu_wr64(s, SMMU_CMDQ_BASE,
		  Q_BASE_RWA | (s->cmdq.pa & Q_BASE_ADDR) |
			  FIELD_PREP(Q_BASE_LOG2SIZE, s->cmdq.log2n));
	smmu_wr32(s, SMMU_CMDQ_PROD, 0);
	smmu_wr32(s, SMMU_CMDQ_CONS, 0);
	smmu_wr64(s, SMMU_EVTQ_BASE,
		  Q_BASE_RWA | (s->evtq.pa & Q_BASE_ADDR) |
			  FIELD_PREP(Q_BASE_LOG2SIZE, s->evtq.log2n));
	smmu_wr32(s, SMMU_EVTQ_PROD, 0);
	smmu_wr32(s, SMMU_EVTQ_CONS, 0);

	/* Stale global errors from before us: acknowledge before enabling. */
	s->gerrorn = smmu_rd32(s, SMMU_GERRORN);
	smmu_handle_gerror(s);

	ret = smmu_write_cr0(s, CR0_CMDQEN);
	if (ret)
		return ret;
	/* Forget any configuration or translation cached before we took over. */
	ret = smmu_cmd_cfgi_all(s);
	if (!ret)
		ret = smmu_cmdq_push(s, FIELD_PREP(CMD0_OP, CMD_TLBI_NSNH_ALL), 0);
	if (!ret && s->hyp)
		ret = smmu_cmdq_push(s, FIELD_PREP(CMD0_OP, CMD_TLBI_EL2_ALL), 0);
	if (!ret)
		ret = smmu_sync(s);
	if (ret)
		return ret;
	ret = smmu_write_cr0(s, CR0_CMDQEN | CR0_EVTQEN);
	if (ret)
		return ret;
	ret = smmu_write_cr0(s, CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
	if (ret)
		return ret;
	s->enabled = true;
	return 0;
}

int smmu_init(struct smmu *s, u64 base, u64 size, u64 mem_pa, u64 mem_size)
{
	u64 strtab_bytes, strtab_align, used;
	u32 cq_log2, eq_log2;
	int ret;

	if (!s || !base || !IS_ALIGNED(base, 0x10000) || size < SMMU_MMIO_MIN || !mem_pa ||
	    !IS_ALIGNED(mem_pa, PAGE_SIZE) || !mem_size || mem_pa + mem_size < mem_pa) {
		plat_log("smmu: init: bad arguments (base 0x%llx size 0x%llx mem 0x%llx+0x%llx)",
			 (unsigned long long)base, (unsigned long long)size,
			 (unsigned long long)mem_pa, (unsigned long long)mem_size);
		return -EINVAL;
	}
	*s = (struct smmu){ 0 };
	s->base = base;
	s->size = size;
	s->mem_pa = mem_pa;
	s->mem_size = mem_size;
	ret = smmu_probe(s);
	if (ret)
		return ret;

	/* Plan every allocation first: -ENOMEM before any register write. */
	cq_log2 = MIN((u32)FIELD_GET(IDR1_CMDQS, s->idr[1]), SMMU_CMDQ_LOG2_MAX);
	eq_log2 = MIN((u32)FIELD_GET(IDR1_EVENTQS, s->idr[1]), SMMU_EVTQ_LOG2_MAX);
	if (s->two_level) {
		s->split = SMMU_STRTAB_SPLIT;
		s->strtab_log2 = (u8)MIN((u32)s->sid_bits, s->split + SMMU_STRTAB_L1_LOG2_MAX);
		strtab_bytes = (u64)8 << (s->strtab_log2 - s->split);
	} else {
		s->strtab_log2 = s->sid_bits;
		strtab_bytes = (u64)STE_BYTES << s->strtab_log2;
	}
	strtab_align = MAX(strtab_bytes, 64);
	used = smmu_mem_cost(s, 0, (u64)CMDQ_ENT_BYTES << cq_log2,
			     MAX((u64)CMDQ_ENT_BYTES << cq_log2, 32));
	used = smmu_mem_cost(s, used, (u64)EVTQ_ENT_BYTES << eq_log2,
			     MAX((u64)EVTQ_ENT_BYTES << eq_log2, 32));
	used = smmu_mem_cost(s, used, strtab_bytes, strtab_align);
	if (used > mem_size) {
		plat_log("smmu: %llu bytes of table memory needed, %llu given",
			 (unsigned long long)used, (unsigned long long)mem_size);
		return -ENOMEM;
	}
	s->cmdq = (struct smmu_queue){ .log2n = cq_log2,
				       .ent_bytes = CMDQ_ENT_BYTES,
				       .prod_reg = SMMU_CMDQ_PROD,
				       .cons_reg = SMMU_CMDQ_CONS };
	s->evtq = (struct smmu_queue){ .log2n = eq_log2,
				       .ent_bytes = EVTQ_ENT_BYTES,
				       .prod_reg = SMMU_EVTQ_PROD,
				       .cons_reg = SMMU_EVTQ_CONS };
	s->cmdq.pa = smmu_mem_alloc(s, (u64)CMDQ_ENT_BYTES << cq_log2,
				    MAX((u64)CMDQ_ENT_BYTES << cq_log2, 32));
	s->evtq.pa = smmu_mem_alloc(s, (u64)EVTQ_ENT_BYTES << eq_log2,
				    MAX((u64)EVTQ_ENT_BYTES << eq_log2, 32));
	/* All-zero stream table: every STE / L1 descriptor invalid, so every stream aborts. */
	s->strtab_pa = smmu_mem_alloc(s, strtab_bytes, strtab_align);
	HYP_CHECK(s->cmdq.pa && s->evtq.pa && s->strtab_pa);
	s->cmdq.va = plat_phys_to_virt(s->cmdq.pa);
	s->evtq.va = plat_phys_to_virt(s->evtq.pa);
	s->host.smmu = s;

	ret = smmu_reset(s);
	if (ret) {
		smmu_fail_closed(s, "reset did not complete");
		return ret;
	}
	plat_log("smmu: enabled: %u-entry cmdq, %u-entry evtq, stream table %u SIDs (%s), "
		 "%llu/%llu bytes of table memory",
		 1U << cq_log2, 1U << eq_log2, 1U << s->strtab_log2,
		 s->two_level ? "2-level" : "linear", (unsigned long long)s->mem_used,
		 (unsigned long long)s->mem_size);
	return 0;
}

/* ---- Stream table entries (SMMU 5.1, 5.2, 3.21.3) --------------------------- */

/* The STE of @sid, or NULL when its L2 table does not exist yet. */
static volatile u64 *smmu_ste_ptr(const struct smmu *s, u32 sid)
{
	u8 *tab = plat_phys_to_virt(s->strtab_pa);
	u64 l1, l2pa;

	if (!s->two_level)
		return (volatile u64 *)(void *)(tab + (u64)sid * STE_BYTES);
	l1 = ((volatile u64 *)(void *)tab)[sid >> s->split];
	if (!FIELD_GET(L1STD_SPAN, l1))
		return NULL;
	l2pa = l1 & L1STD_L2PTR;
	return (volatile u64 *)((u8 *)plat_phys_to_virt(l2pa) +
				(u64)(sid & ((1U << s->split) - 1)) * STE_BYTES);
}

int smmu_read_ste(const struct smmu *s, u32 sid, u64 out[8])
{
	volatile u64 *ste;

	if (!s || !s->strtab_pa || (u64)sid >> s->strtab_log2)
		return -ERANGE;
	ste = smmu_ste_ptr(s, sid);
	if (!ste)
		return -ENOENT;
	for (u32 i = 0; i < STE_DWORDS; i++)
		out[i] = ste[i];
	return 0;
}

/* L2 tables [sid, sid + nr) needs but lacks: how many. */
static u32 smmu_l2_missing(const struct smmu *s, u32 sid, u32 nr)
{
	u32 n = 0;

	if (!s->two_level)
		return 0;
	for (u64 l1 = sid >> s->split; l1 <= (u64)(sid + nr - 1) >> s->split; l1++)
		if (!smmu_ste_ptr(s, (u32)(l1 << s->split)))
			n++;
	return n;
}

/*
 * Create the missing L2 tables (all STEs invalid). The L1 descriptor is one
 * 64-bit store; the SMMU reads it only after a later PROD write (CFGI_STE of
 * the caller), and CFGI_STE with Leaf = 0 drops any cached L1 descriptor.
 */
static void smmu_l2_populate(struct smmu *s, u32 sid, u32 nr)
{
	volatile u64 *l1tab = plat_phys_to_virt(s->strtab_pa);
	u64 bytes = (u64)STE_BYTES << s->split;

	for (u64 l1 = sid >> s->split; l1 <= (u64)(sid + nr - 1) >> s->split; l1++) {
		u64 pa;

		if (FIELD_GET(L1STD_SPAN, l1tab[l1]))
			continue;
		pa = smmu_mem_alloc(s, bytes, bytes);
		HYP_CHECK(pa); /* counted by the caller */
		/* SMMU 5.1: Span = log2(STEs) + 1. */
		l1tab[l1] = (pa & L1STD_L2PTR) | FIELD_PREP(L1STD_SPAN, s->split + 1);
	}
}

static int smmu_check_sids(const struct smmu *s, u32 sid, u32 nr)
{
	if (!nr || (u64)sid + nr > ((u64)1 << s->strtab_log2)) {
		plat_log("smmu: streams 0x%x+%u outside the stream table (%u SIDs)", sid, nr,
			 1U << s->strtab_log2);
		return -ERANGE;
	}
	return 0;
}

/* CFGI_STE for each stream (CFGI_ALL when many), then CMD_SYNC. */
static int smmu_cfgi_sync(struct smmu *s, u32 sid, u32 nr)
{
	int ret = 0;

	if (nr > 64)
		ret = smmu_cmd_cfgi_all(s);
	else
		for (u32 i = 0; i < nr && !ret; i++)
			ret = smmu_cmd_cfgi_ste(s, sid + i);
	return ret ? ret : smmu_sync(s);
}

/*
 * Install dwords 0-3 of @ste for every stream (SMMU 3.21.3, "configuration
 * structure update procedure"): the SMMU may fetch an STE at any time and
 * reads it 64 bits at a time, so an STE in use never holds a mix of two
 * configurations:
 *   1. streams that currently translate are first made invalid (dword 0 alone,
 *      one single-copy-atomic store), CFGI_STE + SYNC;
 *   2. dwords 1-7 are written while dword 0 is invalid, CFGI_STE + SYNC (the
 *      PROD write orders them before anything the SMMU reads next);
 *   3. dword 0 (V, Config) is written last, CFGI_STE + SYNC.
 * @ste == NULL makes the streams invalid (detach).
 */
static int smmu_write_stes(struct smmu *s, u32 sid, u32 nr, const u64 *ste)
{
	bool live = false, same = ste != NULL;
	int ret;

	/* Re-attaching the same configuration: nothing to do (and no DMA window). */
	for (u32 i = 0; i < nr && same; i++) {
		const volatile u64 *p = smmu_ste_ptr(s, sid + i);

		for (u32 d = 0; p && d < 4; d++)
			same = same && p[d] == ste[d];
		same = same && p;
	}
	if (same)
		return 0;
	for (u32 i = 0; i < nr; i++) {
		volatile u64 *p = smmu_ste_ptr(s, sid + i);

		if (p && (p[0] & STE0_V)) {
			p[0] = 0;
			live = true;
		}
	}
	if (live) {
		ret = smmu_cfgi_sync(s, sid, nr);
		if (ret)
			return ret;
	}
	if (!ste)
		return 0;
	for (u32 i = 0; i < nr; i++) {
		volatile u64 *p = smmu_ste_ptr(s, sid + i);

		for (u32 d = 1; d < STE_DWORDS; d++)
			p[d] = d < 4 ? ste[d] : 0;
	}
	ret = smmu_cfgi_sync(s, sid, nr);
	if (ret)
		return ret;
	for (u32 i = 0; i < nr; i++)
		smmu_ste_ptr(s, sid + i)[0] = ste[0];
	return smmu_cfgi_sync(s, sid, nr);
}

/* ---- Stage-2 configuration shared with the CPU ------------------------------ */

/*
 * Check that the SMMU can walk @s2 exactly as the CPU does with @vtcr and
 * compute STE dword 2's VTCR-shaped fields. Arm ARM D8.2 (stage-2 start level
 * and concatenation, "AArch64.S2InconsistentSL"): with a 4K granule, a walk
 * starting at level L resolves 12 + 9 * (3 - L) bits below the root, the root
 * resolves at least 1 and at most 9 + 4 bits (up to 16 concatenated tables).
 */
static int smmu_s2_fields(const struct smmu *s, const struct pt *s2, u16 vmid, u64 vtcr, u64 *d2)
{
	u32 t0sz = (u32)FIELD_GET(S2VTCR_T0SZ, vtcr);
	u32 sl0 = (u32)FIELD_GET(S2VTCR_SL0, vtcr);
	u32 ps = (u32)FIELD_GET(S2VTCR_PS, vtcr);
	u32 ia, ia_smmu, below, level, pages, ps_smmu;
	bool clipped;
	int ps_bits;

	if (!s2 || s2->fmt != PT_FMT_ARM64_S2 || !s2->root) {
		plat_log("smmu: attach: not an Arm stage-2 table");
		return -EINVAL;
	}
	if (FIELD_GET(S2VTCR_TG0, vtcr) != S2VTCR_TG0_4K || (vtcr & (S2VTCR_DS | S2VTCR_SL2))) {
		plat_log("smmu: attach: VTCR 0x%llx: only 4K granule without LPA2",
			 (unsigned long long)vtcr);
		return -EINVAL;
	}
	ia = 64 - t0sz;
	if (t0sz < 16 || t0sz > 39 || ia != s2->ia_bits) {
		plat_log("smmu: attach: VTCR.T0SZ %u (%u-bit IPA) does not match the %u-bit table",
			 t0sz, ia, s2->ia_bits);
		return -EINVAL;
	}
	/* VTCR_EL2.SL0 with TG0 = 4K: 0 -> level 2, 1 -> level 1, 2 -> level 0. */
	if (sl0 > 2 || 2 - sl0 != s2->start_level) {
		plat_log("smmu: attach: VTCR.SL0 %u does not match start level %u", sl0,
			 s2->start_level);
		return -EINVAL;
	}
	level = s2->start_level;
	below = 12 + 9 * (3 - level);
	pages = ia - below > 9 ? 1U << (ia - below - 9) : 1U;
	if (ia <= below || ia - below > 13 || pages != s2->root_pages) {
		plat_log("smmu: attach: %u-bit IPA from level %u needs %u root pages, table has %u",
			 ia, level, pages, s2->root_pages);
		return -EINVAL;
	}
	/*
	 * The SMMU's stage-2 input is at most IAS bits. With a smaller IAS it can
	 * still walk the same table with a larger S2T0SZ as long as the start
	 * level stays consistent: DMA above 2^IAS then faults (F_ADDR_SIZE) while
	 * the CPU reaches it; nothing of the host's RAM or devices lives there.
	 */
	clipped = s->ias_bits < ia;
	ia_smmu = clipped ? s->ias_bits : ia;
	if (ia_smmu <= below) {
		plat_log("smmu: attach: SMMU IAS %u too small for a level-%u root (%u-bit IPA)",
			 s->ias_bits, level, ia);
		return -EINVAL;
	}
	if (clipped)
		plat_log("smmu: attach: SMMU walks the %u-bit table with a %u-bit input (IAS)", ia,
			 ia_smmu);
	ps_bits = smmu_oas_bits(ps);
	if (ps_bits < 0 || ps_bits > 48) {
		plat_log("smmu: attach: VTCR.PS %u invalid for 4K tables", ps);
		return -EINVAL;
	}
	/* S2PS above the OAS behaves as the OAS (SMMU 5.2 S2PS): say so explicitly. */
	ps_smmu = (u32)ps_bits > s->oas_bits ? (u32)FIELD_GET(IDR5_OAS, s->idr[5]) : ps;
	if ((u32)ps_bits > s->oas_bits)
		plat_log("smmu: attach: output size capped to the SMMU's %u bits", s->oas_bits);
	if (s2->root >> s->oas_bits) {
		plat_log("smmu: attach: root 0x%llx beyond the SMMU's %u-bit output",
			 (unsigned long long)s2->root, s->oas_bits);
		return -EINVAL;
	}
	if (!s->vmid16 && vmid > 0xff) {
		plat_log("smmu: attach: VMID %u needs 16-bit VMIDs (IDR0.VMID16 = 0)", vmid);
		return -EINVAL;
	}
	/*
	 * A table whose owner swaps a live block for an equivalent table (or
	 * back) without break-before-make is only safe if every walker allows
	 * it: for the SMMU that is BBML2 (SMMU 6.3.4 IDR3.BBML, SMMUv3.2); with
	 * BBML0/1 the SMMU may hold the old block and the new table's entries
	 * at once (F_TLB_CONFLICT, or either translation). The CPU side has the
	 * same caveat (FEAT_BBM level 2 may still raise TLB conflict aborts
	 * unless the implementation promises not to): that is pt.bbm_free's
	 * owner's call; we only refuse what the SMMU cannot do.
	 */
	if (s2->bbm_free && s->bbml < IDR3_BBML2) {
		plat_log("smmu: attach: table skips break-before-make but SMMU BBML is %u (need 2)",
			 s->bbml);
		return -EINVAL;
	}
	*d2 = FIELD_PREP(STE2_S2VMID, vmid) | FIELD_PREP(STE2_S2T0SZ, 64 - ia_smmu) |
	      FIELD_PREP(STE2_S2SL0, sl0) | FIELD_PREP(STE2_S2IR0, FIELD_GET(S2VTCR_IRGN0, vtcr)) |
	      FIELD_PREP(STE2_S2OR0, FIELD_GET(S2VTCR_ORGN0, vtcr)) |
	      FIELD_PREP(STE2_S2SH0, FIELD_GET(S2VTCR_SH0, vtcr)) |
	      FIELD_PREP(STE2_S2TG, S2VTCR_TG0_4K) | FIELD_PREP(STE2_S2PS, ps_smmu) | STE2_S2AA64 |
	      STE2_S2R;
	return 0;
}

/*
 * Build the stage-2 STE (dwords 0-3) for root @root with dword 2 @d2 and the
 * attribute overrides @attr of dword 1 and install it on streams
 * [sid, sid + nr), creating missing L2 tables first (counted before anything
 * is written: -ENOMEM changes nothing).
 */
static int smmu_install_s2(struct smmu *s, u32 sid, u32 nr, u64 root, u64 d2, u64 attr, u64 ste[4])
{
	u32 l2 = smmu_l2_missing(s, sid, nr);

	if (l2 && smmu_mem_cost(s, s->mem_used, (u64)l2 << (s->split + 6),
				(u64)STE_BYTES << s->split) > s->mem_size) {
		plat_log("smmu: attach: no table memory for %u more L2 stream tables", l2);
		return -ENOMEM;
	}
	smmu_l2_populate(s, sid, nr);

	/*
	 * Config S1 bypass / S2 translate; ATS translated requests abort
	 * (EATS = 0: a device could otherwise present addresses that skip
	 * stage 2); faults are recorded (S2R), not stalled; AArch64
	 * little-endian tables; access-flag faults on as for the CPU.
	 */
	ste[0] = STE0_V | FIELD_PREP(STE0_CONFIG, STE_CFG_S2);
	ste[1] = attr | FIELD_PREP(STE1_EATS, 0) | FIELD_PREP(STE1_STRW, 0);
	ste[2] = d2;
	ste[3] = root & STE3_S2TTB;
	return smmu_write_stes(s, sid, nr, ste);
}

int smmu_attach_host_s2(struct smmu *s, u32 sid, u32 nr, const struct pt *s2, u16 vmid, u64 vtcr)
{
	u64 ste[4], d2;
	int ret;

	if (!s || !s->enabled)
		return s && s->failed ? -EIO : -EINVAL;
	ret = smmu_check_sids(s, sid, nr);
	if (ret)
		return ret;
	ret = smmu_s2_fields(s, s2, vmid, vtcr, &d2);
	if (ret)
		return ret;
	ret = smmu_install_s2(s, sid, nr, s2->root, d2, FIELD_PREP(STE1_SHCFG, STE_SHCFG_INCOMING),
			      ste);
	if (ret)
		return ret;
	s->host.who = OWN_HOST;
	s->host.vmid = vmid;
	s->host.live = true;
	for (u32 i = 0; i < 4; i++)
		s->host.ste[i] = ste[i];
	plat_log("smmu: streams 0x%x..0x%x -> host stage 2 (root 0x%llx, VMID %u, %u-bit input)",
		 sid, sid + nr - 1, (unsigned long long)s2->root, vmid,
		 64U - (u32)FIELD_GET(STE2_S2T0SZ, d2));
	return 0;
}

/* ---- Host DMA domains (own.h struct own_iommu_ops) ------------------------- */

bool smmu_is_dom_sid(const struct smmu *s, u32 sid)
{
	for (u32 i = 0; i < s->nr_dom_ranges; i++)
		if (sid >= s->dom_ranges[i].base &&
		    sid - s->dom_ranges[i].base < s->dom_ranges[i].nr)
			return true;
	return false;
}

int smmu_attach_pt(struct smmu *s, u32 sid, const struct pt *pt, u16 vmid)
{
	u64 ste[4], d2, vtcr;
	u32 oas;
	int ret;

	if (!s || !s->enabled)
		return s && s->failed ? -EIO : -EINVAL;
	ret = smmu_check_sids(s, sid, 1);
	if (ret)
		return ret;
	if (!smmu_is_dom_sid(s, sid)) {
		plat_log("smmu: stream 0x%x is not one of the host's streams: no DMA domain", sid);
		return -EPERM;
	}
	if (!pt || pt->fmt != PT_FMT_ARM64_S2 || !pt->root || pt->start_level > 2) {
		plat_log("smmu: attach: stream 0x%x: not an Arm stage-2 table", sid);
		return -EINVAL;
	}
	/*
	 * A domain table must fit the SMMU as it is: unlike the host's shared
	 * table (clipped to IAS, smmu_s2_fields) the host chose this table's
	 * size, so an input range above IAS is refused (docs/iommu.md).
	 */
	if (pt->ia_bits > s->ias_bits) {
		plat_log("smmu: attach: stream 0x%x: %u-bit domain above the SMMU's %u-bit IAS",
			 sid, pt->ia_bits, s->ias_bits);
		return -EINVAL;
	}
	/*
	 * The VTCR the table was built for (SMMU 5.2 STE.S2T0SZ/S2SL0/S2IR0/S2OR0/
	 * S2SH0/S2TG/S2PS mirror VTCR_EL2): T0SZ = 64 - IA, SL0 from the start level
	 * (4K granule: level 2 -> 0, 1 -> 1, 0 -> 2), write-back walks, inner
	 * shareable when the table is written coherently (the SMMU snoops: smmu_init
	 * refuses a non-coherent one), output size = the SMMU's OAS (at most 48 bits
	 * without LPA2).
	 */
	oas = MIN((u32)FIELD_GET(IDR5_OAS, s->idr[5]), 5U);
	vtcr = FIELD_PREP(S2VTCR_T0SZ, 64U - pt->ia_bits) |
	       FIELD_PREP(S2VTCR_SL0, 2U - pt->start_level) |
	       FIELD_PREP(S2VTCR_TG0, S2VTCR_TG0_4K) | FIELD_PREP(S2VTCR_PS, oas);
	if (pt->coherent)
		vtcr |= FIELD_PREP(S2VTCR_IRGN0, 1) | FIELD_PREP(S2VTCR_ORGN0, 1) |
			FIELD_PREP(S2VTCR_SH0, 3);
	ret = smmu_s2_fields(s, pt, vmid, vtcr, &d2);
	if (ret)
		return ret;
	/*
	 * A DMA domain's stream is cache-coherent whatever the device asks
	 * (LS_FEAT_DMA_COHERENT): with stage 1 bypassed, STE.MTCFG/MemAttr/SHCFG
	 * (the overrides that apply while stage 1 is bypassed, SMMU 5.2)
	 * replace the incoming memory type and shareability by Normal
	 * write-back inner shareable, so a PCIe No-Snoop request
	 * cannot reach RAM around the caches; stage 2 then combines it with
	 * the entry's own type (Device for LS_IOMMU_MMIO pages stays Device).
	 */
	ret = smmu_install_s2(s, sid, 1, pt->root, d2,
			      STE1_MTCFG | FIELD_PREP(STE1_MEMATTR, STE_MEMATTR_WB) |
				      FIELD_PREP(STE1_SHCFG, STE_SHCFG_ISH),
			      ste);
	if (ret)
		return ret;
	plat_log("smmu: stream 0x%x -> DMA domain table (root 0x%llx, VMID 0x%x, %u-bit IOVA)", sid,
		 (unsigned long long)pt->root, vmid, pt->ia_bits);
	return 0;
}

int smmu_detach_to_host(struct smmu *s, u32 sid)
{
	int ret;

	if (!s || !s->enabled)
		return s && s->failed ? -EIO : -EINVAL;
	ret = smmu_check_sids(s, sid, 1);
	if (ret)
		return ret;
	if (!smmu_is_dom_sid(s, sid))
		return -EPERM;
	/* The host's STE exactly as at boot (same root, VMID and fields): the identity view. */
	ret = smmu_write_stes(s, sid, 1, s->host.live ? s->host.ste : NULL);
	if (!ret)
		plat_log("smmu: stream 0x%x back on the host %s", sid,
			 s->host.live ? "identity view" : "abort (no host view)");
	return ret;
}

int smmu_detach(struct smmu *s, u32 sid, u32 nr)
{
	int ret;

	if (!s || !s->enabled)
		return s && s->failed ? -EIO : -EINVAL;
	ret = smmu_check_sids(s, sid, nr);
	if (ret)
		return ret;
	return smmu_write_stes(s, sid, nr, NULL);
}

/* ---- Invalidation (SMMU 4.4) ------------------------------------------------ */

static int smmu_check_inval(const struct smmu *s, u16 vmid)
{
	if (!s || !s->enabled)
		return s && s->failed ? -EIO : -EINVAL;
	if (!s->vmid16 && vmid > 0xff)
		return -EINVAL;
	return 0;
}

static int smmu_queue_vmall(struct smmu *s, u16 vmid)
{
	s->st.inval_vmall++;
	return smmu_cmdq_push(
		s, FIELD_PREP(CMD0_OP, CMD_TLBI_S12_VMALL) | FIELD_PREP(CMD0_TLBI_VMID, vmid), 0);
}

/* Commands smmu_queue_ipa would issue for [ipa, ipa + size). */
static u64 smmu_ipa_cmds(const struct smmu *s, u64 size, unsigned int level)
{
	u64 pages = size >> PAGE_SHIFT, n = 0;

	if (!s->ril)
		return size >> (level ? 12 + 9 * (3 - level) : PAGE_SHIFT);
	while (pages) {
		u32 scale = (u32)__builtin_ctzll(pages);
		u64 num = (pages >> scale) & TLBI_RANGE_NUM_MAX;

		pages -= num << scale;
		n++;
	}
	return n;
}

/*
 * CMD_TLBI_S2_IPA, Leaf = 0 (walk-cache entries for the range go too: tables
 * may have been split or merged). Range form (IDR3.RIL, TG = 4K): one command
 * covers (NUM + 1) * 2^SCALE pages from ADDR; the range is cut into chunks
 * whose page count is an odd multiple of 2^SCALE (at most 31 of them), lowest
 * set bit first, so a range needs at most a dozen commands. TTL (level hint)
 * only in the range form. Without RIL one command per leaf of @level (4 KiB
 * when unknown).
 */
static int smmu_queue_ipa(struct smmu *s, u16 vmid, u64 ipa, u64 size, unsigned int level)
{
	u64 d0 = FIELD_PREP(CMD0_OP, CMD_TLBI_S2_IPA) | FIELD_PREP(CMD0_TLBI_VMID, vmid);
	int ret = 0;

	if (smmu_ipa_cmds(s, size, level) > SMMU_INVAL_MAX_CMDS)
		return smmu_queue_vmall(s, vmid);
	if (s->ril) {
		u64 pages = size >> PAGE_SHIFT;

		while (pages && !ret) {
			u32 scale = (u32)__builtin_ctzll(pages);
			u64 num = (pages >> scale) & TLBI_RANGE_NUM_MAX;

			ret = smmu_cmdq_push(s,
					     d0 | FIELD_PREP(CMD0_TLBI_NUM, num - 1) |
						     FIELD_PREP(CMD0_TLBI_SCALE, scale),
					     FIELD_PREP(CMD1_TLBI_TG, TLBI_TG_4K) |
						     FIELD_PREP(CMD1_TLBI_TTL, level) |
						     (ipa & CMD1_TLBI_ADDR));
			s->st.inval_ranges++;
			ipa += (num << scale) << PAGE_SHIFT;
			pages -= num << scale;
		}
		return ret;
	}
	{
		u64 step = (u64)1 << (level ? 12 + 9 * (3 - level) : PAGE_SHIFT);
		u64 end = ipa + size;

		for (u64 a = ALIGN_DOWN(ipa, step); a < end && !ret; a += step) {
			ret = smmu_cmdq_push(s, d0, a & CMD1_TLBI_ADDR);
			s->st.inval_ranges++;
		}
	}
	return ret;
}

static int smmu_check_range(u64 ipa, u64 size, unsigned int level)
{
	if (!size || !IS_ALIGNED(ipa, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) ||
	    ipa + size < ipa || (ipa + size) > ((u64)1 << 52) || level > 3)
		return -EINVAL;
	return 0;
}

int smmu_inval_ipa_range(struct smmu *s, u16 vmid, u64 ipa, u64 size, unsigned int level)
{
	int ret = smmu_check_inval(s, vmid);

	if (!ret)
		ret = smmu_check_range(ipa, size, level);
	if (ret)
		return ret;
	ret = smmu_queue_ipa(s, vmid, ipa, size, level);
	return ret ? ret : smmu_sync(s);
}

int smmu_inval_vmid(struct smmu *s, u16 vmid)
{
	int ret = smmu_check_inval(s, vmid);

	if (ret)
		return ret;
	ret = smmu_queue_vmall(s, vmid);
	return ret ? ret : smmu_sync(s);
}

int smmu_inval_gather(struct smmu *s, u16 vmid, const struct pt_gather *g)
{
	int ret = smmu_check_inval(s, vmid);

	if (ret)
		return ret;
	if (!g || g->nr > PT_GATHER_MAX)
		return -EINVAL;
	for (u32 i = 0; i < g->nr && !g->all; i++) {
		ret = smmu_check_range(g->r[i].ia, g->r[i].size, g->r[i].level);
		if (ret)
			return ret;
	}
	if (g->all)
		ret = smmu_queue_vmall(s, vmid);
	for (u32 i = 0; i < g->nr && !g->all && !ret; i++)
		ret = smmu_queue_ipa(s, vmid, g->r[i].ia, g->r[i].size, g->r[i].level);
	if (!ret)
		smmu_cmdq_publish(s); /* start now; smmu_sync() waits */
	return ret;
}

/* ---- own.h view ops --------------------------------------------------------- */

static void smmu_own_invalidate(void *priv, u32 who, const struct pt_gather *g)
{
	struct smmu_domain *d = priv;
	int ret;

	if (!g->nr && !g->all)
		return;
	hyp_spin_lock(&d->smmu->lock);
	ret = smmu_inval_gather(d->smmu, d->vmid, g);
	if (ret && !d->smmu->failed) {
		plat_log("smmu: invalidation for %u (VMID %u) failed: %d", who, d->vmid, ret);
		smmu_fail_closed(d->smmu, "invalidation could not be queued");
	}
	hyp_spin_unlock(&d->smmu->lock);
}

static void smmu_own_sync(void *priv, u32 who)
{
	struct smmu_domain *d = priv;
	int ret;

	hyp_spin_lock(&d->smmu->lock);
	ret = smmu_sync(d->smmu);
	if (ret && !d->smmu->failed) {
		plat_log("smmu: sync for %u failed: %d", who, ret);
		smmu_fail_closed(d->smmu, "CMD_SYNC failed");
	}
	hyp_spin_unlock(&d->smmu->lock);
}

const struct own_inval_ops smmu_own_inval_ops = {
	.invalidate = smmu_own_invalidate,
	.sync = smmu_own_sync,
};

static int smmu_dom_attach(void *drv, u32 sid, const struct pt *pt, u16 vmid)
{
	struct smmu *s = drv;
	int ret;

	hyp_spin_lock(&s->lock);
	ret = smmu_attach_pt(s, sid, pt, vmid);
	hyp_spin_unlock(&s->lock);
	return ret;
}

static int smmu_dom_detach(void *drv, u32 sid)
{
	struct smmu *s = drv;
	int ret;

	hyp_spin_lock(&s->lock);
	ret = smmu_detach_to_host(s, sid);
	hyp_spin_unlock(&s->lock);
	return ret;
}

static void smmu_dom_invalidate(void *drv, u16 vmid, const struct pt_gather *g)
{
	struct smmu *s = drv;
	int ret;

	if (!g->nr && !g->all)
		return;
	hyp_spin_lock(&s->lock);
	ret = smmu_inval_gather(s, vmid, g);
	if (ret && !s->failed) {
		plat_log("smmu: DMA domain invalidation (VMID 0x%x) failed: %d", vmid, ret);
		smmu_fail_closed(s, "invalidation could not be queued");
	}
	hyp_spin_unlock(&s->lock);
}

static void smmu_dom_sync(void *drv)
{
	struct smmu *s = drv;
	int ret;

	hyp_spin_lock(&s->lock);
	ret = smmu_sync(s);
	if (ret && !s->failed) {
		plat_log("smmu: DMA domain sync failed: %d", ret);
		smmu_fail_closed(s, "CMD_SYNC failed");
	}
	hyp_spin_unlock(&s->lock);
}

const struct own_iommu_ops smmu_own_iommu_ops = {
	.attach = smmu_dom_attach,
	.detach = smmu_dom_detach,
	.invalidate = smmu_dom_invalidate,
	.sync = smmu_dom_sync,
};
