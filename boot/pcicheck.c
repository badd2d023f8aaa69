// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * PCI devices whose DMA bypasses the IOMMU (docs/boot.md "Untranslated DMA
 * masters"). The SMMU translates every requester ID of the root complex, but QEMU's
 * virtio devices that do not offer VIRTIO_F_ACCESS_PLATFORM (Virtio 1.2 6.1,
 * feature bit 33) do their DMA straight to physical addresses, around the vIOMMU:
 * to Lockstep they are DMA masters outside the SMMU. Before anything changes, the
 * loader reads every PCI function through the firmware's EFI_PCI_IO_PROTOCOL
 * (UEFI 2.10 14.4), finds the virtio ones and asks each whether it offers the
 * feature (device_feature_select = 1, then bit 1 of device_feature).
 */
#include "bytes.h"
#include "efi_ldr.h"

#include <efipciio.h>

static EFI_GUID pci_io_guid = EFI_PCI_IO_PROTOCOL_GUID;

/* Virtio 1.2 4.1.4.3: struct virtio_pci_common_cfg */
#define VCOMMON_DFSELECT 0x00 /* device_feature_select, le32 */
#define VCOMMON_DF	 0x04 /* device_feature, le32 */

static const char *pc_kind(uint16_t dev)
{
	/* Virtio 1.2 5: device IDs; 4.1.2.1: transitional PCI IDs 0x1000.. */
	static const char *const names[] = { "virtio",	       "virtio-net", "virtio-blk",
					     "virtio-console", "virtio-rng", "virtio-balloon",
					     "virtio",	       "virtio",     "virtio-scsi",
					     "virtio-9p" };
	static const uint8_t transitional[] = { 1, 2, 5, 3, 8, 4, 0, 0, 0, 9 };
	uint32_t id = dev >= 0x1040			   ? dev - 0x1040u :
		      dev - 0x1000u < sizeof(transitional) ? transitional[dev - 0x1000] :
							     0;

	return id < sizeof(names) / sizeof(names[0]) ? names[id] : "virtio";
}

/*
 * Does this virtio function offer VIRTIO_F_ACCESS_PLATFORM? 1 yes, 0 no (or legacy
 * only), -1 could not tell (*why says why). Memory decoding is enabled for the
 * read and put back as it was.
 */
static int pc_access_platform(EFI_PCI_IO_PROTOCOL *io, const char **why)
{
	uint8_t cfg[256];
	uint32_t bar, off, sel = 1, feat = 0, zero = 0;
	UINT64 attrs = 0;
	EFI_STATUS st;

	st = io->Pci.Read(io, EfiPciIoWidthUint32, 0, 64, cfg);
	if (EFI_ERROR(st)) {
		*why = "config space unreadable";
		return -1;
	}
	*why = virtio_pci_common_cap(cfg, sizeof(cfg), &bar, &off);
	if (*why)
		return 0;
	st = io->Attributes(io, EfiPciIoAttributeOperationGet, 0, &attrs);
	if (EFI_ERROR(st))
		attrs = 0;
	io->Attributes(io, EfiPciIoAttributeOperationEnable, EFI_PCI_IO_ATTRIBUTE_MEMORY, NULL);
	st = io->Mem.Write(io, EfiPciIoWidthUint32, (UINT8)bar, (UINT64)off + VCOMMON_DFSELECT, 1,
			   &sel);
	if (!EFI_ERROR(st))
		st = io->Mem.Read(io, EfiPciIoWidthUint32, (UINT8)bar, (UINT64)off + VCOMMON_DF, 1,
				  &feat);
	io->Mem.Write(io, EfiPciIoWidthUint32, (UINT8)bar, (UINT64)off + VCOMMON_DFSELECT, 1,
		      &zero);
	if (!(attrs & EFI_PCI_IO_ATTRIBUTE_MEMORY))
		io->Attributes(io, EfiPciIoAttributeOperationDisable, EFI_PCI_IO_ATTRIBUTE_MEMORY,
			       NULL);
	if (EFI_ERROR(st)) {
		*why = "common configuration BAR unreadable";
		return -1;
	}
	*why = (feat >> (VIRTIO_F_ACCESS_PLATFORM - 32)) & 1 ?
		       NULL :
		       "does not offer VIRTIO_F_ACCESS_PLATFORM: its DMA bypasses the SMMU";
	return *why ? 0 : 1;
}

/*
 * x86: the memory BARs of every PCI function, as the firmware assigned them, into the
 * device map (the host's nested map maps them; docs/x86.md "Host MMIO"). The PCI I/O
 * protocol describes each BAR with ACPI resource descriptors (UEFI 2.10 14.4
 * GetBarAttributes): a QWord Address Space Descriptor (ACPI 6.5 6.4.3.5.1: tag 8Ah,
 * resource type +3 (0 = memory), minimum +14, length +38) per BAR, then an End Tag.
 * Called only when VT-d translates every function (the loader refuses otherwise).
 */
void pcicheck_bars(struct ldr_devmap *m)
{
	EFI_HANDLE *h = NULL;
	UINTN nh = 0, i;
	static char names[LDR_DEV_MAX][24];
	uint32_t nn = 0;

	if (EFI_ERROR(BS->LocateHandleBuffer(ByProtocol, &pci_io_guid, NULL, &nh, &h)))
		return;
	for (i = 0; i < nh; i++) {
		EFI_PCI_IO_PROTOCOL *io;
		UINTN seg, bus, dev, fn;
		UINT8 bar;

		if (EFI_ERROR(BS->HandleProtocol(h[i], &pci_io_guid, (void **)&io)))
			continue;
		io->GetLocation(io, &seg, &bus, &dev, &fn);
		for (bar = 0; bar < 6; bar++) {
			UINT64 sup = 0;
			uint8_t *r = NULL;
			uint64_t base, len;

			if (EFI_ERROR(io->GetBarAttributes(io, bar, &sup, (void **)&r)) || !r)
				continue;
			if (r[0] == 0x8a && r[3] == 0) {
				base = ldr_le64(r + 14);
				len = ldr_le64(r + 38);
				if (len && nn < LDR_DEV_MAX) {
					char *n = names[nn++];
					static const char hex[] = "0123456789abcdef";

					/* "PCI bb:dd.f BARn" */
					n[0] = 'P', n[1] = 'C', n[2] = 'I', n[3] = ' ';
					n[4] = hex[(bus >> 4) & 15], n[5] = hex[bus & 15];
					n[6] = ':', n[7] = hex[(dev >> 4) & 1],
					n[8] = hex[dev & 15];
					n[9] = '.', n[10] = hex[fn & 7], n[11] = ' ';
					n[12] = 'B', n[13] = 'A', n[14] = 'R',
					n[15] = (char)('0' + bar);
					n[16] = 0;
					devmap_add_allowed(m, n,
							   "PCI BAR of a function whose DMA goes "
							   "through VT-d",
							   base, len);
				}
			}
			FreePool(r);
		}
	}
	FreePool(h);
}

/*
 * Count (and name) the PCI functions whose DMA bypasses the SMMU. Returns how many;
 * every one is printed with the QEMU option that fixes it.
 */
UINTN pcicheck_untranslated(const struct ldr_devmap *m, int have_smmu, const struct ldr_dmar *vtd)
{
	const char *iommu = vtd ? "VT-d" : "SMMU";
	EFI_HANDLE *h = NULL;
	UINTN nh = 0, i, bad = 0, virtio = 0;
	EFI_STATUS st;

	st = BS->LocateHandleBuffer(ByProtocol, &pci_io_guid, NULL, &nh, &h);
	if (EFI_ERROR(st) || !nh) {
		Print(LDR_TAG L"PCI: no PCI I/O handles (%r): no PCI function to check\n", st);
		return 0;
	}
	for (i = 0; i < nh; i++) {
		EFI_PCI_IO_PROTOCOL *io;
		UINTN seg, bus, dev, fn;
		uint16_t id[2];
		const char *why = NULL;
		int r;

		uint8_t cls[4];
		uint32_t rid;

		st = BS->HandleProtocol(h[i], &pci_io_guid, (void **)&io);
		if (EFI_ERROR(st))
			continue;
		if (EFI_ERROR(io->Pci.Read(io, EfiPciIoWidthUint16, 0, 2, id)) ||
		    EFI_ERROR(io->Pci.Read(io, EfiPciIoWidthUint8, 8, 4, cls)))
			continue;
		io->GetLocation(io, &seg, &bus, &dev, &fn);
		rid = (uint32_t)(bus << 8 | dev << 3 | fn);
		/*
		 * Requester ID routed through the SMMU by the firmware description (IORT
		 * root-complex mappings, DT iommu-map)? Host bridges (class 06/00) are not
		 * requesters. Other segments than 0 are not described: untranslated.
		 */
		if (!(cls[3] == 0x06 && cls[2] == 0x00) &&
		    (vtd ? !dmar_rid_translated(vtd, (uint16_t)seg, (uint8_t)bus, (uint8_t)dev,
						(uint8_t)fn) :
			   (!have_smmu || seg != 0 || !devmap_rid_translated(m, rid)))) {
			bad++;
			Print(LDR_TAG L"PCI %04x:%02x:%02x.%x (%04x:%04x): requester ID 0x%x is %a: its "
				      L"DMA bypasses every %a and can reach any memory.\n",
			      seg, bus, dev, fn, id[0], id[1], rid,
			      vtd ? "in no VT-d unit's device scope (ACPI DMAR)" :
			      !have_smmu ?
				    "on a machine without an SMMU Lockstep owns" :
				    "not routed through the SMMU by the firmware description",
			      iommu);
			continue;
		}
		if (!virtio_pci_is_virtio(id[0], id[1]))
			continue;
		virtio++;
		r = pc_access_platform(io, &why);
		if (r == 1) {
			Print(LDR_TAG L"PCI %04x:%02x:%02x.%x %a (%04x:%04x): VIRTIO_F_ACCESS_PLATFORM "
				      L"offered: DMA through the %a\n",
			      seg, bus, dev, fn, pc_kind(id[1]), id[0], id[1], iommu);
			continue;
		}
		bad++;
		Print(LDR_TAG L"PCI %04x:%02x:%02x.%x %a (%04x:%04x): %a.\n"
			      L"lockstep-boot:   It can read and write any memory, the hypervisor's "
			      L"included. QEMU: add iommu_platform=on,disable-legacy=on to its -device "
			      L"option.\n",
		      seg, bus, dev, fn, pc_kind(id[1]), id[0], id[1], why);
	}
	FreePool(h);
	Print(LDR_TAG L"PCI: %d functions, %d virtio, %d with DMA outside the %a\n", nh, virtio,
	      bad, iommu);
	return bad;
}
