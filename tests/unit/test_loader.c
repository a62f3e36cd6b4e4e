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

static bool load(struct fx *f, u64 len)
{
	struct loader_file k = { f->img, len, "kernel" };

	return loader_load(f->vm, &k, NULL, &f->boot, f->err, sizeof(f->err));
}

/* Refused with a message containing @want, whatever the buffer held. */
static void expect_refused(struct fx *f, u64 len, const char *want)
{
	strcpy(f->err, STALE);
	assert_false(load(f, len));
	assert_non_null(strstr(f->err, want));
	assert_null(strstr(f->err, "stale"));
}

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
