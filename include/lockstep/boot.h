/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Boot contract between the UEFI loader (boot/) and the hypervisor image (hyp/).
 * Shared by those two only.
 *
 * Image format (hyp/arch/arm64/lockstep.bin): a flat binary, linked
 * position-independent (-pie) at address 0; it starts with struct ls_image_hdr.
 * The loader:
 *   1. reads the file, checks magic, header version, sizes, the signature trailer
 *      (struct ls_image_sig below) and the CRC32 of bytes [hdr_size, image_size)
 *      (the checksum covers everything but the header);
 *   2. allocates one region of EfiReservedMemoryType pages, 2 MiB aligned, of
 *      mem_size (image + bss) rounded up + per-CPU stacks + the table-page
 *      pool sized in the config, copies the image to its start and zeroes the rest;
 *   3. fills struct ls_boot_info (in the reserved region, after the stacks);
 *   4. wraps gBS->ExitBootServices; when the real call succeeds, the wrapper
 *      calls the image's entry point (base + entry_offset) at EL2, MMU on with the
 *      firmware's identity map, interrupts masked:
 *          long entry(struct ls_boot_info *info);   (AAPCS64)
 *      On success the call RETURNS AT EL1 (same stack, same SP, same
 *      translation) with x0 = 0; the wrapper then returns EFI_SUCCESS at EL1.
 *      On failure it returns at EL2 with x0 < 0 and nothing installed.
 */
#ifndef LOCKSTEP_BOOT_H
#define LOCKSTEP_BOOT_H

#include <stdint.h>

#include "abi.h" /* LS_MLOG_* and LS_MEAS_*: the log layout the host reads too */

#define LS_IMAGE_MAGIC	     0x5045545354534b4cULL /* "LKSTSTEP" little-endian */
#define LS_IMAGE_HDR_VERSION 1

struct ls_image_hdr {
	uint32_t branch;       /* a branch over the header (never executed by the loader) */
	uint32_t hdr_size;     /* sizeof(struct ls_image_hdr) */
	uint64_t magic;	       /* LS_IMAGE_MAGIC */
	uint32_t hdr_version;  /* LS_IMAGE_HDR_VERSION */
	uint32_t crc32;	       /* CRC-32 (IEEE 802.3) of image bytes [hdr_size, image_size) */
	uint64_t image_size;   /* bytes in the file */
	uint64_t mem_size;     /* bytes of memory the image needs (image + bss), 4 KiB aligned */
	uint64_t entry_offset; /* offset of the entry point from the image base */
	uint64_t version;      /* Lockstep version: major << 32 | minor << 16 | patch */
	char name[16];	       /* "lockstep" */
};

/*
 * Signature trailer (docs/attestation.md "Signed hypervisor images"). A signed image
 * file is the image (image_size bytes, header and CRC as above, unchanged) followed
 * by exactly one struct ls_image_sig: the file is image_size + sizeof(struct
 * ls_image_sig) bytes. An unsigned file ends at image_size. The signature is ECDSA
 * over NIST P-256 (FIPS 186-4 6.4, SEC 1 4.1.3) of SHA-256 (FIPS 180-4) over the
 * image bytes [0, image_size): header included, trailer excluded. That digest is
 * also the hypervisor image's launch measurement (LS_MEAS_HYP_IMAGE).
 */
#define LS_IMAGE_SIG_MAGIC	       0x313030474953534cULL /* "LSSIG001" little-endian */
#define LS_IMAGE_SIG_ECDSA_P256_SHA256 1

struct ls_image_sig {
	uint64_t magic;	    /* LS_IMAGE_SIG_MAGIC */
	uint32_t size;	    /* sizeof(struct ls_image_sig) = 128 */
	uint32_t alg;	    /* LS_IMAGE_SIG_ECDSA_P256_SHA256 */
	uint8_t key_id[32]; /* SHA-256 of the signer's public key (SEC 1 2.3.3 uncompressed, 65 B) */
	uint8_t sig[64];    /* r || s, each 32 bytes big-endian */
	uint8_t reserved[16];
};

/*
 * Measured launch (docs/attestation.md "Event log"): the loader records here one
 * event per thing it loaded (the hypervisor image, the kernel, the initrd, the
 * command line), in the byte layout of include/lockstep/abi.h (LS_MLOG_*), which
 * the hypervisor copies into its own memory, extends with its own events and
 * serves to the host (LS_FN_MEASURE_READ).
 */
struct ls_mlog_event {
	uint32_t type;	 /* LS_MEAS_* */
	uint32_t alg;	 /* LS_MEAS_ALG_SHA256 */
	uint64_t length; /* bytes measured */
	uint8_t digest[32];
	char desc[64];	/* ASCII, NUL padded: what was measured (file path, ...) */
	uint32_t flags; /* LS_MEAS_F_* */
	uint32_t reserved[3];
};

struct ls_mlog {
	uint64_t magic;	      /* LS_MLOG_MAGIC */
	uint32_t version;     /* LS_MLOG_VERSION */
	uint32_t size;	      /* bytes of header + events */
	uint32_t nr_events;   /* <= LS_MLOG_MAX_EVENTS */
	uint32_t event_bytes; /* LS_MLOG_EV_BYTES */
	uint64_t reserved;
	struct ls_mlog_event ev[LS_MLOG_MAX_EVENTS];
};

_Static_assert(sizeof(struct ls_image_sig) == 128, "signature trailer layout");
_Static_assert(sizeof(struct ls_mlog_event) == LS_MLOG_EV_BYTES, "event layout (abi.h)");
_Static_assert(sizeof(struct ls_mlog) == LS_MLOG_MAX_BYTES, "log layout (abi.h)");

#define LS_BOOT_INFO_MAGIC 0x4f464e4942534cULL /* "LSBINFO" */
#define LS_BOOT_MAX_CPUS   8
#define LS_BOOT_MAX_MEM	   16

struct ls_mem_range {
	uint64_t base;
	uint64_t size;
};

/* StreamIDs [base, base + count) of the SMMU (appended with smmu_sids below). */
#define LS_BOOT_MAX_SID_RANGES 8

/* Device MMIO windows the host may reach (host_mmio below). */
#define LS_BOOT_MAX_MMIO 48

/* VT-d remapping units (vtd below). */
#define LS_BOOT_MAX_VTD	 8
/* GICv3 redistributor ranges and ITSs (gicr/its below). */
#define LS_BOOT_MAX_GICR 8
#define LS_BOOT_MAX_ITS	 4

struct ls_sid_range {
	uint32_t base;
	uint32_t count;
};

struct ls_boot_info {
	uint64_t magic; /* LS_BOOT_INFO_MAGIC */
	uint64_t size;	/* sizeof(struct ls_boot_info) */
	/* The whole reserved region (2 MiB aligned): image, stacks, pool, this struct. */
	uint64_t hyp_base;
	uint64_t hyp_size;
	/* Per-CPU EL2 stacks: cpu n's stack occupies [stack_base + n*stack_size, +stack_size). */
	uint64_t stack_base;
	uint64_t stack_size;
	uint32_t nr_cpus;	    /* number of stacks provided (<= LS_BOOT_MAX_CPUS) */
	uint32_t boot_cpu_mpidr_lo; /* MPIDR_EL1 & 0xffffffff of the CPU that ran the loader */
	/* Table-page pool for the hypervisor's own stage-1 and the host stage-2. */
	uint64_t pool_base;
	uint64_t pool_size;
	/* Firmware device tree (EFI config table DEVICE_TREE_GUID), 0 if none. */
	uint64_t fdt;
	/* RAM as seen in the final UEFI memory map, sorted, merged. */
	uint32_t nr_mem;
	uint32_t reserved0;
	struct ls_mem_range mem[LS_BOOT_MAX_MEM];
	/* Console the loader found (PL011 base from the DT /chosen stdout-path), 0 if none. */
	uint64_t uart_base;
	/* Config echo, for the banner. */
	uint64_t config_pool_pages;
	/*
	 * Appended by boot/ (check size before use): ACPI 2.0+ RSDP from the EFI config
	 * table ACPI_20_TABLE_GUID, 0 if none. QEMU virt with AAVMF boots with ACPI and
	 * no DT config table (fdt == 0) unless run with -M virt,acpi=off; the platform
	 * (SPCR, IORT, MADT) is then described only here. When fdt == 0, uart_base
	 * comes from the SPCR table.
	 */
	uint64_t acpi_rsdp;
	/*
	 * Appended for hyp/iommu (check size before use): the SMMUv3 register frame,
	 * from the DT node compatible "arm,smmu-v3" (reg) or, with ACPI, the IORT
	 * SMMUv3 node (base; size 0x20000). 0 if none or not discovered (yet): the
	 * hypervisor then leaves any SMMU alone (docs/iommu.md).
	 */
	uint64_t smmu_base;
	uint64_t smmu_size;
	/*
	 * Appended by boot/ (check size before use): what the loader did to the host's
	 * firmware description of the SMMU above (docs/boot.md "Hiding the SMMU from the
	 * host"), LS_BOOT_SMMU_* bits; 0 when there was nothing to hide. With
	 * LS_BOOT_SMMU_VISIBLE a description the host reads still shows the SMMU (the
	 * loader refused to rewrite it): Linux will probe the SMMU, and the hypervisor
	 * decides whether to take it anyway.
	 */
	uint64_t smmu_hide;
	/*
	 * Appended by boot/ for hyp/iommu (check size before use): the StreamIDs the
	 * firmware routes to the SMMU above, read before the loader hid it (docs/boot.md
	 * "StreamIDs of the SMMU"): the outputs of the ACPI IORT root-complex and
	 * named-component ID mappings whose output reference is that SMMUv3 node, or the
	 * DT iommu-map (<rid-base &smmu sid-base length>) and iommus (<&smmu sid>)
	 * entries naming its phandle, from the same description smmu_base came from.
	 * Sorted by base, overlapping and adjacent ranges merged, count >= 1. 0 ranges:
	 * the loader found none (the hypervisor then falls back to SIDs 0..255).
	 */
	uint32_t nr_smmu_sids; /* ranges in smmu_sids[] (<= LS_BOOT_MAX_SID_RANGES) */
	uint32_t smmu_sid_src; /* LS_BOOT_SID_FROM_*: where they came from */
	struct ls_sid_range smmu_sids[LS_BOOT_MAX_SID_RANGES];
	/*
	 * Appended by boot/ (required: the hypervisor refuses a boot info without it):
	 * the device MMIO the host may reach (docs/iommu.md "Which DMA masters Lockstep
	 * covers"). Default deny: the host stage-2 maps RAM and these ranges, nothing
	 * else. The loader lists only windows of devices that are not DMA masters or
	 * whose DMA the owned SMMU translates, from the firmware description (DT or ACPI)
	 * and the UEFI runtime MMIO descriptors; sorted by base, page aligned, disjoint,
	 * none overlapping RAM, the hypervisor region or the SMMU frame.
	 */
	uint32_t nr_host_mmio;
	uint32_t host_mmio_flags; /* LS_BOOT_MMIO_* */
	struct ls_mem_range host_mmio[LS_BOOT_MAX_MMIO];
	/*
	 * Devices the loader found whose DMA bypasses every SMMU and that the config
	 * (unsafe_untranslated_dma=1) let through: the hypervisor warns on every boot.
	 */
	uint32_t nr_untranslated;
	uint32_t reserved1;
	/*
	 * Appended for measured launch (required: a hypervisor with this field refuses a
	 * smaller boot info, the size being the boot info's version): the loader's event
	 * log (struct ls_mlog above, docs/attestation.md).
	 */
	struct ls_mlog mlog;
	/*
	 * Appended for x86 (check size before use): the register sets of the VT-d units the
	 * ACPI DMAR describes (DRHD Register Base Address and size, VT-d spec 8.3), as the
	 * x86 loader parsed them (boot/dmar.c) before ExitBootServices. The hypervisor keeps
	 * them out of the host's nested map. 0 units on arm64 and on machines without VT-d.
	 */
	uint32_t nr_vtd;
	uint32_t reserved2;
	struct ls_mem_range vtd[LS_BOOT_MAX_VTD];
	/*
	 * Appended for VM attestation (the hypervisor refuses a smaller boot info): the
	 * attestation private key, a P-256 scalar, big-endian, that the loader derived
	 * (docs/attestation.md "Where the attestation key comes from"); not covered by the
	 * hyp-config measurement (which stops at mlog). The hypervisor takes it and zeroes
	 * this copy before the host runs.
	 */
	uint8_t attest_key[32];
	/*
	 * Appended for the GIC guard (check size before use; docs/iommu.md "The GIC's own
	 * memory accesses"): the GICv3 register frames the firmware describes, from the MADT
	 * (GICD; GICR discovery ranges, else each GICC's GICR base; ITS) or the DT
	 * ("arm,gic-v3" reg: GICD, then #redistributor-regions GICR ranges; "arm,gic-v3-its"
	 * reg). gicd_base 0: no GICv3 found, and the hypervisor says the GIC is not guarded.
	 */
	uint64_t gicd_base;
	uint32_t nr_gicr; /* ranges in gicr[] (<= LS_BOOT_MAX_GICR) */
	uint32_t nr_its;  /* ITSs in its[] (<= LS_BOOT_MAX_ITS): control frame bases */
	struct ls_mem_range gicr[LS_BOOT_MAX_GICR];
	uint64_t its[LS_BOOT_MAX_ITS];
	/*
	 * Appended for x86 (check size before use): a 4 KiB page below 1 MiB that the loader
	 * allocated as EfiReservedMemoryType for the application processors' start-up code
	 * (a Startup IPI vector names a page below 1 MiB: AMD APM Vol. 2 16.5 "Interprocessor
	 * Interrupts", Startup). The hypervisor keeps it out of the host's maps. 0 if none
	 * (arm64, or no free page): only the boot CPU is brought under the hypervisor.
	 */
	uint64_t ap_tramp;
};

#define LS_BOOT_MMIO_FROM_DT	 (1U << 0) /* classified from the device tree */
#define LS_BOOT_MMIO_FROM_ACPI	 (1U << 1) /* classified from ACPI (MADT, SPCR, MCFG, IORT, DSDT) */
#define LS_BOOT_MMIO_FROM_EFI_RT (1U << 2) /* UEFI runtime MMIO descriptors added */

#define LS_BOOT_SMMU_HIDDEN_ACPI (1ULL << 0) /* IORT rewritten without the SMMUv3 node */
#define LS_BOOT_SMMU_HIDDEN_DT	 (1ULL << 1) /* DT node status = "disabled", references gone */
#define LS_BOOT_SMMU_VISIBLE	 (1ULL << 2) /* a rewrite was refused: the host sees the SMMU */

/* smmu_sid_src */
#define LS_BOOT_SID_FROM_NONE 0
#define LS_BOOT_SID_FROM_IORT 1 /* ACPI IORT ID mappings */
#define LS_BOOT_SID_FROM_DT   2 /* DT iommu-map / iommus */

#endif /* LOCKSTEP_BOOT_H */
