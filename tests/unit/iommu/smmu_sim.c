// SPDX-License-Identifier: GPL-2.0-only
/* Simulated SMMUv3 (see smmu_sim.h). Field layouts from hyp/iommu/smmuv3_regs.h. */
#include <string.h>

#include "../../../hyp/iommu/smmuv3_regs.h"
#include "hyp/plat.h"
#include "smmu_sim.h"

struct sim sim;

void sim_reset(void)
{
	memset(&sim, 0, sizeof(sim));
	sim.idr[0] = (u32)(IDR0_S2P | FIELD_PREP(IDR0_TTF, IDR0_TTF_AARCH64) | IDR0_COHACC |
			   IDR0_ASID16 | IDR0_VMID16 | FIELD_PREP(IDR0_TTENDIAN, IDR0_TTENDIAN_LE) |
			   FIELD_PREP(IDR0_STALL_MODEL, 1) | IDR0_TERM_MODEL |
			   FIELD_PREP(IDR0_ST_LEVEL, IDR0_ST_LEVEL_2LVL));
	sim.idr[1] = (u32)(FIELD_PREP(IDR1_SIDSIZE, 16) | FIELD_PREP(IDR1_EVENTQS, 19) |
			   FIELD_PREP(IDR1_CMDQS, 19));
	sim.idr[3] = (u32)IDR3_RIL;
	sim.idr[5] = (u32)(FIELD_PREP(IDR5_OAS, 4) | IDR5_GRAN4K | IDR5_GRAN64K);
	sim.aidr = 1;
	sim.gbpa = 0x1000;
	sim.per_tick = 1;
}

void sim_log_clear(void)
{
	sim.nlog = 0;
}

u32 sim_count_op(u8 op)
{
	u32 n = 0;

	for (u32 i = 0; i < sim.nlog; i++)
		if (FIELD_GET(CMD0_OP, sim.log[i][0]) == op)
			n++;
	return n;
}

static u64 *sim_mem(u64 pa)
{
	return plat_phys_to_virt(pa);
}

/* ---- stream table --------------------------------------------------------- */

bool sim_fetch_ste(u32 sid, u64 ste[8])
{
	u32 log2size = (u32)FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, sim.strtab_cfg);
	u32 split = (u32)FIELD_GET(STRTAB_BASE_CFG_SPLIT, sim.strtab_cfg);
	u64 base = sim.strtab_base & STRTAB_BASE_ADDR, addr;

	if (sid >= (1U << log2size))
		return false;
	if (FIELD_GET(STRTAB_BASE_CFG_FMT, sim.strtab_cfg) == STRTAB_FMT_2LVL) {
		u64 l1 = *sim_mem(base + 8ULL * (sid >> split));
		u32 span = (u32)FIELD_GET(L1STD_SPAN, l1);

		if (!span)
			return false;
		if ((sid & ((1U << split) - 1)) >= (1U << (span - 1)))
			return false;
		addr = (l1 & L1STD_L2PTR) + (u64)(sid & ((1U << split) - 1)) * 64;
	} else {
		addr = base + (u64)sid * 64;
	}
	memcpy(ste, sim_mem(addr), 64);
	return true;
}

static void sim_watch_fetch(void)
{
	if (sim.watch && sim.nhist < SIM_HIST) {
		struct sim_cfg *h = &sim.hist[sim.nhist++];

		h->present = sim_fetch_ste(sim.watch_sid, h->ste);
	}
}

static bool sim_ste_s2_valid(const u64 *ste)
{
	u32 t0sz = (u32)FIELD_GET(STE2_S2T0SZ, ste[2]);
	u32 sl0 = (u32)FIELD_GET(STE2_S2SL0, ste[2]);
	u32 ia = 64 - t0sz, level, below, root_bits;

	/* As QEMU 10 checks it (and the spec's C_BAD_STE conditions we rely on). */
	if (!(ste[2] & STE2_S2AA64) || FIELD_GET(STE2_S2TG, ste[2]) != 0 || sl0 > 2)
		return false;
	if (t0sz > 39 || t0sz < 64 - 44)
		return false;
	if (ste[2] & (STE2_S2ENDI | STE2_S2S | STE2_S2HA | STE2_S2HD))
		return false;
	if (FIELD_GET(STE1_EATS, ste[1]))
		return false;
	level = 2 - sl0;
	below = 12 + 9 * (3 - level);
	if (ia <= below)
		return false;
	root_bits = ia - below;
	if (root_bits > 13) /* more than 16 concatenated tables */
		return false;
	if (!FIELD_GET(STE3_S2TTB, ste[3]))
		return false;
	return true;
}

/* ---- TLB ------------------------------------------------------------------ */

void sim_tlb_fill(u16 vmid, u64 ipa, u64 size, u64 pa)
{
	for (u32 i = 0; i < SIM_TLB; i++) {
		if (!sim.tlb[i].v) {
			sim.tlb[i] = (struct sim_tlbe){ true, vmid, ipa, size, pa, true };
			return;
		}
	}
	plat_panic("sim: TLB full");
}

u32 sim_tlb_count(u16 vmid, u64 ipa, u64 size)
{
	u32 n = 0;

	for (u32 i = 0; i < SIM_TLB; i++) {
		const struct sim_tlbe *e = &sim.tlb[i];

		if (e->v && e->vmid == vmid && e->ipa < ipa + size && ipa < e->ipa + e->size)
			n++;
	}
	return n;
}

static void sim_tlb_inval(bool all, bool by_vmid, u16 vmid, u64 ipa, u64 size)
{
	for (u32 i = 0; i < SIM_TLB; i++) {
		struct sim_tlbe *e = &sim.tlb[i];

		if (!e->v)
			continue;
		if (all || (e->vmid == vmid &&
			    (by_vmid || (e->ipa < ipa + size && ipa < e->ipa + e->size))))
			e->v = false;
	}
}

/* ---- commands ----------------------------------------------------------- */

static u32 sim_qmask(u64 base)
{
	return (2U << FIELD_GET(Q_BASE_LOG2SIZE, base)) - 1;
}

static bool sim_cmd_legal(u64 d0, u64 d1)
{
	u8 op = (u8)FIELD_GET(CMD0_OP, d0);

	if (sim.ill_op && op == sim.ill_op)
		return false;
	switch (op) {
	case CMD_CFGI_STE:
	case CMD_CFGI_STE_RANGE:
	case CMD_TLBI_NSNH_ALL:
	case CMD_TLBI_EL2_ALL:
	case CMD_TLBI_S12_VMALL:
		return true;
	case CMD_SYNC:
		return FIELD_GET(CMD0_SYNC_CS, d0) == SYNC_CS_NONE;
	case CMD_TLBI_S2_IPA:
		if (FIELD_GET(CMD1_TLBI_TG, d1) == 0)
			/* not a range: NUM, SCALE and TTL must be zero (strict) */
			return !FIELD_GET(CMD0_TLBI_NUM, d0) && !FIELD_GET(CMD0_TLBI_SCALE, d0) &&
			       !FIELD_GET(CMD1_TLBI_TTL, d1);
		return (sim.idr[3] & IDR3_RIL) && FIELD_GET(CMD1_TLBI_TG, d1) == TLBI_TG_4K;
	default:
		return false;
	}
}

static void sim_exec(u64 d0, u64 d1)
{
	u8 op = (u8)FIELD_GET(CMD0_OP, d0);
	u16 vmid = (u16)FIELD_GET(CMD0_TLBI_VMID, d0);

	switch (op) {
	case CMD_CFGI_STE: {
		u32 sid = (u32)FIELD_GET(CMD0_CFGI_SID, d0);

		if (sid < SIM_SIDS)
			sim.cache[sid].present = false;
		if (sim.watch && sid == sim.watch_sid)
			sim_watch_fetch();
		break;
	}
	case CMD_CFGI_STE_RANGE:
		if (FIELD_GET(CMD1_CFGI_RANGE, d1) == CMD_CFGI_ALL_RANGE)
			for (u32 i = 0; i < SIM_SIDS; i++)
				sim.cache[i].present = false;
		else
			sim.bad_writes++; /* the driver never uses partial ranges */
		break;
	case CMD_TLBI_NSNH_ALL:
	case CMD_TLBI_EL2_ALL:
		sim_tlb_inval(true, false, 0, 0, 0);
		break;
	case CMD_TLBI_S12_VMALL:
		sim_tlb_inval(false, true, vmid, 0, 0);
		break;
	case CMD_TLBI_S2_IPA: {
		u64 addr = d1 & CMD1_TLBI_ADDR;

		if (FIELD_GET(CMD1_TLBI_TG, d1)) {
			u64 num = FIELD_GET(CMD0_TLBI_NUM, d0) + 1;
			u64 scale = FIELD_GET(CMD0_TLBI_SCALE, d0);

			sim_tlb_inval(false, false, vmid, addr, (num << scale) << 12);
		} else {
			sim_tlb_inval(false, false, vmid, addr, 1);
		}
		break;
	}
	case CMD_SYNC:
		sim.syncs++;
		break;
	default:
		break;
	}
}

/* Consume up to @max commands (0: all). */
static void sim_consume(u32 max)
{
	u32 mask = sim_qmask(sim.cmdq_base);
	u32 log2n = (u32)FIELD_GET(Q_BASE_LOG2SIZE, sim.cmdq_base);
	u32 done = 0;

	if (!(sim.cr0ack & CR0_CMDQEN) || sim.stall)
		return;
	while ((sim.cmdq_cons & mask) != (sim.cmdq_prod & mask) && (!max || done < max)) {
		u32 idx = sim.cmdq_cons & ((1U << log2n) - 1);
		u64 *slot = sim_mem((sim.cmdq_base & Q_BASE_ADDR) + 16ULL * idx);

		if ((sim.gerror ^ sim.gerrorn) & GERROR_CMDQ_ERR)
			return; /* stopped until the error is acknowledged */
		if (!sim_cmd_legal(slot[0], slot[1])) {
			sim.cmdq_cons = (sim.cmdq_cons & mask) |
					(u32)FIELD_PREP(CMDQ_CONS_ERR, CERROR_ILL);
			sim.gerror ^= (u32)GERROR_CMDQ_ERR;
			return;
		}
		if (sim.nlog < SIM_LOG) {
			sim.log[sim.nlog][0] = slot[0];
			sim.log[sim.nlog][1] = slot[1];
			sim.nlog++;
		}
		sim_exec(slot[0], slot[1]);
		sim.cmdq_cons = (sim.cmdq_cons + 1) & mask;
		if (!(sim.cmdq_cons & ((1U << log2n) - 1)))
			sim.cmdq_wraps++;
		done++;
	}
}

void sim_tick(void)
{
	sim.ticks++;
	if (sim.cr0_pending_set && !sim.cr0ack_stuck) {
		sim.cr0ack = sim.cr0_pending;
		sim.cr0_pending_set = false;
	}
	sim.gbpa &= ~(u32)GBPA_UPDATE;
	sim_consume(sim.per_tick);
	if (sim.watch)
		sim_watch_fetch();
}

/* ---- events and DMA --------------------------------------------------------- */

void sim_event(u8 type, u32 sid, u64 addr, u64 ipa, bool read, bool s2)
{
	u32 log2n = (u32)FIELD_GET(Q_BASE_LOG2SIZE, sim.evtq_base);
	u32 mask = (2U << log2n) - 1;
	u32 p = sim.evtq_prod & mask, c = sim.evtq_cons & mask;
	u64 *slot;

	if (!(sim.cr0ack & CR0_EVTQEN))
		return;
	if ((p ^ c) == (1U << log2n)) {
		/* full: record the overflow (SMMU 7.2), drop the event */
		if (!((sim.evtq_prod ^ sim.evtq_cons) & Q_OVF))
			sim.evtq_prod ^= (u32)Q_OVF;
		return;
	}
	slot = sim_mem((sim.evtq_base & Q_BASE_ADDR) + 32ULL * (p & ((1U << log2n) - 1)));
	slot[0] = FIELD_PREP(EVT0_ID, type) | FIELD_PREP(EVT0_SID, sid);
	slot[1] = (read ? EVT1_RNW : 0) | (s2 ? EVT1_S2 : 0) | FIELD_PREP(EVT1_CLASS, 2);
	slot[2] = addr;
	slot[3] = ipa & EVT3_IPA;
	sim.evtq_prod = (sim.evtq_prod & Q_OVF) | ((p + 1) & mask);
}

int sim_dma(u32 sid, u64 iova, bool write, u64 *pa)
{
	struct sim_cfg *c;
	u64 *ste;
	u32 ia, level, cfg;
	u64 table;
	u16 vmid;

	if (!(sim.cr0ack & CR0_SMMUEN))
		return (sim.gbpa & GBPA_ABORT) ? 0xff : (*pa = iova, 0);
	if (sid >= SIM_SIDS)
		return EVT_C_BAD_STREAMID;
	c = &sim.cache[sid];
	if (!c->present) {
		if (!sim_fetch_ste(sid, c->ste)) {
			sim_event(EVT_C_BAD_STREAMID, sid, iova, 0, !write, false);
			return EVT_C_BAD_STREAMID;
		}
		c->present = true;
	}
	ste = c->ste;
	if (!(ste[0] & STE0_V)) {
		sim_event(EVT_C_BAD_STE, sid, iova, 0, !write, false);
		return EVT_C_BAD_STE;
	}
	cfg = (u32)FIELD_GET(STE0_CONFIG, ste[0]);
	if (cfg == STE_CFG_ABORT)
		return 0xff;
	if (cfg != STE_CFG_S2 || !sim_ste_s2_valid(ste)) {
		sim.bad_ste++;
		sim_event(EVT_C_BAD_STE, sid, iova, 0, !write, false);
		return EVT_C_BAD_STE;
	}
	vmid = (u16)FIELD_GET(STE2_S2VMID, ste[2]);
	for (u32 i = 0; i < SIM_TLB; i++) {
		struct sim_tlbe *e = &sim.tlb[i];

		if (e->v && e->vmid == vmid && iova >= e->ipa && iova < e->ipa + e->size) {
			*pa = e->pa + (iova - e->ipa);
			return 0;
		}
	}
	ia = 64 - (u32)FIELD_GET(STE2_S2T0SZ, ste[2]);
	level = 2 - (u32)FIELD_GET(STE2_S2SL0, ste[2]);
	if (iova >> ia) {
		if (ste[2] & STE2_S2R)
			sim_event(EVT_F_ADDR_SIZE, sid, iova, iova, !write, true);
		return EVT_F_ADDR_SIZE;
	}
	table = ste[3] & STE3_S2TTB;
	for (u32 lvl = level; lvl <= 3; lvl++) {
		u32 shift = 12 + 9 * (3 - lvl);
		u32 bits = lvl == level ? ia - shift : 9;
		u64 desc = sim_mem(table)[(iova >> shift) & ((1ULL << bits) - 1)];

		if (!(desc & 1) || (lvl == 3 && !(desc & 2))) {
			if (ste[2] & STE2_S2R)
				sim_event(EVT_F_TRANSLATION, sid, iova, iova, !write, true);
			return EVT_F_TRANSLATION;
		}
		if (lvl < 3 && (desc & 2)) {
			table = desc & GENMASK(47, 12);
			continue;
		}
		if (!(desc & BIT(10))) {
			if (ste[2] & STE2_S2R)
				sim_event(EVT_F_ACCESS, sid, iova, iova, !write, true);
			return EVT_F_ACCESS;
		}
		if (!(desc & (write ? BIT(7) : BIT(6)))) {
			if (ste[2] & STE2_S2R)
				sim_event(EVT_F_PERMISSION, sid, iova, iova, !write, true);
			return EVT_F_PERMISSION;
		}
		*pa = (desc & GENMASK(47, shift)) | (iova & ((1ULL << shift) - 1));
		sim_tlb_fill(vmid, iova & ~((1ULL << shift) - 1), 1ULL << shift,
			     desc & GENMASK(47, shift));
		return 0;
	}
	return EVT_F_TRANSLATION;
}

/* ---- register file (plat.h MMIO) ------------------------------------------ */

static bool sim_off(u64 pa, u32 *off)
{
	if (pa < SIM_BASE || pa >= SIM_BASE + SIM_SIZE) {
		sim.bad_access++;
		return false;
	}
	*off = (u32)(pa - SIM_BASE);
	return true;
}

u32 plat_read32(u64 pa)
{
	u32 off;

	if (!sim_off(pa, &off))
		return 0;
	switch (off) {
	case SMMU_IDR0:
	case SMMU_IDR1:
	case SMMU_IDR2:
	case SMMU_IDR3:
	case SMMU_IDR4:
	case SMMU_IDR5:
		return sim.idr[off / 4];
	case SMMU_AIDR:
		return sim.aidr;
	case SMMU_CR0:
		return sim.cr0;
	case SMMU_CR0ACK:
		return sim.cr0ack;
	case SMMU_CR1:
		return sim.cr1;
	case SMMU_CR2:
		return sim.cr2;
	case SMMU_GBPA:
		return sim.gbpa;
	case SMMU_IRQ_CTRL:
		return sim.irq_ctrl;
	case SMMU_IRQ_CTRLACK:
		return sim.irq_ctrlack;
	case SMMU_GERROR:
		return sim.gerror;
	case SMMU_GERRORN:
		return sim.gerrorn;
	case SMMU_STRTAB_BASE_CFG:
		return sim.strtab_cfg;
	case SMMU_CMDQ_PROD:
		return sim.cmdq_prod;
	case SMMU_CMDQ_CONS:
		return sim.cmdq_cons;
	case SMMU_EVTQ_PROD:
		return sim.evtq_prod;
	case SMMU_EVTQ_CONS:
		return sim.evtq_cons;
	default:
		sim.bad_access++;
		return 0;
	}
}

u64 plat_read64(u64 pa)
{
	u32 off;

	if (!sim_off(pa, &off))
		return 0;
	switch (off) {
	case SMMU_STRTAB_BASE:
		return sim.strtab_base;
	case SMMU_CMDQ_BASE:
		return sim.cmdq_base;
	case SMMU_EVTQ_BASE:
		return sim.evtq_base;
	default:
		sim.bad_access++;
		return 0;
	}
}

void plat_write32(u64 pa, u32 val)
{
	bool en = sim.cr0ack & CR0_SMMUEN;
	u32 off;

	if (!sim_off(pa, &off))
		return;
	sim.reg_writes++;
	switch (off) {
	case SMMU_CR0:
		sim.cr0 = val;
		sim.cr0_pending = val;
		sim.cr0_pending_set = true;
		break;
	case SMMU_CR1:
	case SMMU_CR2:
	case SMMU_STRTAB_BASE_CFG:
		if (en)
			sim.bad_writes++; /* SMMU 6.3: only while SMMUEN == 0 */
		if (off == SMMU_CR1)
			sim.cr1 = val;
		else if (off == SMMU_CR2)
			sim.cr2 = val;
		else
			sim.strtab_cfg = val;
		break;
	case SMMU_GBPA:
		if (!(val & GBPA_UPDATE))
			sim.bad_writes++;
		sim.gbpa = val;
		break;
	case SMMU_IRQ_CTRL:
		sim.irq_ctrl = val;
		sim.irq_ctrlack = val;
		break;
	case SMMU_GERRORN:
		sim.gerrorn = val;
		break;
	case SMMU_CMDQ_PROD:
		sim.cmdq_prod = val;
		if (!sim.per_tick)
			sim_consume(0);
		break;
	case SMMU_CMDQ_CONS:
		if (sim.cr0ack & CR0_CMDQEN)
			sim.bad_writes++;
		sim.cmdq_cons = val;
		break;
	case SMMU_EVTQ_PROD:
		if (sim.cr0ack & CR0_EVTQEN)
			sim.bad_writes++;
		sim.evtq_prod = val;
		break;
	case SMMU_EVTQ_CONS:
		sim.evtq_cons = val;
		break;
	default:
		sim.bad_writes++; /* ID registers, ACKs, GERROR: read-only */
		break;
	}
}

void plat_write64(u64 pa, u64 val)
{
	u32 off;

	if (!sim_off(pa, &off))
		return;
	sim.reg_writes++;
	switch (off) {
	case SMMU_STRTAB_BASE:
		if (sim.cr0ack & CR0_SMMUEN)
			sim.bad_writes++;
		sim.strtab_base = val;
		break;
	case SMMU_CMDQ_BASE:
		if (sim.cr0ack & CR0_CMDQEN)
			sim.bad_writes++;
		/* SMMU 6.3.25: base aligned to the queue size */
		if ((val & Q_BASE_ADDR) & ((16ULL << FIELD_GET(Q_BASE_LOG2SIZE, val)) - 1))
			sim.bad_writes++;
		sim.cmdq_base = val;
		break;
	case SMMU_EVTQ_BASE:
		if (sim.cr0ack & CR0_EVTQEN)
			sim.bad_writes++;
		if ((val & Q_BASE_ADDR) & ((32ULL << FIELD_GET(Q_BASE_LOG2SIZE, val)) - 1))
			sim.bad_writes++;
		sim.evtq_base = val;
		break;
	default:
		sim.bad_writes++;
		break;
	}
}

u64 plat_now_us(void)
{
	return sim.ticks + sim.clock_us;
}

void plat_udelay(u32 us)
{
	for (u32 i = 0; i < us; i++)
		sim_tick();
}
