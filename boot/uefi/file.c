// SPDX-License-Identifier: MIT
/*
 * File and page helpers of the UEFI loader. Files are read from the volume
 * the loader itself came from: EFI_LOADED_IMAGE_PROTOCOL.DeviceHandle
 * (UEFI 2.10 §9.1) carries the EFI_SIMPLE_FILE_SYSTEM_PROTOCOL (§13.4),
 * whose root EFI_FILE_PROTOCOL (§13.5) opens paths like "\hv\hv.elf".
 * File contents go into whole pages of EfiLoaderData, so boot modules are
 * page-aligned for the hypervisor.
 */
#include "boot/uefi/loader.h"

/* Reads are split so firmware with small DMA bounce buffers copes. */
#define READ_CHUNK (4 * MiB)

EFI_STATUS page_alloc(u64 size, bool low, void **out)
{
	EFI_PHYSICAL_ADDRESS addr = 0xffffffffULL;
	EFI_ALLOCATE_TYPE type = low ? AllocateMaxAddress : AllocateAnyPages;
	u64 pages = ALIGN_UP(size ? size : 1, PAGE_SIZE) / PAGE_SIZE;
	EFI_STATUS st;

	st = efi_bs->AllocatePages(type, EfiLoaderData, pages, &addr);
	if (EFI_ERROR(st))
		return st;
	*out = (void *)(uintptr_t)addr;
	return EFI_SUCCESS;
}

void page_free(void *data, u64 size)
{
	u64 pages = ALIGN_UP(size ? size : 1, PAGE_SIZE) / PAGE_SIZE;

	efi_bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)data, pages);
}

EFI_STATUS file_open_boot_root(EFI_FILE_HANDLE *root)
{
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_LOADED_IMAGE_PROTOCOL *li;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_STATUS st;

	st = efi_bs->HandleProtocol(efi_image, &li_guid, (void **)&li);
	if (EFI_ERROR(st))
		return st;
	st = efi_bs->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&fs);
	if (EFI_ERROR(st))
		return st;
	return fs->OpenVolume(fs, root);
}

/* EFI_FILE_INFO.FileSize through GetInfo (§13.5.12, §13.5.16). */
static EFI_STATUS file_size(EFI_FILE_HANDLE f, u64 *size)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	union {
		EFI_FILE_INFO info;
		u8 bytes[SIZE_OF_EFI_FILE_INFO + 512];
	} buf;
	UINTN len = sizeof(buf);
	EFI_STATUS st;

	st = f->GetInfo(f, &info_guid, &len, &buf);
	if (EFI_ERROR(st))
		return st;
	if (buf.info.Attribute & EFI_FILE_DIRECTORY)
		return EFI_NOT_FOUND;
	*size = buf.info.FileSize;
	return EFI_SUCCESS;
}

static EFI_STATUS file_read_all(EFI_FILE_HANDLE f, u8 *dst, u64 size)
{
	u64 done = 0;

	while (done < size) {
		UINTN n = MIN(size - done, READ_CHUNK);
		EFI_STATUS st = f->Read(f, &n, dst + done);

		if (EFI_ERROR(st))
			return st;
		if (n == 0)
			return EFI_END_OF_FILE;
		done += n;
	}
	return EFI_SUCCESS;
}

static void path_to_ucs2(CHAR16 *dst, size_t max, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < max && src[i]; i++)
		dst[i] = (CHAR16)(u8)src[i];
	dst[i] = 0;
}

EFI_STATUS file_read(EFI_FILE_HANDLE root, const char *path, void **data,
		     u64 *size)
{
	CHAR16 wpath[128];
	EFI_FILE_HANDLE f;
	EFI_STATUS st;
	void *buf;

	path_to_ucs2(wpath, ARRAY_SIZE(wpath), path);
	st = root->Open(root, &f, wpath, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	st = file_size(f, size);
	if (!EFI_ERROR(st))
		st = page_alloc(*size, false, &buf);
	if (!EFI_ERROR(st)) {
		st = file_read_all(f, buf, *size);
		if (EFI_ERROR(st))
			page_free(buf, *size);
		else
			*data = buf;
	}
	f->Close(f);
	return st;
}
