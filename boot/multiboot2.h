/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 boot information format (Multiboot2 specification 2.0, §3.6):
 * the tags GRUB hands to the kernel. Only boot/ includes this file.
 */
#ifndef BOOT_MULTIBOOT2_H
#define BOOT_MULTIBOOT2_H

#include "kernel/types.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_LOAD_BASE = 21,
};

struct mb2_info {
	u32 total_size;
	u32 reserved;
} __packed;

struct mb2_tag {
	u32 type;
	u32 size;
} __packed;

struct mb2_tag_module {
	struct mb2_tag tag;
	u32 mod_start;
	u32 mod_end;
	char string[];
} __packed;

struct mb2_tag_mmap {
	struct mb2_tag tag;
	u32 entry_size;
	u32 entry_version;
} __packed;

struct mb2_mmap_entry {
	u64 base;
	u64 length;
	u32 type;
	u32 reserved;
} __packed;

struct mb2_tag_framebuffer {
	struct mb2_tag tag;
	u64 addr;
	u32 pitch;
	u32 width;
	u32 height;
	u8 bpp;
	u8 fb_type;
} __packed;

struct mb2_tag_efi64 {
	struct mb2_tag tag;
	u64 pointer;
} __packed;

struct mb2_tag_efi_mmap {
	struct mb2_tag tag;
	u32 descr_size;
	u32 descr_version;
} __packed;

/* UEFI 2.10 §7.2.3 EFI_MEMORY_DESCRIPTOR (descriptor_size may be larger). */
struct efi_mem_desc {
	u32 type;
	u32 pad;
	u64 phys_start;
	u64 virt_start;
	u64 pages;
	u64 attribute;
} __packed;

struct boot_info;

/*
 * Fill @bi from the multiboot2 information at @mbi (readable memory; its
 * physical address does not matter here). Returns 0, or -1 when the
 * information is unusable (a message says why in bi->messages). Malformed
 * single tags are skipped with a warning.
 */
int mb2_parse(const void *mbi, struct boot_info *bi);

#endif
