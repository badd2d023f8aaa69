/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Lockstep UEFI loader: firmware-independent parts.
 *
 * Everything declared here is plain C over byte buffers (no UEFI types), so the
 * same files build into BOOTAA64.EFI and into the host unit tests in boot/tests/.
 * Functions that validate input return NULL on success or a static message
 * naming the problem; they leave their output unchanged on failure (except
 * cfg_parse's cfg->line, which names the offending line).
 */
#ifndef LOCKSTEP_BOOT_LDR_H
#define LOCKSTEP_BOOT_LDR_H

#include <stddef.h>
#include <stdint.h>

#include <lockstep/boot.h>

#define LDR_CFG_PATH_MAX    128
#define LDR_CFG_CMDLINE_MAX 1024
#define LDR_CFG_FILE_MAX    16384 /* bytes read from lockstep.cfg at most */

/* Defaults and bounds of the numeric keys. */
#define LDR_POOL_MIB_DEFAULT  32
#define LDR_POOL_MIB_MAX      1024
#define LDR_STACK_KIB_DEFAULT 16
#define LDR_STACK_KIB_MAX     1024
#define LDR_CPUS_DEFAULT      LS_BOOT_MAX_CPUS

/* Upper bound on the hypervisor image's memory footprint. */
#define LDR_IMAGE_MEM_MAX (256ULL << 20)

#define LDR_PAGE_SIZE	 4096ULL
#define LDR_REGION_ALIGN (2ULL << 20)

struct ldr_config {
	char hypervisor[LDR_CFG_PATH_MAX]; /* "" = boot Linux without Lockstep */
	char kernel[LDR_CFG_PATH_MAX];
	char initrd[LDR_CFG_PATH_MAX]; /* "" = no initrd */
	char cmdline[LDR_CFG_CMDLINE_MAX];
	uint32_t pool_mib;
	uint32_t stack_kib;
	uint32_t cpus;
	/*
	 * unsafe_untranslated_dma=1: boot Lockstep even when a DMA master bypasses every
	 * IOMMU (a virtio-pci device without VIRTIO_F_ACCESS_PLATFORM). Debugging only:
	 * isolation is off for that device, and both the loader and the hypervisor say
	 * so on every boot. Default 0: the loader refuses.
	 */
	uint32_t unsafe_dma;
	/*
	 * allow_unsigned=1: boot a hypervisor image whose signature is missing or does
	 * not verify against the loader's key. Development only: the loader says so on
	 * every boot and the measurement log records it (LS_MEAS_F_UNSIGNED). Default 0:
	 * the loader refuses such an image and returns to the firmware.
	 */
	uint32_t allow_unsigned;
	unsigned int line; /* line of the first error, 0 if none */
};

/*
 * Parse lockstep.cfg: one `key=value` per line, '#' starts a comment line,
 * blank lines ignored, spaces around key and value trimmed, CR LF accepted.
 * Unknown or repeated keys, missing kernel=, values out of range or too long
 * are errors (cfg->line names the line).
 */
const char *cfg_parse(const char *buf, size_t len, struct ldr_config *cfg);

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320), as zlib's crc32(). */
uint32_t ldr_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * Validate a hypervisor image file of len bytes (see include/lockstep/boot.h): the
 * image, optionally followed by its signature trailer (checked by sig_check()).
 */
const char *img_check(const void *buf, size_t len);

/* Hand mbedtls its bounded heap (a static buffer in boot/sig.c); idempotent. */
void ldr_crypto_init(void);

/* SHA-256 (FIPS 180-4), boot/sig.c; incremental for files read in pieces. */
struct ldr_sha256 {
	uint64_t opaque[16]; /* mbedtls_sha256_context (108 bytes) */
};
void ldr_sha256_init(struct ldr_sha256 *c);
void ldr_sha256_update(struct ldr_sha256 *c, const void *buf, size_t len);
void ldr_sha256_final(struct ldr_sha256 *c, uint8_t out[32]);
void ldr_sha256(const void *buf, size_t len, uint8_t out[32]);
/*
 * The attestation key of a hypervisor image whose measurement is @img_digest: a P-256
 * scalar (1 <= d < n, big-endian) derived from the loader's DEVELOPMENT secret (QEMU has
 * no hardware secret; docs/attestation.md). 0, or -1 if the derivation failed.
 */
int ldr_attest_key(const uint8_t img_digest[32], uint8_t out[32]);

/* A P-256 public key, SEC 1 2.3.3 uncompressed point: 0x04 || X || Y. */
#define LDR_PUBKEY_BYTES 65

enum ldr_sig_result {
	LDR_SIG_OK,
	LDR_SIG_NONE,	   /* no trailer */
	LDR_SIG_MALFORMED, /* a trailer, but not one this loader reads */
	LDR_SIG_OTHER_KEY, /* key id is not the trusted key's */
	LDR_SIG_BAD,	   /* the trusted key's id, but the signature does not verify */
};

/*
 * Check the signature trailer of an image file that img_check() accepted against the
 * trusted public key pub; digest = SHA-256 of the image [0, image_size) whatever
 * the result (the hypervisor image's measurement).
 */
enum ldr_sig_result sig_check(const void *file, size_t len, const uint8_t pub[LDR_PUBKEY_BYTES],
			      uint8_t digest[32]);
const char *sig_result_str(enum ldr_sig_result r);

/* Layout of the reserved region, offsets from its base. */
struct ldr_layout {
	uint64_t image_size; /* hdr->mem_size (4 KiB aligned) */
	uint64_t stack_off;
	uint64_t stack_size; /* per CPU */
	uint32_t nr_cpus;
	uint64_t info_off; /* one page holding struct ls_boot_info */
	uint64_t pool_off;
	uint64_t pool_size;
	uint64_t total; /* rounded up to LDR_REGION_ALIGN */
};

/* Compute the region layout for a validated image and a parsed config. */
const char *layout_compute(const struct ls_image_hdr *hdr, const struct ldr_config *cfg,
			   struct ldr_layout *lay);

/*
 * Find the PL011 console in a flattened device tree (Devicetree Specification
 * v0.4, chapter 5): the node named by /chosen stdout-path (an alias or a path,
 * options after ':' ignored) if it is compatible with "arm,pl011", else the first
 * enabled "arm,pl011" node. Returns its first reg address, or 0.
 */
uint64_t fdt_find_pl011(const void *fdt, size_t max_len);

/*
 * Find the PL011-compatible console in the ACPI SPCR table, starting from an ACPI
 * 2.0+ RSDP (tables read in place, identity mapped). Returns its MMIO base, or 0.
 */
uint64_t acpi_find_pl011(const void *rsdp);

/*
 * First enabled node whose compatible list has compat: its first reg entry (address
 * and size, with the parent's #address-cells/#size-cells). 0 if found, else -1 with
 * *base and *size unchanged.
 */
int fdt_find_compatible(const void *fdt, size_t max_len, const char *compat, uint64_t *base,
			uint64_t *size);

/*
 * First SMMUv3 in the ACPI IORT table (IORT, Arm DEN 0049, "SMMUv3 node"), from an
 * ACPI 2.0+ RSDP. 0 and *base set if found, else -1.
 */
int acpi_find_smmuv3(const void *rsdp, uint64_t *base);

/*
 * The table with signature sig listed in the XSDT (from an ACPI 2.0+ RSDP), with
 * length and checksum checked: its address, the XSDT's and the offset of its entry
 * in the XSDT. NULL on success, else a message (outputs unchanged).
 */
const char *acpi_locate(const void *rsdp, const char *sig, uint64_t *xsdt, uint32_t *entry_off,
			uint64_t *table);

/*
 * The one walker of a flattened device tree's structure block (Devicetree
 * Specification v0.4 5.4) that the DT editors and the device map share (boot/hide.c):
 * begin(node at depth, its BEGIN_NODE offset, name; depth 0 = the root), prop(depth,
 * offset, name, value, length), end(depth). Every token, length and name is checked
 * before a callback sees it. A callback's nonzero return stops the walk (NULL is
 * returned); otherwise NULL at FDT_END, or a message naming what is malformed.
 */
struct fdt_scan_ops {
	int (*begin)(void *ctx, int depth, uint32_t off, const char *name);
	int (*prop)(void *ctx, int depth, uint32_t off, const char *name, const uint8_t *val,
		    uint32_t len);
	int (*end)(void *ctx, int depth);
};
const char *fdt_scan(const uint8_t *b, uint32_t off_struct, uint32_t size_struct,
		     uint32_t off_strings, uint32_t size_strings, const struct fdt_scan_ops *ops,
		     void *ctx);

/* Total size of a flattened device tree from its header, 0 if not a valid FDT. */
uint32_t fdt_total_size(const void *fdt);

/*
 * One UEFI memory descriptor (UEFI 2.10, EFI_BOOT_SERVICES.GetMemoryMap(), EFI_MEMORY_DESCRIPTOR); the
 * firmware's stride (DescriptorSize) may be larger than this structure.
 */
struct ldr_efi_md {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t nr_pages;
	uint64_t attribute;
};

/* EFI_MEMORY_TYPE values (UEFI 2.10, AllocatePages()) that are RAM for Lockstep. */
enum {
	LDR_EFI_LOADER_CODE = 1,
	LDR_EFI_LOADER_DATA = 2,
	LDR_EFI_BS_CODE = 3,
	LDR_EFI_BS_DATA = 4,
	LDR_EFI_RT_CODE = 5,
	LDR_EFI_RT_DATA = 6,
	LDR_EFI_CONVENTIONAL = 7,
	LDR_EFI_ACPI_RECLAIM = 9,
	LDR_EFI_ACPI_NVS = 10,
};

/*
 * Collect the RAM ranges of a UEFI memory map, sorted by base and merged when
 * adjacent or overlapping. Returns the number of ranges written to out, or -1 if
 * there are more than max (out is then incomplete and must not be used) or the
 * map is malformed.
 */
int mm_collect(const void *map, size_t map_size, size_t desc_size, struct ls_mem_range *out,
	       unsigned int max);

/*
 * Hiding the SMMUv3 from the host's firmware description (boot/hide.c, docs/boot.md
 * "Hiding the SMMU from the host").
 */
#define LDR_IORT_MAX_NODES 256
#define LDR_FDT_MAX_EDITS  32

struct iort_hide_report {
	uint32_t smmu_off;   /* offset of the SMMUv3 node removed (input table) */
	uint32_t redirected; /* device ID mappings that pointed at the SMMUv3 */
	uint32_t composed;   /* mappings written in their place (to the SMMU's output node) */
	uint32_t dropped;    /* redirected mappings whose IDs the SMMU did not map onwards */
	uint32_t nodes;	     /* nodes left */
	uint32_t new_len;    /* length of the rewritten table */
};

/* Set the checksum byte (offset 9) of an ACPI table of len bytes (ACPI 6.5 5.2.6). */
void acpi_fix_checksum(uint8_t *t, uint32_t len);

/*
 * Rewrite an IORT (in, in_len bytes; its length field must equal in_len) into out
 * (cap bytes, not overlapping in) without its first SMMUv3 node: every root-complex
 * or named-component ID mapping whose output is that SMMU is replaced by the
 * composition with the SMMU's own mappings (so the IDs go straight to the ITS group
 * with the same final IDs), every node offset is fixed, the checksum recomputed.
 * NULL on success (*rep filled), else a message and out/rep untouched.
 */
const char *iort_hide_smmuv3(const uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t cap,
			     struct iort_hide_report *rep);

struct fdt_hide_report {
	uint32_t phandle;	/* of the SMMU node, 0 if it had none */
	uint32_t refs_removed;	/* iommu-map / iommus properties removed */
	uint32_t masks_removed; /* iommu-map-mask properties removed with them */
	uint32_t had_status;	/* the node had a status property (replaced) */
	uint32_t new_size;	/* totalsize of the edited blob */
};

/*
 * Edit a flattened device tree in place (cap bytes of room from fdt): the enabled
 * "arm,smmu-v3" node whose first reg address is smmu_base gets status = "disabled",
 * and every iommu-map / iommus property naming it is removed (with iommu-map-mask).
 * NULL on success (*rep filled), else a message and the blob untouched.
 */
const char *fdt_hide_smmuv3(void *fdt, uint32_t cap, uint64_t smmu_base,
			    struct fdt_hide_report *rep);

/*
 * StreamIDs the firmware routes to the SMMUv3 at smmu_base (docs/boot.md "StreamIDs of
 * the SMMU"), read from the firmware's own description, before it is hidden:
 *   - IORT (len bytes at t): the outputs [out, out + count] of every root-complex or
 *     named-component ID mapping whose output reference is the first SMMUv3 node (whose
 *     base must be smmu_base); a single mapping gives one ID;
 *   - DT (size bytes at fdt): the enabled "arm,smmu-v3" node at smmu_base, then every
 *     iommu-map entry <rid-base phandle sid-base length> and iommus entry
 *     <phandle sid> naming its phandle (#iommu-cells must be 1).
 * Out: at most max ranges, sorted by base, overlapping and adjacent ones merged; if
 * more than max remain, the two with the smallest gap between them are joined (the
 * gap's SIDs are then described too; rep->joined counts it). NULL on success (*nr may
 * be 0: nothing routes IDs to the SMMU), else a message with out, *nr and *rep
 * untouched.
 */
struct ldr_sid_report {
	uint32_t refs;	 /* mappings / entries naming the SMMU */
	uint32_t joined; /* joins forced by max */
};

const char *iort_smmu_sids(const uint8_t *t, uint32_t len, uint64_t smmu_base,
			   struct ls_sid_range *out, uint32_t max, uint32_t *nr,
			   struct ldr_sid_report *rep);
const char *fdt_smmu_sids(const void *fdt, uint32_t size, uint64_t smmu_base,
			  struct ls_sid_range *out, uint32_t max, uint32_t *nr,
			  struct ldr_sid_report *rep);

/*
 * The requester IDs of PCI segment `segment` whose DMA the SMMUv3 at smmu_base
 * translates, by the IORT: the inputs of its root-complex range mappings that output
 * to that SMMU (at most max ranges into out, *nr set). NULL on success, else why not.
 */
const char *iort_rc_rids(const uint8_t *t, uint32_t len, uint64_t smmu_base, uint32_t segment,
			 struct ls_sid_range *out, uint32_t max, uint32_t *nr);

/*
 * Give each node whose BEGIN_NODE token is at one of the structure-block offsets
 * offs[0..n) status = "disabled" (an existing status is replaced). Edits in place
 * (cap bytes of room); NULL on success, else a message and the blob untouched.
 */
#define LDR_FDT_MAX_HIDE 64
const char *fdt_disable_nodes(void *fdt, uint32_t cap, const uint32_t *offs, uint32_t n);

/*
 * Device MMIO the host may reach (boot/devmap.c, docs/iommu.md "Which DMA masters
 * Lockstep covers"): every device of the firmware description is allowed (not a DMA
 * master, or all its DMA translated by the SMMU Lockstep owns) or denied; denied
 * devices are hidden from Linux.
 */
#define LDR_WIN_MAX  128 /* allowed / denied windows */
#define LDR_DEV_MAX  96	 /* devices recorded for the log and for hiding */
#define LDR_DEV_NAME 40
#define LDR_DEV_WIN  8 /* windows per device */

enum { LDR_DEV_ALLOW = 1, LDR_DEV_DENY = 2 };

enum { LDR_SRC_DT = 1, LDR_SRC_AML, LDR_SRC_TABLE, LDR_SRC_EFI };

struct ldr_dev {
	char name[LDR_DEV_NAME]; /* DT path, or ACPI "NAME _HID" */
	const char *why;	 /* the rule that decided */
	uint32_t verdict;	 /* LDR_DEV_ALLOW or LDR_DEV_DENY */
	uint32_t hide_off; /* denied: DT BEGIN_NODE offset / ACPI object offset in its table; else UINT32_MAX */
	uint32_t acpi_table; /* ACPI: 0 = DSDT, n = n-th SSDT */
	uint32_t hide_kind;  /* ACPI: 0 = Name(_UID/_HID), 1 = Name(_STA), 2 = Method(_STA) */
	uint32_t nwin;
	uint32_t src;	     /* LDR_SRC_*: where it was described */
	uint64_t base, size; /* first window */
};

struct ldr_devmap {
	struct ls_mem_range allow[LDR_WIN_MAX], deny[LDR_WIN_MAX];
	uint32_t nr_allow, nr_deny;
	struct ldr_dev dev[LDR_DEV_MAX];
	uint32_t nr_dev;
	uint32_t dropped;   /* devices not recorded (dev[] full): their windows still count */
	uint32_t overflow;  /* a window list overflowed: the map is unusable */
	uint32_t conflicts; /* allowed windows dropped because a denied one shares a page */
	uint32_t flags;	    /* LS_BOOT_MMIO_FROM_* */
	/*
	 * PCI segment 0: the requester IDs the description routes through the SMMU
	 * (DT iommu-map entries naming it, or the IORT's root-complex mappings to it).
	 * Any PCI function outside them is a DMA master the SMMU does not translate.
	 */
	struct ls_sid_range pci_rids[LS_BOOT_MAX_SID_RANGES];
	uint32_t nr_pci_rids;
	uint32_t pci_rids_known; /* 1 once a description gave them */
	/* The GICv3 frames (boot.h gicd_base/gicr/its) for the hypervisor's GIC guard. */
	uint64_t gicd;
	uint32_t nr_gicr, nr_its, gicr_from_gicc, gic_overflow;
	struct ls_mem_range gicr[LS_BOOT_MAX_GICR];
	uint64_t its[LS_BOOT_MAX_ITS];
	/*
	 * x86: the PCI functions' DMA goes through VT-d units the hypervisor takes (the
	 * ACPI DMAR; boot/pcicheck.c refuses any function outside their scope), set by the
	 * loader before devmap_acpi: the ECAM and the PCI roots are then allowed.
	 */
	uint32_t iommu_vtd;
};

/* Does the description route requester ID rid through the SMMU (m->pci_rids)? */
int devmap_rid_translated(const struct ldr_devmap *m, uint32_t rid);

void devmap_init(struct ldr_devmap *m);
/* Classify every enabled DT node with registers. NULL on success, else a message. */
const char *devmap_fdt(struct ldr_devmap *m, const void *fdt, uint32_t size, uint64_t smmu_base);
/* Classify from ACPI: MADT, SPCR, MCFG (+IORT), DSDT and SSDTs' devices. */
const char *devmap_acpi(struct ldr_devmap *m, const void *rsdp, uint64_t smmu_base);
/* One AML table (a DSDT or SSDT, header included); idx 0 = DSDT. */
const char *devmap_aml(struct ldr_devmap *m, const uint8_t *table, uint32_t len, uint32_t idx,
		       int pci_ok, const char *pci_why);
/* A UEFI runtime MMIO descriptor (EfiMemoryMappedIO with EFI_MEMORY_RUNTIME). */
void devmap_add_runtime(struct ldr_devmap *m, uint64_t base, uint64_t size);
/*
 * x86: one more window the host may use, found outside the ACPI tables (a PCI BAR of a
 * function translated by VT-d, the legacy area below 1 MiB, a firmware MMIO descriptor);
 * @name and @why must stay valid (string literals, or the caller's static buffer).
 */
void devmap_add_allowed(struct ldr_devmap *m, const char *name, const char *why, uint64_t base,
			uint64_t size);
/*
 * The host's device windows: allowed windows rounded out to 4 KiB pages, minus any
 * whose pages touch a denied window or the SMMU frame (deny wins; m->conflicts
 * counts them), sorted and merged. Returns how many were written, -1 if more than
 * max or a list overflowed.
 */
int devmap_finish(struct ldr_devmap *m, uint64_t smmu_base, uint64_t smmu_size,
		  struct ls_mem_range *out, uint32_t max);
/*
 * Hide one ACPI device in a copy of its table (len bytes): the object at offset at
 * (hide_kind 0/1: a Name of at least 6 bytes, 2: Method(_STA)) becomes
 * Name(_STA, Zero) (or Method(_STA) { Return (Zero) }), padded with NoopOp so no
 * length changes; the table checksum is recomputed.
 */
const char *acpi_hide_device(uint8_t *table, uint32_t len, uint32_t at, uint32_t kind);

/*
 * virtio-pci devices (boot/pcicheck.c): QEMU's virtio devices that do not offer
 * VIRTIO_F_ACCESS_PLATFORM (feature bit 33) do DMA to physical addresses, bypassing
 * every IOMMU. virtio_pci_common_cap finds the common configuration structure (Virtio
 * 1.2 4.1.4.3) in a device's config space (len bytes): NULL and *bar, *off set, else
 * why not (legacy-only devices have none).
 */
#define VIRTIO_F_ACCESS_PLATFORM 33
int virtio_pci_is_virtio(uint16_t vendor, uint16_t device);
const char *virtio_pci_common_cap(const uint8_t *cfg, uint32_t len, uint32_t *bar, uint32_t *off);

/*
 * The ACPI DMAR table (boot/dmar.c; Intel VT-d specification chapter 8): the VT-d
 * remapping units (DRHD, 8.3), their device scopes (8.3.1) and the reserved memory
 * regions (RMRR, 8.4).
 */
#define LDR_DMAR_MAX_UNITS	 8
#define LDR_DMAR_MAX_RMRR	 16
#define LDR_DMAR_MAX_SCOPES	 64   /* over all units and RMRRs */
#define LDR_DMAR_PATH_MAX	 4    /* bridge hops kept per scope */
#define LDR_DMAR_INCLUDE_PCI_ALL 0x01 /* 8.3 DRHD Flags bit 0 */

enum { LDR_DMAR_TYPE_DRHD = 0, LDR_DMAR_TYPE_RMRR = 1 }; /* 8.2 */

/* 8.3.1 Device Scope Type values. */
enum {
	LDR_DMAR_SCOPE_ENDPOINT = 1,  /* PCI endpoint device */
	LDR_DMAR_SCOPE_BRIDGE = 2,    /* PCI sub-hierarchy */
	LDR_DMAR_SCOPE_IOAPIC = 3,    /* IOAPIC (enum_id = its APIC ID) */
	LDR_DMAR_SCOPE_HPET = 4,      /* MSI-capable HPET (enum_id = its number) */
	LDR_DMAR_SCOPE_NAMESPACE = 5, /* ACPI namespace device (enum_id = ANDD number) */
};

struct ldr_dmar_scope {
	uint8_t type, flags, enum_id, bus;  /* bus: Start Bus Number */
	uint8_t depth;			    /* path entries (hops) */
	uint8_t path[LDR_DMAR_PATH_MAX][2]; /* device, function per hop */
};

struct ldr_dmar_unit {
	uint64_t base;	     /* register base */
	uint32_t size_pages; /* register set size, 4 KiB pages */
	uint16_t segment;
	uint8_t flags;			/* LDR_DMAR_INCLUDE_PCI_ALL */
	uint32_t first_scope, nr_scope; /* in ldr_dmar.scope[] */
};

struct ldr_dmar_rmrr {
	uint64_t base, limit; /* limit inclusive */
	uint16_t segment;
	uint32_t first_scope, nr_scope;
};

struct ldr_dmar {
	uint8_t haw;   /* host address width, bits */
	uint8_t flags; /* 8.1: INTR_REMAP, X2APIC_OPT_OUT, DMA_CTRL_PLATFORM_OPT_IN */
	struct ldr_dmar_unit unit[LDR_DMAR_MAX_UNITS];
	uint32_t nr_unit;
	struct ldr_dmar_rmrr rmrr[LDR_DMAR_MAX_RMRR];
	uint32_t nr_rmrr;
	struct ldr_dmar_scope scope[LDR_DMAR_MAX_SCOPES];
	uint32_t nr_scope;
	uint32_t nr_other; /* structures of other types, length-checked only */
};

/*
 * Parse a DMAR table of len bytes (its length field must equal len, checksum
 * checked). NULL on success (*out filled), else a message and *out untouched.
 */
const char *dmar_parse(const uint8_t *t, uint32_t len, struct ldr_dmar *out);

/*
 * Line idx of the description of d (0: the table, 1..nr_unit: the units, then the
 * RMRRs) into buf (cap bytes, NUL-terminated, truncated if short). Returns the
 * line's full length, 0 past the last line.
 */
size_t dmar_line(const struct ldr_dmar *d, uint32_t idx, char *buf, size_t cap);

/*
 * Whether a remapping unit of d translates the DMA of PCI function seg:bus:dev.fn (VT-d
 * spec 8.3 "DMA Remapping Hardware Unit Definition Structure", 8.3.1 "Device Scope
 * Structure"): a unit on that segment lists it as a PCI endpoint one hop below the scope's
 * start bus, or a unit on the segment has INCLUDE_PCI_ALL (it takes every function no other
 * unit lists). Functions behind bridges (sub-hierarchy scopes, paths of several hops) are
 * not resolved: only INCLUDE_PCI_ALL covers them. 1 translated, 0 not.
 */
int dmar_rid_translated(const struct ldr_dmar *d, uint16_t seg, uint8_t bus, uint8_t dev,
			uint8_t fn);

#endif /* LOCKSTEP_BOOT_LDR_H */
