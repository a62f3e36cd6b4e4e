// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the host PCI enumeration (drivers/pci/pci_enum.c)
 * over a simulated configuration space: a root bus with a multifunction
 * device (sparse functions) and a device that decodes every function
 * number without the multifunction bit, a bridge with a device and a
 * second bridge behind it, bridges with bogus or looping secondary buses,
 * a second root bus, 32/64-bit/I/O/prefetchable BARs with their sizes
 * and decoding restored, a capability list that loops, a function with
 * FLR; a table that fills up; the BDF parser; the report line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/pci/pci.h"

/* ---- the simulated configuration space ---- */

struct sim_fn {
	u8 bus, devfn;
	bool ghost;       /* answers on every function number of its device */
	u8 cfg[4096];
	u32 bar_mask[6];  /* writable bits of each BAR dword */
	unsigned nbars;
};

#define SIM_MAX 32
static struct sim_fn sim[SIM_MAX];
static unsigned nsim;
static unsigned bar_writes_decoding; /* BAR writes while IO/MEM decode was on */
static unsigned reads;

static struct sim_fn *sim_find(u8 bus, u8 devfn)
{
	for (unsigned i = 0; i < nsim; i++) {
		struct sim_fn *f = &sim[i];

		if (f->bus == bus && (f->devfn == devfn || (f->ghost && f->devfn >> 3 == devfn >> 3)))
			return f;
	}
	return NULL;
}

static u32 get(const struct sim_fn *f, unsigned off, unsigned size)
{
	u32 v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (u32)f->cfg[off + i] << (8 * i);
	return v;
}

static void set(struct sim_fn *f, unsigned off, unsigned size, u32 v)
{
	for (unsigned i = 0; i < size; i++)
		f->cfg[off + i] = (u8)(v >> (8 * i));
}

static u32 sim_read(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size)
{
	struct sim_fn *f = sim_find(bus, devfn);

	(void)ctx;
	reads++;
	assert_int_equal(seg, 0);
	assert_true(size == 1 || size == 2 || size == 4);
	assert_int_equal(off & (size - 1), 0);
	if (!f || off >= 4096)
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return get(f, off, size);
}

static void sim_write(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size, u32 v)
{
	struct sim_fn *f = sim_find(bus, devfn);

	(void)ctx;
	assert_int_equal(seg, 0);
	if (!f)
		return;
	if (off >= HPCI_BAR0 && off < HPCI_BAR0 + 4 * f->nbars) {
		unsigned i = (off - HPCI_BAR0) / 4;
		u32 m = f->bar_mask[i];

		assert_int_equal(size, 4);
		if (get(f, HPCI_COMMAND, 2) & (HPCI_COMMAND_IO | HPCI_COMMAND_MEM))
			bar_writes_decoding++;
		set(f, off, 4, (v & m) | (get(f, off, 4) & ~m));
		return;
	}
	if (off < 4 || (off >= 8 && off < 0x10) || off == HPCI_CAP_PTR)
		return; /* IDs, class, header type: read-only */
	set(f, off, size, v);
}

static const struct hpci_cfg_access sim_access = { sim_read, sim_write, NULL };

static struct sim_fn *add(u8 bus, u8 dev, u8 fn, u16 vendor, u16 device, u32 class, u8 hdr)
{
	struct sim_fn *f = &sim[nsim++];

	memset(f, 0, sizeof(*f));
	f->bus = bus;
	f->devfn = (u8)(dev << 3 | fn);
	set(f, HPCI_VENDOR_ID, 2, vendor);
	set(f, HPCI_DEVICE_ID, 2, device);
	set(f, HPCI_CLASS_REV, 4, class << 8 | 0x02);
	f->cfg[HPCI_HEADER_TYPE] = hdr;
	f->nbars = (hdr & 0x7f) == 0 ? 6 : (hdr & 0x7f) == 1 ? 2 : 0;
	return f;
}

static struct sim_fn *add_bridge(u8 bus, u8 dev, u8 sec, u8 sub)
{
	struct sim_fn *f = add(bus, dev, 0, 0x8086, 0x2448, 0x060400, 1);

	f->cfg[HPCI_PRIMARY_BUS] = bus;
	f->cfg[HPCI_SECONDARY_BUS] = sec;
	f->cfg[HPCI_SUBORDINATE_BUS] = sub;
	return f;
}

/* A memory BAR of @size at @base (64-bit: uses @i and @i+1). */
static void bar_mem(struct sim_fn *f, unsigned i, u64 base, u64 size, bool is64, bool pf)
{
	u32 flags = (is64 ? 4u : 0u) | (pf ? 8u : 0u);
	u64 mask = ~(size - 1);

	set(f, HPCI_BAR0 + 4 * i, 4, (u32)base | flags);
	f->bar_mask[i] = (u32)mask & ~0xfu;
	if (is64) {
		set(f, HPCI_BAR0 + 4 * (i + 1), 4, (u32)(base >> 32));
		f->bar_mask[i + 1] = (u32)(mask >> 32);
	}
}

static void bar_io(struct sim_fn *f, unsigned i, u32 base, u32 size, bool io16)
{
	set(f, HPCI_BAR0 + 4 * i, 4, base | 1);
	f->bar_mask[i] = ~(size - 1) & (io16 ? 0xfffcu : 0xfffffffcu);
}

/* Capability @id at @off pointing to @next. */
static void cap(struct sim_fn *f, u8 off, u8 id, u8 next)
{
	set(f, HPCI_STATUS, 2, get(f, HPCI_STATUS, 2) | HPCI_STATUS_CAP_LIST);
	if (!f->cfg[HPCI_CAP_PTR])
		f->cfg[HPCI_CAP_PTR] = off;
	f->cfg[off] = id;
	f->cfg[off + 1] = next;
}

static void pcie(struct sim_fn *f, u8 off, u8 next, u8 type, bool flr)
{
	cap(f, off, HPCI_CAP_ID_PCIE, next);
	set(f, off + HPCI_PCIE_FLAGS, 2, (u32)type << 4 | 2);
	set(f, off + HPCI_PCIE_DEVCAP, 4, flr ? HPCI_PCIE_DEVCAP_FLR | 0x8000 : 0x8000);
}

/*
 * bus 00: 00.0 host bridge; 01.0/01.1/01.3 one multifunction device (BARs
 *         on 01.0); 02.0 decodes all function numbers, MF bit clear;
 *         03.0 bridge to 01-02; 04.0 bridge claiming bus 01 again;
 *         05.0 bridge with secondary 0; 06.0 bridge 07-05 (sub < sec)
 * bus 01: 00.0 PCIe endpoint with FLR, PM, MSI, MSI-X; 01.0 bridge to 02
 * bus 02: 00.0 looping capability list; 01.0 bridge back to bus 01
 * bus 07: 00.0 (only reachable through the bogus 06.0: never scanned)
 * bus 80: 00.0 on a second root bus
 */
static void build_topology(void)
{
	struct sim_fn *f;

	nsim = 0;
	bar_writes_decoding = 0;
	add(0, 0, 0, 0x8086, 0x29c0, 0x060000, 0);

	f = add(0, 1, 0, 0x1234, 0x0001, 0x020000, 0x80);
	bar_mem(f, 0, 0xfe000000, 4096, false, false);
	bar_io(f, 1, 0xc000, 32, true);
	bar_mem(f, 2, 0x800000000ull, 8 * (1ull << 30), true, true);
	bar_mem(f, 4, 0xfe100000, 16384, true, false);
	set(f, HPCI_COMMAND, 2, HPCI_COMMAND_IO | HPCI_COMMAND_MEM | HPCI_COMMAND_MASTER);
	f->cfg[HPCI_INTERRUPT_PIN] = 1;
	f = add(0, 1, 1, 0x1234, 0x0002, 0x0c0330, 0x00);
	bar_io(f, 0, 0x10000, 256, false); /* a 32-bit I/O decoder */
	bar_mem(f, 1, 0xfd000000, 1 << 20, false, true);
	set(f, HPCI_COMMAND, 2, HPCI_COMMAND_MEM);
	add(0, 1, 3, 0x1234, 0x0003, 0x0c0330, 0x00);

	f = add(0, 2, 0, 0x1af4, 0x1000, 0x020000, 0x00);
	f->ghost = true;
	set(f, HPCI_BAR0 + 20, 4, 0xfe200000 | 4); /* 64-bit in the last slot */
	f->bar_mask[5] = 0xfffff000;

	f = add_bridge(0, 3, 1, 2);
	bar_mem(f, 0, 0xfe300000, 4096, false, false);
	pcie(f, 0x40, 0, 4, false);
	add_bridge(0, 4, 1, 1);
	add_bridge(0, 5, 0, 0);
	add_bridge(0, 6, 7, 5);

	f = add(1, 0, 0, 0x8086, 0x10d3, 0x020000, 0);
	cap(f, 0xc8, HPCI_CAP_ID_PM, 0xd0);
	cap(f, 0xd0, HPCI_CAP_ID_MSI, 0xe0);
	pcie(f, 0xe0, 0xa0, 0, true);
	cap(f, 0xa0, HPCI_CAP_ID_MSIX, 0);
	bar_mem(f, 0, 0xfe400000, 128 << 10, false, false);
	add_bridge(1, 1, 2, 2);

	f = add(2, 0, 0, 0x1b36, 0x0005, 0x00ff00, 0);
	f->cfg[HPCI_CAP_PTR] = 0x43; /* low bits masked off */
	cap(f, 0x40, HPCI_CAP_ID_MSI, 0x50);
	cap(f, 0x50, 0x09, 0x40);    /* vendor-specific, back to 0x40 */
	add_bridge(2, 1, 1, 1);

	add(7, 0, 0, 0xdead, 0xbeef, 0x020000, 0);
	add(0x80, 0, 0, 0x8086, 0x2020, 0x060000, 0);
}

static struct hpci_table tbl;

static struct hpci_dev *find(u8 bus, u8 dev, u8 fn)
{
	return hpci_table_find(&tbl, 0, bus, dev, fn);
}

static unsigned index_of(const struct hpci_dev *d) { return (unsigned)(d - tbl.d); }

static unsigned count_on_bus(u8 bus)
{
	unsigned n = 0;

	for (unsigned i = 0; i < tbl.n; i++)
		n += tbl.d[i].bus == bus;
	return n;
}

static void enumerate_root0(void)
{
	build_topology();
	memset(&tbl, 0, sizeof(tbl));
	hpci_enumerate(&tbl, &sim_access, 0, 0);
}

static void test_buses_and_bridges(void **state)
{
	struct hpci_dev *br, *br2;

	(void)state;
	enumerate_root0();
	assert_int_equal(tbl.n, 13);
	assert_false(tbl.truncated);
	assert_int_equal(count_on_bus(0), 9);
	assert_int_equal(count_on_bus(1), 2); /* once, though 04.0 and 02:01.0 claim it too */
	assert_int_equal(count_on_bus(2), 2);
	assert_int_equal(count_on_bus(7), 0);
	assert_int_equal(count_on_bus(0x80), 0);

	br = find(0, 3, 0);
	assert_non_null(br);
	assert_true(br->bridge);
	assert_int_equal(br->nbars, 2);
	assert_int_equal(br->sec_bus, 1);
	assert_int_equal(br->sub_bus, 2);
	assert_int_equal(br->parent, HPCI_NO_PARENT);
	assert_int_equal(find(1, 0, 0)->parent, index_of(br));
	br2 = find(1, 1, 0);
	assert_int_equal(br2->parent, index_of(br));
	assert_int_equal(find(2, 0, 0)->parent, index_of(br2));
	assert_int_equal(find(2, 1, 0)->parent, index_of(br2));
	/* The bogus bridges are recorded. */
	assert_non_null(find(0, 4, 0));
	assert_non_null(find(0, 5, 0));
	assert_non_null(find(0, 6, 0));
	for (unsigned i = 0; i < tbl.n; i++) {
		assert_int_equal(tbl.d[i].iommu_unit, -1);
		assert_int_equal(tbl.d[i].owner, HPCI_OWNER_NONE);
	}
}

static void test_functions(void **state)
{
	struct hpci_dev *d;

	(void)state;
	enumerate_root0();
	d = find(0, 1, 0);
	assert_true(d->multifunction);
	assert_int_equal(d->vendor, 0x1234);
	assert_int_equal(d->device, 0x0001);
	assert_int_equal(d->class, 0x020000);
	assert_int_equal(d->revision, 2);
	assert_int_equal(d->irq_pin, 1);
	assert_true(find(0, 1, 1)->multifunction);
	assert_null(find(0, 1, 2));
	assert_non_null(find(0, 1, 3));
	/* 02.0 answers on every function number but is not multifunction. */
	assert_non_null(find(0, 2, 0));
	assert_false(find(0, 2, 0)->multifunction);
	assert_null(find(0, 2, 1));
	assert_null(find(0, 2, 7));
	assert_false(find(0, 0, 0)->bridge);
	assert_int_equal(find(0, 0, 0)->nbars, 6);
}

static void test_bars(void **state)
{
	struct hpci_dev *d;
	const struct sim_fn *f;

	(void)state;
	enumerate_root0();
	d = find(0, 1, 0);
	assert_int_equal(d->bar[0].kind, HPCI_BAR_MEM32);
	assert_int_equal(d->bar[0].base, 0xfe000000);
	assert_int_equal(d->bar[0].size, 4096);
	assert_false(d->bar[0].prefetch);
	assert_int_equal(d->bar[1].kind, HPCI_BAR_IO);
	assert_int_equal(d->bar[1].base, 0xc000);
	assert_int_equal(d->bar[1].size, 32);
	assert_int_equal(d->bar[2].kind, HPCI_BAR_MEM64);
	assert_int_equal(d->bar[2].base, 0x800000000ull);
	assert_int_equal(d->bar[2].size, 8ull << 30);
	assert_true(d->bar[2].prefetch);
	assert_int_equal(d->bar[3].kind, HPCI_BAR_NONE); /* upper half */
	assert_int_equal(d->bar[4].kind, HPCI_BAR_MEM64);
	assert_int_equal(d->bar[4].size, 16384);
	assert_int_equal(d->bar[4].base, 0xfe100000);
	assert_false(d->bar[4].prefetch);
	assert_int_equal(d->bar[5].kind, HPCI_BAR_NONE);
	assert_int_equal(d->bar[5].size, 0);

	d = find(0, 1, 1);
	assert_int_equal(d->bar[0].kind, HPCI_BAR_IO);
	assert_int_equal(d->bar[0].base, 0x10000);
	assert_int_equal(d->bar[0].size, 256);
	assert_int_equal(d->bar[1].kind, HPCI_BAR_MEM32);
	assert_int_equal(d->bar[1].size, 1 << 20);
	assert_true(d->bar[1].prefetch);

	d = find(0, 2, 0);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(d->bar[i].kind, HPCI_BAR_NONE);
	assert_int_equal(find(0, 3, 0)->bar[0].size, 4096);
	assert_int_equal(find(1, 0, 0)->bar[0].size, 128 << 10);

	/* Sizing never wrote a BAR while decoding was on, and left every
	 * BAR and command register as the firmware had them. */
	assert_int_equal(bar_writes_decoding, 0);
	f = sim_find(0, 1 << 3);
	assert_int_equal(get(f, HPCI_COMMAND, 2),
			 HPCI_COMMAND_IO | HPCI_COMMAND_MEM | HPCI_COMMAND_MASTER);
	assert_int_equal(get(f, HPCI_BAR0, 4), 0xfe000000);
	assert_int_equal(get(f, HPCI_BAR0 + 4, 4), 0xc001);
	assert_int_equal(get(f, HPCI_BAR0 + 8, 4), 0x0000000c);
	assert_int_equal(get(f, HPCI_BAR0 + 12, 4), 0x8);
	f = sim_find(0, 1 << 3 | 1);
	assert_int_equal(get(f, HPCI_COMMAND, 2), HPCI_COMMAND_MEM);
	assert_int_equal(get(f, HPCI_BAR0, 4), 0x10001);
}

static void test_caps(void **state)
{
	struct hpci_dev *d;

	(void)state;
	enumerate_root0();
	d = find(1, 0, 0);
	assert_int_equal(d->cap_pm, 0xc8);
	assert_int_equal(d->cap_msi, 0xd0);
	assert_int_equal(d->cap_pcie, 0xe0);
	assert_int_equal(d->cap_msix, 0xa0);
	assert_int_equal(d->pcie_type, 0);
	assert_true(d->flr);

	d = find(0, 3, 0);
	assert_int_equal(d->cap_pcie, 0x40);
	assert_int_equal(d->pcie_type, 4);
	assert_false(d->flr);

	/* The looping list ended, with what it held found. */
	d = find(2, 0, 0);
	assert_int_equal(d->cap_msi, 0x40);
	assert_int_equal(d->cap_pm, 0);
	assert_int_equal(d->cap_pcie, 0);
	assert_false(d->flr);
	d = find(0, 0, 0);
	assert_int_equal(d->cap_msi, 0);
}

/* A list pointing below 0x40 (into the header) is not followed. */
static void test_caps_bad_pointer(void **state)
{
	struct sim_fn *f;

	(void)state;
	nsim = 0;
	f = add(0, 0, 0, 0x1234, 1, 0x020000, 0);
	cap(f, 0x40, HPCI_CAP_ID_MSI, 0x10); /* next: inside the header */
	f = add(0, 1, 0, 0x1234, 2, 0x020000, 0);
	cap(f, 0x48, HPCI_CAP_ID_PM, 0);
	f->cfg[HPCI_CAP_PTR] = 0x3c;         /* first: inside the header */
	memset(&tbl, 0, sizeof(tbl));
	hpci_enumerate(&tbl, &sim_access, 0, 0);
	assert_int_equal(tbl.n, 2);
	assert_int_equal(find(0, 0, 0)->cap_msi, 0x40);
	assert_int_equal(find(0, 1, 0)->cap_pm, 0);
}

static void test_segment_roots(void **state)
{
	unsigned roots;

	(void)state;
	build_topology();
	memset(&tbl, 0, sizeof(tbl));
	roots = hpci_enumerate_segment(&tbl, &sim_access, 0, 0, 0xff);
	assert_int_equal(roots, 2);
	assert_int_equal(tbl.n, 14);
	assert_non_null(find(0x80, 0, 0));
	assert_int_equal(find(0x80, 0, 0)->parent, HPCI_NO_PARENT);
	/* Bus 07 sits in no sane bridge's range, but 06.0 claims 07-05:
	 * it is not taken for a root bus either. */
	assert_null(find(7, 0, 0));
	assert_int_equal(count_on_bus(1), 2);
	/* Enumerating again adds nothing. */
	hpci_enumerate(&tbl, &sim_access, 0, 0);
	assert_int_equal(tbl.n, 14);
}

/* A bridge whose secondary bus is below its own is not followed. */
static void test_bridge_below(void **state)
{
	(void)state;
	nsim = 0;
	add_bridge(0x80, 1, 0x10, 0x10);
	add(0x10, 0, 0, 0x1234, 1, 0x020000, 0);
	memset(&tbl, 0, sizeof(tbl));
	hpci_enumerate(&tbl, &sim_access, 0, 0x80);
	assert_int_equal(tbl.n, 1);
	assert_non_null(find(0x80, 1, 0));
}

/* Every function answers, function 0 of each bus is a bridge to the next
 * bus: the table fills and says so. */
static u32 all_read(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size)
{
	(void)ctx, (void)seg;
	if (off == HPCI_HEADER_TYPE && size == 1)
		return devfn ? 0x80 : 0x81;
	if (off == HPCI_SECONDARY_BUS && size == 1)
		return bus + 1u;
	if (off == HPCI_SUBORDINATE_BUS && size == 1)
		return 0xff;
	if (off >= HPCI_BAR0 && off < HPCI_BAR0 + 24)
		return 0;
	return off == HPCI_VENDOR_ID ? (size == 4 ? 0x00011234u : 0x1234u) : 0;
}

static void all_write(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size, u32 v)
{
	(void)ctx, (void)seg, (void)bus, (void)devfn, (void)off, (void)size, (void)v;
}

static void test_table_full(void **state)
{
	static const struct hpci_cfg_access all = { all_read, all_write, NULL };

	(void)state;
	memset(&tbl, 0, sizeof(tbl));
	hpci_enumerate(&tbl, &all, 0, 0);
	assert_int_equal(tbl.n, HPCI_MAX_DEVS);
	assert_true(tbl.truncated);
}

static void test_find_io(void **state)
{
	(void)state;
	enumerate_root0();
	assert_ptr_equal(hpci_table_find_io(&tbl, 0xc000), find(0, 1, 0));
	assert_ptr_equal(hpci_table_find_io(&tbl, 0xc01f), find(0, 1, 0));
	assert_null(hpci_table_find_io(&tbl, 0xc020));
	assert_null(hpci_table_find_io(&tbl, 0x3f8));
}

static void test_describe(void **state)
{
	char buf[400];
	struct hpci_dev *d;

	(void)state;
	enumerate_root0();
	hpci_describe(find(0, 1, 0), buf, sizeof(buf));
	assert_string_equal(buf, "0000:00:01.0 1234:0001 class 020000 hdr 0 bars "
				 "0:mem32:0xfe000000+4K 1:io:0xc000+32 2:mem64p:0x800000000+8G "
				 "4:mem64:0xfe100000+16K caps none flr=no owner none iommu -");
	d = find(1, 0, 0);
	d->owner = HPCI_OWNER_GUEST;
	d->owner_name = "linux";
	d->iommu_unit = 0;
	hpci_describe(d, buf, sizeof(buf));
	assert_string_equal(buf, "0000:01:00.0 8086:10d3 class 020000 hdr 0 bars "
				 "0:mem32:0xfe400000+128K caps pm,msi,msix,pcie pcie=endpoint "
				 "flr=yes owner linux iommu 0");
	hpci_describe(find(0, 3, 0), buf, sizeof(buf));
	assert_string_equal(buf, "0000:00:03.0 8086:2448 class 060400 hdr 1 bus 01-02 bars "
				 "0:mem32:0xfe300000+4K caps pcie pcie=root-port flr=no "
				 "owner none iommu -");
	/* A short buffer is cut, not overrun. */
	hpci_describe(find(0, 3, 0), buf, 20);
	assert_int_equal(strlen(buf), 19);
}

static bool bdf(const char *s, u16 *seg, u8 *bus, u8 *dev, u8 *fn)
{
	return hpci_parse_bdf(s, strlen(s), seg, bus, dev, fn);
}

static void test_parse_bdf(void **state)
{
	static const char *const bad[] = {
		"", "00:03", "00.03.0", "0000:00:03", ":00:03.0", "00::03.0", "00:03.",
		"00:20.0", "00:03.8", "00:03.0 ", " 00:03.0", "00:03.0x", "00:03.00",
		"100:03.0", "00:003.0", "10000:00:03.0", "0:0:0:00.0", "00:03.0.1",
		"g0:03.0", "00:03:0", "0000:00.03:0", "-1:03.0", "00:1f.0\n",
	};
	u16 seg = 0xaaaa;
	u8 bus = 0xaa, dev = 0xaa, fn = 0xaa;

	(void)state;
	assert_true(bdf("0000:00:03.0", &seg, &bus, &dev, &fn));
	assert_int_equal(seg, 0);
	assert_int_equal(bus, 0);
	assert_int_equal(dev, 3);
	assert_int_equal(fn, 0);
	assert_true(bdf("abcd:FF:1f.7", &seg, &bus, &dev, &fn));
	assert_int_equal(seg, 0xabcd);
	assert_int_equal(bus, 0xff);
	assert_int_equal(dev, 0x1f);
	assert_int_equal(fn, 7);
	assert_true(bdf("1:2.3", &seg, &bus, &dev, &fn));
	assert_int_equal(seg, 0);
	assert_int_equal(bus, 1);
	assert_int_equal(dev, 2);
	assert_int_equal(fn, 3);
	assert_true(bdf("2:00:1c.4", &seg, &bus, &dev, &fn));
	assert_int_equal(seg, 2);
	assert_int_equal(dev, 0x1c);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seg = 0x5555;
		if (bdf(bad[i], &seg, &bus, &dev, &fn))
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(seg, 0x5555);
	}
	/* The length bounds the string: "00:03.0" inside a longer buffer. */
	assert_true(hpci_parse_bdf("00:03.0,junk", 7, &seg, &bus, &dev, &fn));
	assert_false(hpci_parse_bdf("00:03.0,junk", 8, &seg, &bus, &dev, &fn));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buses_and_bridges),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_caps_bad_pointer),
		cmocka_unit_test(test_segment_roots),
		cmocka_unit_test(test_bridge_below),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_find_io),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_parse_bdf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
