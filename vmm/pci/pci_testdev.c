// SPDX-License-Identifier: MIT
/*
 * The PCI test device (pci_testdev.h): a device model like any other on
 * the virtual PCI bus, knowing only its registers; the bus places it and
 * runs its capabilities, MSI-X table included.
 */
#include "kernel/string.h"
#include "vmm/pci/pci_testdev.h"

#define REG_MAGIC 0x00
#define REG_SCRATCH 0x04
#define REG_DOORBELL 0x08
#define REG_INTX 0x0c
#define MSIX_VECTORS 4
#define MSIX_PBA 0x800

static u64 regs_read(void *ctx, u64 off, unsigned size)
{
	struct pci_testdev *t = ctx;
	u32 v;

	(void)size;
	switch (off & ~3ULL) {
	case REG_MAGIC: v = PCI_TESTDEV_MAGIC; break;
	case REG_SCRATCH: v = t->scratch; break;
	case REG_DOORBELL: v = t->doorbells; break;
	case REG_INTX: v = t->intx; break;
	default: return 0;
	}
	return v >> ((off & 3) * 8);
}

static void doorbell(struct pci_testdev *t, u32 vec)
{
	t->doorbells++;
	if (pci_msix_enabled(&t->pci))
		pci_msix_notify(&t->pci, vec);
	else if (pci_msi_enabled(&t->pci))
		pci_msi_notify(&t->pci, vec);
}

static void regs_write(void *ctx, u64 off, unsigned size, u64 val)
{
	struct pci_testdev *t = ctx;

	if (size != 4)
		return; /* dword registers */
	if (off == REG_SCRATCH) {
		t->scratch = (u32)val;
	} else if (off == REG_DOORBELL) {
		doorbell(t, (u32)val);
	} else if (off == REG_INTX) {
		t->intx = val & 1;
		pci_set_intx(&t->pci, t->intx);
	}
}

static u64 zero_read(void *ctx, u64 off, unsigned size)
{
	(void)ctx, (void)off, (void)size;
	return 0;
}

static u64 io_read(void *ctx, u64 off, unsigned size)
{
	struct pci_testdev *t = ctx;

	(void)size;
	return off < 4 ? t->io_scratch >> (off * 8) : 0;
}

static void io_write(void *ctx, u64 off, unsigned size, u64 val)
{
	struct pci_testdev *t = ctx;
	u32 m = (u32)((1ULL << (size * 8)) - 1);

	if (off + size <= 4)
		t->io_scratch = (t->io_scratch & ~(m << (off * 8))) | ((u32)val & m) << (off * 8);
}

static void testdev_reset(void *ctx)
{
	struct pci_testdev *t = ctx;

	t->scratch = t->io_scratch = t->doorbells = 0;
	t->intx = false;
}

bool pci_testdev_init(struct pci_testdev *t, struct pci_bus *bus)
{
	memset(t, 0, sizeof(*t));
	t->pci = (struct pci_dev){
		.name = "testdev", .vendor_id = PCI_TESTDEV_VENDOR,
		.device_id = PCI_TESTDEV_DEVICE, .subsys_vendor_id = PCI_TESTDEV_VENDOR,
		.subsys_id = PCI_TESTDEV_DEVICE, .class_code = 0xff0000, .irq_pin = 1,
		.ctx = t, .reset = testdev_reset,
	};
	t->pci.bar[0] = (struct pci_bar){ .kind = PCI_BAR_MEM32, .size = 0x1000,
					  .read = regs_read, .write = regs_write };
	t->pci.bar[1] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = 0x4000,
					  .read = zero_read };
	t->pci.bar[3] = (struct pci_bar){ .kind = PCI_BAR_IO, .size = 32, .read = io_read,
					  .write = io_write };
	/* a large 64-bit prefetchable BAR: in the 64-bit window where the bus
	 * has one (reads 0, like BAR1 outside its MSI-X structures) */
	t->pci.bar[4] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = PCI_TESTDEV_BIG_BAR,
					  .prefetchable = true, .read = zero_read };
	return pci_register(bus, &t->pci, PCI_DEVFN_ANY) && pci_msi_init(&t->pci, 1) &&
	       pci_msix_init(&t->pci, MSIX_VECTORS, 1, 0, MSIX_PBA);
}
