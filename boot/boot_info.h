/* SPDX-License-Identifier: MIT */
/*
 * struct boot_info: the one description of the machine that both firmware
 * paths hand to kernel_main(). The UEFI loader (boot/uefi/loader.c) fills it
 * before ExitBootServices; the multiboot2 entry (boot/mb2_parse.c) fills it
 * from GRUB's tags. It is self-contained (no pointers into firmware data
 * other than the physical addresses it names), so the kernel can copy it
 * once and then reuse the memory it came from.
 */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include "kernel/memmap.h"
#include "kernel/module.h"
#include "kernel/types.h"

#define BOOT_INFO_MAGIC 0x4f464e4942564801ULL /* "\1HVBINFO" */
#define BOOT_INFO_VERSION 1

#define BOOT_MAX_MEM 256
#define BOOT_MAX_MODULES 56 /* 8 guests x (kernel + initrd + 4 disks) + config + spare */
#define BOOT_CMDLINE_MAX 512
#define BOOT_LOADER_MAX 64
#define BOOT_MSG_MAX 1024

/* Physical load address the kernel is linked for (see linker.ld). */
#define KERNEL_LMA 0x200000ULL
/* Virtual address of KERNEL_LMA's byte; the kernel image runs up here. */
#define KERNEL_VMA 0xffffffff80200000ULL

enum boot_path {
	BOOT_PATH_UEFI = 1,
	BOOT_PATH_MULTIBOOT2 = 2,
};

struct boot_fb {
	u64 addr; /* physical; 0 if there is no linear framebuffer */
	u32 width;
	u32 height;
	u32 pitch; /* bytes per scan line */
	u32 bpp;
};

struct boot_info {
	u64 magic;   /* BOOT_INFO_MAGIC */
	u32 version; /* BOOT_INFO_VERSION */
	u32 path;    /* enum boot_path */

	u64 kernel_phys; /* physical address where KERNEL_LMA was loaded */
	u64 kernel_size; /* bytes from kernel_phys to the end of .bss */

	char cmdline[BOOT_CMDLINE_MAX]; /* hypervisor command line */
	char loader[BOOT_LOADER_MAX];   /* who loaded us, e.g. "GRUB 2.06" */

	u32 nmem;
	u32 efi_mmap; /* 1 if mem[] came from an EFI memory map */
	struct mem_region mem[BOOT_MAX_MEM];

	u32 nmods;
	u32 pad0;
	struct boot_module mods[BOOT_MAX_MODULES];

	u64 rsdp_phys; /* physical address of the RSDP, 0 if unknown */
	u32 rsdp_len;  /* bytes valid in rsdp[]: 0, 20 (v1) or 36 (v2+) */
	u8 rsdp[36];   /* copy of the RSDP */

	struct boot_fb fb;
	u64 efi_systab; /* EFI system table (physical), 0 if not booted by UEFI */

	/*
	 * Messages from the loader to be repeated on the hypervisor console,
	 * one per line, each starting with "error: ", "warn: " or "info: ".
	 */
	char messages[BOOT_MSG_MAX];
};

/* Append one line to bi->messages (truncating if full). */
void boot_info_message(struct boot_info *bi, const char *level,
		       const char *text);

#endif
