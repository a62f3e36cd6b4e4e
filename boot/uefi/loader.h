/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the UEFI loader (BOOTX64.EFI), shared by the files
 * of boot/uefi/ only. The loader is a GNU-EFI application built with
 * GNU_EFI_USE_MS_ABI, so firmware functions are called directly through
 * the table pointers (EFIAPI = ms_abi). Everything runs before
 * ExitBootServices except handoff_exit_and_jump() after its exit point.
 */
#ifndef BOOT_UEFI_LOADER_H
#define BOOT_UEFI_LOADER_H

#include <efi.h>
#include <stdarg.h>

#include "boot/boot_info.h"
#include "kernel/format.h"
#include "kernel/types.h"

/* Set by efi_main before anything else runs. */
extern EFI_HANDLE efi_image;
extern EFI_SYSTEM_TABLE *efi_st;
extern EFI_BOOT_SERVICES *efi_bs;

/* Module name of hv.cfg, named on the kernel command line. */
#define LOADER_CONFIG_MODULE "hv.cfg"

/* ---- console.c ---- */

/* Print "hv-loader: <text>" and a line end on the firmware console. */
void con_print(const char *fmt, ...) __printf(1, 2);

/* Short text for an EFI status code ("not found", "EFI error 35"). */
const char *efi_status_text(EFI_STATUS status);

/* Copy UCS-2 @src (at most @n units, stops at NUL) into ASCII @dst of
 * @size bytes; characters outside printable ASCII become '?'. */
void ucs2_to_ascii(char *dst, size_t size, const CHAR16 *src, size_t n);

/* ---- file.c ---- */

/* The root directory of the volume BOOTX64.EFI was loaded from. */
EFI_STATUS file_open_boot_root(EFI_FILE_HANDLE *root);

/*
 * Read the whole file @path (ASCII, '\'-separated, from the root) into
 * pages of EfiLoaderData. *data is page-aligned; *size is the file size.
 */
EFI_STATUS file_read(EFI_FILE_HANDLE root, const char *path, void **data,
		     u64 *size);

/* Give back pages from file_read() or page_alloc(). */
void page_free(void *data, u64 size);

/* Allocate @size bytes of EfiLoaderData pages, below 4 GiB if @low. */
EFI_STATUS page_alloc(u64 size, bool low, void **out);

/* ---- cmdline.c ---- */

/* bi->cmdline = "config=hv.cfg" and the image's text load options. */
void cmdline_build(struct boot_info *bi);

/* ---- elf.c ---- */

/*
 * Check the kernel ELF image and copy its PT_LOAD segments into a new
 * 2 MiB-aligned block (see the layout in linker.ld). Sets bi->kernel_phys
 * and bi->kernel_size; returns the ELF entry point (a KERNEL_VMA address)
 * in *entry. Prints what is wrong on failure.
 */
EFI_STATUS elf_load_kernel(const void *image, u64 size, struct boot_info *bi,
			   u64 *entry);

/* ---- handoff.c ---- */

/*
 * Allocate the final boot_info block with the hand-off page tables, copy
 * @bi there, exit boot services, turn the EFI memory map into bi->mem and
 * jump to @entry. Returns only on failure before ExitBootServices.
 */
EFI_STATUS handoff_exit_and_jump(const struct boot_info *bi, u64 entry);

#endif
