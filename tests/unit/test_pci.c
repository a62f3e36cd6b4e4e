// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the virtual PCI bus (vmm/pci/pci.c, pci_host.c,
 * msi.c) on the production PIO/MMIO buses (vmm/bus.c), reached the way a
 * guest reaches them: configuration mechanism #1 at 0xCF8/0xCFC with
 * partial accesses, ECAM offsets, and BAR accesses in the MMIO hole and
 * the I/O window. Covered: the host bridge's IDs, CONFIG_ADDRESS masking
 * and the 0xCF9 pass-through; BAR placement and sizing (32-bit, 64-bit
 * pairs, I/O); read-only header fields and the command register's write
 * mask; decode gated by the command enables and following moved BARs;
 * the capability walk; MSI-X table masking, function mask, pending bits
 * and delivery on unmask; MSI with multiple messages and masking; INTx
 * as a shared active-low line; registration errors; resets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/pci/pci.h"

static struct bus pio, mmio;
static struct pci_bus pb;
static struct pci_dev dev, dev2;

/* What the interrupt hooks were asked. */
static bool gsi_level[32];
static unsigned gsi_calls;
static struct { u64 addr; u32 data; } msis[16];
static unsigned nmsis;
static u8 cf9_last;
static unsigned cf9_writes;

/* BAR callbacks: record the last access. */
static u64 last_off, last_val;
static unsigned bar_reads, bar_writes;

static void set_gsi(void *ctx, unsigned gsi, bool level)
{
	(void)ctx;
	gsi_level[gsi] = level;
	gsi_calls++;
}

static void msi(void *ctx, u64 addr, u32 data)
{
	(void)ctx;
	assert_true(nmsis < 16);
	msis[nmsis].addr = addr;
	msis[nmsis++].data = data;
}

static u64 bar_read(void *ctx, u64 off, unsigned size)
{
	(void)size;
	assert_ptr_equal(ctx, &dev);
	bar_reads++;
	last_off = off;
	return 0x5a000000 | off;
}

static void bar_write(void *ctx, u64 off, unsigned size, u64 val)
{
	(void)ctx, (void)size;
	bar_writes++;
	last_off = off;
	last_val = val;
}

static u64 cf9_read(void *ctx, u64 off, unsigned size)
{
	(void)ctx, (void)off, (void)size;
	return 0x42;
}

static void cf9_write(void *ctx, u64 off, unsigned size, u64 val)
{
	(void)ctx, (void)off, (void)size;
	cf9_last = (u8)val;
	cf9_writes++;
}

static u32 in(u16 port, unsigned size)
{
	u64 v;

	bus_read(&pio, port, size, &v);
	return (u32)v;
}

static void out(u16 port, unsigned size, u32 v)
{
	bus_write(&pio, port, size, v);
}

static u64 mrd(u64 a, unsigned size)
{
	u64 v;

	bus_read(&mmio, a, size, &v);
	return v;
}

static void mwr(u64 a, unsigned size, u64 v)
{
	bus_write(&mmio, a, size, v);
}

/* Config read/write through CF8/CFC of devfn @df. */
static u32 cfg_rd(u8 df, unsigned reg, unsigned size)
{
	out(0xcf8, 4, 0x80000000u | df << 8 | (reg & 0xfc));
	return in((u16)(0xcfc + (reg & 3)), size);
}

static void cfg_wr(u8 df, unsigned reg, unsigned size, u32 v)
{
	out(0xcf8, 4, 0x80000000u | df << 8 | (reg & 0xfc));
	out((u16)(0xcfc + (reg & 3)), size, v);
}

static u64 ecam(u8 df, unsigned reg)
{
	return PCI_ECAM_BASE + ((u64)df << 12) + reg;
}

/* A device: BAR0 mem32 4 KiB, BAR1-2 mem64 16 KiB prefetchable, BAR3 I/O
 * 32 bytes, BAR4 mem32 8 KiB holding the MSI-X table (0) and PBA (0x1000). */
static void make_dev(struct pci_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->name = "test";
	d->vendor_id = 0x1af4;
	d->device_id = 0x1041;
	d->subsys_vendor_id = 0x1af4;
	d->subsys_id = 0x0001;
	d->class_code = 0x020000;
	d->revision = 1;
	d->irq_pin = 1;
	d->ctx = d;
	d->bar[0] = (struct pci_bar){ .kind = PCI_BAR_MEM32, .size = 0x1000, .read = bar_read,
				      .write = bar_write };
	d->bar[1] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = 0x4000,
				      .prefetchable = true, .read = bar_read, .write = bar_write };
	d->bar[3] = (struct pci_bar){ .kind = PCI_BAR_IO, .size = 32, .read = bar_read,
				      .write = bar_write };
	d->bar[4] = (struct pci_bar){ .kind = PCI_BAR_MEM32, .size = 0x2000, .read = bar_read,
				      .write = bar_write };
}

static int setup(void **state)
{
	struct pci_irq_hooks h = { set_gsi, msi, NULL };

	(void)state;
	memset(&pio, 0, sizeof(pio));
	memset(&mmio, 0, sizeof(mmio));
	memset(gsi_level, 0, sizeof(gsi_level));
	gsi_calls = nmsis = bar_reads = bar_writes = cf9_writes = 0;
	assert_true(pci_bus_init(&pb, &h, &pio, &mmio, cf9_read, cf9_write, NULL));
	make_dev(&dev);
	assert_true(pci_register(&pb, &dev, PCI_DEVFN_ANY));
	return 0;
}

static void test_host_bridge(void **state)
{
	(void)state;
	assert_int_equal(cfg_rd(0, 0, 4), 0x29c08086);
	assert_int_equal(cfg_rd(0, 8, 4) >> 8, 0x060000);
	assert_int_equal(cfg_rd(0, 0x0e, 1), 0); /* type 0, single function */
	assert_int_equal(dev.devfn, PCI_DEVFN(1, 0)); /* first free slot */
	assert_int_equal(cfg_rd(PCI_DEVFN(1, 0), 0, 4), 0x10411af4);
	assert_int_equal(cfg_rd(PCI_DEVFN(1, 0), 0x2c, 4), 0x00011af4);
	assert_int_equal(cfg_rd(PCI_DEVFN(2, 0), 0, 4), 0xffffffff); /* empty slot */
}

static void test_cf8_decode(void **state)
{
	(void)state;
	out(0xcf8, 4, 0xffffffff);
	assert_int_equal(in(0xcf8, 4), 0x80fffffc); /* reserved bits read 0 */
	out(0xcf8, 4, 0x80000000);
	assert_int_equal(in(0xcfc, 2), 0x8086);
	assert_int_equal(in(0xcfe, 2), 0x29c0);
	assert_int_equal(in(0xcfd, 1), 0x80);
	assert_int_equal(in(0xcff, 1), 0x29);
	assert_int_equal(in(0xcfd, 2), 0xc080); /* bytes 1-2, inside the dword */
	out(0xcf8, 1, 0x12); /* not CONFIG_ADDRESS: a byte access */
	assert_int_equal(in(0xcf8, 4), 0x80000000);
	out(0xcf8, 2, 0x1234);
	assert_int_equal(in(0xcf8, 4), 0x80000000);
	assert_int_equal(in(0xcf8, 2), 0xffff);
	out(0xcf9, 1, 0x06); /* the reset register stays reachable */
	assert_int_equal(cf9_writes, 1);
	assert_int_equal(cf9_last, 0x06);
	assert_int_equal(in(0xcf9, 1), 0x42);
	out(0xcf8, 4, 0x00000000); /* enable bit clear: no config cycle */
	assert_int_equal(in(0xcfc, 4), 0xffffffff);
	out(0xcf8, 4, 0x80010000); /* bus 1 does not exist */
	assert_int_equal(in(0xcfc, 4), 0xffffffff);
	/* register bits 7:2 pick the dword, partial data writes land */
	cfg_wr(PCI_DEVFN(1, 0), 0x3c, 1, 0x0b);
	assert_int_equal(cfg_rd(PCI_DEVFN(1, 0), 0x3c, 1), 0x0b);
	out(0xcf8, 4, 0x80000800 | 0x0c);
	out(0xcfc, 1, 0x10); /* cache line size */
	assert_int_equal(cfg_rd(PCI_DEVFN(1, 0), 0x0c, 1), 0x10);
}

static void test_ecam(void **state)
{
	u8 df = PCI_DEVFN(1, 0);

	(void)state;
	assert_int_equal(mrd(ecam(0, 0), 4), 0x29c08086);
	assert_int_equal(mrd(ecam(df, 2), 2), 0x1041);
	assert_int_equal(mrd(ecam(df, 0x0b), 1), 0x02); /* base class */
	assert_int_equal(mrd(ecam(df, 0x100), 4), 0); /* empty extended space */
	assert_int_equal(mrd(ecam(df, 0xffc), 4), 0);
	assert_int_equal(mrd(ecam(df, 1), 2), 0x411a); /* inside one dword */
	assert_int_equal(mrd(ecam(df, 3), 2), 0xffff); /* across two */
	assert_int_equal(mrd(ecam(df, 0), 8), ~0ULL); /* wider than a dword */
	assert_int_equal(mrd(ecam(PCI_DEVFN(5, 3), 0), 4), 0xffffffff);
	mwr(ecam(df, 0x3c), 1, 0x21);
	assert_int_equal(cfg_rd(df, 0x3c, 1), 0x21); /* both paths, one space */
}

static void test_bar_placement(void **state)
{
	u8 df = dev.devfn;

	(void)state;
	assert_int_equal(dev.bar[0].addr, PCI_MMIO_BASE);
	assert_int_equal(cfg_rd(df, 0x10, 4), PCI_MMIO_BASE);
	assert_int_equal(cfg_rd(df, 0x14, 4) & 0xf, 0xc); /* 64-bit, prefetchable */
	assert_int_equal(cfg_rd(df, 0x18, 4), 0);
	assert_int_equal(cfg_rd(df, 0x1c, 4) & 3, 1);
	assert_true(cfg_rd(df, 0x1c, 4) >= PCI_IO_BASE);
	assert_int_equal(cfg_rd(df, 0x24, 4), 0); /* BAR5 unimplemented */
	assert_int_equal(cfg_rd(df, 4, 2), PCI_CMD_IO | PCI_CMD_MEM);
	assert_int_equal(cfg_rd(df, 0x3c, 1), 17); /* slot 1 INTA -> GSI 17 */
	assert_int_equal(cfg_rd(df, 0x3d, 1), 1);
}

static void test_bar_sizing(void **state)
{
	u8 df = dev.devfn;
	u32 old = cfg_rd(df, 0x10, 4);

	(void)state;
	cfg_wr(df, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_rd(df, 0x10, 4), 0xfffff000);
	cfg_wr(df, 0x10, 4, old);
	assert_int_equal(cfg_rd(df, 0x10, 4), old);
	/* 64-bit pair */
	cfg_wr(df, 0x14, 4, 0xffffffff);
	cfg_wr(df, 0x18, 4, 0xffffffff);
	assert_int_equal(cfg_rd(df, 0x14, 4), 0xffffc00c);
	assert_int_equal(cfg_rd(df, 0x18, 4), 0xffffffff);
	cfg_wr(df, 0x14, 4, 0x00008000);
	cfg_wr(df, 0x18, 4, 0x00000001);
	assert_int_equal(dev.bar[1].addr, 0x100008000ULL);
	/* I/O: 16 bits decoded */
	cfg_wr(df, 0x1c, 4, 0xffffffff);
	assert_int_equal(cfg_rd(df, 0x1c, 4), 0x0000ffe1);
	/* a byte write changes only its byte of the BAR */
	cfg_wr(df, 0x10, 4, 0xc0000000);
	cfg_wr(df, 0x12, 1, 0x12);
	assert_int_equal(cfg_rd(df, 0x10, 4), 0xc0120000);
}

static void test_read_only(void **state)
{
	u8 df = dev.devfn;

	(void)state;
	cfg_wr(df, 0, 4, 0);
	cfg_wr(df, 8, 4, 0);
	cfg_wr(df, 0x2c, 4, 0);
	cfg_wr(df, 0x3d, 1, 4);
	cfg_wr(df, 0x0e, 1, 0x80);
	cfg_wr(df, 0x34, 1, 0x80);
	assert_int_equal(cfg_rd(df, 0, 4), 0x10411af4);
	assert_int_equal(cfg_rd(df, 8, 4), 0x02000001);
	assert_int_equal(cfg_rd(df, 0x2c, 4), 0x00011af4);
	assert_int_equal(cfg_rd(df, 0x3d, 1), 1);
	assert_int_equal(cfg_rd(df, 0x0e, 1), 0);
	assert_int_equal(cfg_rd(df, 0x34, 1), 0);
	cfg_wr(df, 4, 4, 0xffffffff); /* command: only the implemented bits */
	assert_int_equal(cfg_rd(df, 4, 2), 0x0547);
	assert_int_equal(cfg_rd(df, 6, 2), 0); /* status: nothing to clear */
	cfg_wr(df, 0x40, 4, 0xffffffff); /* no capability there: read-only */
	assert_int_equal(cfg_rd(df, 0x40, 4), 0);
}

static void test_decode_gated(void **state)
{
	u8 df = dev.devfn;
	u64 b0 = dev.bar[0].addr;
	u16 io = (u16)dev.bar[3].addr;

	(void)state;
	assert_int_equal(mrd(b0 + 0x10, 4), 0x5a000010);
	assert_int_equal(bar_reads, 1);
	mwr(b0 + 0x20, 2, 0xbeef);
	assert_int_equal(last_off, 0x20);
	assert_int_equal(last_val, 0xbeef);
	assert_int_equal(in((u16)(io + 4), 1), 0x04); /* masked to a byte */
	cfg_wr(df, 4, 2, PCI_CMD_IO); /* memory decode off */
	assert_int_equal(mrd(b0 + 0x10, 4), 0xffffffff);
	mwr(b0, 4, 1);
	assert_int_equal(bar_writes, 1);
	assert_int_equal(in((u16)(io + 4), 1), 0x04);
	cfg_wr(df, 4, 2, PCI_CMD_MEM); /* I/O decode off */
	assert_int_equal(in((u16)(io + 4), 1), 0xff);
	/* a moved BAR decodes at its new address only */
	cfg_wr(df, 0x10, 4, 0xd0000000);
	assert_int_equal(mrd(b0, 4), 0xffffffff);
	assert_int_equal(mrd(0xd0000ffc, 4), 0x5a000ffc);
	assert_int_equal(mrd(0xd0000ffe, 4), 0xffffffff); /* straddles the end */
	assert_int_equal(mrd(0xd8000000, 4), 0xffffffff); /* nothing there */
}

static void test_cap_walk(void **state)
{
	u8 df = dev.devfn, ids[4], n = 0, vend[8] = { 0, 0, 8, 1, 2, 3, 4, 5 };
	u8 pos;

	(void)state;
	assert_int_equal(cfg_rd(df, 6, 2) & PCI_STS_CAP_LIST, 0);
	assert_int_equal(pci_add_cap(&dev, PCI_CAP_VENDOR, vend, sizeof(vend)), 0x40);
	assert_int_not_equal(pci_msi_init(&dev, 4), 0);
	assert_int_not_equal(pci_msix_init(&dev, 4, 4, 0, 0x1000), 0);
	assert_int_not_equal(cfg_rd(df, 6, 2) & PCI_STS_CAP_LIST, 0);
	for (pos = (u8)cfg_rd(df, 0x34, 1); pos && n < 4; pos = (u8)cfg_rd(df, pos + 1, 1)) {
		assert_int_equal(pos & 3, 0);
		ids[n++] = (u8)cfg_rd(df, pos, 1);
	}
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], PCI_CAP_VENDOR);
	assert_int_equal(ids[1], PCI_CAP_MSI);
	assert_int_equal(ids[2], PCI_CAP_MSIX);
	assert_int_equal(cfg_rd(df, 0x43, 1), 1); /* the body is the model's */
	cfg_wr(df, 0x43, 1, 9); /* and read-only without a write mask */
	assert_int_equal(cfg_rd(df, 0x43, 1), 1);
	pci_set_wmask(&dev, 0x43, (const u8[]){ 0x0f }, 1);
	cfg_wr(df, 0x43, 1, 0xff);
	assert_int_equal(cfg_rd(df, 0x43, 1), 0x0f);
	/* capabilities that do not fit are refused */
	assert_int_equal(pci_add_cap(&dev, PCI_CAP_VENDOR, vend, 0xc0), 0);
	assert_int_equal(pci_msix_init(&dev, 4, 4, 0, 0x1000), 0); /* twice */
}

/* MSI-X with 4 vectors in BAR4: table at 0, PBA at 0x1000. */
static u8 msix_setup(void)
{
	u8 at = pci_msix_init(&dev, 4, 4, 0, 0x1000);

	assert_int_not_equal(at, 0);
	return at;
}

static void msix_entry(unsigned v, u32 addr, u32 data, u32 ctrl)
{
	u64 t = dev.bar[4].addr + 16 * v;

	mwr(t, 4, addr);
	mwr(t + 4, 4, 0);
	mwr(t + 8, 4, data);
	mwr(t + 12, 4, ctrl);
}

static void test_msix(void **state)
{
	u8 df = dev.devfn, at = msix_setup();
	u64 t = dev.bar[4].addr, pba = t + 0x1000;

	(void)state;
	assert_int_equal(cfg_rd(df, at + 2, 2), 3); /* table size N-1 */
	assert_int_equal(cfg_rd(df, at + 4, 4), 4); /* offset 0, BIR 4 */
	assert_int_equal(cfg_rd(df, at + 8, 4), 0x1004);
	assert_int_equal(mrd(t + 12, 4), 1); /* vectors reset masked */
	msix_entry(2, 0xfee01000, 0x41, 1);
	assert_int_equal(mrd(t + 32, 8), 0xfee01000);
	assert_int_equal(mrd(t + 40, 4), 0x41);
	pci_msix_notify(&dev, 2); /* disabled: nothing, not even pending */
	assert_int_equal(nmsis, 0);
	assert_int_equal(mrd(pba, 8), 0);
	cfg_wr(df, at + 2, 2, 0x8000); /* enable */
	pci_msix_notify(&dev, 2); /* masked: pending */
	assert_int_equal(nmsis, 0);
	assert_int_equal(mrd(pba, 8), 1u << 2);
	mwr(pba, 8, 0); /* the PBA is read-only */
	assert_int_equal(mrd(pba, 8), 1u << 2);
	mwr(t + 32 + 12, 4, 0xfffffffe); /* unmask: delivered, reserved bits 0 */
	assert_int_equal(nmsis, 1);
	assert_int_equal(msis[0].addr, 0xfee01000);
	assert_int_equal(msis[0].data, 0x41);
	assert_int_equal(mrd(pba, 8), 0);
	assert_int_equal(mrd(t + 44, 4), 0);
	pci_msix_notify(&dev, 2);
	assert_int_equal(nmsis, 2);
	/* function mask: pending until cleared */
	cfg_wr(df, at + 3, 1, 0xc0);
	pci_msix_notify(&dev, 2);
	assert_int_equal(nmsis, 2);
	assert_int_equal(mrd(pba, 4), 1u << 2);
	cfg_wr(df, at + 3, 1, 0x80);
	assert_int_equal(nmsis, 3);
	assert_int_equal(mrd(pba, 4), 0);
	/* table size is read-only; vectors beyond it do nothing */
	cfg_wr(df, at + 2, 2, 0x807f);
	assert_int_equal(cfg_rd(df, at + 2, 2), 0x8003);
	pci_msix_notify(&dev, 9);
	pci_msix_notify(&dev, 40); /* beyond the table storage too */
	pci_msix_notify(&dev, ~0u);
	assert_int_equal(nmsis, 3);
	/* the rest of the BAR is the model's */
	assert_int_equal(mrd(t + 0x800, 4), 0x5a000800);
	/* MSI-X replaces INTx */
	pci_set_intx(&dev, true);
	assert_true(gsi_level[17]);
}

static void test_msix_bad_layout(void **state)
{
	(void)state;
	assert_int_equal(pci_msix_init(&dev, 4, 3, 0, 0x1000), 0); /* I/O BAR */
	assert_int_equal(pci_msix_init(&dev, 4, 2, 0, 0x1000), 0); /* upper half */
	assert_int_equal(pci_msix_init(&dev, 4, 4, 0, 0x30), 0);   /* overlap */
	assert_int_equal(pci_msix_init(&dev, 4, 4, 4, 0x1000), 0); /* misaligned */
	assert_int_equal(pci_msix_init(&dev, 4, 4, 0x1ff8, 0), 0); /* beyond */
	assert_int_equal(pci_msix_init(&dev, PCI_MSIX_MAX + 1, 4, 0, 0x1000), 0);
}

static void test_msi(void **state)
{
	u8 df = dev.devfn, at = pci_msi_init(&dev, 4);

	(void)state;
	assert_int_not_equal(at, 0);
	assert_int_equal(cfg_rd(df, at + 2, 2), 0x0184); /* PVM, 64-bit, 4 vectors */
	cfg_wr(df, at + 4, 4, 0xfee00003);
	cfg_wr(df, at + 8, 4, 0);
	cfg_wr(df, at + 0xc, 2, 0x4050);
	assert_int_equal(cfg_rd(df, at + 4, 4), 0xfee00000);
	pci_msi_notify(&dev, 0);
	assert_int_equal(nmsis, 0); /* disabled */
	cfg_wr(df, at + 2, 2, 0x0021); /* enable, 4 messages */
	pci_msi_notify(&dev, 3);
	assert_int_equal(nmsis, 1);
	assert_int_equal(msis[0].data, 0x4053);
	assert_int_equal(msis[0].addr, 0xfee00000);
	cfg_wr(df, at + 0x10, 4, 0xffffffff); /* mask: only 4 bits exist */
	assert_int_equal(cfg_rd(df, at + 0x10, 4), 0xf);
	pci_msi_notify(&dev, 1);
	assert_int_equal(nmsis, 1);
	assert_int_equal(cfg_rd(df, at + 0x14, 4), 2);
	cfg_wr(df, at + 0x10, 4, 0xd);
	assert_int_equal(nmsis, 2);
	assert_int_equal(msis[1].data, 0x4051);
	assert_int_equal(cfg_rd(df, at + 0x14, 4), 0);
	cfg_wr(df, at + 2, 2, 0x0051); /* 32 enabled, 4 capable: 4 count */
	pci_msi_notify(&dev, 5);
	assert_int_equal(nmsis, 2);
	pci_msi_notify(&dev, 1); /* unmasked */
	assert_int_equal(nmsis, 3);
	assert_int_equal(msis[2].data, 0x4051);
	cfg_wr(df, at + 2, 2, 0x0001); /* one message: vector 1 does not exist */
	pci_msi_notify(&dev, 1);
	assert_int_equal(nmsis, 3);
}

static void test_intx(void **state)
{
	u8 df = dev.devfn;

	(void)state;
	assert_int_equal(dev.gsi, 17);
	make_dev(&dev2);
	dev2.irq_pin = 4; /* slot 2 INTD -> GSI 16 + (2 + 3) = 21 */
	assert_true(pci_register(&pb, &dev2, PCI_DEVFN_ANY));
	assert_int_equal(dev2.gsi, 21);
	pci_set_intx(&dev, true);
	assert_false(gsi_level[17]); /* active low */
	assert_int_not_equal(cfg_rd(df, 6, 2) & PCI_STS_INTX, 0);
	cfg_wr(df, 4, 2, PCI_CMD_MEM | PCI_CMD_INTX_DISABLE);
	assert_true(gsi_level[17]);
	assert_int_not_equal(cfg_rd(df, 6, 2) & PCI_STS_INTX, 0); /* still pending */
	cfg_wr(df, 4, 2, PCI_CMD_MEM);
	assert_false(gsi_level[17]);
	pci_set_intx(&dev, false);
	assert_true(gsi_level[17]);
	assert_int_equal(cfg_rd(df, 6, 2) & PCI_STS_INTX, 0);
	/* MSI enabled: INTx is not used */
	{
		u8 at = pci_msi_init(&dev, 1);

		pci_set_intx(&dev, true);
		assert_false(gsi_level[17]);
		cfg_wr(df, at + 2, 2, 1);
		assert_true(gsi_level[17]);
	}
}

static void test_shared_line(void **state)
{
	(void)state;
	make_dev(&dev2);
	dev2.irq_pin = 1;
	assert_true(pci_register(&pb, &dev2, PCI_DEVFN(9, 0))); /* 9 + 0 = 17 mod 8 */
	assert_int_equal(dev2.gsi, 17);
	pci_set_intx(&dev, true);
	pci_set_intx(&dev2, true);
	pci_set_intx(&dev, false);
	assert_false(gsi_level[17]); /* dev2 still holds it low */
	pci_set_intx(&dev2, false);
	assert_true(gsi_level[17]);
}

static void test_register_errors(void **state)
{
	(void)state;
	make_dev(&dev2);
	assert_false(pci_register(&pb, &dev2, PCI_DEVFN(1, 0))); /* taken */
	assert_false(pci_register(&pb, &dev2, PCI_DEVFN(3, 2))); /* no function 0 */
	dev2.bar[0].size = 0x1800;
	assert_false(pci_register(&pb, &dev2, PCI_DEVFN_ANY)); /* not a power of two */
	make_dev(&dev2);
	dev2.bar[3].size = 512;
	assert_false(pci_register(&pb, &dev2, PCI_DEVFN_ANY)); /* I/O too big */
	make_dev(&dev2);
	dev2.bar[2].kind = PCI_BAR_IO;
	assert_false(pci_register(&pb, &dev2, PCI_DEVFN_ANY)); /* inside a 64-bit pair */
	make_dev(&dev2);
	dev2.bar[5] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = 0x1000 };
	assert_false(pci_register(&pb, &dev2, PCI_DEVFN_ANY)); /* BAR5 cannot be 64-bit */
	make_dev(&dev2);
	dev2.bar[0].size = 1ULL << 30;
	assert_false(pci_register(&pb, &dev2, PCI_DEVFN_ANY)); /* the hole is full */
	make_dev(&dev2);
	assert_true(pci_register(&pb, &dev2, PCI_DEVFN(1, 1))); /* a second function */
	assert_int_equal(cfg_rd(PCI_DEVFN(1, 0), 0x0e, 1), 0x80); /* multi-function */
}

static int reset_calls;
static void dev_reset(void *ctx)
{
	assert_ptr_equal(ctx, &dev);
	reset_calls++;
}

static void test_reset(void **state)
{
	u8 df = dev.devfn, at = msix_setup();
	u32 bar0 = cfg_rd(df, 0x10, 4);

	(void)state;
	dev.reset = dev_reset;
	cfg_wr(df, 0x10, 4, 0xd0000000);
	cfg_wr(df, 4, 2, PCI_CMD_MASTER);
	cfg_wr(df, at + 2, 2, 0x8000);
	msix_entry(0, 0xfee00000, 0x30, 0);
	pci_set_intx(&dev, true);
	out(0xcf8, 4, 0x80000800);
	pci_bus_reset(&pb);
	assert_int_equal(reset_calls, 1);
	assert_int_equal(in(0xcf8, 4), 0);
	assert_int_equal(cfg_rd(df, 0x10, 4), bar0);
	assert_int_equal(cfg_rd(df, 4, 2), PCI_CMD_IO | PCI_CMD_MEM);
	assert_int_equal(cfg_rd(df, at + 2, 2), 3);
	assert_int_equal(mrd(dev.bar[4].addr + 12, 4), 1);
	assert_true(gsi_level[17]);
}

/* ---- direct BARs (passthrough): stage-2 mappings follow the BAR ---- */

static struct { u64 gpa, hpa, size; bool map; } s2ops[16];
static unsigned ns2;

static bool s2_map(void *ctx, u64 gpa, u64 hpa, u64 size)
{
	(void)ctx;
	assert_true(ns2 < 16);
	s2ops[ns2++] = (typeof(s2ops[0])){ gpa, hpa, size, true };
	return true;
}

static void s2_unmap(void *ctx, u64 gpa, u64 size)
{
	(void)ctx;
	assert_true(ns2 < 16);
	s2ops[ns2++] = (typeof(s2ops[0])){ gpa, 0, size, false };
}

static void expect_op(unsigned i, bool map, u64 gpa, u64 hpa, u64 size)
{
	assert_true(i < ns2);
	assert_int_equal(s2ops[i].map, map);
	assert_int_equal(s2ops[i].gpa, gpa);
	assert_int_equal(s2ops[i].size, size);
	if (map)
		assert_int_equal(s2ops[i].hpa, hpa);
}

static void test_direct_bar(void **state)
{
	struct pci_map_hooks hooks = { s2_map, s2_unmap, NULL };
	const u64 host = 0xfe000000;
	u8 df;
	u64 at;

	(void)state;
	ns2 = 0;
	pci_bus_set_map_hooks(&pb, &hooks);
	make_dev(&dev2);
	dev2.bar[0].direct = host;
	assert_true(pci_register(&pb, &dev2, PCI_DEVFN_ANY));
	df = dev2.devfn;
	at = dev2.bar[0].addr;
	/* mapped where the bus placed it; the other BARs stay trapped */
	assert_int_equal(ns2, 1);
	expect_op(0, true, at, host, 0x1000);
	assert_int_equal(dev2.bar[0].mapped, at);
	/* the guest moves it: old mapping gone, new one made */
	cfg_wr(df, 0x10, 4, 0xd0000000);
	assert_int_equal(ns2, 3);
	expect_op(1, false, at, 0, 0x1000);
	expect_op(2, true, 0xd0000000, host, 0x1000);
	/* memory decode off: unmapped (an access now exits and is forwarded) */
	cfg_wr(df, 4, 2, PCI_CMD_IO);
	assert_int_equal(ns2, 4);
	expect_op(3, false, 0xd0000000, 0, 0x1000);
	assert_int_equal(dev2.bar[0].mapped, 0);
	cfg_wr(df, 0x10, 4, 0xd0001000); /* moved while off: nothing mapped */
	assert_int_equal(ns2, 4);
	cfg_wr(df, 4, 2, PCI_CMD_IO | PCI_CMD_MEM);
	assert_int_equal(ns2, 5);
	expect_op(4, true, 0xd0001000, host, 0x1000);
	/* the same value again changes nothing */
	cfg_wr(df, 4, 2, PCI_CMD_IO | PCI_CMD_MEM);
	assert_int_equal(ns2, 5);
	/* outside the hole (sizing writes all-ones): not mapped */
	cfg_wr(df, 0x10, 4, 0xffffffff);
	assert_int_equal(ns2, 6);
	expect_op(5, false, 0xd0001000, 0, 0x1000);
	assert_int_equal(dev2.bar[0].mapped, 0);
	/* reset: back at its placement, mapped there */
	pci_bus_reset(&pb);
	assert_int_equal(ns2, 7);
	expect_op(6, true, at, host, 0x1000);
}

/* A direct BAR holding the MSI-X table and PBA: their pages stay trapped
 * (the bus emulates them), the rest is mapped around them. */
static void test_direct_bar_msix(void **state)
{
	struct pci_map_hooks hooks = { s2_map, s2_unmap, NULL };
	const u64 host = 0xfe100000;
	u64 at;

	(void)state;
	ns2 = 0;
	pci_bus_set_map_hooks(&pb, &hooks);
	make_dev(&dev2);
	dev2.bar[4].size = 0x8000;
	dev2.bar[4].direct = host;
	assert_true(pci_register(&pb, &dev2, PCI_DEVFN_ANY));
	at = dev2.bar[4].addr;
	assert_int_equal(ns2, 1);
	expect_op(0, true, at, host, 0x8000);
	/* table at 0x2000 (4 vectors), PBA at 0x5008 */
	assert_true(pci_msix_init(&dev2, 4, 4, 0x2000, 0x5008) != 0);
	assert_int_equal(ns2, 5);
	expect_op(1, false, at, 0, 0x8000);
	expect_op(2, true, at, host, 0x2000);
	expect_op(3, true, at + 0x3000, host + 0x3000, 0x2000);
	expect_op(4, true, at + 0x6000, host + 0x6000, 0x2000);
	/* the table is the bus's: a write lands in the emulated entry */
	mwr(at + 0x2000 + 8, 4, 0x31);
	assert_int_equal(dev2.msix[0].data, 0x31);
	/* PBA first in the BAR, table last */
	make_dev(&dev2);
	dev2.bar[4].size = 0x4000;
	dev2.bar[4].direct = host;
	ns2 = 0;
	pb.dev[dev2.devfn] = NULL;
	assert_true(pci_register(&pb, &dev2, PCI_DEVFN_ANY));
	at = dev2.bar[4].addr;
	assert_true(pci_msix_init(&dev2, 2, 4, 0x3000, 0x0) != 0);
	expect_op(1, false, at, 0, 0x4000);
	expect_op(2, true, at + 0x1000, host + 0x1000, 0x2000);
	assert_int_equal(ns2, 3);
}

/* The 64-bit window: big 64-bit BARs go there when the bus has one,
 * decode there, and may be moved inside it; without it they stay low. */
static void test_mmio64_window(void **state)
{
	u8 df;

	(void)state;
	make_dev(&dev2);
	dev2.bar[4] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = 1ULL << 30,
					.prefetchable = true, .read = bar_read, .write = bar_write,
					.ctx = &dev /* bar_read checks it */ };
	/* 1 GiB does not fit the 768 MiB hole: refused without the window */
	assert_false(pci_register(&pb, &dev2, PCI_DEVFN_ANY));
	assert_true(pci_bus_enable_mmio64(&pb, &mmio));
	assert_true(pci_register(&pb, &dev2, PCI_DEVFN_ANY));
	df = dev2.devfn;
	assert_int_equal(dev2.bar[4].addr, PCI_MMIO64_BASE);
	assert_int_equal(cfg_rd(df, 0x20, 4), (u32)PCI_MMIO64_BASE | 0xc);
	assert_int_equal(cfg_rd(df, 0x24, 4), (u32)(PCI_MMIO64_BASE >> 32));
	assert_true(dev2.bar[0].addr < PCI_MMIO_END); /* small ones stay low */
	bar_reads = 0;
	mrd(PCI_MMIO64_BASE + 0x1234, 4);
	assert_int_equal(bar_reads, 1);
	assert_int_equal(last_off, 0x1234);
	/* moved to the window's second GiB: decodes there, not at the old place */
	cfg_wr(df, 0x20, 4, (u32)(PCI_MMIO64_BASE + (1ULL << 30)));
	assert_true(pci_in_window(&pb, dev2.bar[4].addr, dev2.bar[4].size));
	mrd(PCI_MMIO64_BASE + (1ULL << 30) + 8, 4);
	assert_int_equal(bar_reads, 2);
	assert_int_equal(last_off, 8);
	assert_int_equal(mrd(PCI_MMIO64_BASE + 8, 4), 0xffffffff);
	assert_int_equal(bar_reads, 2);
	/* outside both windows */
	assert_false(pci_in_window(&pb, PCI_MMIO64_END - 0x1000, 0x2000));
	assert_false(pci_in_window(&pb, 0x100000000ULL, 0x1000));
	assert_true(pci_in_window(&pb, PCI_MMIO_END - 0x1000, 0x1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_host_bridge, setup),
		cmocka_unit_test_setup(test_cf8_decode, setup),
		cmocka_unit_test_setup(test_ecam, setup),
		cmocka_unit_test_setup(test_bar_placement, setup),
		cmocka_unit_test_setup(test_bar_sizing, setup),
		cmocka_unit_test_setup(test_read_only, setup),
		cmocka_unit_test_setup(test_decode_gated, setup),
		cmocka_unit_test_setup(test_cap_walk, setup),
		cmocka_unit_test_setup(test_msix, setup),
		cmocka_unit_test_setup(test_msix_bad_layout, setup),
		cmocka_unit_test_setup(test_msi, setup),
		cmocka_unit_test_setup(test_intx, setup),
		cmocka_unit_test_setup(test_shared_line, setup),
		cmocka_unit_test_setup(test_register_errors, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_direct_bar, setup),
		cmocka_unit_test_setup(test_direct_bar_msix, setup),
		cmocka_unit_test_setup(test_mmio64_window, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
