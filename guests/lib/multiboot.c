// SPDX-License-Identifier: MIT
//
// Parsing of the multiboot v1 information structure for lib/multiboot.h.
#include "lib/multiboot.h"
#include "lib/string.h"

// The fields of the information structure we read (spec section 3.3).
struct mb_info {
	u32 flags;
	u32 mem_lower;
	u32 mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
} packed;

// One memory map entry; size counts the bytes after the size field.
struct mb_mmap_entry {
	u32 size;
	u64 base_addr;
	u64 length;
	u32 type;
} packed;

static struct {
	u32 addr;
	u32 flags;
	u32 mem_lower, mem_upper;
	char cmdline[512];
	u32 nregions;
	struct mb_region regions[MB_MAX_REGIONS];
} mb;

static void mb_copy_mmap(u32 addr, u32 length)
{
	u32 end = addr + length;

	while (addr + sizeof(struct mb_mmap_entry) <= end && mb.nregions < MB_MAX_REGIONS) {
		const struct mb_mmap_entry *e = (const void *)addr;
		struct mb_region *r = &mb.regions[mb.nregions++];

		r->base = e->base_addr;
		r->length = e->length;
		r->type = e->type;
		addr += e->size + sizeof(e->size);
	}
}

bool mb_init(u32 magic, u32 info)
{
	const struct mb_info *mi = (const void *)info;

	if (magic != MB_BOOT_MAGIC || !info)
		return false;
	mb.addr = info;
	mb.flags = mi->flags;
	if (mi->flags & MB_INFO_MEM) {
		mb.mem_lower = mi->mem_lower;
		mb.mem_upper = mi->mem_upper;
	}
	if ((mi->flags & MB_INFO_CMDLINE) && mi->cmdline)
		strlcpy(mb.cmdline, (const char *)mi->cmdline, sizeof(mb.cmdline));
	if (mi->flags & MB_INFO_MMAP)
		mb_copy_mmap(mi->mmap_addr, mi->mmap_length);
	return true;
}

u32 mb_flags(void)
{
	return mb.flags;
}

u32 mb_info_addr(void)
{
	return mb.addr;
}

const char *mb_cmdline(void)
{
	return mb.cmdline;
}

u32 mb_mem_lower(void)
{
	return mb.mem_lower;
}

u32 mb_mem_upper(void)
{
	return mb.mem_upper;
}

u32 mb_region_count(void)
{
	return mb.nregions;
}

const struct mb_region *mb_region(u32 i)
{
	return i < mb.nregions ? &mb.regions[i] : NULL;
}
