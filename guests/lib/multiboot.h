// SPDX-License-Identifier: MIT
//
// The multiboot v1 information a guest is started with (Multiboot
// Specification 0.6.96, section 3.3): memory sizes, the BIOS-style memory
// map and the command line. mb_init() copies what it needs into the guest's
// own memory, so the loader's structures may be overwritten afterwards.
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include "lib/types.h"

#define MB_BOOT_MAGIC 0x2BADB002

#define MB_INFO_MEM (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MMAP (1u << 6)

#define MB_MEM_AVAILABLE 1

struct mb_region {
	u64 base;
	u64 length;
	u32 type; // 1 available, 3 ACPI, 4 NVS, others reserved
};

// Copy the information at info; false when magic is wrong.
bool mb_init(u32 magic, u32 info);
u32 mb_flags(void);
// Physical address of the information structure.
u32 mb_info_addr(void);
// Command line ("" when none was given).
const char *mb_cmdline(void);
// The value of "key=<decimal>" on the command line, or def.
u32 mb_cmdline_number(const char *key, u32 def);
// KiB of memory below 1 MiB and above 1 MiB (flags bit 0).
u32 mb_mem_lower(void);
u32 mb_mem_upper(void);
// Memory map entries (flags bit 6), at most MB_MAX_REGIONS are kept.
#define MB_MAX_REGIONS 32
u32 mb_region_count(void);
const struct mb_region *mb_region(u32 i);

// Boot modules (flags bit 3): where each lies and its string (usually
// the file name). The data itself is not copied: it stays where it is.
#define MB_MAX_MODULES 4
struct mb_module {
	u32 start, end;
	char name[64];
};
u32 mb_module_count(void);
const struct mb_module *mb_module(u32 i);

#endif
