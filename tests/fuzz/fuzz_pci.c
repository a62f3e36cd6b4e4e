// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the virtual PCI bus (vmm/pci/). Regions (devfuzz.h):
 * 0 the ports 0xCF8-0xCFF (CONFIG_ADDRESS/CONFIG_DATA and the 0xCF9
 * pass-through), 1 the I/O BAR window, 2 the ECAM window (bus 0, so
 * devices 0-15 are within the 16-bit offsets), 3 the first 64 KiB of the
 * MMIO hole, where the test device's BARs start; config-space accesses
 * through both paths interleave with BAR accesses that the guest may have
 * moved or disabled. The device has a 32-bit, a 64-bit, an I/O and an
 * MSI-X BAR, a vendor capability with a write mask, MSI (4 vectors),
 * MSI-X (8 vectors) and config hooks. Events (arg % 4): INTx level, MSI-X
 * vector, MSI vector, bus reset. After each input the invariants of the
 * bus are checked: BARs aligned to their size, pending bits within the
 * vectors, the header's read-only IDs unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/devfuzz.h"
#include "vmm/pci/pci.h"

static struct bus pio, mmio;
static struct pci_bus pb;
static struct pci_dev dev;
static u32 hook_reg;

static u64 bar_rd(void *ctx, u64 off, unsigned size)
{
	(void)ctx, (void)size;
	return off * 0x01010101u;
}

static void bar_wr(void *ctx, u64 off, unsigned size, u64 val)
{
	(void)ctx, (void)off, (void)size, (void)val;
}

static void on_gsi(void *ctx, unsigned gsi, bool level)
{
	(void)ctx, (void)level;
	if (gsi < PCI_GSI_BASE || gsi >= PCI_GSI_BASE + PCI_GSIS)
		abort();
}

static void on_msi(void *ctx, u64 addr, u32 data)
{
	(void)ctx, (void)addr, (void)data;
}

static u64 cf9_rd(void *ctx, u64 off, unsigned size)
{
	(void)ctx, (void)off, (void)size;
	return 0;
}

static void cf9_wr(void *ctx, u64 off, unsigned size, u64 val)
{
	(void)ctx, (void)off, (void)size, (void)val;
}

/* A device-specific register at 0xa0 served by the hooks. */
static bool hook_read(struct pci_dev *d, unsigned off, unsigned size, u32 *val)
{
	(void)d;
	if (off < 0xa0 || off + size > 0xa4)
		return false;
	*val = hook_reg >> ((off - 0xa0) * 8);
	return true;
}

static bool hook_write(struct pci_dev *d, unsigned off, unsigned size, u32 val)
{
	(void)d, (void)size;
	if (off < 0xa0 || off >= 0xa4)
		return false;
	hook_reg = val;
	return true;
}

/* Direct BARs: every mapping lies in the hole, page aligned, inside the
 * BAR's host range, and nothing is mapped twice without an unmap between
 * (a map over a live mapping would be a stage-2 bug). */
#define DIRECT_HOST 0xfe000000ull
static u64 live[2][2]; /* up to two mapped pieces of BAR 4 (MSI-X pages cut out) */

static bool on_map(void *ctx, u64 gpa, u64 hpa, u64 size)
{
	(void)ctx;
	if (gpa < PCI_MMIO_BASE || gpa + size > PCI_MMIO_END || (gpa | hpa | size) & 0xfff ||
	    hpa < DIRECT_HOST || hpa + size > DIRECT_HOST + 0x4000)
		abort();
	for (unsigned i = 0; i < 2; i++)
		if (!live[i][1]) {
			live[i][0] = gpa;
			live[i][1] = size;
			return true;
		}
	abort(); /* more pieces than the BAR can have */
}

static void on_unmap(void *ctx, u64 gpa, u64 size)
{
	(void)ctx;
	for (unsigned i = 0; i < 2; i++)
		if (live[i][1] && live[i][0] >= gpa && live[i][0] + live[i][1] <= gpa + size)
			live[i][1] = 0;
}

static void setup(void)
{
	static const struct pci_irq_hooks irq = { on_gsi, on_msi, NULL };
	static const struct pci_map_hooks maps = { on_map, on_unmap, NULL };
	static const u8 vend[8] = { 0, 0, 8, 1, 2, 3, 4, 5 }, wm[4] = { 0xff, 0x0f, 0, 0xff };

	memset(&pio, 0, sizeof(pio));
	memset(&mmio, 0, sizeof(mmio));
	if (!pci_bus_init(&pb, &irq, &pio, &mmio, cf9_rd, cf9_wr, NULL))
		abort();
	memset(&dev, 0, sizeof(dev));
	dev = (struct pci_dev){ .name = "fuzz", .vendor_id = 0x1af4, .device_id = 0x1041,
				.class_code = 0x020000, .irq_pin = 1, .ctx = &dev,
				.cfg_read = hook_read, .cfg_write = hook_write };
	memset(live, 0, sizeof(live));
	pci_bus_set_map_hooks(&pb, &maps);
	dev.bar[0] = (struct pci_bar){ .kind = PCI_BAR_MEM32, .size = 0x1000, .read = bar_rd,
				       .write = bar_wr };
	dev.bar[1] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = 0x4000, .prefetchable = true,
				       .read = bar_rd, .write = bar_wr };
	dev.bar[3] = (struct pci_bar){ .kind = PCI_BAR_IO, .size = 64, .read = bar_rd,
				       .write = bar_wr };
	/* a passed-through BAR: direct, its MSI-X table and PBA pages cut out */
	dev.bar[4] = (struct pci_bar){ .kind = PCI_BAR_MEM32, .size = 0x4000, .read = bar_rd,
				       .write = bar_wr, .direct = DIRECT_HOST };
	if (!pci_register(&pb, &dev, PCI_DEVFN_ANY) ||
	    !pci_add_cap(&dev, PCI_CAP_VENDOR, vend, sizeof(vend)) ||
	    !pci_msi_init(&dev, 4) || !pci_msix_init(&dev, 8, 4, 0x1000, 0x3000))
		abort();
	pci_set_wmask(&dev, 0x44, wm, sizeof(wm));
	hook_reg = 0;
}

static void on_event(u8 arg, u64 val)
{
	switch (arg & 3) {
	case 0:
		pci_set_intx(&dev, val & 1);
		break;
	case 1:
		pci_msix_notify(&dev, (unsigned)(val & 0xff));
		break;
	case 2:
		pci_msi_notify(&dev, (unsigned)(val & 0xff));
		break;
	default:
		pci_bus_reset(&pb);
		break;
	}
}

static void check_invariants(void)
{
	for (unsigned i = 0; i < PCI_BARS; i++)
		if (dev.bar[i].kind && (dev.bar[i].addr & (dev.bar[i].size - 1)))
			abort();
	if (dev.msix_pending >> dev.msix_n || dev.msi_pending >> 4)
		abort();
	if (pci_cfg_read(&pb, 0, dev.devfn, 0, 4) != 0x10411af4 ||
	    pci_cfg_read(&pb, 0, 0, 0, 4) != 0x29c08086)
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ PCI_CF8_LEN, pci_cf8_read, pci_cf8_write, &pb, "cf8" },
		{ PCI_IO_END - PCI_IO_BASE, pci_io_read, pci_io_write, &pb, "pci-io" },
		{ PCI_ECAM_SIZE, pci_ecam_read, pci_ecam_write, &pb, "ecam" },
		{ 0x10000, pci_hole_read, pci_hole_write, &pb.hole, "hole" },
	};
	static const struct devfuzz d = { r, 4, NULL, on_event };

	setup();
	devfuzz_run(&d, data, size);
	check_invariants();
	return 0;
}
