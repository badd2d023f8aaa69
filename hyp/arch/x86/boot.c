// SPDX-License-Identifier: GPL-2.0-only
/*
 * Installation on the boot CPU (docs/x86.md). Called by head.S on the loader's stack:
 *
 * Prepare (may fail: returns -errno, nothing installed, no MSR or control register
 * written): check the boot info; check the CPU (SVM, nested paging, 1 GiB pages, SVM
 * not disabled by firmware); build the host's nested map with the core (own_init with
 * PT_FMT_X86_NPT: RAM identity-mapped write-back, every other physical address below
 * the host's address width identity-mapped uncached as device memory, except the
 * hypervisor region and the VT-d register sets, which stay absent); record the caller's
 * state as the host's first guest state.
 *
 * Commit (cannot fail): the hypervisor's own GDT, IDT and identity page tables; EFER.SVME
 * and NXE, VM_HSAVE_PA; the host's VMCB; switch to CPU 0's stack and enter the VMRUN
 * loop: the first VMRUN "returns" 0 to the loader in the host.
 */
#include <errno.h>
#include <string.h>

#include <lockstep/abi.h>
#include <lockstep/boot.h>

#include "hyp/hvc.h"
#include "hyp/measure.h"
#include "hyp/own.h"
#include "hyp/pgtable.h"
#include "hyp/plat.h"
#include "x86/svm.h"
#include "x86/x86.h"

extern char _start[], _end[];

/* The caller's registers as head.S pushed them. */
struct entry_frame {
	u64 r15, r14, r13, r12, rbx, rbp, ret;
};

/* Hypervisor GDT (APM Vol. 2 4.8 "Long-Mode Segment Descriptors"). */
#define SEL_CODE X86_SEL_CODE
#define SEL_DATA X86_SEL_DATA
static u64 hyp_gdt[5] = {
	0,
	0x00af9b000000ffffULL, /* code: P, DPL 0, S, type execute/read accessed, L = 1, G */
	0x00cf93000000ffffULL, /* data: P, DPL 0, S, type read/write accessed, D/B, G */
	0,
	0, /* X86_SEL_TSS: 64-bit TSS (4.8.3), filled by build_tables */
};
u8 x86_hyp_tss[104] __attribute__((aligned(16)));

/* Interrupt-gate descriptors (APM Vol. 2 4.8.4 "Gate Descriptors"), 16 bytes each. */
static u64 hyp_idt[32 * 2] __attribute__((aligned(16)));

/*
 * The hypervisor's own page tables: identity map of the first 512 GiB with 1 GiB pages
 * (APM Vol. 2 5.3.5), supervisor only, write-back (PAT index 0; the firmware's MTRRs make
 * its MMIO holes uncached). Physical and virtual addresses are equal (plat.c).
 */
static u64 hyp_pml4[512] __attribute__((aligned(4096)));
static u64 hyp_pdpt[512] __attribute__((aligned(4096)));
#define PTE_P  BIT(0)
#define PTE_RW BIT(1)
#define PTE_PS BIT(7)

/* The host's physical memory (RAM of the boot info plus the hypervisor region). */
static struct own_range ram[OWN_MAX_RANGES];
static unsigned int nr_ram;
static struct own_range hyp_range;
static u64 hyp_stack_top;

struct __attribute__((packed)) dtr {
	u16 limit;
	u64 base;
};

static int check_info(const struct ls_boot_info *bi)
{
	unsigned int i;

	if (bi->magic != LS_BOOT_INFO_MAGIC || bi->size < sizeof(*bi)) {
		plat_log("boot info: bad magic or size %llu (want %llu)",
			 (unsigned long long)bi->size, (unsigned long long)sizeof(*bi));
		return -EINVAL;
	}
	if (!IS_ALIGNED(bi->hyp_base, SZ_2M) || bi->hyp_base != plat_virt_to_phys(_start) ||
	    bi->hyp_size < plat_virt_to_phys(_end) - plat_virt_to_phys(_start) ||
	    bi->hyp_base + bi->hyp_size < bi->hyp_base || bi->stack_base < bi->hyp_base ||
	    bi->nr_cpus < 1 || !bi->stack_size ||
	    bi->stack_base + bi->stack_size > bi->hyp_base + bi->hyp_size ||
	    bi->pool_base < bi->hyp_base || !IS_ALIGNED(bi->pool_base, PAGE_SIZE) ||
	    bi->pool_base + bi->pool_size > bi->hyp_base + bi->hyp_size || bi->nr_mem < 1 ||
	    bi->nr_mem > LS_BOOT_MAX_MEM || bi->nr_vtd > LS_BOOT_MAX_VTD) {
		plat_log("boot info: inconsistent region, stacks, pool or counts");
		return -EINVAL;
	}
	for (i = 0; i < bi->nr_mem; i++)
		if (!IS_ALIGNED(bi->mem[i].base | bi->mem[i].size, PAGE_SIZE) ||
		    (i && bi->mem[i].base < bi->mem[i - 1].base + bi->mem[i - 1].size))
			return -EINVAL;
	return 0;
}

const struct x86_flavour *x86_fl;
u64 x86_host_root;

/*
 * The flavour from CPUID: VMX (Intel SDM Vol. 2A CPUID leaf 1 ECX[5]) or SVM (AMD APM
 * Vol. 3 E.4.2, 8000_0001h ECX[2]); each then checks what it needs. A CPU has at most one.
 */
static const struct x86_flavour *pick_flavour(void)
{
	if (x86_cpuid(1, 0).c & CPUID_1_ECX_VMX)
		return &x86_vmx_flavour;
	if (x86_cpuid(0x80000000U, 0).a >= 0x80000001U &&
	    (x86_cpuid(0x80000001U, 0).c & CPUID_80000001_ECX_SVM))
		return &x86_svm_flavour;
	return NULL;
}

/* What both flavours need of the CPU: 1 GiB pages (8000_0001h EDX[26], in both vendors'
 * CPUID), the physical address width (8000_0008h EAX[7:0], at most 48 bits). */
static int check_cpu(unsigned int *pa_bits)
{
	x86_fl = pick_flavour();
	if (!x86_fl) {
		plat_log("this CPU has neither VMX (CPUID 1 ECX[5]) nor SVM (CPUID 8000_0001h "
			 "ECX[2]): not starting");
		return -ENODEV;
	}
	x86_park_gif = x86_fl->gif;
	if (x86_cpuid(0x80000000U, 0).a < 0x80000008U ||
	    !(x86_cpuid(0x80000001U, 0).d & CPUID_80000001_EDX_PAGE1GB)) {
		plat_log("no 1 GiB pages (CPUID 8000_0001h EDX[26]): not starting");
		return -ENODEV;
	}
	*pa_bits = MIN(x86_cpuid(0x80000008U, 0).a & 0xff, 48U);
	return x86_fl->check();
}

static int collect_ram(const struct ls_boot_info *bi)
{
	struct own_range all[LS_BOOT_MAX_MEM + 1];
	unsigned int n = 0, i, j;

	for (i = 0; i < bi->nr_mem; i++)
		all[n++] = (struct own_range){ bi->mem[i].base, bi->mem[i].size };
	all[n++] = hyp_range;
	for (i = 1; i < n; i++)
		for (j = i; j && all[j].base < all[j - 1].base; j--) {
			struct own_range t = all[j];

			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		struct own_range *last = nr_ram ? &ram[nr_ram - 1] : NULL;

		if (last && all[i].base <= last->base + last->size) {
			last->size = MAX(last->base + last->size, all[i].base + all[i].size) -
				     last->base;
			continue;
		}
		if (nr_ram == OWN_MAX_RANGES)
			return -E2BIG;
		ram[nr_ram++] = all[i];
	}
	return 0;
}

/*
 * Ranges of the physical address space the host's nested map leaves out of its device map:
 * the VT-d register sets, the AP start-up page, and the APIC page (mapped read-only apart).
 */
static struct own_range holes[LS_BOOT_MAX_VTD + 2];
static unsigned int nr_holes;

static void collect_holes(const struct ls_boot_info *bi)
{
	unsigned int i;

	for (i = 0; i < bi->nr_vtd; i++) {
		u64 vb = ALIGN_DOWN(bi->vtd[i].base, PAGE_SIZE);

		holes[nr_holes++] = (struct own_range){
			vb, ALIGN_UP(bi->vtd[i].base + bi->vtd[i].size, PAGE_SIZE) - vb
		};
	}
	if (bi->ap_tramp)
		holes[nr_holes++] = (struct own_range){ bi->ap_tramp, PAGE_SIZE };
	holes[nr_holes++] = (struct own_range){ x86_apic_base, PAGE_SIZE };
}

/* Map [base, end) as host device memory, minus the holes. */
static int map_hole(struct pt *npt, u64 base, u64 end)
{
	unsigned int i;
	u64 cut;
	int ret;

	while (base < end) {
		cut = end;
		for (i = 0; i < nr_holes; i++) {
			u64 vb = holes[i].base, ve = holes[i].base + holes[i].size;

			if (vb <= base && base < ve)
				base = ve; /* inside a hole: skip it */
			else if (base < vb && vb < cut)
				cut = vb;
		}
		if (base >= end)
			break;
		cut = MIN(cut, end);
		if (base < cut) {
			ret = pt_map(npt, base, cut - base, base, PT_RWX | PT_DEVICE, NULL);
			if (ret)
				return ret;
		}
		base = cut;
	}
	return 0;
}

static int build_npt(const struct ls_boot_info *bi, unsigned int pa_bits, u64 *vtd_pa)
{
	struct own_config cfg = { 0 };
	u64 pool = bi->pool_base, pool_end = bi->pool_base + bi->pool_size, db, at = 0;
	u64 vtd_mem = x86_vtd_mem_bytes(bi);
	struct pt *npt;
	unsigned int i;
	int ret;

	db = ALIGN_UP(own_db_bytes(ram, nr_ram), PAGE_SIZE);
	if (pool + db + vtd_mem + 16 * PAGE_SIZE > pool_end) {
		plat_log("table pool too small: %llu KiB, the ownership database needs %llu KiB",
			 (unsigned long long)(bi->pool_size >> 10), (unsigned long long)(db >> 10));
		return -ENOMEM;
	}
	cfg.ram = ram;
	cfg.nr_ram = nr_ram;
	cfg.hyp = &hyp_range;
	cfg.nr_hyp = 1;
	cfg.db = plat_phys_to_virt(pool);
	cfg.db_bytes = db;
	memset(cfg.db, 0, db);
	/* The VT-d units' own tables at the pool's end (2 MiB aligned: the region is). */
	*vtd_pa = ALIGN_DOWN(pool_end - vtd_mem, SZ_2M);
	cfg.host_pool_pa = pool + db;
	cfg.host_pool_pages = (*vtd_pa - pool - db) >> PAGE_SHIFT;
	cfg.host_ia_bits = pa_bits;
	cfg.cpu_fmt = x86_fl->fmt;
	cfg.cpu_coherent = true; /* the nested (NPT or EPT) walk snoops the caches */
	cfg.cpu_ops = x86_fl->inval;
	ret = own_init(&cfg);
	if (ret) {
		plat_log("ownership init failed: %d", ret);
		return ret;
	}
	/*
	 * The loader's measured-launch log, kept as the host may read it (LS_FN_MEASURE_READ).
	 * The x86 image adds no event of its own yet (no SHA-256 linked: docs/x86.md).
	 */
	if (measure_install(&bi->mlog))
		plat_log("measured launch: the loader's log is malformed; none kept");
	/*
	 * Default deny (docs/x86.md "Host MMIO"): outside RAM the host's map holds only the
	 * device windows of the loader's device map (PCI BARs and ECAM, I/O APIC, HPET, the
	 * firmware's MMIO, the legacy area below 1 MiB), uncached, minus the holes; any
	 * other address is absent and a host access to it is refused and logged (exit_npf).
	 * The ownership core's table is the one live table and nothing runs yet: mapping
	 * directly is safe.
	 */
	npt = (struct pt *)&own_view_of(OWN_HOST)->cpu;
	for (i = 0; i <= nr_ram; i++) {
		u64 end = MIN(i < nr_ram ? ram[i].base : BIT(pa_bits), BIT(pa_bits));
		unsigned int w;

		for (w = 0; end > at && w < bi->nr_host_mmio && w < LS_BOOT_MAX_MMIO; w++) {
			u64 lo = MAX(at, bi->host_mmio[w].base);
			u64 hi = MIN(end, bi->host_mmio[w].base + bi->host_mmio[w].size);

			if (lo >= hi)
				continue;
			ret = map_hole(npt, lo, hi);
			if (ret) {
				plat_log("host device map [%#llx, %#llx) failed: %d",
					 (unsigned long long)lo, (unsigned long long)hi, ret);
				return ret;
			}
		}
		if (i < nr_ram)
			at = ram[i].base + ram[i].size;
	}
	plat_log("host MMIO: default deny, %u windows of the loader's device map mapped",
		 bi->nr_host_mmio);
	/*
	 * The APIC page read-only: the host's reads go to its APIC, its writes exit and are
	 * emulated (apic.c: INIT and Startup IPIs never leave the hypervisor).
	 */
	ret = pt_map(npt, x86_apic_base, PAGE_SIZE, x86_apic_base, PT_R | PT_DEVICE, NULL);
	if (ret)
		plat_log("host APIC page %#llx read-only: %d", (unsigned long long)x86_apic_base,
			 ret);
	return ret;
}

/*
 * The attribute word (descriptor bits 47:40 in 7:0, 55:52 in 11:8) of the descriptor @sel
 * selects in the GDT at @gdt (APM Vol. 2 4.7-4.8; system descriptors of long mode are 16
 * bytes, base 63:32 in the second quadword, 4.8.3).
 */
static void seg_from_gdt(struct x86_seg *s, u16 sel, const struct dtr *gdt)
{
	const u64 *d;
	u64 desc;

	s->sel = sel;
	if (!(sel & ~3U) || (sel & 4) || (sel | 7U) > gdt->limit) {
		s->attr = 0; /* null (or LDT) selector: unusable */
		s->limit = 0;
		s->base = 0;
		return;
	}
	d = (const u64 *)(uintptr_t)(gdt->base + (sel & ~7U));
	desc = *d;
	s->attr = (u16)(((desc >> 40) & 0xff) | ((desc >> 44) & 0xf00));
	s->limit = (u32)((desc & 0xffff) | ((desc >> 32) & 0xf0000));
	if (desc & BIT(55)) /* G: 4 KiB granularity */
		s->limit = (s->limit << 12) | 0xfff;
	s->base = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24);
	if (!(desc & BIT(44)) && (sel | 15U) <= gdt->limit) /* S = 0: system, 16 bytes */
		s->base |= d[1] << 32;
}

/* The caller's state, the host's first guest state (the flavour's set_state). */
static struct x86_host_state host0;

static void capture_host(const struct entry_frame *f)
{
	struct x86_host_state *s = &host0;
	struct dtr gdt, idt;
	u16 cs, ss, ds, es, fs, gs, tr, ldtr;
	u64 rflags;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdt), "=m"(idt));
	__asm__ volatile("mov %%cs, %0; mov %%ss, %1; mov %%ds, %2; mov %%es, %3"
			 : "=r"(cs), "=r"(ss), "=r"(ds), "=r"(es));
	__asm__ volatile("mov %%fs, %0; mov %%gs, %1; str %2; sldt %3"
			 : "=r"(fs), "=r"(gs), "=r"(tr), "=r"(ldtr));
	__asm__ volatile("pushfq; popq %0" : "=r"(rflags));
	seg_from_gdt(&s->cs, cs, &gdt);
	seg_from_gdt(&s->ss, ss, &gdt);
	seg_from_gdt(&s->ds, ds, &gdt);
	seg_from_gdt(&s->es, es, &gdt);
	seg_from_gdt(&s->fs, fs, &gdt);
	seg_from_gdt(&s->gs, gs, &gdt);
	seg_from_gdt(&s->tr, tr, &gdt);
	seg_from_gdt(&s->ldtr, ldtr, &gdt);
	/* Long mode: the FS and GS bases are the MSRs (APM Vol. 2 4.5.3). */
	s->fs.base = x86_rdmsr(MSR_FS_BASE);
	s->gs.base = x86_rdmsr(MSR_GS_BASE);
	s->gdt_base = gdt.base;
	s->gdt_limit = gdt.limit;
	s->idt_base = idt.base;
	s->idt_limit = idt.limit;
	s->efer = x86_rdmsr(MSR_EFER);
	s->cr0 = X86_READ_CR(0);
	s->cr3 = X86_READ_CR(3);
	s->cr4 = X86_READ_CR(4);
	s->cr2 = X86_READ_CR(2);
	s->rflags = rflags;
	s->pat = x86_rdmsr(MSR_PAT);
	s->sysenter_cs = x86_rdmsr(MSR_SYSENTER_CS);
	s->sysenter_esp = x86_rdmsr(MSR_SYSENTER_ESP);
	s->sysenter_eip = x86_rdmsr(MSR_SYSENTER_EIP);
	/* "return 0" to the loader: RIP = the return address, RSP above it, RAX = 0. */
	s->rip = f->ret;
	s->rsp = (u64)(uintptr_t)(&f->ret + 1);
	s->rax = 0;
	memset(&x86_cpus[0].gprs, 0, sizeof(x86_cpus[0].gprs));
	x86_cpus[0].gprs.rbx = f->rbx;
	x86_cpus[0].gprs.rbp = f->rbp;
	x86_cpus[0].gprs.r12 = f->r12;
	x86_cpus[0].gprs.r13 = f->r13;
	x86_cpus[0].gprs.r14 = f->r14;
	x86_cpus[0].gprs.r15 = f->r15;
}

/* The hypervisor's page tables, GDT and IDT, shared by every CPU (built once). */
static void build_tables(void)
{
	size_t i;
	u64 h;

	h = (u64)(uintptr_t)x86_hyp_tss;
	/* Available 64-bit TSS: limit 103, base 63:0, type 9, P (APM Vol. 2 4.8.3). */
	hyp_gdt[3] = (sizeof(x86_hyp_tss) - 1) | ((h & 0xffffff) << 16) | (0x89ULL << 40) |
		     (((h >> 24) & 0xff) << 56);
	hyp_gdt[4] = h >> 32;
	for (i = 0; i < 512; i++)
		hyp_pdpt[i] = ((u64)i << 30) | PTE_P | PTE_RW | PTE_PS;
	hyp_pml4[0] = plat_virt_to_phys(hyp_pdpt) | PTE_P | PTE_RW;
	for (i = 0; i < 32; i++) {
		/* Interrupt gate: offset 15:0, selector, P | DPL 0 | type 0xE, offset 63:16. */
		h = (u64)(uintptr_t)(x86_exc_stubs + 16 * i);
		if (i == X86_VEC_NMI)
			h = (u64)(uintptr_t)x86_nmi_stub; /* counted and returned from (smp.c) */
		hyp_idt[2 * i] = (h & 0xffff) | ((u64)SEL_CODE << 16) | (0x8eULL << 40) |
				 ((h & 0xffff0000ULL) << 32);
		hyp_idt[2 * i + 1] = h >> 32;
	}
}

/* This CPU's own GDT, IDT and page tables; then the flavour on and its control state. */
void x86_cpu_commit(struct x86_cpu *c)
{
	struct dtr gdt = { sizeof(hyp_gdt) - 1, (u64)(uintptr_t)hyp_gdt };
	struct dtr idt = { sizeof(hyp_idt) - 1, (u64)(uintptr_t)hyp_idt };

	__asm__ volatile("lgdt %0; lidt %1" : : "m"(gdt), "m"(idt) : "memory");
	x86_load_segments(SEL_CODE, SEL_DATA);
	__asm__ volatile("mov %0, %%cr3" : : "r"(plat_virt_to_phys(hyp_pml4)) : "memory");
	x86_fl->cpu_on(c);
	x86_fl->setup(c, x86_host_root);
}

static void boot_banner(const struct ls_boot_info *bi, unsigned int pa_bits)
{
	const struct pt *npt = &own_view_of(OWN_HOST)->cpu;

	plat_log("Lockstep " LOCKSTEP_VERSION_STR " (x86_64, %s): "
		 "region %#llx-%#llx, host address width %u bits, %u RAM ranges, "
		 "%u VT-d units kept from the host (%u translating its DMA), nested root %#llx",
		 x86_fl->name, (unsigned long long)bi->hyp_base,
		 (unsigned long long)(bi->hyp_base + bi->hyp_size - 1), pa_bits, nr_ram, bi->nr_vtd,
		 x86_vtd_live(), (unsigned long long)pt_root_pa(npt));
	plat_log("entering the host as %s on CPU 0, APIC ID %u", x86_fl->guest,
		 x86_cpus[0].apic_id);
}

static void enter_host(void)
{
	x86_fl->loop(&x86_cpus[0]);
}

long x86_boot(struct ls_boot_info *bi, struct entry_frame *f);

long x86_boot(struct ls_boot_info *bi, struct entry_frame *f)
{
	unsigned int pa_bits;
	u64 vtd_pa;
	int ret;

	x86_console_init();
	ret = check_info(bi);
	if (!ret)
		ret = check_cpu(&pa_bits);
	if (ret)
		return ret;
	hyp_range = (struct own_range){ bi->hyp_base, bi->hyp_size };
	if (bi->size < __builtin_offsetof(struct ls_boot_info, ap_tramp) + sizeof(bi->ap_tramp) ||
	    (bi->ap_tramp && (!IS_ALIGNED(bi->ap_tramp, PAGE_SIZE) || bi->ap_tramp >= 0x100000))) {
		plat_log("boot info: no AP start-up page field, or not a page below 1 MiB");
		return -EINVAL;
	}
	x86_apic_init();
	collect_holes(bi);
	ret = collect_ram(bi);
	if (!ret)
		ret = build_npt(bi, pa_bits, &vtd_pa);
	if (ret)
		return ret;
	x86_time_init();
	x86_vtd_init(bi, vtd_pa);
	/*
	 * The loader let the DMA masters in the units' device scopes through as translated
	 * (boot/pcicheck.c): a unit not taken would leave them untranslated. Fail the install
	 * (Linux then boots without Lockstep and finds the DMAR again).
	 */
	if (x86_vtd_live() < bi->nr_vtd) {
		plat_log("%u of %u VT-d units taken: their DMA masters would not be isolated; "
			 "not installing",
			 x86_vtd_live(), bi->nr_vtd);
		return -ENODEV;
	}
	x86_smp_boot_cpu(bi->stack_base, bi->stack_size, bi->nr_cpus);
	capture_host(f);
	x86_host_root = pt_root_pa(&own_view_of(OWN_HOST)->cpu);
	hvc_set_features(LS_FEAT_HOST_S2);
	hyp_stack_top = bi->stack_base + bi->stack_size;
	boot_banner(bi, pa_bits);

	build_tables();
	x86_cpu_commit(&x86_cpus[0]);
	x86_fl->set_state(&x86_cpus[0], &host0);
	x86_smp_start_aps(bi);
	x86_switch_stack(hyp_stack_top, enter_host);
}

void x86_exception(const u64 *frame)
{
	plat_panic("exception %llu in the hypervisor: error %#llx, RIP %#llx, CR2 %#llx",
		   (unsigned long long)frame[0], (unsigned long long)frame[1],
		   (unsigned long long)frame[2], (unsigned long long)X86_READ_CR(2));
}
