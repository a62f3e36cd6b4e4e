// SPDX-License-Identifier: MIT
/*
 * Multiboot2 information -> struct boot_info. Every tag is bounds-checked
 * against the information's total size before it is read (Multiboot2 spec
 * §3.6: tags are 8-byte aligned, end with a type-0 tag of size 8). Pure
 * logic: also compiled into the host unit tests.
 */
#include "boot/boot_info.h"
#include "boot/multiboot2.h"
#include "kernel/string.h"

#define MB2_MAX_TOTAL (1024 * 1024)

static void copy_str(char *dst, size_t dst_size, const char *src, size_t max)
{
	size_t n = 0;

	while (n < max && src[n] && n + 1 < dst_size) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = 0;
}

/* Returns false when the map is full and the region was dropped. */
static bool add_region(struct boot_info *bi, u64 base, u64 len, u32 type)
{
	if (!len)
		return true;
	if (bi->nmem >= BOOT_MAX_MEM)
		return false;
	bi->mem[bi->nmem++] = (struct mem_region){ base, len, type, 0 };
	return true;
}

static void warn_dropped(struct boot_info *bi, unsigned dropped)
{
	if (dropped)
		boot_info_message(bi, "warn", "memory map too long, entries dropped");
}

static void parse_mmap(struct boot_info *bi, const struct mb2_tag *t)
{
	const struct mb2_tag_mmap *m = (const void *)t;

	if (bi->efi_mmap)
		return; /* the EFI map is more precise; it wins */
	if (t->size < sizeof(*m) || m->entry_size < sizeof(struct mb2_mmap_entry)) {
		boot_info_message(bi, "warn", "malformed memory map tag skipped");
		return;
	}
	unsigned dropped = 0;

	for (u64 off = sizeof(*m); off + m->entry_size <= t->size; off += m->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)((const u8 *)t + off);

		dropped += !add_region(bi, e->base, e->length, mem_type_from_e820(e->type));
	}
	warn_dropped(bi, dropped);
}

static void parse_efi_mmap(struct boot_info *bi, const struct mb2_tag *t)
{
	const struct mb2_tag_efi_mmap *m = (const void *)t;

	if (t->size < sizeof(*m) || m->descr_size < sizeof(struct efi_mem_desc)) {
		boot_info_message(bi, "warn", "malformed EFI memory map tag skipped");
		return;
	}
	bi->nmem = 0; /* replaces any E820-style map seen earlier */
	bi->efi_mmap = 1;
	unsigned dropped = 0;

	for (u64 off = sizeof(*m); off + m->descr_size <= t->size; off += m->descr_size) {
		const struct efi_mem_desc *d = (const void *)((const u8 *)t + off);

		dropped += !add_region(bi, d->phys_start, d->pages * PAGE_SIZE,
				       mem_type_from_efi(d->type));
	}
	warn_dropped(bi, dropped);
}

static void parse_module(struct boot_info *bi, const struct mb2_tag *t)
{
	const struct mb2_tag_module *m = (const void *)t;
	struct boot_module *mod;

	if (t->size < sizeof(*m) || m->mod_end < m->mod_start) {
		boot_info_message(bi, "warn", "malformed module tag skipped");
		return;
	}
	if (bi->nmods >= BOOT_MAX_MODULES) {
		boot_info_message(bi, "error", "too many boot modules, extra ones ignored");
		return;
	}
	mod = &bi->mods[bi->nmods++];
	mod->base = m->mod_start;
	mod->size = m->mod_end - m->mod_start;
	copy_str(mod->name, sizeof(mod->name), m->string, t->size - sizeof(*m));
}

static void parse_rsdp(struct boot_info *bi, const struct mb2_tag *t)
{
	u32 len = t->size - sizeof(*t);

	/* A v2+ RSDP (tag 15) wins over a v1 copy (tag 14). */
	if (t->type == MB2_TAG_ACPI_OLD && bi->rsdp_len == 36)
		return;
	if (len > sizeof(bi->rsdp))
		len = sizeof(bi->rsdp);
	if (len < 20) {
		boot_info_message(bi, "warn", "short ACPI RSDP tag skipped");
		return;
	}
	memcpy(bi->rsdp, t + 1, len);
	bi->rsdp_len = len;
}

static void parse_fb(struct boot_info *bi, const struct mb2_tag *t)
{
	const struct mb2_tag_framebuffer *f = (const void *)t;

	if (t->size < sizeof(*f))
		return;
	bi->fb = (struct boot_fb){ f->addr, f->width, f->height, f->pitch, f->bpp };
}

static void parse_tag(struct boot_info *bi, const struct mb2_tag *t)
{
	const char *str = (const char *)(t + 1);
	size_t str_max = t->size - sizeof(*t);

	switch (t->type) {
	case MB2_TAG_CMDLINE:
		copy_str(bi->cmdline, sizeof(bi->cmdline), str, str_max);
		break;
	case MB2_TAG_LOADER_NAME:
		copy_str(bi->loader, sizeof(bi->loader), str, str_max);
		break;
	case MB2_TAG_MODULE: parse_module(bi, t); break;
	case MB2_TAG_MMAP: parse_mmap(bi, t); break;
	case MB2_TAG_EFI_MMAP: parse_efi_mmap(bi, t); break;
	case MB2_TAG_FRAMEBUFFER: parse_fb(bi, t); break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW: parse_rsdp(bi, t); break;
	case MB2_TAG_EFI64:
		if (t->size >= sizeof(struct mb2_tag_efi64))
			bi->efi_systab = ((const struct mb2_tag_efi64 *)t)->pointer;
		break;
	default:
		break; /* tags we do not use */
	}
}

int mb2_parse(const void *mbi, struct boot_info *bi)
{
	const struct mb2_info *info = mbi;
	u32 off = sizeof(*info);

	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->path = BOOT_PATH_MULTIBOOT2;
	if (info->total_size < sizeof(*info) + sizeof(struct mb2_tag) ||
	    info->total_size > MB2_MAX_TOTAL) {
		boot_info_message(bi, "error", "multiboot2 information has a bad size");
		return -1;
	}
	while (off + sizeof(struct mb2_tag) <= info->total_size) {
		const struct mb2_tag *t = (const void *)((const u8 *)mbi + off);

		if (t->type == MB2_TAG_END)
			return 0;
		if (t->size < sizeof(*t) || t->size > info->total_size - off) {
			boot_info_message(bi, "error", "multiboot2 tag overruns the information");
			return -1;
		}
		parse_tag(bi, t);
		off += ALIGN_UP(t->size, 8);
	}
	boot_info_message(bi, "warn", "multiboot2 information has no end tag");
	return 0;
}
