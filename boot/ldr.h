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

/* Validate a hypervisor image of len bytes (see include/lockstep/boot.h). */
const char *img_check(const void *buf, size_t len);

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

#endif /* LOCKSTEP_BOOT_LDR_H */
