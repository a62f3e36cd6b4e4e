// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the guest image loaders (vmm/loader.c,
 * vmm/loader_linux.c): every refused image gets its own message, never
 * text left in the buffer by an earlier load (each failing case starts
 * with a stale message in the buffer, and two bad images are loaded in a
 * row); an ELF whose program headers sit at an odd offset loads (UBSan
 * checks the reads); good multiboot, a.out and bzImage images still load.
 * The images are built here byte by byte, into 4 MiB of fake guest RAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/guest_ram.h"
#include "vmm/cpu_state.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

#define RAM_SIZE (4 * MiB)
#define IMG_SIZE 0x1000
#define SEG_OFF 0x200
#define SEG_ADDR 0x100000
#define MB1_OFF 0x100
#define STALE "stale message of an earlier load"

u64 tsc_khz(void) { return 1000000; }

struct fx {
	struct vm *vm;
	u8 *ram;
	u8 img[IMG_SIZE + 64];
	struct vcpu_state boot;
	char err[128];
};

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->vm = calloc(1, sizeof(*f->vm));
	f->ram = guest_ram_new(&f->vm->mem, RAM_SIZE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->ram);
	free(f->vm);
	free(f);
	return 0;
}

/* A multiboot v1 header at MB1_OFF with @flags (and a.out addresses). */
static void put_mb1(u8 *img, u32 flags, const u32 aout[5])
{
	u8 *h = img + MB1_OFF;

	put32(h, 0x1badb002);
	put32(h + 4, flags);
	put32(h + 8, -(0x1badb002u + flags));
	for (int i = 0; aout && i < 5; i++)
		put32(h + 12 + 4 * i, aout[i]);
}

/* An ELF32 multiboot kernel: one PT_LOAD of 0x100 bytes at 1 MiB. */
static void make_elf(u8 *img, u32 entry, u32 phoff)
{
	u8 *ph = img + phoff;

	memset(img, 0, IMG_SIZE);
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 1; /* ELFCLASS32 */
	img[5] = 1; /* little endian */
	img[6] = 1;
	put16(img + 16, 2); /* ET_EXEC */
	put16(img + 18, 3); /* EM_386 */
	put32(img + 24, entry);
	put32(img + 28, phoff);
	put16(img + 42, 32);
	put16(img + 44, 1);
	put32(ph, 1); /* PT_LOAD */
	put32(ph + 4, SEG_OFF);
	put32(ph + 12, SEG_ADDR);
	put32(ph + 16, 0x100);
	put32(ph + 20, 0x200);
	memset(img + SEG_OFF, 0x90, 0x100);
	put_mb1(img, 0, NULL);
}

static bool load_with(struct fx *f, u64 len, const struct loader_file *initrd)
{
	struct loader_file k = { f->img, len, "kernel" };

	return loader_load(f->vm, &k, initrd, &f->boot, f->err, sizeof(f->err));
}

static bool load(struct fx *f, u64 len) { return load_with(f, len, NULL); }

/* Refused with a message containing @want, whatever the buffer held. */
static void expect_refused_with(struct fx *f, u64 len, const struct loader_file *initrd,
				const char *want)
{
	strcpy(f->err, STALE);
	assert_false(load_with(f, len, initrd));
	assert_non_null(strstr(f->err, want));
	assert_null(strstr(f->err, "stale"));
}

static void expect_refused(struct fx *f, u64 len, const char *want)
{
	expect_refused_with(f, len, NULL, want);
}

/* An initrd/module larger than the guest's RAM (never read). */
static const struct loader_file huge = { (const u8 *)"", 8 * MiB, "huge.bin" };

static void test_elf_loads(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	assert_true(load(f, IMG_SIZE));
	assert_int_equal(f->boot.regs[REG_RIP], SEG_ADDR);
	assert_int_equal(f->boot.gprs[GPR_RAX], 0x2badb002);
	assert_int_equal(f->ram[SEG_ADDR], 0x90);
	assert_int_equal(f->ram[SEG_ADDR + 0x1ff], 0);
}

static void test_elf_odd_phoff(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR + 4, 53);
	assert_true(load(f, IMG_SIZE));
	assert_int_equal(f->boot.regs[REG_RIP], SEG_ADDR + 4);
}

static void test_elf_entry_zero(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, 0, 52);
	expect_refused(f, IMG_SIZE, "the entry point is 0");
}

static void test_elf_entry_outside_ram(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, 0x40000000, 52);
	expect_refused(f, IMG_SIZE, "entry point 0x40000000 is outside");
}

static void test_elf_truncated(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	expect_refused(f, SEG_OFF + 0x80, "lies outside the file");
}

static void test_elf_headers_outside(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	put32(f->img + 28, 0xffff0);
	expect_refused(f, IMG_SIZE, "program headers lie outside the file");
}

static void test_elf_segment_outside_ram(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	put32(f->img + 52 + 12, 0x10000000);
	expect_refused(f, IMG_SIZE, "outside the guest's RAM");
}

static void test_elf_no_segment(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	put32(f->img + 52, 4); /* PT_NOTE */
	expect_refused(f, IMG_SIZE, "no loadable segment");
}

/* The bug: a failure that wrote no message showed the previous one. */
static void test_two_bad_images_in_a_row(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	assert_false(load(f, SEG_OFF + 0x80));
	assert_non_null(strstr(f->err, "lies outside the file"));
	make_elf(f->img, 0, 52);
	assert_false(load(f, IMG_SIZE));
	assert_string_equal(f->err, "the entry point is 0");
}

/* a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr, entry. */
static void test_aout(void **state)
{
	struct fx *f = *state;
	const u32 good[5] = { SEG_ADDR + MB1_OFF, SEG_ADDR, 0, SEG_ADDR + 0x2000, SEG_ADDR + 0x200 };
	const u32 bad[5] = { SEG_ADDR, SEG_ADDR + 0x1000, 0, 0, SEG_ADDR };
	const u32 entry0[5] = { SEG_ADDR + MB1_OFF, SEG_ADDR, 0, 0, 0 };
	const u32 bss_low[5] = { SEG_ADDR + MB1_OFF, SEG_ADDR, SEG_ADDR + 0x800, SEG_ADDR + 0x10,
				 SEG_ADDR };

	memset(f->img, 0xcc, IMG_SIZE);
	put_mb1(f->img, 1u << 16, good);
	assert_true(load(f, IMG_SIZE));
	assert_int_equal(f->boot.regs[REG_RIP], SEG_ADDR + 0x200);
	put_mb1(f->img, 1u << 16, bad);
	expect_refused(f, IMG_SIZE, "inconsistent a.out addresses");
	put_mb1(f->img, 1u << 16, bss_low);
	expect_refused(f, IMG_SIZE, "inconsistent a.out addresses");
	put_mb1(f->img, 1u << 16, entry0);
	expect_refused(f, IMG_SIZE, "the entry point is 0");
}

static void test_mb1_without_addresses(void **state)
{
	struct fx *f = *state;

	memset(f->img, 0, IMG_SIZE);
	put_mb1(f->img, 0, NULL);
	expect_refused(f, IMG_SIZE, "multiboot header without addresses");
}

static void test_empty_and_flat(void **state)
{
	struct fx *f = *state;

	expect_refused(f, 0, "the image is empty");
	memset(f->img, 0xf4, IMG_SIZE);
	assert_true(load(f, 512));
	assert_int_equal(f->ram[0x7c00], 0xf4);
}

/* A bzImage setup header (boot.rst) with @version and @setup_sects. */
static void make_bzimage(u8 *img, u16 version, u8 setup_sects)
{
	memset(img, 0, IMG_SIZE);
	img[0x1f1] = setup_sects;
	put16(img + 0x1fe, 0xaa55);
	img[0x201] = 0x60;
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, version);
	img[0x211] = 0x01; /* LOADED_HIGH */
	put32(img + 0x214, 0x100000);
	put32(img + 0x22c, 0x37ffffff);
	put32(img + 0x238, 2048);
}

static void test_bzimage(void **state)
{
	struct fx *f = *state;

	make_bzimage(f->img, 0x020f, 4);
	assert_true(load(f, IMG_SIZE));
	assert_int_equal(f->boot.regs[REG_RIP], 0x100000);
	make_bzimage(f->img, 0x0200, 4);
	expect_refused(f, IMG_SIZE, "boot protocol 2.00 is older than 2.10");
	make_bzimage(f->img, 0x020f, 200);
	expect_refused(f, IMG_SIZE, "the setup header or kernel lies outside the file");
	make_bzimage(f->img, 0x020f, 4);
	f->img[0x211] = 0;
	expect_refused(f, IMG_SIZE, "zImage loads low");
}

static void test_elf_bad_class(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	f->img[4] = 3;
	expect_refused(f, IMG_SIZE, "not a little-endian ELF32/ELF64 file");
}

static void test_multiboot_small_ram_and_module(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	expect_refused_with(f, IMG_SIZE, &huge, "module 'huge.bin' (8192 KiB) does not fit");
	gmem_layout(&f->vm->mem, 1 * MiB, (u64)(uintptr_t)f->ram);
	expect_refused(f, IMG_SIZE, "a multiboot guest needs at least 2 MiB of RAM");
}

/* A multiboot2 header at 0x180 (8-aligned) with one extra tag. */
static void put_mb2(u8 *img, u16 type, u16 flags, u32 size, u32 value)
{
	u8 *h = img + 0x180, *t = h + 16;
	u32 len = 16 + 16 + 8;

	put32(h, 0xe85250d6);
	put32(h + 4, 0);
	put32(h + 8, len);
	put32(h + 12, -(0xe85250d6u + len));
	put16(t, type);
	put16(t + 2, flags);
	put32(t + 4, size);
	put32(t + 8, value);
	memset(t + 16, 0, 8); /* end tag */
}

static void test_multiboot2(void **state)
{
	struct fx *f = *state;

	make_elf(f->img, SEG_ADDR, 52);
	put_mb2(f->img, 3, 0, 12, SEG_ADDR + 8); /* entry address tag */
	assert_true(load(f, IMG_SIZE));
	assert_int_equal(f->boot.regs[REG_RIP], SEG_ADDR + 8);
	assert_int_equal(f->boot.gprs[GPR_RAX], 0x36d76289);
	put_mb2(f->img, 1, 0, 12, 99); /* requires information tag 99 */
	expect_refused(f, IMG_SIZE, "requires multiboot2 information tag 99");
	put_mb2(f->img, 7, 0, 4, 0);
	expect_refused(f, IMG_SIZE, "malformed multiboot2 header tag 7");
	put_mb2(f->img, 3, 0, 12, 0);
	put32(f->img + 24, 0);
	expect_refused(f, IMG_SIZE, "the entry point is 0");
	f->img[0] = 0;
	expect_refused(f, IMG_SIZE, "multiboot2 images must be ELF files");
	make_elf(f->img, SEG_ADDR, 52);
	put_mb2(f->img, 3, 0, 12, SEG_ADDR);
	gmem_layout(&f->vm->mem, 1 * MiB, (u64)(uintptr_t)f->ram);
	expect_refused(f, IMG_SIZE, "a multiboot2 guest needs at least 2 MiB of RAM");
}

static void test_flat_refusals(void **state)
{
	struct fx *f = *state;
	u8 *big = calloc(1, 0x100000);

	memset(f->img, 0xf4, IMG_SIZE);
	expect_refused_with(f, 512, &huge, "a flat binary takes no initrd");
	strcpy(f->err, STALE);
	{
		struct loader_file k = { big, 0x100000, "big" };

		assert_false(loader_load(f->vm, &k, NULL, &f->boot, f->err, sizeof(f->err)));
		assert_non_null(strstr(f->err, "flat binary of 1048576 bytes does not fit below 0x9c000"));
	}
	free(big);
	gmem_layout(&f->vm->mem, 0x7000, (u64)(uintptr_t)f->ram);
	expect_refused(f, 512, "the guest has too little RAM for a flat binary");
}

static void test_bzimage_cmdline_and_initrd(void **state)
{
	struct fx *f = *state;

	make_bzimage(f->img, 0x020f, 4);
	expect_refused_with(f, IMG_SIZE, &huge, "initrd of 8 MiB and the kernel do not fit in 4 MiB");
	put32(f->img + 0x238, 8);
	strcpy(f->vm->cmdline, "console=ttyS0 quiet");
	expect_refused(f, IMG_SIZE, "exceeds the kernel's limit of 8");
	gmem_layout(&f->vm->mem, 1 * MiB, (u64)(uintptr_t)f->ram);
	make_bzimage(f->img, 0x020f, 4);
	expect_refused(f, IMG_SIZE, "1 MiB of RAM is too little for this kernel");
}

/* The hints on Linux's command line: tsc_early_khz= off Intel,
 * tsc=reliable with an invariant host TSC, no_timer_check always, none
 * over the config's. */
static void test_linux_tsc_hints(void **state)
{
	char c[96];

	(void)state;
	strcpy(c, "console=ttyS0");
	loader_linux_tsc_hints(c, sizeof(c), false, true, 2600000);
	assert_string_equal(c, "console=ttyS0 tsc_early_khz=2600000 tsc=reliable no_timer_check");
	c[0] = 0;
	loader_linux_tsc_hints(c, sizeof(c), true, true, 2600000);
	assert_string_equal(c, "tsc=reliable no_timer_check");
	strcpy(c, "quiet no_timer_check");
	loader_linux_tsc_hints(c, sizeof(c), true, false, 2600000);
	assert_string_equal(c, "quiet no_timer_check");
	loader_linux_tsc_hints(c, sizeof(c), false, false, 1000);
	assert_string_equal(c, "quiet no_timer_check tsc_early_khz=1000");
	strcpy(c, "tsc=unstable tsc_early_khz=5");
	loader_linux_tsc_hints(c, sizeof(c), false, true, 1000);
	assert_string_equal(c, "tsc=unstable tsc_early_khz=5 no_timer_check");
	strcpy(c, "0123456789");
	loader_linux_tsc_hints(c, 16, false, true, 2600000); /* truncated, terminated */
	assert_int_equal(strlen(c), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_elf_loads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_odd_phoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_entry_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_entry_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_headers_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_segment_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_no_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_bad_images_in_a_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mb1_without_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_bad_class, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiboot_small_ram_and_module, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiboot2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flat_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_cmdline_and_initrd, setup, teardown),
		cmocka_unit_test(test_linux_tsc_hints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
