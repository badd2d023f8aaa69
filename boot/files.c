// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Reading files from the loader's own device (EFI_SIMPLE_FILE_SYSTEM_PROTOCOL,
 * UEFI 2.10 section 13.4/13.5).
 */
#include "efi_ldr.h"

CHAR16 *ldr_ascii_to_ucs2(const char *s)
{
	UINTN n = 0, i;
	CHAR16 *w;

	while (s[n])
		n++;
	w = AllocatePool((n + 1) * sizeof(CHAR16));
	if (!w)
		return NULL;
	for (i = 0; i < n; i++)
		w[i] = (CHAR16)(unsigned char)s[i];
	w[n] = 0;
	return w;
}

static EFI_STATUS ldr_open(EFI_FILE_HANDLE root, const char *path, EFI_FILE_HANDLE *fh)
{
	CHAR16 *wpath = ldr_ascii_to_ucs2(path);
	EFI_STATUS st;

	if (!wpath)
		return EFI_OUT_OF_RESOURCES;
	st = root->Open(root, fh, wpath, EFI_FILE_MODE_READ, 0);
	FreePool(wpath);
	return st;
}

EFI_STATUS ldr_file_size(EFI_FILE_HANDLE root, const char *path, UINT64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *fi;
	EFI_STATUS st;

	st = ldr_open(root, path, &fh);
	if (EFI_ERROR(st))
		return st;
	fi = LibFileInfo(fh);
	if (!fi) {
		fh->Close(fh);
		return EFI_DEVICE_ERROR;
	}
	*size = fi->FileSize;
	if (fi->Attribute & EFI_FILE_DIRECTORY)
		st = EFI_NOT_FOUND;
	FreePool(fi);
	fh->Close(fh);
	return st;
}

/* Read a whole file (at most max bytes) into a new pool buffer. */
EFI_STATUS ldr_read_file(EFI_FILE_HANDLE root, const char *path, UINT64 max, void **buf,
			 UINTN *size)
{
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *fi;
	EFI_STATUS st;
	UINTN len, got;
	void *p;

	st = ldr_open(root, path, &fh);
	if (EFI_ERROR(st))
		return st;
	fi = LibFileInfo(fh);
	if (!fi) {
		fh->Close(fh);
		return EFI_DEVICE_ERROR;
	}
	len = fi->FileSize;
	st = (fi->Attribute & EFI_FILE_DIRECTORY) ? EFI_NOT_FOUND :
	     fi->FileSize > max			  ? EFI_BAD_BUFFER_SIZE :
						    EFI_SUCCESS;
	FreePool(fi);
	if (EFI_ERROR(st)) {
		fh->Close(fh);
		return st;
	}
	p = AllocatePool(len ? len : 1);
	if (!p) {
		fh->Close(fh);
		return EFI_OUT_OF_RESOURCES;
	}
	got = len;
	st = fh->Read(fh, &got, p);
	fh->Close(fh);
	if (!EFI_ERROR(st) && got != len)
		st = EFI_END_OF_FILE;
	if (EFI_ERROR(st)) {
		FreePool(p);
		return st;
	}
	*buf = p;
	*size = len;
	return EFI_SUCCESS;
}
