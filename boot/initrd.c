// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Hand the initrd to Linux's EFI stub through the LoadFile2 protocol installed on
 * a handle carrying the vendor media device path LINUX_EFI_INITRD_MEDIA_GUID
 * (Linux drivers/firmware/efi/libstub/efi-stub-helper.c, efi_load_initrd_dev_path).
 * This works whatever the kernel's CONFIG_EFI_GENERIC_STUB_INITRD_CMDLINE_LOADER
 * (off in the Debian arm64 kernel) and wherever the initrd came from.
 * EFI_LOAD_FILE2_PROTOCOL: UEFI 2.10 section 13.2.
 */
#include "efi_ldr.h"

static EFI_GUID initrd_media_guid = { 0x5568e427,
				      0x68fc,
				      0x4f3d,
				      { 0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68 } };
static EFI_GUID load_file2_guid = { 0x4006c0c1,
				    0xfcb3,
				    0x403e,
				    { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } };

struct initrd_lf2 {
	EFI_STATUS(EFIAPI *load_file)
	(const struct initrd_lf2 *self, EFI_DEVICE_PATH *path, BOOLEAN boot_policy, UINTN *size,
	 VOID *buf);
};

struct initrd_dp {
	VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH end;
} __attribute__((packed));

static struct initrd_dp initrd_path = {
	.vendor = { .Header = { MEDIA_DEVICE_PATH,
				MEDIA_VENDOR_DP,
				{ sizeof(VENDOR_DEVICE_PATH), 0 } } },
	.end = { END_DEVICE_PATH_TYPE,
		 END_ENTIRE_DEVICE_PATH_SUBTYPE,
		 { sizeof(EFI_DEVICE_PATH), 0 } },
};

static EFI_HANDLE initrd_handle;
static void *initrd_data;
static UINTN initrd_size;

static EFI_STATUS EFIAPI initrd_load_file(const struct initrd_lf2 *self, EFI_DEVICE_PATH *path,
					  BOOLEAN boot_policy, UINTN *size, VOID *buf)
{
	(void)path;
	if (!self || !size)
		return EFI_INVALID_PARAMETER;
	if (boot_policy)
		return EFI_UNSUPPORTED; /* LoadFile2 never serves boot-policy loads */
	if (!buf || *size < initrd_size) {
		*size = initrd_size;
		return EFI_BUFFER_TOO_SMALL;
	}
	CopyMem(buf, initrd_data, initrd_size);
	*size = initrd_size;
	return EFI_SUCCESS;
}

static struct initrd_lf2 initrd_proto = { .load_file = initrd_load_file };

EFI_STATUS initrd_install(void *data, UINTN size)
{
	EFI_STATUS st;

	initrd_path.vendor.Guid = initrd_media_guid;
	initrd_data = data;
	initrd_size = size;
	initrd_handle = NULL;
	/* Fails with EFI_ALREADY_STARTED if another initrd provider is installed. */
	st = BS->InstallMultipleProtocolInterfaces(&initrd_handle, &DevicePathProtocol,
						   &initrd_path, &load_file2_guid, &initrd_proto,
						   NULL);
	if (EFI_ERROR(st))
		initrd_handle = NULL;
	return st;
}

void initrd_uninstall(void)
{
	if (!initrd_handle)
		return;
	BS->UninstallMultipleProtocolInterfaces(initrd_handle, &DevicePathProtocol, &initrd_path,
						&load_file2_guid, &initrd_proto, NULL);
	initrd_handle = NULL;
}
