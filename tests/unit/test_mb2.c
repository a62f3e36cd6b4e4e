// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the multiboot2 information parser (boot/mb2_parse.c).
 * Each test builds a boot information blob as GRUB would (Multiboot2 spec
 * §3.6: u32 total_size, u32 reserved, then 8-byte aligned tags ending with
 * a type-0 tag of size 8) and checks the struct boot_info it turns into:
 * command line, loader name, modules, E820 and EFI memory maps, ACPI RSDP
 * copies, framebuffer and EFI system table, plus every malformed-input
 * path (bad sizes, overrunning or short tags, missing end tag, too many
 * modules or regions, strings without a NUL, unknown tags).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/boot_info.h"
#include "boot/multiboot2.h"
#include "tests/unit/memmap_samples.h"

#define BUF_SIZE (1024 * 1024 + 4096)
#define FILL 'Z' /* what padding and unused bytes hold */

static u64 buf_words[BUF_SIZE / 8];
static u8 *const buf = (u8 *)buf_words;
static u32 pos;
static struct boot_info bi, want;

/* ---- blob builder ---- */

static void put32(u32 off, u32 v) { memcpy(buf + off, &v, 4); }
static void put64(u32 off, u64 v) { memcpy(buf + off, &v, 8); }

static void mb_begin(void)
{
	memset(buf, FILL, 64 * 1024);
	put32(0, 0);
	put32(4, 0);
	pos = 8;
}

/* Start a tag of @size bytes (header included); returns the payload
 * offset. The padding up to 8 bytes keeps FILL. */
static u32 mb_tag(u32 type, u32 size)
{
	u32 off = pos;

	put32(off, type);
	put32(off + 4, size);
	pos += ALIGN_UP(size, 8);
	return off + 8;
}

static void mb_data(u32 type, const void *data, u32 len)
{
	memcpy(buf + mb_tag(type, 8 + len), data, len);
}

static void mb_string(u32 type, const char *s)
{
	mb_data(type, s, strlen(s) + 1);
}

static void mb_module(u32 start, u32 end, const char *name)
{
	u32 len = strlen(name) + 1, p = mb_tag(MB2_TAG_MODULE, 16 + len);

	put32(p, start);
	put32(p + 4, end);
	memcpy(buf + p + 8, name, len);
}

struct e820 {
	u64 base, len;
	u32 type;
};

static void mb_mmap(const struct e820 *e, unsigned n, u32 entry_size)
{
	u32 p = mb_tag(MB2_TAG_MMAP, 16 + n * entry_size);

	put32(p, entry_size);
	put32(p + 4, 0);
	p += 8;
	for (unsigned i = 0; i < n; i++, p += entry_size) {
		struct mb2_mmap_entry ent = { e[i].base, e[i].len, e[i].type, 0 };
		u8 tmp[64];

		memset(tmp, 0xee, sizeof(tmp));
		memcpy(tmp, &ent, sizeof(ent));
		memcpy(buf + p, tmp, MIN(entry_size, sizeof(tmp)));
	}
}

static void mb_efi_mmap(const struct sample_efi_desc *d, unsigned n,
			u32 descr_size)
{
	u32 p = mb_tag(MB2_TAG_EFI_MMAP, 16 + n * descr_size);

	put32(p, descr_size);
	put32(p + 4, 1);
	p += 8;
	for (unsigned i = 0; i < n; i++, p += descr_size) {
		struct efi_mem_desc desc = { d[i].type, 0, d[i].start, 0, d[i].pages, 0xf };
		u8 tmp[64];

		memset(tmp, 0xee, sizeof(tmp));
		memcpy(tmp, &desc, sizeof(desc));
		memcpy(buf + p, tmp, MIN(descr_size, sizeof(tmp)));
	}
}

/* End tag and total_size. */
static void mb_end(void)
{
	mb_tag(MB2_TAG_END, 8);
	put32(0, pos);
}

static int parse(void)
{
	memset(&bi, 0xa5, sizeof(bi));
	return mb2_parse(buf, &bi);
}

/* What mb2_parse() gives for an information with no tags. */
static void want_reset(void)
{
	memset(&want, 0, sizeof(want));
	want.magic = BOOT_INFO_MAGIC;
	want.version = BOOT_INFO_VERSION;
	want.path = BOOT_PATH_MULTIBOOT2;
}

static void assert_bi_is_want(void)
{
	assert_memory_equal(&bi, &want, sizeof(bi));
}

/* RSDP test images: the signature, then bytes that say which copy. */
static void fill_rsdp(u8 *r, unsigned len, u8 mark)
{
	memcpy(r, "RSD PTR ", 8);
	for (unsigned i = 8; i < len; i++)
		r[i] = mark + i;
	r[15] = len > 20 ? 2 : 0; /* revision */
}

/* ---- well-formed information ---- */

static void test_end_tag_only(void **state)
{
	(void)state;
	mb_begin();
	mb_end();
	assert_int_equal(pos, 16);
	assert_int_equal(parse(), 0);
	want_reset();
	assert_bi_is_want();
}

static void test_cmdline_and_loader(void **state)
{
	(void)state;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "console=com1 loglevel=debug");
	mb_string(MB2_TAG_LOADER_NAME, "GRUB 2.06");
	mb_end();
	assert_int_equal(parse(), 0);
	want_reset();
	strcpy(want.cmdline, "console=com1 loglevel=debug");
	strcpy(want.loader, "GRUB 2.06");
	assert_bi_is_want();
}

static void test_empty_strings(void **state)
{
	(void)state;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "");
	mb_data(MB2_TAG_LOADER_NAME, "", 0); /* no byte at all */
	mb_end();
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "");
	assert_string_equal(bi.messages, "");
}

static void test_strings_truncated(void **state)
{
	char cmd[700], loader[100];

	(void)state;
	memset(cmd, 'c', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = 0;
	memset(loader, 'l', sizeof(loader) - 1);
	loader[sizeof(loader) - 1] = 0;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, cmd);
	mb_string(MB2_TAG_LOADER_NAME, loader);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_memory_equal(bi.cmdline, cmd, BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.loader), BOOT_LOADER_MAX - 1);
	assert_memory_equal(bi.loader, loader, BOOT_LOADER_MAX - 1);
}

/* Strings without a NUL inside their tag stop at the tag's end, not at
 * the padding (FILL) or the next tag. */
static void test_strings_not_terminated(void **state)
{
	(void)state;
	mb_begin();
	mb_data(MB2_TAG_CMDLINE, "smp=4", 5);
	mb_data(MB2_TAG_LOADER_NAME, "GRUB", 4);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "smp=4");
	assert_string_equal(bi.loader, "GRUB");
	/* Exactly 8 bytes: no padding, the next tag header follows. */
	mb_begin();
	mb_data(MB2_TAG_CMDLINE, "12345678", 8);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "12345678");
}

static void test_module_name_not_terminated(void **state)
{
	u32 p;

	(void)state;
	mb_begin();
	p = mb_tag(MB2_TAG_MODULE, 16 + 3); /* name "abc", no NUL */
	put32(p, 0x2000000);
	put32(p + 4, 0x2000010);
	memcpy(buf + p + 8, "abc", 3);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmods, 1);
	assert_string_equal(bi.mods[0].name, "abc");
	/* A module tag with no name bytes at all. */
	mb_begin();
	p = mb_tag(MB2_TAG_MODULE, 16);
	put32(p, 0x2000000);
	put32(p + 4, 0x2000000);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmods, 1);
	assert_string_equal(bi.mods[0].name, "");
	assert_int_equal(bi.mods[0].size, 0);
}

static void test_modules(void **state)
{
	char longname[100];

	(void)state;
	memset(longname, 'm', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	mb_begin();
	mb_module(0x1000000, 0x1000123, "hv.cfg");
	mb_module(0x1001000, 0x1a00000, "/boot/bzImage");
	mb_module(0x1a00000, 0x1a00000, "empty");
	mb_module(0x2000000, 0x2000001, longname);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmods, 4);
	assert_int_equal(bi.mods[0].base, 0x1000000);
	assert_int_equal(bi.mods[0].size, 0x123);
	assert_string_equal(bi.mods[0].name, "hv.cfg");
	assert_int_equal(bi.mods[1].base, 0x1001000);
	assert_int_equal(bi.mods[1].size, 0x9ff000);
	assert_string_equal(bi.mods[1].name, "/boot/bzImage");
	assert_int_equal(bi.mods[2].base, 0x1a00000);
	assert_int_equal(bi.mods[2].size, 0);
	assert_string_equal(bi.mods[2].name, "empty");
	assert_int_equal(bi.mods[3].size, 1);
	assert_int_equal(strlen(bi.mods[3].name), BOOT_MOD_NAME_MAX - 1);
	assert_memory_equal(bi.mods[3].name, longname, BOOT_MOD_NAME_MAX - 1);
	assert_string_equal(bi.messages, "");
	/* Full 32-bit addresses. */
	mb_begin();
	mb_module(0xfffff000, 0xffffffff, "top");
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.mods[0].base, 0xfffff000);
	assert_int_equal(bi.mods[0].size, 0xfff);
}

static const struct e820 qemu_e820[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 },
	{ 0x7fe0000, 0x20000, 2 },
	{ 0xb0000000, 0x10000000, 2 },
	{ 0xfed1c000, 0x4000, 2 },
	{ 0xfeffc000, 0x4000, 2 },
	{ 0xfffc0000, 0x40000, 2 },
	{ 0x100000000, 0x40000000, 1 },
	{ 0xfd00000000, 0x300000000, 2 },
	{ 0x7fe1000, 0x1000, 3 },
	{ 0x7fe2000, 0x1000, 4 },
	{ 0x7fe3000, 0x1000, 5 },
	{ 0x7fe4000, 0x1000, 12 },
};

static void expect_e820(const struct e820 *e, unsigned n)
{
	assert_int_equal(bi.nmem, n);
	assert_int_equal(bi.efi_mmap, 0);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(bi.mem[i].base, e[i].base);
		assert_int_equal(bi.mem[i].size, e[i].len);
		assert_int_equal(bi.mem[i].type, mem_type_from_e820(e[i].type));
		assert_int_equal(bi.mem[i].pad, 0);
	}
}

static void test_mmap(void **state)
{
	(void)state;
	mb_begin();
	mb_mmap(qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	mb_end();
	assert_int_equal(parse(), 0);
	expect_e820(qemu_e820, ARRAY_SIZE(qemu_e820));
	assert_int_equal(bi.mem[3].type, MEM_USABLE);
	assert_int_equal(bi.mem[1].type, MEM_RESERVED);
	assert_int_equal(bi.mem[11].type, MEM_ACPI_RECLAIM);
	assert_int_equal(bi.mem[12].type, MEM_ACPI_NVS);
	assert_int_equal(bi.mem[13].type, MEM_BAD);
	assert_int_equal(bi.mem[14].type, MEM_RESERVED);
	assert_string_equal(bi.messages, "");
}

/* Entries larger than the struct are stepped over by entry_size. */
static void test_mmap_large_entries(void **state)
{
	(void)state;
	mb_begin();
	mb_mmap(qemu_e820, 5, 40);
	mb_end();
	assert_int_equal(parse(), 0);
	expect_e820(qemu_e820, 5);
}

static void test_mmap_zero_length_and_partial(void **state)
{
	static const struct e820 e[] = {
		{ 0x0, 0x9fc00, 1 },
		{ 0x9fc00, 0, 2 },        /* empty: dropped */
		{ 0x100000, 0x100000, 1 },
	};
	u32 tag;

	(void)state;
	mb_begin();
	tag = pos;
	mb_mmap(e, 3, 24);
	/* Claim 20 more bytes: a partial fourth entry, which is ignored. */
	put32(tag + 4, 16 + 3 * 24 + 20);
	pos = tag + ALIGN_UP(16 + 3 * 24 + 20, 8);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmem, 2);
	assert_int_equal(bi.mem[0].size, 0x9fc00);
	assert_int_equal(bi.mem[1].base, 0x100000);
	assert_string_equal(bi.messages, "");
}

static void test_mmap_malformed(void **state)
{
	u32 p;

	(void)state;
	mb_begin();
	mb_mmap(qemu_e820, 3, 16); /* entry_size below 24 */
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmem, 0);
	assert_string_equal(bi.messages, "warn: malformed memory map tag skipped\n");

	mb_begin();
	p = mb_tag(MB2_TAG_MMAP, 12); /* header cut short */
	put32(p, 24);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmem, 0);
	assert_string_equal(bi.messages, "warn: malformed memory map tag skipped\n");

	mb_begin();
	mb_mmap(qemu_e820, 0, 24); /* well-formed, no entries */
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmem, 0);
	assert_string_equal(bi.messages, "");
}

/*
 * exposes bug: mb2_parse.c parse_mmap() loop condition
 * `off + m->entry_size <= t->size` wraps in u32 for an entry_size close to
 * 2^32, so an entry is read from beyond the tag (here from the next tag).
 */
static void test_mmap_entry_size_overflow(void **state)
{
	u32 p;

	(void)state;
	mb_begin();
	p = mb_tag(MB2_TAG_MMAP, 16);
	put32(p, 0xfffffff0);
	put32(p + 4, 0);
	mb_string(MB2_TAG_CMDLINE, "abcdefghijklmnopqrstuvwxyz");
	mb_end();
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "abcdefghijklmnopqrstuvwxyz");
	assert_int_equal(bi.nmem, 0);
}

/* exposes bug: the same wrap in parse_efi_mmap() with descr_size. */
static void test_efi_mmap_descr_size_overflow(void **state)
{
	u32 p;

	(void)state;
	mb_begin();
	p = mb_tag(MB2_TAG_EFI_MMAP, 16);
	put32(p, 0xfffffff0);
	put32(p + 4, 1);
	mb_string(MB2_TAG_CMDLINE, "abcdefghijklmnopqrstuvwxyz0123456789");
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmem, 0);
}

static void test_too_many_regions(void **state)
{
	static struct e820 e[BOOT_MAX_MEM + 44];

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(e); i++)
		e[i] = (struct e820){ 0x100000ULL * (i + 1), 0x80000, 1 + i % 2 };
	mb_begin();
	mb_mmap(e, ARRAY_SIZE(e), 24);
	mb_string(MB2_TAG_CMDLINE, "after");
	mb_end();
	assert_int_equal(parse(), 0);
	expect_e820(e, BOOT_MAX_MEM);
	assert_string_equal(bi.cmdline, "after");
	assert_memory_equal(bi.messages, "warn: memory map too long, entries dropped\n",
			    strlen("warn: memory map too long, entries dropped\n"));
	assert_int_equal(bi.messages[BOOT_MSG_MAX - 1], 0);
}

static void expect_efi_sample(void)
{
	unsigned n = 0;

	assert_int_equal(bi.efi_mmap, 1);
	assert_int_equal(bi.nmem, SAMPLE_EFI_NONEMPTY);
	for (unsigned i = 0; i < ARRAY_SIZE(sample_efi_map); i++) {
		const struct sample_efi_desc *d = &sample_efi_map[i];

		if (!d->pages)
			continue;
		assert_int_equal(bi.mem[n].base, d->start);
		assert_int_equal(bi.mem[n].size, d->pages * PAGE_SIZE);
		assert_int_equal(bi.mem[n].type, mem_type_from_efi(d->type));
		n++;
	}
}

static void test_efi_mmap(void **state)
{
	unsigned n;

	(void)state;
	mb_begin();
	mb_efi_mmap(sample_efi_map, ARRAY_SIZE(sample_efi_map), 48);
	mb_end();
	assert_int_equal(parse(), 0);
	expect_efi_sample();
	assert_string_equal(bi.messages, "");
	/* Sanitized, it is the expected OVMF map. */
	n = memmap_sanitize(bi.mem, bi.nmem, BOOT_MAX_MEM);
	assert_int_equal(n, ARRAY_SIZE(sample_efi_sanitized));
	assert_memory_equal(bi.mem, sample_efi_sanitized, sizeof(sample_efi_sanitized));
	/* The exact descriptor size works as well. */
	mb_begin();
	mb_efi_mmap(sample_efi_map, ARRAY_SIZE(sample_efi_map), 40);
	mb_end();
	assert_int_equal(parse(), 0);
	expect_efi_sample();
}

static void test_efi_mmap_replaces_e820(void **state)
{
	(void)state;
	/* E820 first, EFI second. */
	mb_begin();
	mb_mmap(qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	mb_efi_mmap(sample_efi_map, ARRAY_SIZE(sample_efi_map), 48);
	mb_end();
	assert_int_equal(parse(), 0);
	expect_efi_sample();
	/* EFI first, E820 second. */
	mb_begin();
	mb_efi_mmap(sample_efi_map, ARRAY_SIZE(sample_efi_map), 48);
	mb_mmap(qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	mb_end();
	assert_int_equal(parse(), 0);
	expect_efi_sample();
	assert_string_equal(bi.messages, "");
}

static void test_efi_mmap_malformed(void **state)
{
	u32 p;

	(void)state;
	/* descr_size below the descriptor: skipped, the E820 map stays. */
	mb_begin();
	mb_mmap(qemu_e820, 4, 24);
	mb_efi_mmap(sample_efi_map, 4, 32);
	mb_end();
	assert_int_equal(parse(), 0);
	expect_e820(qemu_e820, 4);
	assert_string_equal(bi.messages, "warn: malformed EFI memory map tag skipped\n");

	mb_begin();
	p = mb_tag(MB2_TAG_EFI_MMAP, 12);
	put32(p, 48);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmem, 0);
	assert_int_equal(bi.efi_mmap, 0);
	assert_string_equal(bi.messages, "warn: malformed EFI memory map tag skipped\n");
}

static u8 rsdp1[20], rsdp2[36];

static void test_acpi_old(void **state)
{
	(void)state;
	fill_rsdp(rsdp1, 20, 0x10);
	mb_begin();
	mb_data(MB2_TAG_ACPI_OLD, rsdp1, 20);
	mb_end();
	assert_int_equal(parse(), 0);
	want_reset();
	want.rsdp_len = 20;
	memcpy(want.rsdp, rsdp1, 20);
	assert_bi_is_want();
}

static void test_acpi_new(void **state)
{
	(void)state;
	fill_rsdp(rsdp2, 36, 0x40);
	mb_begin();
	mb_data(MB2_TAG_ACPI_NEW, rsdp2, 36);
	mb_end();
	assert_int_equal(parse(), 0);
	want_reset();
	want.rsdp_len = 36;
	memcpy(want.rsdp, rsdp2, 36);
	assert_bi_is_want();
}

static void test_acpi_v2_wins(void **state)
{
	(void)state;
	fill_rsdp(rsdp1, 20, 0x10);
	fill_rsdp(rsdp2, 36, 0x40);
	/* Old, then new. */
	mb_begin();
	mb_data(MB2_TAG_ACPI_OLD, rsdp1, 20);
	mb_data(MB2_TAG_ACPI_NEW, rsdp2, 36);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_memory_equal(bi.rsdp, rsdp2, 36);
	/* New, then old. */
	mb_begin();
	mb_data(MB2_TAG_ACPI_NEW, rsdp2, 36);
	mb_data(MB2_TAG_ACPI_OLD, rsdp1, 20);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_memory_equal(bi.rsdp, rsdp2, 36);
	assert_int_equal(bi.rsdp_phys, 0);
	assert_string_equal(bi.messages, "");
}

static void test_acpi_bounds(void **state)
{
	u8 big[48], small[12];

	(void)state;
	fill_rsdp(big, sizeof(big), 0x60);
	memcpy(small, big, sizeof(small));
	/* A longer tag is copied only up to rsdp[]'s 36 bytes. */
	mb_begin();
	mb_data(MB2_TAG_ACPI_NEW, big, sizeof(big));
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_memory_equal(bi.rsdp, big, 36);
	assert_int_equal(bi.fb.addr, 0); /* the field after rsdp[] untouched */
	/* A tag too short for any RSDP is skipped. */
	mb_begin();
	mb_data(MB2_TAG_ACPI_OLD, small, sizeof(small));
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_len, 0);
	assert_string_equal(bi.messages, "warn: short ACPI RSDP tag skipped\n");
	mb_begin();
	mb_data(MB2_TAG_ACPI_NEW, small, 0);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_len, 0);
	assert_string_equal(bi.messages, "warn: short ACPI RSDP tag skipped\n");
}

static void mb_framebuffer(u64 addr, u32 pitch, u32 width, u32 height, u8 bpp,
			   u32 size)
{
	u32 p = mb_tag(MB2_TAG_FRAMEBUFFER, size);

	put64(p, addr);
	put32(p + 8, pitch);
	put32(p + 12, width);
	put32(p + 16, height);
	buf[p + 20] = bpp;
	buf[p + 21] = 1;    /* RGB */
	buf[p + 22] = 0;    /* reserved */
	if (size >= 8 + 29) {
		buf[p + 23] = 16; /* red position, mask size, ... */
		buf[p + 24] = 8;
		buf[p + 25] = 8;
		buf[p + 26] = 8;
		buf[p + 27] = 0;
		buf[p + 28] = 8;
	}
}

static void test_framebuffer(void **state)
{
	(void)state;
	mb_begin();
	mb_framebuffer(0xfd000000, 4096, 1024, 768, 32, 8 + 29);
	mb_end();
	assert_int_equal(parse(), 0);
	want_reset();
	want.fb.addr = 0xfd000000;
	want.fb.pitch = 4096;
	want.fb.width = 1024;
	want.fb.height = 768;
	want.fb.bpp = 32;
	assert_bi_is_want();
	/* Too short to hold bpp and type: ignored. */
	mb_begin();
	mb_framebuffer(0xfd000000, 4096, 1024, 768, 32, 8 + 21);
	mb_end();
	assert_int_equal(parse(), 0);
	want_reset();
	assert_bi_is_want();
}

static void test_efi64(void **state)
{
	u64 systab = 0x7f9e1018;
	u32 p;

	(void)state;
	mb_begin();
	mb_data(MB2_TAG_EFI64, &systab, 8);
	mb_end();
	assert_int_equal(parse(), 0);
	want_reset();
	want.efi_systab = 0x7f9e1018;
	assert_bi_is_want();
	/* Too short: ignored. */
	mb_begin();
	p = mb_tag(MB2_TAG_EFI64, 12);
	put32(p, 0x1234);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.efi_systab, 0);
}

static void test_unknown_tags_ignored(void **state)
{
	static const u32 types[] = { 4, 5, 7, 9, 10, 11, 13, 16, 18, 19, 20,
				     21, 22, 99, 0x1234, 0xffffffff };
	u8 junk[40];

	(void)state;
	memset(junk, 0x5a, sizeof(junk));
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "first");
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++)
		mb_data(types[i], junk, i % 2 ? sizeof(junk) : 3);
	mb_string(MB2_TAG_LOADER_NAME, "last");
	mb_end();
	assert_int_equal(parse(), 0);
	want_reset();
	strcpy(want.cmdline, "first");
	strcpy(want.loader, "last");
	assert_bi_is_want();
}

/* A later tag of the same kind replaces the earlier one. */
static void test_repeated_tags(void **state)
{
	(void)state;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "one");
	mb_string(MB2_TAG_CMDLINE, "two");
	mb_end();
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "two");
}

/* Tags after the end tag are not read. */
static void test_end_tag_stops(void **state)
{
	(void)state;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "before");
	mb_tag(MB2_TAG_END, 8);
	mb_string(MB2_TAG_LOADER_NAME, "after");
	put32(pos, 0x42); /* and a tag that would overrun */
	put32(pos + 4, 0x10000);
	pos += 8;
	put32(0, pos);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "before");
	assert_string_equal(bi.loader, "");
	assert_string_equal(bi.messages, "");
}

/* A GRUB-like information with every tag we use and some we do not. */
static void test_grub_like(void **state)
{
	u32 meminfo[2] = { 639, 523264 }, bootdev[3] = { 0xe0, ~0u, ~0u };
	u64 systab = 0x7fb5e018, load_base = 0x200000;

	(void)state;
	fill_rsdp(rsdp1, 20, 0x10);
	fill_rsdp(rsdp2, 36, 0x40);
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "console=com1 loglevel=debug config=hv.cfg");
	mb_module(0x118000, 0x118456, "hv.cfg");
	mb_module(0x119000, 0xa3c000, "/guests/bzImage");
	mb_module(0xa3c000, 0x1b20800, "initrd.cpio");
	mb_string(MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u1");
	mb_data(MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
	mb_data(5, bootdev, sizeof(bootdev));
	mb_mmap(qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	mb_framebuffer(0x80000000, 5120, 1280, 800, 32, 8 + 29);
	mb_data(9, meminfo, 8); /* ELF sections, ignored */
	mb_data(MB2_TAG_EFI64, &systab, 8);
	mb_data(MB2_TAG_ACPI_OLD, rsdp1, 20);
	mb_data(MB2_TAG_ACPI_NEW, rsdp2, 36);
	mb_data(MB2_TAG_LOAD_BASE, &load_base, 4);
	mb_end();
	assert_int_equal(parse(), 0);

	want_reset();
	strcpy(want.cmdline, "console=com1 loglevel=debug config=hv.cfg");
	strcpy(want.loader, "GRUB 2.06-13+deb12u1");
	want.nmem = ARRAY_SIZE(qemu_e820);
	for (unsigned i = 0; i < want.nmem; i++)
		want.mem[i] = (struct mem_region){ qemu_e820[i].base, qemu_e820[i].len,
						   mem_type_from_e820(qemu_e820[i].type), 0 };
	want.nmods = 3;
	want.mods[0] = (struct boot_module){ 0x118000, 0x456, "hv.cfg" };
	want.mods[1] = (struct boot_module){ 0x119000, 0x923000, "/guests/bzImage" };
	want.mods[2] = (struct boot_module){ 0xa3c000, 0x10e4800, "initrd.cpio" };
	want.rsdp_len = 36;
	memcpy(want.rsdp, rsdp2, 36);
	want.fb = (struct boot_fb){ 0x80000000, 1280, 800, 5120, 32 };
	want.efi_systab = 0x7fb5e018;
	assert_int_equal(bi.kernel_phys, 0);
	assert_int_equal(bi.kernel_size, 0);
	assert_bi_is_want();
}

/* ---- malformed information ---- */

static void expect_error(const char *msg)
{
	assert_int_equal(parse(), -1);
	assert_string_equal(bi.messages, msg);
	assert_int_equal(bi.magic, BOOT_INFO_MAGIC);
	assert_int_equal(bi.path, BOOT_PATH_MULTIBOOT2);
}

#define BAD_SIZE "error: multiboot2 information has a bad size\n"
#define OVERRUN "error: multiboot2 tag overruns the information\n"

static void test_total_size_too_small(void **state)
{
	static const u32 sizes[] = { 0, 1, 8, 15 };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		mb_begin();
		mb_end();
		put32(0, sizes[i]);
		expect_error(BAD_SIZE);
		assert_int_equal(bi.nmem, 0);
	}
}

static void test_total_size_too_big(void **state)
{
	(void)state;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "x");
	mb_end();
	put32(0, 1024 * 1024 + 8);
	expect_error(BAD_SIZE);
	assert_string_equal(bi.cmdline, "");
	put32(0, 0xfffffff8);
	expect_error(BAD_SIZE);
	/* Exactly 1 MiB is accepted (the end tag comes first). */
	put32(0, 1024 * 1024);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "x");
	assert_string_equal(bi.messages, "");
}

/* Padding after the end tag, within total_size, is fine. */
static void test_total_size_larger_than_tags(void **state)
{
	(void)state;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "pad");
	mb_end();
	put32(0, pos + 64);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "pad");
	assert_string_equal(bi.messages, "");
}

static void test_tag_overruns(void **state)
{
	u32 tag;

	(void)state;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "kept");
	tag = pos;
	mb_string(MB2_TAG_LOADER_NAME, "GRUB");
	mb_end();
	/* The loader tag claims one byte more than is left. */
	put32(tag + 4, pos - tag + 1);
	expect_error(OVERRUN);
	assert_string_equal(bi.cmdline, "kept"); /* tags before it were read */
	assert_string_equal(bi.loader, "");
	/* Exactly what is left (eating the end tag) is not an overrun. */
	put32(tag + 4, pos - tag);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.loader, "GRUB");
	assert_string_equal(bi.messages, "warn: multiboot2 information has no end tag\n");
	/* Huge sizes must not wrap around. */
	put32(tag + 4, 0xfffffff8);
	expect_error(OVERRUN);
	put32(tag + 4, 0x80000000);
	expect_error(OVERRUN);
}

static void test_tag_too_small(void **state)
{
	static const u32 sizes[] = { 0, 1, 4, 7 };
	u32 tag;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		mb_begin();
		tag = pos;
		mb_string(MB2_TAG_CMDLINE, "abc");
		mb_end();
		put32(tag + 4, sizes[i]);
		expect_error(OVERRUN);
		assert_string_equal(bi.cmdline, "");
	}
}

static void test_missing_end_tag(void **state)
{
	(void)state;
	mb_begin();
	mb_string(MB2_TAG_CMDLINE, "no end");
	put32(0, pos);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "no end");
	assert_string_equal(bi.messages, "warn: multiboot2 information has no end tag\n");
	/* Four stray bytes after the last tag: not enough for a header. */
	put32(0, pos + 4);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.messages, "warn: multiboot2 information has no end tag\n");
	/* Eight zero bytes there are an end tag. */
	memset(buf + pos, 0, 8);
	put32(0, pos + 8);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.messages, "");
}

static void test_module_end_before_start(void **state)
{
	(void)state;
	mb_begin();
	mb_module(0x1000000, 0x1001000, "good1");
	mb_module(0x2000000, 0x1fff000, "bad");
	mb_module(0x3000000, 0x3000800, "good2");
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmods, 2);
	assert_string_equal(bi.mods[0].name, "good1");
	assert_string_equal(bi.mods[1].name, "good2");
	assert_int_equal(bi.mods[1].base, 0x3000000);
	assert_int_equal(bi.mods[1].size, 0x800);
	assert_string_equal(bi.messages, "warn: malformed module tag skipped\n");
}

static void test_module_tag_too_short(void **state)
{
	u32 p;

	(void)state;
	mb_begin();
	p = mb_tag(MB2_TAG_MODULE, 12); /* no room for mod_end */
	put32(p, 0x1000000);
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmods, 0);
	assert_string_equal(bi.messages, "warn: malformed module tag skipped\n");
}

static void test_too_many_modules(void **state)
{
	char name[16];

	(void)state;
	mb_begin();
	for (unsigned i = 0; i < BOOT_MAX_MODULES + 2; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		mb_module(0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + i, name);
	}
	mb_string(MB2_TAG_CMDLINE, "still parsed");
	mb_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nmods, BOOT_MAX_MODULES);
	for (unsigned i = 0; i < BOOT_MAX_MODULES; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		assert_string_equal(bi.mods[i].name, name);
		assert_int_equal(bi.mods[i].base, 0x1000000 + i * 0x10000);
		assert_int_equal(bi.mods[i].size, i);
	}
	assert_string_equal(bi.cmdline, "still parsed");
	assert_string_equal(bi.messages,
			    "error: too many boot modules, extra ones ignored\n"
			    "error: too many boot modules, extra ones ignored\n");
}

/* Tag sizes that are not multiples of 8: the next tag is 8-aligned. */
static void test_unaligned_tag_sizes(void **state)
{
	(void)state;
	mb_begin();
	mb_data(MB2_TAG_CMDLINE, "a\0", 2);       /* size 10 */
	mb_data(MB2_TAG_LOADER_NAME, "bcdefg", 7); /* size 15 */
	mb_module(0x100000, 0x100001, "m");        /* size 18 */
	mb_end();
	assert_int_equal(pos, 8 + 16 + 16 + 24 + 8);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "a");
	assert_string_equal(bi.loader, "bcdefg");
	assert_int_equal(bi.nmods, 1);
	assert_string_equal(bi.mods[0].name, "m");
	assert_string_equal(bi.messages, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end_tag_only),
		cmocka_unit_test(test_cmdline_and_loader),
		cmocka_unit_test(test_empty_strings),
		cmocka_unit_test(test_strings_truncated),
		cmocka_unit_test(test_strings_not_terminated),
		cmocka_unit_test(test_module_name_not_terminated),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_mmap),
		cmocka_unit_test(test_mmap_large_entries),
		cmocka_unit_test(test_mmap_zero_length_and_partial),
		cmocka_unit_test(test_mmap_malformed),
		cmocka_unit_test(test_mmap_entry_size_overflow),
		cmocka_unit_test(test_efi_mmap_descr_size_overflow),
		cmocka_unit_test(test_too_many_regions),
		cmocka_unit_test(test_efi_mmap),
		cmocka_unit_test(test_efi_mmap_replaces_e820),
		cmocka_unit_test(test_efi_mmap_malformed),
		cmocka_unit_test(test_acpi_old),
		cmocka_unit_test(test_acpi_new),
		cmocka_unit_test(test_acpi_v2_wins),
		cmocka_unit_test(test_acpi_bounds),
		cmocka_unit_test(test_framebuffer),
		cmocka_unit_test(test_efi64),
		cmocka_unit_test(test_unknown_tags_ignored),
		cmocka_unit_test(test_repeated_tags),
		cmocka_unit_test(test_end_tag_stops),
		cmocka_unit_test(test_grub_like),
		cmocka_unit_test(test_total_size_too_small),
		cmocka_unit_test(test_total_size_too_big),
		cmocka_unit_test(test_total_size_larger_than_tags),
		cmocka_unit_test(test_tag_overruns),
		cmocka_unit_test(test_tag_too_small),
		cmocka_unit_test(test_missing_end_tag),
		cmocka_unit_test(test_module_end_before_start),
		cmocka_unit_test(test_module_tag_too_short),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_unaligned_tag_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
