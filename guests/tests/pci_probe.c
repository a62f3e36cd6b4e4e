// SPDX-License-Identifier: MIT
//
// Probes the virtual PCI bus the way a firmware or an OS does. Finds the
// ECAM window in the ACPI MCFG table (RSDP scan, PCI Firmware Spec 3.0
// §4.1.2) and checks that the memory map reserves it; checks
// CONFIG_ADDRESS (0xCF8: dword only, reserved bits 0); scans bus 0
// through configuration mechanism #1 and prints every function found;
// reads each one's 256 bytes again through ECAM (same bytes) and its
// extended space (empty: 0); reads CONFIG_DATA by bytes and words; sizes
// every BAR (write all-ones, read the mask, restore); checks read-only
// IDs, the command register's write mask and the interrupt line. Passes
// when the host bridge 00:00.0 is an 8086:29c0 of class 06/00.
#include "lib/acpi.h"
#include "lib/io.h"
#include "lib/multiboot.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"

#define CF8 0xcf8
#define CFC 0xcfc
#define MCFG_BASE 44 /* offsets in the MCFG table */
#define MCFG_BUS_START 54
#define MCFG_BUS_END 55
#define E820_RESERVED 2

static u32 ecam_base;

static void cf8_select(u32 slot, u32 fn, u32 reg)
{
	outl(CF8, 0x80000000u | slot << 11 | fn << 8 | (reg & 0xfc));
}

static u32 cfg_read(u32 slot, u32 fn, u32 reg)
{
	cf8_select(slot, fn, reg);
	return inl(CFC);
}

static void cfg_write(u32 slot, u32 fn, u32 reg, u32 v)
{
	cf8_select(slot, fn, reg);
	outl(CFC, v);
}

static u32 ecam_read(u32 slot, u32 fn, u32 reg)
{
	return mmio_read32(ecam_base + (slot << 15 | fn << 12 | reg));
}

static void find_mcfg(void)
{
	const struct acpi_header *t = acpi_find_table("MCFG");
	const u8 *b = (const u8 *)t;
	u64 base = 0;
	bool reserved = false;

	if (!check(t && t->length >= 60, "MCFG table found"))
		test_finish();
	memcpy(&base, b + MCFG_BASE, 8);
	printf("mcfg ecam 0x%llx bus %u-%u\n", base, b[MCFG_BUS_START], b[MCFG_BUS_END]);
	check(base && base < 0x100000000ULL && !(base & 0xfffff), "ECAM base below 4 GiB, 1 MiB aligned");
	check(b[MCFG_BUS_START] == 0, "MCFG starts at bus 0");
	ecam_base = (u32)base;
	for (u32 i = 0; i < mb_region_count(); i++) {
		const struct mb_region *r = mb_region(i);

		if (r->type == E820_RESERVED && r->base <= base &&
		    base + ((u64)(b[MCFG_BUS_END] + 1) << 20) <= r->base + r->length)
			reserved = true;
	}
	check(reserved, "memory map reserves the ECAM window");
}

static void check_cf8(void)
{
	outl(CF8, 0xffffffff);
	check(inl(CF8) == 0x80fffffc, "CONFIG_ADDRESS keeps enable, bus, device, function, register");
	outl(CF8, 0x80000000);
	outb(CF8, 0x12);
	check(inl(CF8) == 0x80000000, "a byte write to 0xCF8 is not CONFIG_ADDRESS");
	outl(CF8, 0);
	check(inl(CFC) == 0xffffffff, "CONFIG_DATA without the enable bit reads all-ones");
}

/* Size BAR @i of a function; returns how many BAR slots it used. */
static u32 size_bar(u32 slot, u32 fn, u32 i)
{
	u32 reg = 0x10 + 4 * i, old = cfg_read(slot, fn, reg), mask, hi = 0xffffffff;

	cfg_write(slot, fn, reg, 0xffffffff);
	mask = cfg_read(slot, fn, reg);
	cfg_write(slot, fn, reg, old);
	check(cfg_read(slot, fn, reg) == old, "BAR%u of 00:%02x.%u restored", i, slot, fn);
	if (!mask) {
		printf("  bar%u none\n", i);
		return 1;
	}
	if (mask & 1) {
		printf("  bar%u io size 0x%x\n", i, (~(mask & 0xfffcu) + 1) & 0xffff);
		return 1;
	}
	if ((mask & 6) == 4 && i < 5) {
		u32 o = cfg_read(slot, fn, reg + 4);

		cfg_write(slot, fn, reg + 4, 0xffffffff);
		hi = cfg_read(slot, fn, reg + 4);
		cfg_write(slot, fn, reg + 4, o);
	}
	printf("  bar%u mem%s size 0x%llx\n", i, (mask & 6) == 4 ? "64" : "32",
	       ~((u64)hi << 32 | (mask & ~0xfu)) + 1);
	return (mask & 6) == 4 ? 2 : 1;
}

/* ECAM and mechanism #1 show the same function; partial reads agree. */
static void compare_paths(u32 slot, u32 fn)
{
	u32 id = cfg_read(slot, fn, 0), diff = 0, ext = 0;

	for (u32 reg = 0; reg < 256; reg += 4)
		if (cfg_read(slot, fn, reg) != ecam_read(slot, fn, reg))
			diff++;
	for (u32 reg = 256; reg < 4096; reg += 4)
		ext |= ecam_read(slot, fn, reg);
	check(!diff, "00:%02x.%u: ECAM and 0xCF8/0xCFC agree on 256 bytes", slot, fn);
	check(!ext, "00:%02x.%u: extended config space is empty", slot, fn);
	cf8_select(slot, fn, 0);
	check(inb(CFC + 2) == (u8)(id >> 16) && inw(CFC + 2) == (u16)(id >> 16) &&
	      inb(CFC + 1) == (u8)(id >> 8), "00:%02x.%u: byte and word reads of CONFIG_DATA", slot, fn);
}

static void check_header(u32 slot, u32 fn)
{
	u32 id = cfg_read(slot, fn, 0), cmd = cfg_read(slot, fn, 4) & 0xffff;
	u32 line = cfg_read(slot, fn, 0x3c);

	cfg_write(slot, fn, 0, 0);
	check(cfg_read(slot, fn, 0) == id, "00:%02x.%u: IDs are read-only", slot, fn);
	cf8_select(slot, fn, 4);
	outw(CFC, 0xffff);
	check((inw(CFC) & ~0x0547u) == 0, "00:%02x.%u: command keeps only its RW bits (0x%x)", slot,
	      fn, inw(CFC));
	outw(CFC, (u16)cmd);
	cf8_select(slot, fn, 0x3c);
	outb(CFC, 0x0b);
	check((cfg_read(slot, fn, 0x3c) & 0xff) == 0x0b, "00:%02x.%u: interrupt line is RW", slot, fn);
	cfg_write(slot, fn, 0x3c, line);
}

static void probe(u32 slot, u32 fn, u32 *found)
{
	u32 id = cfg_read(slot, fn, 0), cls = cfg_read(slot, fn, 8) >> 8;

	printf("pci 00:%02x.%u %04x:%04x class %06x\n", slot, fn, id & 0xffff, id >> 16, cls);
	(*found)++;
	compare_paths(slot, fn);
	check_header(slot, fn);
	for (u32 i = 0; i < 6;)
		i += size_bar(slot, fn, i);
	if (slot == 0 && fn == 0) {
		check(id == 0x29c08086 && cls == 0x060000, "host bridge 8086:29c0 class 060000");
		for (u32 i = 0; i < 6; i++)
			check(cfg_read(0, 0, 0x10 + 4 * i) == 0, "host bridge BAR%u unimplemented", i);
	}
}

static void scan(void)
{
	u32 found = 0, empty = 0, empty_ecam = 0;

	for (u32 slot = 0; slot < 32; slot++) {
		bool present = (cfg_read(slot, 0, 0) & 0xffff) != 0xffff;
		u32 fns = present && ((cfg_read(slot, 0, 0xc) >> 16) & 0x80) ? 8 : 1;

		for (u32 fn = 0; fn < fns; fn++) {
			if ((cfg_read(slot, fn, 0) & 0xffff) != 0xffff) {
				probe(slot, fn, &found);
				continue;
			}
			empty++;
			if (ecam_read(slot, fn, 0) == 0xffffffff)
				empty_ecam++;
		}
	}
	printf("pci scan: %u functions\n", found);
	check(found >= 1, "bus 0 has functions");
	check(empty == empty_ecam, "%u empty functions read all-ones through ECAM too", empty);
}

int main(void)
{
	test_start("pci_probe");
	find_mcfg();
	check_cf8();
	scan();
	test_finish();
}
