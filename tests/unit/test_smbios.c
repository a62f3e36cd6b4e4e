// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the guest SMBIOS tables (vmm/smbios.c). A fake VM
 * gets 4 MiB of "guest RAM" in a host buffer filled with garbage; the
 * tables built into it are read back the way a guest reads them: a scan
 * of 0xF0000-0xFFFFF on 16-byte boundaries for the "_SM3_" anchor, the
 * entry point's checksum, then a walk of the structure table within the
 * length it states. Checked: the order and lengths of the structures,
 * unique handles, well-formed string sets, the strings and fields a guest
 * reads (vendor, product, the guest's name as serial, the "virtual
 * machine" bit, the UUID's version and variant and its dependence on the
 * name only), one processor per vCPU, the memory size and its mapped
 * ranges below 3 GiB and from 4 GiB (with large sizes in the extended
 * fields), and the refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/guest_ram.h"
#include "vmm/gmem.h"
#include "vmm/smbios.h"
#include "vmm/vm.h"

#define RAM_SIZE (4 * MiB)
#define MAX_STRUCTS 64

struct fx {
	struct vm vm;
	u8 *ram;
	struct smbios_cpu cpu;
	/* what the walk found */
	const u8 *s[MAX_STRUCTS];
	unsigned n;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->ram = guest_ram_new(&f->vm.mem, RAM_SIZE);
	strcpy(f->vm.name, "linux");
	f->cpu = (struct smbios_cpu){ .count = 2, .mhz = 2600, .cpuid1_eax = 0x806f8,
				      .cpuid1_edx = 0x178bfbff, .vendor = "AuthenticAMD" };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->ram);
	free(f);
	return 0;
}

static u16 rd16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static u32 rd32(const u8 *p) { return rd16(p) | (u32)rd16(p + 2) << 16; }
static u64 rd64(const u8 *p) { return rd32(p) | (u64)rd32(p + 4) << 32; }

static u8 *gpa(struct fx *f, u64 a)
{
	return f->ram + a; /* the low region maps 1:1 onto the buffer */
}

/* Find the entry point as a guest does, check it and walk the table. */
static void scan(struct fx *f)
{
	const u8 *ep = NULL, *p, *end;
	u8 sum = 0;
	unsigned anchors = 0;

	for (u64 a = 0xf0000; a < 0x100000; a += 16)
		if (!memcmp(gpa(f, a), "_SM3_", 5)) {
			ep = gpa(f, a);
			anchors++;
		}
	assert_int_equal(anchors, 1);
	assert_ptr_equal(ep, gpa(f, SMBIOS_BASE));
	assert_int_equal(ep[6], 0x18);
	for (int i = 0; i < ep[6]; i++)
		sum = (u8)(sum + ep[i]);
	assert_int_equal(sum, 0);
	assert_int_equal(ep[7], 3);
	assert_int_equal(ep[0x0a], 1);
	assert_true(rd64(ep + 0x10) >= SMBIOS_BASE + 0x18);
	assert_true(rd64(ep + 0x10) + rd32(ep + 0x0c) <= SMBIOS_END);

	p = gpa(f, rd64(ep + 0x10));
	end = p + rd32(ep + 0x0c);
	f->n = 0;
	while (p < end) {
		const u8 *str;

		assert_true(p + 4 <= end);
		assert_true(p[1] >= 4);
		assert_true(f->n < MAX_STRUCTS);
		f->s[f->n++] = p;
		str = p + p[1];
		/* strings up to a double NUL, inside the table */
		if (!str[0]) {
			assert_int_equal(str[1], 0);
			str += 2;
		} else {
			while (str[0] || str[1]) {
				str++;
				assert_true(str + 1 < end);
			}
			str += 2;
		}
		if (p[0] == 127) {
			assert_ptr_equal(str, end); /* the stated length, exactly */
			break;
		}
		p = str;
	}
	assert_int_equal(f->s[f->n - 1][0], 127);
	for (unsigned i = 0; i < f->n; i++)
		for (unsigned j = i + 1; j < f->n; j++)
			assert_int_not_equal(rd16(f->s[i] + 2), rd16(f->s[j] + 2));
}

/* String number @n of structure @s, NULL for 0. */
static const char *str_of(const u8 *s, u8 n)
{
	const char *p = (const char *)s + s[1];

	if (!n)
		return NULL;
	while (--n) {
		assert_true(*p);
		p += strlen(p) + 1;
	}
	assert_true(*p);
	return p;
}

static const u8 *find(struct fx *f, u8 type, unsigned nth)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->s[i][0] == type && !nth--)
			return f->s[i];
	return NULL;
}

static unsigned count(struct fx *f, u8 type)
{
	unsigned c = 0;

	for (unsigned i = 0; i < f->n; i++)
		c += f->s[i][0] == type;
	return c;
}

static void test_layout(void **state)
{
	struct fx *f = *state;
	static const u8 order[] = { 0, 1, 3, 4, 4, 16, 17, 19, 32, 127 };
	static const u8 lens[] = { 0x18, 0x1b, 0x16, 0x30, 0x30, 0x17, 0x28, 0x1f, 0x0b, 4 };

	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	assert_int_equal(f->n, sizeof(order));
	for (unsigned i = 0; i < f->n; i++) {
		assert_int_equal(f->s[i][0], order[i]);
		assert_int_equal(f->s[i][1], lens[i]);
	}
	/* the ACPI window below is left alone */
	assert_int_equal(gpa(f, SMBIOS_BASE)[-1], 0xa5);
}

static void test_bios_and_system(void **state)
{
	struct fx *f = *state;
	const u8 *b, *s, *c;

	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	b = find(f, 0, 0);
	assert_string_equal(str_of(b, b[4]), "hv");
	assert_non_null(str_of(b, b[5]));
	assert_int_equal(strlen(str_of(b, b[8])), 10); /* mm/dd/yyyy */
	assert_int_equal(str_of(b, b[8])[2], '/');
	assert_true(b[0x12] & 1);   /* ACPI */
	assert_true(b[0x13] & 0x10); /* a virtual machine */
	s = find(f, 1, 0);
	assert_string_equal(str_of(s, s[4]), "hv");
	assert_string_equal(str_of(s, s[5]), "hv virtual machine");
	assert_string_equal(str_of(s, s[7]), "linux");
	assert_int_equal(s[0x0f] >> 4, 8);    /* version 8: time_hi_and_version, little-endian */
	assert_int_equal(s[0x10] >> 6, 2);    /* variant 10 */
	c = find(f, 3, 0);
	assert_string_equal(str_of(c, c[4]), "hv");
	assert_int_equal(c[5], 1);
	assert_non_null(find(f, 32, 0));
}

static void test_uuid_follows_the_name(void **state)
{
	struct fx *f = *state;
	u8 a[16], b[16], c[16];

	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	memcpy(a, find(f, 1, 0) + 8, 16);
	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	memcpy(b, find(f, 1, 0) + 8, 16);
	assert_memory_equal(a, b, 16);
	strcpy(f->vm.name, "linux2");
	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	memcpy(c, find(f, 1, 0) + 8, 16);
	assert_memory_not_equal(a, c, 16);
	assert_string_equal(str_of(find(f, 1, 0), find(f, 1, 0)[7]), "linux2");
}

static void test_processors(void **state)
{
	struct fx *f = *state;
	const u8 *p;

	f->cpu.count = 16;
	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	assert_int_equal(count(f, 4), 16);
	p = find(f, 4, 15);
	assert_string_equal(str_of(p, p[4]), "CPU 15");
	assert_string_equal(str_of(p, p[7]), "AuthenticAMD");
	assert_int_equal(p[5], 3);
	assert_int_equal(rd32(p + 8), 0x806f8);
	assert_int_equal(rd32(p + 12), 0x178bfbff);
	assert_int_equal(rd16(p + 0x14), 2600);
	assert_int_equal(rd16(p + 0x16), 2600);
	assert_int_equal(p[0x18], 0x41);
	assert_int_equal(p[0x23], 1);
	assert_true(rd16(p + 0x26) & 4);
	/* No vendor: no string, still a valid set. */
	f->cpu.vendor = NULL;
	f->cpu.count = 1;
	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	p = find(f, 4, 0);
	assert_int_equal(p[7], 0);
	assert_int_equal(count(f, 4), 1);
}

static void test_memory_small(void **state)
{
	struct fx *f = *state;
	const u8 *a, *d, *m;

	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	a = find(f, 16, 0);
	d = find(f, 17, 0);
	m = find(f, 19, 0);
	assert_int_equal(rd64(a + 0x0f), RAM_SIZE);
	assert_int_equal(rd16(a + 0x0d), 1);
	assert_int_equal(rd16(d + 4), rd16(a + 2)); /* the device is in the array */
	assert_int_equal(rd16(d + 0x0c), 4);        /* MiB */
	assert_int_equal(rd32(d + 0x1c), 0);
	assert_int_equal(count(f, 19), 1);
	assert_int_equal(rd32(m + 4), 0);
	assert_int_equal(rd32(m + 8), RAM_SIZE / 1024 - 1);
	assert_int_equal(rd16(m + 0x0c), rd16(a + 2));
}

static void test_memory_large(void **state)
{
	struct fx *f = *state;
	const u8 *d, *lo, *hi;

	/* Only the BIOS area is written: a large layout over the small buffer. */
	gmem_layout(&f->vm.mem, 5 * GiB, (u64)(uintptr_t)f->ram);
	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	d = find(f, 17, 0);
	assert_int_equal(rd16(d + 0x0c), 5120);
	assert_int_equal(count(f, 19), 2);
	lo = find(f, 19, 0);
	hi = find(f, 19, 1);
	assert_int_equal(rd32(lo + 4), 0);
	assert_int_equal(rd32(lo + 8), 3 * GiB / 1024 - 1);
	assert_int_equal(rd32(hi + 4), 4 * GiB / 1024);
	assert_int_equal(rd32(hi + 8), 6 * GiB / 1024 - 1);

	gmem_layout(&f->vm.mem, 40 * GiB, (u64)(uintptr_t)f->ram);
	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	d = find(f, 17, 0);
	assert_int_equal(rd16(d + 0x0c), 0x7fff);
	assert_int_equal(rd32(d + 0x1c), 40960);
	assert_int_equal(rd64(find(f, 16, 0) + 0x0f), 40 * GiB);
	hi = find(f, 19, 1);
	assert_int_equal(rd32(hi + 8), 41 * GiB / 1024 - 1);

	/* Past 4 TiB the ranges go to the extended fields. */
	gmem_layout(&f->vm.mem, 8192 * GiB, (u64)(uintptr_t)f->ram);
	assert_true(smbios_build(&f->vm, &f->cpu));
	scan(f);
	hi = find(f, 19, 1);
	assert_int_equal(rd32(hi + 4), 0xffffffffu);
	assert_int_equal(rd64(hi + 0x0f), 4 * GiB);
	assert_int_equal(rd64(hi + 0x17), 4 * GiB + 8192 * GiB - 3 * GiB - 1);
}

static void test_refusals(void **state)
{
	struct fx *f = *state;

	f->cpu.count = 0;
	assert_false(smbios_build(&f->vm, &f->cpu));
	f->cpu.count = 1;
	gmem_layout(&f->vm.mem, 512 * 1024, (u64)(uintptr_t)f->ram); /* no BIOS area */
	assert_false(smbios_build(&f->vm, &f->cpu));
	/* So many processors that the window overflows: refused, no anchor. */
	gmem_layout(&f->vm.mem, RAM_SIZE, (u64)(uintptr_t)f->ram);
	memset(gpa(f, SMBIOS_BASE), 0, 32);
	f->cpu.count = 1000;
	assert_false(smbios_build(&f->vm, &f->cpu));
	assert_memory_not_equal(gpa(f, SMBIOS_BASE), "_SM3_", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bios_and_system, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uuid_follows_the_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_processors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
