// SPDX-License-Identifier: MIT
/*
 * The multiboot2 path's C entry: turns GRUB's information into the common
 * struct boot_info and enters kernel_main(). Runs on the boot stack with
 * the boot page tables of mb2_entry.asm (low 4 GiB identity-mapped).
 */
#include "boot/boot_info.h"
#include "boot/multiboot2.h"
#include "kernel/main.h"

static struct boot_info mb2_boot_info;

void mb2_start(u32 magic, u64 mbi);

void mb2_start(u32 magic, u64 mbi)
{
	struct boot_info *bi = &mb2_boot_info;

	if (magic != MB2_BOOTLOADER_MAGIC || mb2_parse((const void *)mbi, bi)) {
		/* kernel_main reports messages; an empty map makes it stop. */
		bi->nmem = 0;
	}
	bi->kernel_phys = KERNEL_LMA;
	kernel_main(bi);
}
