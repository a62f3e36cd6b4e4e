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

// One module entry (spec section 3.3, flags bit 3).
struct mb_module_entry {
	u32 mod_start;
	u32 mod_end;
	u32 string;
	u32 reserved;
} packed;

static struct {
	u32 addr;
	u32 flags;
	u32 mem_lower, mem_upper;
	char cmdline[512];
	u32 nmods;
	struct mb_module mods[MB_MAX_MODULES];
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

static void mb_copy_mods(u32 addr, u32 count)
{
	const struct mb_module_entry *e = (const void *)addr;

	for (u32 i = 0; i < count && mb.nmods < MB_MAX_MODULES; i++) {
		struct mb_module *m = &mb.mods[mb.nmods++];

		m->start = e[i].mod_start;
		m->end = e[i].mod_end;
		m->name[0] = 0;
		if (e[i].string)
			strlcpy(m->name, (const char *)e[i].string, sizeof(m->name));
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
	if ((mi->flags & MB_INFO_MODS) && mi->mods_addr)
		mb_copy_mods(mi->mods_addr, mi->mods_count);
	return true;
}

u32 mb_module_count(void)
{
	return mb.nmods;
}

const struct mb_module *mb_module(u32 i)
{
	return i < mb.nmods ? &mb.mods[i] : NULL;
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

// The value of "key=<decimal>" on the command line, or def.
u32 mb_cmdline_number(const char *key, u32 def)
{
	const char *s = mb_cmdline();
	size_t klen = strlen(key);

	for (; s && *s; s++) {
		if ((s == mb_cmdline() || s[-1] == ' ') && !strncmp(s, key, klen) &&
		    s[klen] == '=') {
			u32 n = 0;

			for (s += klen + 1; *s >= '0' && *s <= '9'; s++)
				n = n * 10 + (u32)(*s - '0');
			return n;
		}
	}
	return def;
}
