// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Lockstep UEFI loader (BOOTAA64.EFI, BOOTX64.EFI). Flow, see docs/boot.md:
 *   config -> hypervisor image (validated) -> initrd -> kernel LoadImage ->
 *   reserved region + boot info -> ExitBootServices wrapper -> StartImage(kernel).
 * Every check that can fail on bad input runs before the first change that
 * matters (the reserved region, the EBS patch); on failure everything done so
 * far is undone and an EFI error goes back to the firmware.
 */
#include "efi_ldr.h"

/* The public key hypervisor images must be signed with (mk/attest.mk generates it). */
#include "lockstep_pubkey.h"

#define LDR_VERSION	    "0.1"
#define LDR_CFG_FILE	    "\\lockstep\\lockstep.cfg"
#define LDR_HYP_FILE_MAX    (64ULL << 20)
#define LDR_INITRD_FILE_MAX (512ULL << 20)
#define LDR_KERNEL_FILE_MAX (256ULL << 20)
/* SMMUv3 register pages 0 and 1 (SMMUv3 IHI 0070, 6.1 "Memory map"); IORT gives no size. */
#define LDR_SMMUV3_FRAME    0x20000ULL

static EFI_GUID fdt_guid = { 0xb1b621d5,
			     0xf19c,
			     0x41a5,
			     { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } };
#ifndef EFI_MEMORY_RO
#define EFI_MEMORY_RO 0x0000000000020000ULL /* UEFI 2.10, EFI_MEMORY_DESCRIPTOR.Attribute */
#endif

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
/* EFI_MEMORY_ATTRIBUTE_PROTOCOL (UEFI 2.10, "Memory Attribute Protocol"). */
static EFI_GUID mem_attr_guid = { 0xf4560cf6,
				  0x40ec,
				  0x4b4a,
				  { 0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89 } };
/* EFI_CPU_ARCH_PROTOCOL (PI 1.8 volume 2, DXE architectural protocols). */
static EFI_GUID cpu_arch_guid = { 0x26baccb1,
				  0x6f42,
				  0x11d4,
				  { 0xbc, 0xe7, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } };
/* DXE Services Table (PI 1.8 volume 2, "DXE Services Table"). */
static EFI_GUID dxe_services_guid = { 0x05ad34ba,
				      0x6f02,
				      0x4214,
				      { 0x95, 0x2e, 0x4d, 0xa0, 0x39, 0x8e, 0x2b, 0xb9 } };

struct mem_attr_proto {
	EFI_STATUS(EFIAPI *get)
	(struct mem_attr_proto *p, EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 *attrs);
	EFI_STATUS(EFIAPI *set)
	(struct mem_attr_proto *p, EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attrs);
	EFI_STATUS(EFIAPI *clear)
	(struct mem_attr_proto *p, EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attrs);
};

/* The head of EFI_CPU_ARCH_PROTOCOL, up to SetMemoryAttributes. */
struct cpu_arch_proto {
	void *flush_data_cache, *enable_interrupt, *disable_interrupt, *get_interrupt_state;
	void *init, *register_interrupt_handler, *get_timer_value;
	EFI_STATUS(EFIAPI *set_memory_attributes)
	(struct cpu_arch_proto *p, EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attrs);
};

/* EFI_GCD_MEMORY_SPACE_DESCRIPTOR (PI 1.8 volume 2, GetMemorySpaceDescriptor()). */
struct gcd_desc {
	EFI_PHYSICAL_ADDRESS base;
	UINT64 len;
	UINT64 capabilities;
	UINT64 attributes;
	UINT32 type;
	EFI_HANDLE image;
	EFI_HANDLE device;
};

/* The head of the DXE Services Table, up to the two calls used here. */
struct dxe_services {
	EFI_TABLE_HEADER hdr;
	void *add_memory_space, *allocate_memory_space, *free_memory_space, *remove_memory_space;
	EFI_STATUS(EFIAPI *get_memory_space_descriptor)
	(EFI_PHYSICAL_ADDRESS base, struct gcd_desc *d);
	EFI_STATUS(EFIAPI *set_memory_space_attributes)
	(EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attrs);
};

struct ldr_state {
	EFI_HANDLE self;
	EFI_FILE_HANDLE root;
	EFI_HANDLE dev;
	struct ldr_config cfg;
	void *hyp; /* hypervisor image file (pool) */
	UINTN hyp_len;
	void *initrd; /* initrd file (pool) */
	UINTN initrd_len;
	EFI_HANDLE kernel;
	CHAR16 *cmdline;
	int initrd_installed;
	EFI_PHYSICAL_ADDRESS region;
	UINTN region_pages;
	void *mm_buf;
	/* The SMMU hidden from the host (undone by ldr_cleanup if the boot fails). */
	uint8_t *xsdt;	     /* XSDT whose IORT entry was repointed, NULL if not */
	uint32_t xsdt_entry; /* offset of that entry */
	uint64_t iort_orig;  /* the firmware's IORT */
	EFI_PHYSICAL_ADDRESS iort_copy;
	UINTN iort_pages;
	void *fdt_orig; /* the firmware's DT, NULL if not replaced */
	EFI_PHYSICAL_ADDRESS fdt_copy;
	UINTN fdt_pages;
	/* Denied ACPI devices hidden: the FADT's DSDT pointers moved to a patched copy. */
	uint8_t *fadt;
	uint64_t dsdt_orig_x;
	uint32_t dsdt_orig_32;
	EFI_PHYSICAL_ADDRESS dsdt_copy;
	UINTN dsdt_pages;
	UINTN untranslated; /* DMA masters outside the SMMU let through by the config */
	/* Measured launch (docs/attestation.md): what was loaded, copied into the boot info. */
	struct ls_mlog mlog;
	/* The VT-d units hidden from the host: the DMAR's XSDT entry removed (x86_64). */
	uint8_t *dmar_xsdt; /* XSDT the entry was removed from, NULL if not */
	uint32_t dmar_entry;
	uint64_t dmar_table;
};

/* Append one SHA-256 event to the measurement log (at most LS_MLOG_MAX_EVENTS - 1 here). */
static void ldr_measure(struct ldr_state *s, uint32_t type, const uint8_t digest[32],
			uint64_t length, const char *desc, uint32_t flags)
{
	struct ls_mlog_event *ev;
	unsigned int i;

	if (s->mlog.nr_events >= LS_MLOG_MAX_EVENTS - 1)
		return;
	ev = &s->mlog.ev[s->mlog.nr_events++];
	ev->type = type;
	ev->alg = LS_MEAS_ALG_SHA256;
	ev->length = length;
	CopyMem(ev->digest, (void *)digest, sizeof(ev->digest));
	for (i = 0; i + 1 < sizeof(ev->desc) && desc[i]; i++)
		ev->desc[i] = desc[i];
	ev->flags = flags;
	s->mlog.size = LS_MLOG_HDR_BYTES + s->mlog.nr_events * LS_MLOG_EV_BYTES;
	Print(LDR_TAG L"measured %a: sha256 ", desc);
	for (i = 0; i < 32; i++)
		Print(L"%02x", digest[i]);
	Print(L" (%ld bytes)\n", length);
}

/* Which device MMIO the host may reach; large, so not on the stack. */
static struct ldr_devmap ldr_dm;

static void ldr_put64(uint8_t *p, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t ldr_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void ldr_put32(uint8_t *p, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Put the firmware's own descriptions back (a boot that fails after hiding). */
static void ldr_unhide(struct ldr_state *s)
{
	if (s->xsdt) {
		ldr_put64(s->xsdt + s->xsdt_entry, s->iort_orig);
		acpi_fix_checksum(s->xsdt, ldr_le32(s->xsdt + 4));
		s->xsdt = NULL;
	}
	if (s->iort_copy) {
		BS->FreePages(s->iort_copy, s->iort_pages);
		s->iort_copy = 0;
	}
	if (s->fdt_orig) {
		BS->InstallConfigurationTable(&fdt_guid, s->fdt_orig);
		s->fdt_orig = NULL;
	}
	if (s->fdt_copy) {
		BS->FreePages(s->fdt_copy, s->fdt_pages);
		s->fdt_copy = 0;
	}
	if (s->fadt) {
		ldr_put64(s->fadt + 140, s->dsdt_orig_x);
		ldr_put32(s->fadt + 40, s->dsdt_orig_32);
		acpi_fix_checksum(s->fadt, ldr_le32(s->fadt + 4));
		s->fadt = NULL;
	}
	if (s->dsdt_copy) {
		BS->FreePages(s->dsdt_copy, s->dsdt_pages);
		s->dsdt_copy = 0;
	}
	if (s->dmar_xsdt) {
		uint8_t *x = s->dmar_xsdt;
		uint32_t len = ldr_le32(x + 4);

		CopyMem(x + s->dmar_entry + 8, x + s->dmar_entry, len - s->dmar_entry);
		ldr_put64(x + s->dmar_entry, s->dmar_table);
		ldr_put32(x + 4, len + 8);
		acpi_fix_checksum(x, len + 8);
		s->dmar_xsdt = NULL;
	}
}

/*
 * x86_64: the VT-d units belong to the hypervisor (their register pages are absent from
 * the host's nested map, docs/x86.md), so the host must not find them: the DMAR's entry
 * is removed from the XSDT (ACPI 6.5 5.2.8: the entries follow the 36-byte header; the
 * length shrinks by 8, the checksum is recomputed). Linux uses the XSDT when the RSDP
 * has one (revision >= 2, which the loader requires). The table itself stays where it
 * is; ldr_unhide puts the entry back if the boot fails.
 */
static void ldr_hide_dmar(struct ldr_state *s, void *rsdp)
{
	uint64_t xsdt, table;
	uint32_t entry, len;
	uint8_t *x;

	if (!rsdp || acpi_locate(rsdp, "DMAR", &xsdt, &entry, &table))
		return;
	x = (uint8_t *)(UINTN)xsdt;
	len = ldr_le32(x + 4);
	CopyMem(x + entry, x + entry + 8, len - entry - 8);
	ldr_put32(x + 4, len - 8);
	acpi_fix_checksum(x, len - 8);
	s->dmar_xsdt = x;
	s->dmar_entry = entry;
	s->dmar_table = table;
	Print(LDR_TAG L"VT-d hidden (ACPI): DMAR 0x%lx removed from the XSDT at 0x%lx\n", table,
	      xsdt);
}

/*
 * ACPI: a rewritten copy of the IORT, without the SMMUv3 node (boot/hide.c), in
 * EfiACPIReclaimMemory like the firmware's tables; the XSDT entry is repointed and
 * the XSDT checksum recomputed. The firmware's IORT is left as it was (the
 * hypervisor and an undo may still read it). Returns 1 if hidden, 0 if there was
 * no IORT with an SMMUv3, -1 if refused.
 */
static int ldr_hide_acpi(struct ldr_state *s, void *rsdp)
{
	struct iort_hide_report r = { 0 };
	const char *err;
	uint64_t xsdt, table;
	uint32_t entry, len, cap;
	UINTN pages;
	EFI_PHYSICAL_ADDRESS copy;
	EFI_STATUS st;

	err = acpi_locate(rsdp, "IORT", &xsdt, &entry, &table);
	if (err) {
		Print(LDR_TAG L"SMMU hiding: ACPI IORT: %a; IORT left untouched\n", err);
		return -1;
	}
	len = ldr_le32((const uint8_t *)(UINTN)table + 4);
	/* Each redirected mapping may split in as many as the SMMU has: room to spare. */
	cap = len * 4 + 4096;
	pages = EFI_SIZE_TO_PAGES(cap);
	st = BS->AllocatePages(AllocateAnyPages, EfiACPIReclaimMemory, pages, &copy);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"SMMU hiding: cannot allocate %d bytes for the IORT copy: %r\n", cap,
		      st);
		return -1;
	}
	err = iort_hide_smmuv3((const uint8_t *)(UINTN)table, len, (uint8_t *)(UINTN)copy, cap, &r);
	if (err) {
		BS->FreePages(copy, pages);
		Print(LDR_TAG L"SMMU hiding: %a; IORT left untouched\n", err);
		return -1;
	}
	s->iort_copy = copy;
	s->iort_pages = pages;
	s->iort_orig = table;
	s->xsdt = (uint8_t *)(UINTN)xsdt;
	s->xsdt_entry = entry;
	ldr_put64(s->xsdt + entry, copy);
	acpi_fix_checksum(s->xsdt, ldr_le32(s->xsdt + 4));
	Print(LDR_TAG L"SMMU hidden (ACPI): IORT 0x%lx (%d bytes) -> copy 0x%lx (%d bytes, "
		      L"EfiACPIReclaimMemory): SMMUv3 node at +0x%x removed, %d nodes left; %d ID "
		      L"mappings through it -> %d straight to its output (%d dropped); XSDT entry "
		      L"repointed\n",
	      table, len, copy, r.new_len, r.smmu_off, r.nodes, r.redirected, r.composed,
	      r.dropped);
	return 1;
}

/*
 * DT: an edited copy of the firmware's DT (the SMMU node disabled, references to
 * it removed; boot/hide.c), installed in place of the original with
 * InstallConfigurationTable. Linux's EFI stub copies the DT it finds there into
 * its own allocation before ExitBootServices, so the copy is EfiBootServicesData
 * (Linux reclaims it). The original stays allocated and in the boot info for the
 * hypervisor.
 */
static int ldr_hide_dt(struct ldr_state *s, void *fdt, uint64_t smmu_base)
{
	struct fdt_hide_report r = { 0 };
	uint32_t size = fdt_total_size(fdt), cap = size + 4096, offs[LDR_FDT_MAX_HIDE], n = 0, i;
	UINTN pages = EFI_SIZE_TO_PAGES(cap);
	EFI_PHYSICAL_ADDRESS copy;
	const char *err = NULL;
	EFI_STATUS st;

	/* The DT devices the device map denied (ldr_devmap): status = "disabled". */
	for (i = 0; i < ldr_dm.nr_dev; i++)
		if (ldr_dm.dev[i].verdict == LDR_DEV_DENY && ldr_dm.dev[i].src == LDR_SRC_DT &&
		    ldr_dm.dev[i].hide_off != UINT32_MAX && n < LDR_FDT_MAX_HIDE)
			offs[n++] = ldr_dm.dev[i].hide_off;
	if (!n && !smmu_base)
		return 0;
	st = BS->AllocatePages(AllocateAnyPages, EfiBootServicesData, pages, &copy);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"DT hiding: cannot allocate %d bytes for the DT copy: %r\n", cap,
		      st);
		return -1;
	}
	CopyMem((void *)(UINTN)copy, fdt, size);
	/* Disable first: the offsets are the original blob's, which the SMMU edit moves. */
	if (n)
		err = fdt_disable_nodes((void *)(UINTN)copy, cap, offs, n);
	if (!err && smmu_base)
		err = fdt_hide_smmuv3((void *)(UINTN)copy, cap, smmu_base, &r);
	if (!err) {
		st = BS->InstallConfigurationTable(&fdt_guid, (void *)(UINTN)copy);
		if (EFI_ERROR(st))
			err = "InstallConfigurationTable failed";
	}
	if (err) {
		BS->FreePages(copy, pages);
		Print(LDR_TAG L"DT hiding: %a; DT left untouched\n", err);
		return -1;
	}
	s->fdt_orig = fdt;
	s->fdt_copy = copy;
	s->fdt_pages = pages;
	if (n)
		Print(LDR_TAG L"DT: %d denied device nodes status=\"disabled\" in the copy\n", n);
	if (smmu_base)
		Print(LDR_TAG L"SMMU hidden (DT): copy 0x%lx (%d bytes, EfiBootServicesData) installed: "
			      L"arm,smmu-v3 node at 0x%lx status=\"disabled\"%a, phandle 0x%x: %d "
			      L"iommu-map/iommus and %d iommu-map-mask properties removed\n",
		      copy, fdt_total_size((void *)(UINTN)copy), smmu_base,
		      r.had_status ? " (was set)" : "", r.phandle, r.refs_removed, r.masks_removed);
	else
		Print(LDR_TAG L"DT copy 0x%lx (%d bytes, EfiBootServicesData) installed\n", copy,
		      fdt_total_size((void *)(UINTN)copy));
	return smmu_base ? 1 : 0;
}

/*
 * ACPI: the denied devices of the DSDT get _STA = Zero in a copy (boot/devmap.c,
 * acpi_hide_device: same length, NoopOp padding), in EfiACPIReclaimMemory below
 * 4 GiB; the FADT's X_DSDT and DSDT are repointed, its checksum recomputed. The
 * firmware's DSDT is left as it was (an undo puts the pointers back). Denied devices
 * of SSDTs are not hidden (none on the machines the project ships); the host
 * stage-2 denies their registers all the same.
 */
static void ldr_hide_dsdt(struct ldr_state *s, void *rsdp)
{
	uint64_t xsdt, fadt, dsdt;
	uint32_t entry, len, i, n = 0, skipped = 0;
	EFI_PHYSICAL_ADDRESS copy = 0xffffffffULL;
	UINTN pages;
	const char *err;
	uint8_t *f;
	EFI_STATUS st;

	for (i = 0; i < ldr_dm.nr_dev; i++)
		if (ldr_dm.dev[i].verdict == LDR_DEV_DENY && ldr_dm.dev[i].src == LDR_SRC_AML &&
		    ldr_dm.dev[i].hide_off != UINT32_MAX)
			n += ldr_dm.dev[i].acpi_table == 0;
	if (!n)
		return;
	err = acpi_locate(rsdp, "FACP", &xsdt, &entry, &fadt);
	if (err) {
		Print(LDR_TAG L"ACPI hiding: FADT: %a; denied devices stay visible\n", err);
		return;
	}
	f = (uint8_t *)(UINTN)fadt;
	dsdt = ldr_le32(f + 4) >= 148 && *(uint64_t *)(f + 140) ? *(uint64_t *)(f + 140) :
								  ldr_le32(f + 40);
	len = ldr_le32((const uint8_t *)(UINTN)dsdt + 4);
	pages = EFI_SIZE_TO_PAGES(len);
	st = BS->AllocatePages(AllocateMaxAddress, EfiACPIReclaimMemory, pages, &copy);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ACPI hiding: cannot allocate %d bytes for the DSDT copy: %r; denied "
			      L"devices stay visible\n",
		      len, st);
		return;
	}
	CopyMem((void *)(UINTN)copy, (void *)(UINTN)dsdt, len);
	for (i = 0; i < ldr_dm.nr_dev; i++) {
		const struct ldr_dev *d = &ldr_dm.dev[i];

		if (d->verdict != LDR_DEV_DENY || d->src != LDR_SRC_AML)
			continue;
		if (d->hide_off == UINT32_MAX || d->acpi_table != 0) {
			skipped++;
			continue;
		}
		err = acpi_hide_device((uint8_t *)(UINTN)copy, len, d->hide_off, d->hide_kind);
		if (err) {
			Print(LDR_TAG L"ACPI hiding: %a: %a; DSDT left untouched\n", d->name, err);
			BS->FreePages(copy, pages);
			return;
		}
	}
	s->fadt = f;
	s->dsdt_orig_x = ldr_le32(f + 4) >= 148 ? *(uint64_t *)(f + 140) : 0;
	s->dsdt_orig_32 = ldr_le32(f + 40);
	s->dsdt_copy = copy;
	s->dsdt_pages = pages;
	if (ldr_le32(f + 4) >= 148)
		ldr_put64(f + 140, copy);
	ldr_put32(f + 40, (uint32_t)copy);
	acpi_fix_checksum(f, ldr_le32(f + 4));
	Print(LDR_TAG L"ACPI: DSDT 0x%lx -> copy 0x%lx (%d bytes, EfiACPIReclaimMemory): %d denied "
		      L"devices get _STA = 0 (not present)%a; FADT repointed\n",
	      dsdt, copy, len, n, skipped ? ", some denied devices could not be hidden" : "");
}

/*
 * Hide from every description the host reads the SMMU Lockstep will own (so Linux's
 * arm-smmu-v3 driver never probes it) and the devices the device map denied (so
 * Linux never probes a device whose registers it cannot reach; docs/boot.md). A
 * refusal is not fatal: the host stage-2 denies those registers all the same; the
 * boot goes on and the boot info tells the hypervisor about the SMMU.
 */
static void ldr_hide(struct ldr_state *s, struct ls_boot_info *info, void *fdt, void *rsdp)
{
	uint64_t dt_base = 0, dt_size, acpi_base;
	int r;

	if (fdt) {
		if (info->smmu_base && fdt_find_compatible(fdt, fdt_total_size(fdt), "arm,smmu-v3",
							   &dt_base, &dt_size))
			dt_base = 0;
		r = ldr_hide_dt(s, fdt, info->smmu_base ? dt_base : 0);
		if (r > 0)
			info->smmu_hide |= LS_BOOT_SMMU_HIDDEN_DT;
		else if (r < 0 && dt_base)
			info->smmu_hide |= LS_BOOT_SMMU_VISIBLE;
	}
	if (rsdp && info->smmu_base && !acpi_find_smmuv3(rsdp, &acpi_base)) {
		if (ldr_hide_acpi(s, rsdp) > 0)
			info->smmu_hide |= LS_BOOT_SMMU_HIDDEN_ACPI;
		else
			info->smmu_hide |= LS_BOOT_SMMU_VISIBLE;
	}
	if (rsdp)
		ldr_hide_dsdt(s, rsdp);
	if (info->smmu_hide & LS_BOOT_SMMU_VISIBLE)
		Print(LDR_TAG L"warning: the host still sees the SMMU (boot info smmu_hide 0x%lx)\n",
		      info->smmu_hide);
}

/*
 * The device MMIO the host may reach (boot/devmap.c): every device of the firmware's
 * descriptions, allowed or denied with the rule that decided, printed; the UEFI
 * runtime MMIO regions; the final list into the boot info. Fails only when the list
 * cannot be built (too many windows): then Lockstep does not start.
 */
static EFI_STATUS ldr_device_map(void *fdt, void *rsdp, uint64_t smmu_base, uint64_t smmu_size,
				 const struct ldr_dmar *vtd, struct ls_mem_range *out,
				 uint32_t *nr_out)
{
	EFI_MEMORY_DESCRIPTOR *mm = NULL;
	UINTN mm_size = 0, key, dsize, off;
	UINT32 dver;
	const char *err;
	uint32_t i, allowed = 0, denied = 0;
	int n;

	devmap_init(&ldr_dm);
	ldr_dm.iommu_vtd = vtd != NULL;
	if (fdt) {
		err = devmap_fdt(&ldr_dm, fdt, fdt_total_size(fdt), smmu_base);
		if (err)
			Print(LDR_TAG L"device map: DT: %a: its devices stay denied\n", err);
	}
	if (rsdp) {
		err = devmap_acpi(&ldr_dm, rsdp, smmu_base);
		if (err)
			Print(LDR_TAG L"device map: ACPI: %a: devices after that point stay denied, "
				      L"not hidden\n",
			      err);
	}
	/* UEFI runtime MMIO (UEFI 2.10 7.2, EfiMemoryMappedIO + EFI_MEMORY_RUNTIME). */
	if (BS->GetMemoryMap(&mm_size, mm, &key, &dsize, &dver) == EFI_BUFFER_TOO_SMALL) {
		mm_size += 8 * dsize;
		mm = AllocatePool(mm_size);
		if (mm && !EFI_ERROR(BS->GetMemoryMap(&mm_size, mm, &key, &dsize, &dver)))
			for (off = 0; off + dsize <= mm_size; off += dsize) {
				EFI_MEMORY_DESCRIPTOR *d = (void *)((uint8_t *)mm + off);

				if (d->Type == EfiMemoryMappedIO &&
				    (d->Attribute & EFI_MEMORY_RUNTIME))
					devmap_add_runtime(&ldr_dm, d->PhysicalStart,
							   d->NumberOfPages * EFI_PAGE_SIZE);
				else if (vtd && d->Type == EfiMemoryMappedIO)
					devmap_add_allowed(&ldr_dm, "EFI MMIO",
							   "firmware-described MMIO (UEFI memory "
							   "map EfiMemoryMappedIO)",
							   d->PhysicalStart,
							   d->NumberOfPages * EFI_PAGE_SIZE);
			}
		if (mm)
			FreePool(mm);
	}
	if (vtd) {
		/*
		 * x86: the PCI functions' BARs (all translated by VT-d, else the loader stops
		 * below), and the legacy area between 640 KiB and 1 MiB (VGA memory, option
		 * and BIOS ROMs), which Linux scans for ROM signatures and MP tables.
		 */
		pcicheck_bars(&ldr_dm);
		devmap_add_allowed(&ldr_dm, "legacy 0xa0000-0xfffff",
				   "ISA hole: VGA memory, option and BIOS ROMs (no DMA)", 0xa0000,
				   0x60000);
	}
	for (i = 0; i < ldr_dm.nr_dev; i++) {
		const struct ldr_dev *d = &ldr_dm.dev[i];

		if (d->verdict == LDR_DEV_ALLOW)
			allowed++;
		else
			denied++;
		Print(LDR_TAG L"device %a 0x%lx+0x%lx%a: %a (%a)\n", d->name, d->base, d->size,
		      d->nwin > 1 ? " (+ more windows)" : "",
		      d->verdict == LDR_DEV_ALLOW ? "host may use" : "DENIED to the host", d->why);
	}
	n = devmap_finish(&ldr_dm, smmu_base, smmu_size, out, LS_BOOT_MAX_MMIO);
	if (n < 0) {
		Print(LDR_TAG L"ERROR: device map: more than %d host MMIO windows or %d devices; "
			      L"refusing to start Lockstep\n",
		      LS_BOOT_MAX_MMIO, LDR_WIN_MAX);
		return EFI_UNSUPPORTED;
	}
	*nr_out = (uint32_t)n;
	Print(LDR_TAG L"device map: %d devices allowed, %d denied%a; %d allowed windows dropped "
		      L"for sharing a page with a denied one; host MMIO: %d windows:",
	      allowed, denied, ldr_dm.dropped ? " (some not listed)" : "", ldr_dm.conflicts, n);
	for (i = 0; i < (uint32_t)n; i++)
		Print(L" 0x%lx-0x%lx", out[i].base, out[i].base + out[i].size - 1);
	Print(L"\n");
	return EFI_SUCCESS;
}

static void ldr_cleanup(struct ldr_state *s)
{
	handoff_uninstall();
	ldr_unhide(s);
	if (s->initrd_installed)
		initrd_uninstall();
	if (s->kernel)
		BS->UnloadImage(s->kernel);
	if (s->region)
		BS->FreePages(s->region, s->region_pages);
	if (s->mm_buf)
		FreePool(s->mm_buf);
	if (s->cmdline)
		FreePool(s->cmdline);
	if (s->initrd)
		FreePool(s->initrd);
	if (s->hyp)
		FreePool(s->hyp);
	if (s->root)
		s->root->Close(s->root);
}

static EFI_STATUS ldr_load_config(struct ldr_state *s)
{
	const char *err;
	void *buf;
	UINTN len;
	EFI_STATUS st;

	st = ldr_read_file(s->root, LDR_CFG_FILE, LDR_CFG_FILE_MAX, &buf, &len);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: cannot read config %a: %r\n", LDR_CFG_FILE, st);
		return st;
	}
	err = cfg_parse(buf, len, &s->cfg);
	FreePool(buf);
	if (err) {
		if (s->cfg.line)
			Print(LDR_TAG L"ERROR: config %a line %d: %a\n", LDR_CFG_FILE, s->cfg.line,
			      err);
		else
			Print(LDR_TAG L"ERROR: config %a: %a\n", LDR_CFG_FILE, err);
		return EFI_INVALID_PARAMETER;
	}
	Print(LDR_TAG L"config: hypervisor=%a kernel=%a initrd=%a\n",
	      s->cfg.hypervisor[0] ? s->cfg.hypervisor : "(none: boot Linux without Lockstep)",
	      s->cfg.kernel, s->cfg.initrd[0] ? s->cfg.initrd : "(none)");
	Print(LDR_TAG L"config: cmdline=\"%a\"\n", s->cfg.cmdline);
	Print(LDR_TAG L"config: pool_mib=%d stack_kib=%d cpus=%d\n", s->cfg.pool_mib,
	      s->cfg.stack_kib, s->cfg.cpus);
	if (s->cfg.allow_unsigned)
		Print(LDR_TAG L"*** DEVELOPMENT MODE (allow_unsigned=1) ***: a hypervisor image "
			      L"that is not signed by this loader's key boots anyway\n");
	return EFI_SUCCESS;
}

/*
 * The image's signature against the built-in key (docs/attestation.md "Signed hypervisor
 * images"). Refused unless allow_unsigned=1: then booted, loudly, and the measurement
 * log says so. Nothing has been changed yet: a refusal goes straight back to the firmware.
 */
static EFI_STATUS ldr_check_signature(struct ldr_state *s)
{
	const struct ls_image_hdr *h = s->hyp;
	enum ldr_sig_result r;
	uint8_t digest[32], key_id[32];
	unsigned int i;

	r = sig_check(s->hyp, s->hyp_len, ldr_pubkey, digest);
	ldr_sha256(ldr_pubkey, sizeof(ldr_pubkey), key_id);
	if (r == LDR_SIG_OK) {
		Print(LDR_TAG L"hypervisor image %a: signature verified (ECDSA P-256, key id ",
		      s->cfg.hypervisor);
		for (i = 0; i < 8; i++)
			Print(L"%02x", key_id[i]);
		Print(L")\n");
	} else if (!s->cfg.allow_unsigned) {
		Print(LDR_TAG L"ERROR: hypervisor image %a refused: %a. This loader trusts key id ",
		      s->cfg.hypervisor, sig_result_str(r));
		for (i = 0; i < 8; i++)
			Print(L"%02x", key_id[i]);
		Print(L"; sign the image with scripts/signimg.py (allow_unsigned=1 in lockstep.cfg "
		      L"boots it anyway: development only). Lockstep not started.\n");
		return EFI_SECURITY_VIOLATION;
	} else {
		Print(LDR_TAG L"*** UNSIGNED HYPERVISOR ***: %a: %a; booting it because "
			      L"allow_unsigned=1. THIS BOOT IS NOT TRUSTWORTHY.\n",
		      s->cfg.hypervisor, sig_result_str(r));
	}
	ldr_measure(s, LS_MEAS_HYP_IMAGE, digest, h->image_size, s->cfg.hypervisor,
		    r == LDR_SIG_OK ? LS_MEAS_F_SIG_OK : LS_MEAS_F_UNSIGNED);
	return EFI_SUCCESS;
}

static EFI_STATUS ldr_load_hyp(struct ldr_state *s)
{
	const struct ls_image_hdr *h;
	const char *err;
	EFI_STATUS st;

	st = ldr_read_file(s->root, s->cfg.hypervisor, LDR_HYP_FILE_MAX, &s->hyp, &s->hyp_len);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: cannot read hypervisor image %a: %r\n", s->cfg.hypervisor,
		      st);
		return st;
	}
	err = img_check(s->hyp, s->hyp_len);
	if (err) {
		Print(LDR_TAG L"ERROR: hypervisor image %a rejected: %a\n", s->cfg.hypervisor, err);
		return EFI_LOAD_ERROR;
	}
	h = s->hyp;
	st = ldr_check_signature(s);
	if (EFI_ERROR(st))
		return st;
	Print(LDR_TAG L"hypervisor image: %d bytes, mem %d KiB, entry +0x%lx, version %d.%d.%d, "
		      L"crc32 0x%08x ok\n",
	      h->image_size, h->mem_size >> 10, h->entry_offset, h->version >> 32,
	      (h->version >> 16) & 0xffff, h->version & 0xffff, h->crc32);
#if defined(__x86_64__)
	/* The x86 image is an SVM hypervisor with nested paging (docs/x86.md); it checks again. */
	if (arch_x86_svm() != 2) {
		Print(LDR_TAG L"ERROR: this CPU has %a, Lockstep needs AMD SVM with nested paging "
			      L"(QEMU: -cpu qemu64,+svm,+npt,+pdpe1gb); refusing\n",
		      arch_x86_svm() ? "SVM without nested paging" : "no SVM");
		return EFI_UNSUPPORTED;
	}
#else
	if (arch_current_el() != 2) {
		Print(LDR_TAG L"ERROR: running at EL%d, Lockstep needs EL2 (QEMU: -M "
			      L"virt,virtualization=on); refusing\n",
		      arch_current_el());
		return EFI_UNSUPPORTED;
	}
#endif
	return EFI_SUCCESS;
}

static EFI_STATUS ldr_load_initrd(struct ldr_state *s)
{
	EFI_STATUS st;

	if (!s->cfg.initrd[0])
		return EFI_SUCCESS;
	st = ldr_read_file(s->root, s->cfg.initrd, LDR_INITRD_FILE_MAX, &s->initrd, &s->initrd_len);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: cannot read initrd %a: %r\n", s->cfg.initrd, st);
		return st;
	}
	Print(LDR_TAG L"initrd: %d bytes\n", s->initrd_len);
	if (s->cfg.hypervisor[0]) {
		uint8_t digest[32];

		ldr_sha256(s->initrd, s->initrd_len, digest);
		ldr_measure(s, LS_MEAS_INITRD, digest, s->initrd_len, s->cfg.initrd, 0);
	}
	return EFI_SUCCESS;
}

static EFI_STATUS ldr_load_kernel(struct ldr_state *s)
{
	EFI_LOADED_IMAGE *li;
	EFI_DEVICE_PATH *dp;
	CHAR16 *wpath;
	UINT64 size;
	void *kbuf = NULL;
	UINTN klen = 0;
	uint8_t digest[32];
	EFI_STATUS st;

	st = ldr_file_size(s->root, s->cfg.kernel, &size);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: cannot open kernel %a: %r\n", s->cfg.kernel, st);
		return st;
	}
	/*
	 * Under Lockstep the kernel is measured: read once into memory, hashed, and that
	 * same buffer is what LoadImage loads (no second read that could differ).
	 */
	if (s->cfg.hypervisor[0]) {
		st = ldr_read_file(s->root, s->cfg.kernel, LDR_KERNEL_FILE_MAX, &kbuf, &klen);
		if (EFI_ERROR(st)) {
			Print(LDR_TAG L"ERROR: cannot read kernel %a: %r\n", s->cfg.kernel, st);
			return st;
		}
		ldr_sha256(kbuf, klen, digest);
		ldr_measure(s, LS_MEAS_KERNEL, digest, klen, s->cfg.kernel, 0);
		ldr_sha256(s->cfg.cmdline, strlena((CHAR8 *)s->cfg.cmdline), digest);
		ldr_measure(s, LS_MEAS_CMDLINE, digest, strlena((CHAR8 *)s->cfg.cmdline),
			    "kernel command line", 0);
	}
	wpath = ldr_ascii_to_ucs2(s->cfg.kernel);
	if (!wpath)
		return EFI_OUT_OF_RESOURCES;
	/* Loaded through a device path on our device, so its DeviceHandle is the ESP. */
	dp = FileDevicePath(s->dev, wpath);
	FreePool(wpath);
	if (!dp)
		return EFI_OUT_OF_RESOURCES;
	st = BS->LoadImage(FALSE, s->self, dp, kbuf, klen, &s->kernel);
	FreePool(dp);
	if (kbuf)
		FreePool(kbuf);
	if (EFI_ERROR(st)) {
		s->kernel = NULL;
		Print(LDR_TAG L"ERROR: LoadImage(kernel %a, %ld bytes) failed: %r\n", s->cfg.kernel,
		      size, st);
		return st;
	}
	st = BS->HandleProtocol(s->kernel, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: kernel has no LoadedImage protocol: %r\n", st);
		return st;
	}
	s->cmdline = ldr_ascii_to_ucs2(s->cfg.cmdline);
	if (!s->cmdline)
		return EFI_OUT_OF_RESOURCES;
	li->LoadOptions = s->cmdline;
	li->LoadOptionsSize = (UINT32)((StrLen(s->cmdline) + 1) * sizeof(CHAR16));
	Print(LDR_TAG L"kernel: %a, %ld bytes, loaded at 0x%lx\n", s->cfg.kernel, size,
	      (UINT64)(UINTN)li->ImageBase);
	return EFI_SUCCESS;
}

/*
 * The firmware may map EfiReservedMemoryType pages non-executable (edk2 applies
 * PcdDxeNxMemoryProtectionPolicy to its page tables without recording it in the
 * GCD attributes); the image must be executable at EL2 when the wrapper calls it
 * with the firmware's translation tables. Ask, in order: the UEFI 2.10 memory
 * attribute protocol (edk2 >= 2023), the PI CPU arch protocol (what edk2 itself
 * uses underneath), the GCD (DXE services). Write-back cacheable, executable.
 */
static EFI_STATUS ldr_make_executable(EFI_PHYSICAL_ADDRESS base, UINT64 len)
{
	struct mem_attr_proto *ma;
	struct cpu_arch_proto *cpu;
	struct dxe_services *ds;
	EFI_STATUS st;

	if (!EFI_ERROR(BS->LocateProtocol(&mem_attr_guid, NULL, (void **)&ma))) {
		st = ma->clear(ma, base, len, EFI_MEMORY_XP | EFI_MEMORY_RO | EFI_MEMORY_RP);
		Print(LDR_TAG L"image pages made executable (memory attribute protocol): %r\n", st);
		return st;
	}
	if (!EFI_ERROR(BS->LocateProtocol(&cpu_arch_guid, NULL, (void **)&cpu))) {
		st = cpu->set_memory_attributes(cpu, base, len, EFI_MEMORY_WB);
		Print(LDR_TAG L"image pages made executable (CPU arch protocol): %r\n", st);
		return st;
	}
	st = LibGetSystemConfigurationTable(&dxe_services_guid, (void **)&ds);
	if (!EFI_ERROR(st) && ds) {
		st = ds->set_memory_space_attributes(base, len, EFI_MEMORY_WB);
		Print(LDR_TAG L"image pages made executable (DXE services): %r\n", st);
		return st;
	}
	Print(LDR_TAG L"ERROR: firmware offers no way to make pages executable\n");
	return EFI_UNSUPPORTED;
}

/* One 2 MiB aligned EfiReservedMemoryType region: over-allocate, free the slack. */
static EFI_STATUS ldr_alloc_region(struct ldr_state *s, UINT64 total)
{
	UINTN pages = total / LDR_PAGE_SIZE, slack = LDR_REGION_ALIGN / LDR_PAGE_SIZE - 1;
	EFI_PHYSICAL_ADDRESS raw, aligned;
	UINTN head, tail;
	EFI_STATUS st;

	st = BS->AllocatePages(AllocateAnyPages, EfiReservedMemoryType, pages + slack, &raw);
	if (EFI_ERROR(st))
		return st;
	aligned = (raw + LDR_REGION_ALIGN - 1) & ~(LDR_REGION_ALIGN - 1);
	head = (aligned - raw) / LDR_PAGE_SIZE;
	tail = slack - head;
	if (head)
		BS->FreePages(raw, head);
	if (tail)
		BS->FreePages(aligned + total, tail);
	s->region = aligned;
	s->region_pages = pages;
	return EFI_SUCCESS;
}

/*
 * The StreamIDs the firmware routes to the SMMU (boot/hide.c, docs/boot.md "StreamIDs of
 * the SMMU"): from the DT when smmu_base came from it (fdt != NULL), else from the IORT.
 * None found or a refusal: nr_smmu_sids = 0, and the hypervisor falls back to 0..255.
 */
static void ldr_smmu_sids(struct ls_boot_info *info, void *fdt, void *rsdp)
{
	struct ldr_sid_report rep = { 0 };
	const char *err = "no description", *src = "DT";
	uint64_t xsdt, table;
	uint32_t entry, nr = 0, i;

	if (!info->smmu_base)
		return;
	if (fdt) {
		err = fdt_smmu_sids(fdt, fdt_total_size(fdt), info->smmu_base, info->smmu_sids,
				    LS_BOOT_MAX_SID_RANGES, &nr, &rep);
		if (!err)
			info->smmu_sid_src = LS_BOOT_SID_FROM_DT;
	} else if (rsdp) {
		src = "IORT";
		err = acpi_locate(rsdp, "IORT", &xsdt, &entry, &table);
		if (!err)
			err = iort_smmu_sids((const uint8_t *)(UINTN)table,
					     *(const uint32_t *)(UINTN)(table + 4), info->smmu_base,
					     info->smmu_sids, LS_BOOT_MAX_SID_RANGES, &nr, &rep);
		if (!err)
			info->smmu_sid_src = LS_BOOT_SID_FROM_IORT;
	}
	if (err) {
		Print(LDR_TAG L"SMMU StreamIDs: %a: %a; none passed (the hypervisor falls back)\n",
		      src, err);
		return;
	}
	info->nr_smmu_sids = nr;
	Print(LDR_TAG L"SMMU StreamIDs (%a, %d references, %d joins):", src, rep.refs, rep.joined);
	for (i = 0; i < nr; i++)
		Print(L" 0x%x..0x%x", info->smmu_sids[i].base,
		      info->smmu_sids[i].base + info->smmu_sids[i].count - 1);
	Print(nr ? L"\n" : L" none\n");
}

/*
 * x86_64: the VT-d units the hypervisor will take (ACPI DMAR, all of them: at most
 * LS_BOOT_MAX_VTD, it refuses to install when one is refused), for the DMA-master check.
 * NULL on AArch64, without a DMAR, or with more units than the boot info holds.
 */
static const struct ldr_dmar *ldr_owned_vtd(void *rsdp)
{
#if defined(__x86_64__)
	static struct ldr_dmar d;
	uint64_t xsdt, table;
	uint32_t entry;

	if (rsdp && !acpi_locate(rsdp, "DMAR", &xsdt, &entry, &table) &&
	    !dmar_parse((const uint8_t *)(UINTN)table, *(const uint32_t *)(UINTN)(table + 4), &d) &&
	    d.nr_unit && d.nr_unit <= LS_BOOT_MAX_VTD)
		return &d;
#else
	(void)rsdp;
#endif
	return NULL;
}

#if defined(__x86_64__)
/*
 * A page below 636 KiB for the hypervisor's application-processor start-up code (boot.h
 * "ap_tramp": a Startup IPI starts a CPU in real mode at vector * 4 KiB), reserved so that
 * Linux never uses it. None free: the hypervisor brings only the boot CPU under it.
 */
static void ldr_ap_tramp(struct ls_boot_info *info)
{
	/*
	 * Below the last KiB of base memory (9FC00h) and the BIOS area: Linux reads those for
	 * MP and ACPI tables (arch/x86/kernel/mpparse.c, the EBDA), and the page is the
	 * hypervisor's, absent from the host's map.
	 */
	EFI_PHYSICAL_ADDRESS pa = 0x9efff;
	EFI_STATUS st;

	st = BS->AllocatePages(AllocateMaxAddress, EfiReservedMemoryType, 1, &pa);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"WARNING: no free page below 1 MiB (%r): only the boot CPU will "
			      L"run under Lockstep\n",
		      st);
		return;
	}
	info->ap_tramp = pa;
	Print(LDR_TAG L"AP start-up page: 0x%lx (EfiReservedMemoryType)\n", pa);
}
#endif

/*
 * The VT-d register sets for the hypervisor (boot.h "vtd"), from the ACPI DMAR: the
 * hypervisor keeps them out of the host's view. None when there is no DMAR (AArch64)
 * or it does not parse (reported by ldr_report_dmar).
 */
static void ldr_vtd_units(struct ls_boot_info *info, void *rsdp)
{
	static struct ldr_dmar d;
	uint64_t xsdt, table;
	uint32_t entry, i;

	if (!rsdp || acpi_locate(rsdp, "DMAR", &xsdt, &entry, &table) ||
	    dmar_parse((const uint8_t *)(UINTN)table, *(const uint32_t *)(UINTN)(table + 4), &d))
		return;
	for (i = 0; i < d.nr_unit && i < LS_BOOT_MAX_VTD; i++) {
		info->vtd[i].base = d.unit[i].base;
		info->vtd[i].size = (uint64_t)d.unit[i].size_pages * LDR_PAGE_SIZE;
	}
	info->nr_vtd = i;
	if (d.nr_unit > LS_BOOT_MAX_VTD)
		Print(LDR_TAG L"WARNING: %d VT-d units, the boot info holds %d\n", d.nr_unit,
		      LS_BOOT_MAX_VTD);
}

static EFI_STATUS ldr_prepare_hyp(struct ldr_state *s)
{
	const struct ls_image_hdr *h = s->hyp;
	struct ls_boot_info *info;
	struct ldr_layout lay;
	struct ldr_handoff ho;
	EFI_MEMORY_DESCRIPTOR *mm = NULL;
	UINTN mm_size = 0, key, dsize;
	UINT32 dver;
	const char *err;
	void *fdt = NULL, *rsdp = NULL;
	const CHAR16 *uart_src = L"nowhere", *smmu_src = L"nowhere";
	int smmu_dt = 0;
	uint8_t *base;
	uint64_t smmu_base = 0, smmu_size = 0;
	struct ls_mem_range host_mmio[LS_BOOT_MAX_MMIO];
	const struct ldr_dmar *vtd;
	const char *iommu;
	uint32_t nr_host_mmio = 0, i;
	EFI_STATUS st;

	/*
	 * Which devices the host may reach, and whether any DMA master escapes the SMMU:
	 * decided from the firmware's descriptions before anything changes, so that a
	 * refusal leaves the machine as it was (docs/boot.md "Devices and DMA masters").
	 */
	if (EFI_ERROR(LibGetSystemConfigurationTable(&fdt_guid, &fdt)) || !fdt ||
	    !fdt_total_size(fdt))
		fdt = NULL;
	if (EFI_ERROR(LibGetSystemConfigurationTable(&acpi20_guid, &rsdp)))
		rsdp = NULL;
	/* The SMMUv3 register frame for hyp/iommu: DT "arm,smmu-v3" reg, else the IORT. */
	if (fdt &&
	    !fdt_find_compatible(fdt, fdt_total_size(fdt), "arm,smmu-v3", &smmu_base, &smmu_size)) {
		smmu_src = L"device tree";
		smmu_dt = 1;
	}
	if (!smmu_dt && rsdp && !acpi_find_smmuv3(rsdp, &smmu_base)) {
		smmu_size = LDR_SMMUV3_FRAME;
		smmu_src = L"ACPI IORT";
	}
	vtd = ldr_owned_vtd(rsdp);
	st = ldr_device_map(fdt, rsdp, smmu_base, smmu_size, vtd, host_mmio, &nr_host_mmio);
	if (EFI_ERROR(st))
		return st;
	iommu = vtd ? "VT-d" : "SMMU";
	s->untranslated = pcicheck_untranslated(&ldr_dm, smmu_base != 0, vtd);
	if (s->untranslated && !s->cfg.unsafe_dma) {
		Print(LDR_TAG L"ERROR: %d PCI DMA master(s) bypass the %a (above): the host could "
			      L"read and write the hypervisor through them. Refusing to start "
			      L"Lockstep. (unsafe_untranslated_dma=1 in lockstep.cfg boots anyway, "
			      L"with isolation OFF: debugging only.)\n",
		      s->untranslated, iommu);
		return EFI_SECURITY_VIOLATION;
	}
	if (s->untranslated)
		Print(LDR_TAG L"WARNING: unsafe_untranslated_dma=1: booting with %d DMA master(s) "
			      L"outside the %a. ISOLATION IS OFF for them.\n",
		      s->untranslated, iommu);
	err = layout_compute(h, &s->cfg, &lay);
	if (err) {
		Print(LDR_TAG L"ERROR: region layout: %a\n", err);
		return EFI_INVALID_PARAMETER;
	}
	st = ldr_alloc_region(s, lay.total);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: cannot reserve %ld MiB for Lockstep: %r\n", lay.total >> 20,
		      st);
		return st;
	}
	base = (uint8_t *)(UINTN)s->region;
	Print(LDR_TAG L"region: 0x%lx-0x%lx (%ld MiB, EfiReservedMemoryType): image %ld KiB, "
		      L"%d stacks x %ld KiB at +0x%lx, boot info at +0x%lx, pool %ld MiB at +0x%lx\n",
	      s->region, s->region + lay.total - 1, lay.total >> 20, lay.image_size >> 10,
	      lay.nr_cpus, lay.stack_size >> 10, lay.stack_off, lay.info_off, lay.pool_size >> 20,
	      lay.pool_off);

	st = ldr_make_executable(s->region, lay.image_size);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: cannot make the image executable: %r\n", st);
		return st;
	}

	CopyMem(base, s->hyp, s->hyp_len);
	SetMem(base + s->hyp_len, lay.total - s->hyp_len, 0);

	info = (struct ls_boot_info *)(base + lay.info_off);
	info->magic = LS_BOOT_INFO_MAGIC;
	info->size = sizeof(*info);
	info->hyp_base = s->region;
	info->hyp_size = lay.total;
	info->stack_base = s->region + lay.stack_off;
	info->stack_size = lay.stack_size;
	info->nr_cpus = lay.nr_cpus;
	info->boot_cpu_mpidr_lo = (uint32_t)arch_read_mpidr();
	info->pool_base = s->region + lay.pool_off;
	info->pool_size = lay.pool_size;
	info->config_pool_pages = lay.pool_size / LDR_PAGE_SIZE;
	if (fdt) {
		info->fdt = (uint64_t)(UINTN)fdt;
		info->uart_base = fdt_find_pl011(fdt, fdt_total_size(fdt));
		if (info->uart_base)
			uart_src = L"device tree";
	}
	if (rsdp) {
		info->acpi_rsdp = (uint64_t)(UINTN)rsdp;
		if (!info->uart_base) {
			info->uart_base = acpi_find_pl011(rsdp);
			if (info->uart_base)
				uart_src = L"ACPI SPCR";
		}
	}
	info->smmu_base = smmu_base;
	info->smmu_size = smmu_size;
	info->nr_host_mmio = nr_host_mmio;
	info->host_mmio_flags = ldr_dm.flags;
	for (i = 0; i < nr_host_mmio; i++)
		info->host_mmio[i] = host_mmio[i];
	/* The GIC guard's frames; an overflowing description gives the hypervisor none. */
	if (!ldr_dm.gic_overflow) {
		info->gicd_base = ldr_dm.gicd;
		info->nr_gicr = ldr_dm.nr_gicr;
		info->nr_its = ldr_dm.nr_its;
		for (i = 0; i < ldr_dm.nr_gicr; i++)
			info->gicr[i] = ldr_dm.gicr[i];
		for (i = 0; i < ldr_dm.nr_its; i++)
			info->its[i] = ldr_dm.its[i];
	} else {
		Print(LDR_TAG L"WARNING: more GIC frames than the boot info holds: the GIC is not guarded\n");
	}
	info->nr_untranslated = (uint32_t)s->untranslated;
	info->mlog = s->mlog;
	ldr_vtd_units(info, rsdp);
	if (info->nr_vtd)
		ldr_hide_dmar(s, rsdp);
#if defined(__x86_64__)
	ldr_ap_tramp(info);
#endif
	/* The attestation key, tied to the hypervisor image's measurement (event 0). */
	if (s->mlog.nr_events && s->mlog.ev[0].type == LS_MEAS_HYP_IMAGE &&
	    !ldr_attest_key(s->mlog.ev[0].digest, info->attest_key))
		Print(LDR_TAG L"attestation key: derived from the DEVELOPMENT secret and the "
			      L"hypervisor's measurement (not for production)\n");
	else
		Print(LDR_TAG L"attestation key: none (no hypervisor measurement): guests "
			      L"cannot attest\n");
	Print(LDR_TAG L"boot info: smmu 0x%lx size 0x%lx (from %s)\n", info->smmu_base,
	      info->smmu_size, smmu_src);
	/* Its StreamIDs, from the same description, before hiding rewrites the references. */
	ldr_smmu_sids(info, smmu_dt ? fdt : NULL, rsdp);
	ldr_hide(s, info, fdt, rsdp);
	Print(LDR_TAG L"boot info: fdt 0x%lx, acpi rsdp 0x%lx, uart 0x%lx (from %s), "
		      L"boot cpu mpidr 0x%x, %d cpus\n",
	      info->fdt, info->acpi_rsdp, info->uart_base, uart_src, info->boot_cpu_mpidr_lo,
	      info->nr_cpus);
	if (!info->uart_base)
		Print(LDR_TAG L"warning: no PL011 console found; messages after "
			      L"ExitBootServices are lost\n");

	/* The image was written through the D-cache: make it visible to fetches at EL2. */
	arch_clean_dcache_poc(s->region, lay.total);
	arch_sync_icache();

	/* Room for the final memory map: today's size, doubled, plus slack. */
	st = BS->GetMemoryMap(&mm_size, mm, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL) {
		Print(LDR_TAG L"ERROR: GetMemoryMap: %r\n", st);
		return EFI_ERROR(st) ? st : EFI_DEVICE_ERROR;
	}
	mm_size = mm_size * 2 + 64 * dsize;
	s->mm_buf = AllocatePool(mm_size);
	if (!s->mm_buf)
		return EFI_OUT_OF_RESOURCES;

	ho.info = info;
	ho.entry = (long (*)(struct ls_boot_info *))(void *)(base + h->entry_offset);
	ho.mm_buf = s->mm_buf;
	ho.mm_cap = mm_size;
	st = handoff_install(&ho);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: cannot wrap ExitBootServices: %r\n", st);
		return st;
	}
	Print(LDR_TAG L"ExitBootServices wrapped; Lockstep enters at 0x%lx after it\n",
	      (UINT64)(UINTN)ho.entry);
	return EFI_SUCCESS;
}

/*
 * The VT-d remapping units the firmware describes (ACPI DMAR, boot/dmar.c), printed
 * one line per structure. x86_64 only has a DMAR; on AArch64 nothing is printed when
 * there is none. A DMAR that does not parse is reported, never used.
 */
static void ldr_report_dmar(void)
{
	static struct ldr_dmar d;
	void *rsdp = NULL;
	uint64_t xsdt, table;
	uint32_t entry, i;
	const char *err;
	char line[256];

	if (EFI_ERROR(LibGetSystemConfigurationTable(&acpi20_guid, &rsdp)))
		rsdp = NULL;
	err = rsdp ? acpi_locate(rsdp, "DMAR", &xsdt, &entry, &table) : "no ACPI 2.0+ RSDP";
	if (err) {
		if (LDR_HOST_EL == 0)
			Print(LDR_TAG L"DMAR: none (%a): no VT-d IOMMU described\n", err);
		return;
	}
	err = dmar_parse((const uint8_t *)(UINTN)table, *(const uint32_t *)(UINTN)(table + 4), &d);
	if (err) {
		Print(LDR_TAG L"DMAR at 0x%lx refused: %a\n", table, err);
		return;
	}
	Print(LDR_TAG L"DMAR at 0x%lx:\n", table);
	for (i = 0; dmar_line(&d, i, line, sizeof(line)); i++)
		Print(LDR_TAG L"DMAR: %a\n", line);
}

static EFI_STATUS ldr_run(struct ldr_state *s)
{
	EFI_LOADED_IMAGE *self;
	EFI_STATUS st;

	st = BS->HandleProtocol(s->self, &LoadedImageProtocol, (void **)&self);
	if (EFI_ERROR(st)) {
		Print(LDR_TAG L"ERROR: no LoadedImage protocol: %r\n", st);
		return st;
	}
	s->dev = self->DeviceHandle;
	s->root = LibOpenRoot(s->dev);
	if (!s->root) {
		Print(LDR_TAG L"ERROR: cannot open the loader's file system\n");
		return EFI_NOT_FOUND;
	}
	st = ldr_load_config(s);
	if (EFI_ERROR(st))
		return st;
	s->mlog.magic = LS_MLOG_MAGIC;
	s->mlog.version = LS_MLOG_VERSION;
	s->mlog.size = LS_MLOG_HDR_BYTES;
	s->mlog.event_bytes = LS_MLOG_EV_BYTES;
	ldr_report_dmar();
	if (s->cfg.hypervisor[0]) {
		st = ldr_load_hyp(s);
		if (EFI_ERROR(st))
			return st;
	}
	st = ldr_load_initrd(s);
	if (EFI_ERROR(st))
		return st;
	st = ldr_load_kernel(s);
	if (EFI_ERROR(st))
		return st;
	if (s->initrd) {
		st = initrd_install(s->initrd, s->initrd_len);
		if (EFI_ERROR(st)) {
			Print(LDR_TAG L"ERROR: cannot install the initrd LoadFile2 provider: %r\n",
			      st);
			return st;
		}
		s->initrd_installed = 1;
	}
	if (s->cfg.hypervisor[0]) {
		st = ldr_prepare_hyp(s);
		if (EFI_ERROR(st))
			return st;
		FreePool(s->hyp);
		s->hyp = NULL;
	}
	Print(LDR_TAG L"starting kernel%a\n",
	      s->cfg.hypervisor[0] ? " (Lockstep installs at ExitBootServices)" : "");
	st = BS->StartImage(s->kernel, NULL, NULL);
	/* Only reached if the kernel failed before ExitBootServices. */
	Print(LDR_TAG L"ERROR: kernel returned: %r\n", st);
	return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
}

/* mbedtls' buffer allocator found its heap corrupted (lib/mbedtls/lockstep_config.h): stop
 * here, loudly. The multiboot2 loader's is in boot/mb2/libc.c. */
void ls_mbedtls_exit(int status);
void ls_mbedtls_exit(int status)
{
	Print(LDR_TAG L"FATAL: crypto heap corrupted (mbedtls status %d); halting\n", status);
	for (;;)
		BS->Stall(1000000);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct ldr_state s = { .self = image };
	EFI_STATUS st;

	InitializeLib(image, systab);
#if !defined(__x86_64__)
	Print(LDR_TAG L"Lockstep UEFI loader " LDR_VERSION L" (firmware %s rev 0x%x, EL%d)\n",
	      ST->FirmwareVendor, ST->FirmwareRevision, arch_current_el());
#else
	Print(LDR_TAG L"Lockstep UEFI loader " LDR_VERSION L" " LDR_ARCH_NAME L" (firmware %s rev 0x%x, boot CPU APIC ID %d, SVM %a, VMX %a)\n",
	      ST->FirmwareVendor, ST->FirmwareRevision, (UINT32)arch_read_mpidr(),
	      arch_x86_svm() == 2 ? "with NPT" :
	      arch_x86_svm()	  ? "without NPT" :
				    "no",
	      arch_x86_vmx() ? "yes" : "no");
#endif
	st = ldr_run(&s);
	ldr_cleanup(&s);
	if (EFI_ERROR(st))
		Print(LDR_TAG L"returning to firmware: %r\n", st);
	return st;
}
