// SPDX-License-Identifier: MIT
//
// Probes the virtual PCI bus the way a firmware or an OS does. Finds the
// ECAM window in the ACPI MCFG table (RSDP scan, PCI Firmware Spec 3.0
// §4.1.2) and checks that the memory map reserves it; checks
// CONFIG_ADDRESS (0xCF8: dword only, reserved bits 0); scans bus 0
// through configuration mechanism #1 and prints every function found;
// reads each one's 256 bytes again through ECAM (same bytes) and its
// extended space (empty); reads CONFIG_DATA by bytes and words; sizes
// every BAR (write all-ones, read the mask, restore); checks read-only
// IDs, the command register's write mask and the interrupt line. Passes
// when the host bridge 00:00.0 is an 8086:29c0 of class 06/00.
//
// With the hypervisor's PCI test device on the bus (config key
// pci_testdev = yes, vmm/pci/pci_testdev.h) it also drives that device
// end to end: registers through BAR0, decode switched off by the command
// register and BAR0 moved elsewhere in the hole, the I/O BAR, MSI-X
// (vector masked at reset: the doorbell leaves a pending bit and the
// interrupt comes on unmask; function mask likewise) delivered to this
// CPU's local APIC, and INTx through the I/O APIC on the GSI of the
// interrupt line register (level, active low), gated by INTx Disable.
#include "lib/acpi.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/multiboot.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

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
	u32 id = cfg_read(slot, fn, 0), diff = 0, ext = 0, ext_and = ~0u;

	for (u32 reg = 0; reg < 256; reg += 4)
		if (cfg_read(slot, fn, reg) != ecam_read(slot, fn, reg))
			diff++;
	for (u32 reg = 256; reg < 4096; reg += 4) {
		ext |= ecam_read(slot, fn, reg);
		ext_and &= ecam_read(slot, fn, reg);
	}
	check(!diff, "00:%02x.%u: ECAM and 0xCF8/0xCFC agree on 256 bytes", slot, fn);
	/* no extended capabilities: 0 (PCIe 4.0 §7.6), or all-ones where a
	 * conventional function has no extended space at all */
	check(!ext || ext_and == ~0u, "00:%02x.%u: extended config space is empty", slot, fn);
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

/* ---- the PCI test device ---- */
#define TD_ID 0x00f01b36
#define TD_MAGIC 0x44545648
#define TD_SCRATCH 0x04
#define TD_DOORBELL 0x08
#define TD_INTX 0x0c
#define MSIX_VECTOR 0x51
#define INTX_VECTOR 0x61

static volatile u32 msix_irqs, intx_irqs;
static u32 td_bar0;

static void msix_handler(struct trap_frame *f)
{
	(void)f;
	msix_irqs++;
	lapic_eoi();
}

static void intx_handler(struct trap_frame *f)
{
	(void)f;
	intx_irqs++;
	mmio_write32(td_bar0 + TD_INTX, 0); /* deassert, then EOI (level) */
	lapic_eoi();
}

/* Let pending interrupts in; a bounded wait for @count to reach @want. */
static u32 irq_window(volatile u32 *count, u32 want)
{
	sti();
	for (u32 i = 0; i < 1000000 && *count < want; i++)
		cpu_pause();
	cli();
	return *count;
}

static u32 find_cap(u32 slot, u8 id)
{
	for (u32 p = cfg_read(slot, 0, 0x34) & 0xff; p; p = (cfg_read(slot, 0, p) >> 8) & 0xff)
		if ((cfg_read(slot, 0, p) & 0xff) == id)
			return p;
	return 0;
}

static void td_registers(u32 slot)
{
	u32 cmd = cfg_read(slot, 0, 4) & 0xffff, io = cfg_read(slot, 0, 0x1c) & ~3u;

	check(mmio_read32(td_bar0) == TD_MAGIC, "testdev: BAR0 magic at 0x%x", td_bar0);
	mmio_write32(td_bar0 + TD_SCRATCH, 0xa5a5f00d);
	check(mmio_read32(td_bar0 + TD_SCRATCH) == 0xa5a5f00d, "testdev: scratch register");
	cfg_write(slot, 0, 4, cmd & ~2u);
	check(mmio_read32(td_bar0) == 0xffffffff, "testdev: memory decode off reads all-ones");
	cfg_write(slot, 0, 4, cmd);
	cfg_write(slot, 0, 0x10, 0xd0000000);
	check(mmio_read32(0xd0000000) == TD_MAGIC && mmio_read32(td_bar0) == 0xffffffff,
	      "testdev: BAR0 moved to 0xd0000000 decodes there only");
	cfg_write(slot, 0, 0x10, td_bar0);
	check(mmio_read32(td_bar0) == TD_MAGIC, "testdev: BAR0 back");
	outl((u16)io, 0x12345678);
	check(inl((u16)io) == 0x12345678 && inb((u16)(io + 1)) == 0x56,
	      "testdev: I/O BAR scratch at 0x%x", io);
	cfg_write(slot, 0, 4, cmd & ~1u);
	check(inl((u16)io) == 0xffffffff, "testdev: I/O decode off reads all-ones");
	cfg_write(slot, 0, 4, cmd);
}

static void td_msix(u32 slot)
{
	u32 cap = find_cap(slot, 0x11), tbl, pba, bar1, ctrl;

	if (!check(cap, "testdev: MSI-X capability"))
		return;
	ctrl = cfg_read(slot, 0, cap) >> 16;
	tbl = cfg_read(slot, 0, cap + 4);
	pba = cfg_read(slot, 0, cap + 8);
	bar1 = cfg_read(slot, 0, 0x10 + 4 * (tbl & 7)) & ~0xfu;
	check((ctrl & 0x7ff) == 3 && (tbl & 7) == 1 && (pba & 7) == 1,
	      "testdev: MSI-X 4 vectors, table and PBA in BAR1");
	tbl = bar1 + (tbl & ~7u);
	pba = bar1 + (pba & ~7u);
	check(mmio_read32(tbl + 16 + 12) == 1, "testdev: MSI-X vector 1 masked at reset");
	mmio_write32(tbl + 16, LAPIC_BASE | lapic_id() << 12);
	mmio_write32(tbl + 16 + 4, 0);
	mmio_write32(tbl + 16 + 8, MSIX_VECTOR);
	cfg_write(slot, 0, cap, (cfg_read(slot, 0, cap) & 0xffff) | 0x8000u << 16);
	mmio_write32(td_bar0 + TD_DOORBELL, 1);
	check(irq_window(&msix_irqs, 1) == 0 && mmio_read32(pba) == 2,
	      "testdev: doorbell on a masked vector sets its pending bit only");
	mmio_write32(tbl + 16 + 12, 0);
	check(irq_window(&msix_irqs, 1) == 1 && mmio_read32(pba) == 0,
	      "testdev: unmask delivers the pending MSI-X message (vector 0x%x)", MSIX_VECTOR);
	mmio_write32(td_bar0 + TD_DOORBELL, 1);
	check(irq_window(&msix_irqs, 2) == 2, "testdev: MSI-X doorbell interrupts");
	cfg_write(slot, 0, cap, (cfg_read(slot, 0, cap) & 0xffff) | 0xc000u << 16);
	mmio_write32(td_bar0 + TD_DOORBELL, 1);
	check(irq_window(&msix_irqs, 3) == 2 && mmio_read32(pba) == 2,
	      "testdev: function mask holds the message pending");
	cfg_write(slot, 0, cap, (cfg_read(slot, 0, cap) & 0xffff) | 0x8000u << 16);
	check(irq_window(&msix_irqs, 3) == 3, "testdev: clearing the function mask delivers it");
	cfg_write(slot, 0, cap, cfg_read(slot, 0, cap) & 0xffff); /* MSI-X off */
}

static void td_intx(u32 slot)
{
	u32 gsi = cfg_read(slot, 0, 0x3c) & 0xff, cmd = cfg_read(slot, 0, 4) & 0xffff;

	check(gsi >= 16 && gsi < 24 && ((cfg_read(slot, 0, 0x3c) >> 8) & 0xff) == 1,
	      "testdev: INTA on GSI %u", gsi);
	ioapic_route(gsi, INTX_VECTOR | 1u << 15 | 1u << 13, lapic_id()); /* level, low */
	check(irq_window(&intx_irqs, 1) == 0, "testdev: INTx idle: no interrupt");
	cfg_write(slot, 0, 4, cmd | 0x400); /* INTx Disable */
	mmio_write32(td_bar0 + TD_INTX, 1);
	check(cfg_read(slot, 0, 4) >> 16 & 8, "testdev: status shows the interrupt");
	check(irq_window(&intx_irqs, 1) == 0, "testdev: INTx Disable holds it back");
	cfg_write(slot, 0, 4, cmd);
	check(irq_window(&intx_irqs, 1) == 1, "testdev: INTx delivered through the I/O APIC");
	check(!(cfg_read(slot, 0, 4) >> 16 & 8), "testdev: status clear after deassert");
	mmio_write32(td_bar0 + TD_INTX, 1);
	check(irq_window(&intx_irqs, 2) == 2, "testdev: INTx again after EOI");
	ioapic_route(gsi, 1u << 16, 0);
}

static void testdev(u32 slot)
{
	td_bar0 = cfg_read(slot, 0, 0x10) & ~0xfu;
	irq_init();
	trap_set_handler(MSIX_VECTOR, msix_handler);
	trap_set_handler(INTX_VECTOR, intx_handler);
	td_registers(slot);
	td_msix(slot);
	td_intx(slot);
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
	if (id == TD_ID && fn == 0)
		testdev(slot);
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
