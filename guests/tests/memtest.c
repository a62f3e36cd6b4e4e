// SPDX-License-Identifier: MIT
//
// The memory guest: walks the multiboot memory map, writes an
// address-dependent pattern over every available byte above 2 MiB (and
// below 4 GiB, as paging is off) except its own image, reads it all back,
// and prints how much it checked. Under the hypervisor it then probes
// addresses nobody claims (above the end of its RAM, in the PCI hole below
// 4 GiB) as a PC answers them: reads of every size give all-ones and
// writes vanish (a master abort); an access across the end of its RAM
// keeps its RAM half. Last it jumps to an address above its
// RAM: fetching code from nowhere must stop the guest; if the call
// returns (or faults), the test fails.
#include "lib/div64.h"
#include "lib/fwcfg.h"
#include "lib/fault.h"
#include "lib/hv.h"
#include "lib/multiboot.h"
#include "lib/printf.h"
#include "lib/test.h"

#define TEST_FLOOR 0x200000ull // 2 MiB
#define ADDR_LIMIT 0x100000000ull // paging off: 32-bit physical addresses
#define OUTSIDE_GAP 0x1000000u // probe 16 MiB above the top of RAM
#define OUTSIDE_LIMIT 0xc0000000u // stay below the PCI hole
#define PCI_HOLE 0xc0000000u // 3 GiB: nothing there in a small guest
#define BELOW_IOAPIC 0xfebff000u // the page below the I/O APIC

extern const u8 __image_start[], __image_end[];

struct range {
	u32 start, end; // [start, end), 4-byte aligned
};

static u32 pattern(u32 addr, u32 pass)
{
	return (addr * 2654435761u) ^ (pass ? 0xa5a5a5a5u : 0x5a5a5a5au);
}

// Write then verify the pattern over r; returns the first bad address or 0.
static u32 test_range(const struct range *r, u32 pass)
{
	for (u32 a = r->start; a < r->end; a += 4)
		*(volatile u32 *)a = pattern(a, pass);
	for (u32 a = r->start; a < r->end; a += 4)
		if (*(volatile u32 *)a != pattern(a, pass))
			return a;
	return 0;
}

// Clip [base, base+len) to what we test; false when nothing is left.
static bool clip_region(u64 base, u64 len, struct range *r)
{
	u64 end = base + len;

	if (base < TEST_FLOOR)
		base = TEST_FLOOR;
	if (end > ADDR_LIMIT)
		end = ADDR_LIMIT;
	base = (base + 3) & ~3ull;
	end &= ~3ull;
	if (base >= end)
		return false;
	r->start = (u32)base;
	r->end = (u32)end;
	return true;
}

// Test r around the guest image; adds bytes checked to *checked.
static void test_around_image(const struct range *r, u64 *checked)
{
	u32 img_lo = (u32)__image_start & ~3u, img_hi = ((u32)__image_end + 3) & ~3u;
	struct range parts[2] = { { r->start, r->end }, { 0, 0 } };

	if (img_lo < r->end && img_hi > r->start) {
		parts[0].end = img_lo > r->start ? img_lo : r->start;
		parts[1].start = img_hi < r->end ? img_hi : r->end;
		parts[1].end = r->end;
	}
	for (int i = 0; i < 2; i++) {
		if (parts[i].start >= parts[i].end)
			continue;
		for (u32 pass = 0; pass < 2; pass++) {
			u32 bad = test_range(&parts[i], pass);

			if (bad)
				test_fail("memory at 0x%x reads 0x%x, wrote 0x%x", bad,
					  *(volatile u32 *)bad, pattern(bad, pass));
		}
		*checked += parts[i].end - parts[i].start;
	}
}

// Walk the map, test every available range; returns the top of the RAM
// below 4 GiB (what a 32-bit guest without paging can address).
static u64 test_all(u64 *checked)
{
	u64 top = 0;

	for (u32 i = 0; i < mb_region_count(); i++) {
		const struct mb_region *m = mb_region(i);
		struct range r;

		printf("mmap 0x%016llx-0x%016llx type %u\n", m->base,
		       m->base + m->length - 1, m->type);
		if (m->type != MB_MEM_AVAILABLE)
			continue;
		if (m->base < ADDR_LIMIT && m->base + m->length > top)
			top = m->base + m->length < ADDR_LIMIT ? m->base + m->length : ADDR_LIMIT;
		if (clip_region(m->base, m->length, &r))
			test_around_image(&r, checked);
	}
	return top;
}

// Reads of 1, 2 and 4 bytes give all-ones; a write does not stick.
static void probe_unclaimed(u32 addr, const char *where)
{
	u32 v = 0;
	u32 vec = read32_safe(addr, &v);

	if (vec != FAULT_NONE)
		test_fail("read of %s 0x%x raised %s", where, addr, trap_name(vec));
	check(v == 0xffffffffu, "%s 0x%x reads 0x%x (all-ones)", where, addr, v);
	check(*(volatile u16 *)(addr + 6) == 0xffffu, "%s 16-bit read all-ones", where);
	check(*(volatile u8 *)(addr + 9) == 0xffu, "%s 8-bit read all-ones", where);
	*(volatile u32 *)addr = 0x12345678u;
	*(volatile u8 *)(addr + 4) = 0;
	check(*(volatile u32 *)addr == 0xffffffffu && *(volatile u8 *)(addr + 4) == 0xffu,
	      "%s write dropped", where);
}

// A 4-byte access across the end of RAM is two accesses, as on a PC: the
// RAM half is read and written, the other half is all-ones and dropped.
static void probe_split(u32 top)
{
	volatile u16 *low = (volatile u16 *)(top - 2);
	volatile u32 *across = (volatile u32 *)(top - 2);

	*low = 0x5a5a;
	check(*across == 0xffff5a5au, "read across the end of RAM: 0x%x", *across);
	*across = 0x11223344u;
	check(*low == 0x3344 && *across == 0xffff3344u,
	      "write across the end of RAM keeps its RAM half only");
}

static noreturn void touch_outside(u64 top)
{
	u64 probe = top + OUTSIDE_GAP;

	if (probe >= OUTSIDE_LIMIT)
		test_fail("RAM top 0x%llx leaves no probe address below 0x%x", top,
			  OUTSIDE_LIMIT);
	printf("touching memory outside RAM at 0x%llx\n", probe);
	probe_unclaimed((u32)probe, "above RAM");
	probe_unclaimed(PCI_HOLE, "PCI hole");
	probe_unclaimed(BELOW_IOAPIC, "below the I/O APIC");
	probe_split((u32)top);
	printf("fetching code outside RAM at 0x%llx\n", probe);
	((void (*)(void))(u32)probe)();
	test_fail("code fetch outside RAM returned");
}

int main(void)
{
	u64 checked = 0, top;

	test_start("memtest");
	if (!(mb_flags() & MB_INFO_MMAP) || !mb_region_count())
		test_fail("no multiboot memory map");
	printf("image 0x%x-0x%x, testing available RAM above 2 MiB\n",
	       (u32)__image_start, (u32)__image_end);
	top = test_all(&checked);
	printf("checked %llu bytes (%llu MiB) of RAM, top of RAM below 4 GiB 0x%llx\n", checked,
	       checked >> 20, top);
	if (!checked)
		test_fail("no RAM above 2 MiB in the memory map");
	if (fw_cfg_present())
		printf("fw_cfg ram size %llu MiB\n", fw_cfg_read64(FW_CFG_RAM_SIZE) >> 20);
	if (!under_hv()) {
		skip_not_hv("access outside RAM");
		test_finish();
	}
	touch_outside(top);
}
