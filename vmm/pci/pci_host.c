// SPDX-License-Identifier: MIT
/*
 * The host side of the virtual PCI bus (pci.h): the host bridge at
 * 00:00.0, configuration mechanism #1 (PCI 3.0 §3.2.2.3.2: CONFIG_ADDRESS
 * at 0xCF8, dword only; CONFIG_DATA at 0xCFC-0xCFF, any width inside the
 * dword), the enhanced configuration access window (ECAM, PCIe 4.0
 * §7.2.2: bus << 20 | device << 15 | function << 12 | register), and the
 * two regions that decode BARs: the MMIO hole and the I/O window are
 * claimed whole on the VM's buses, and each access is matched against
 * the BARs as they are now, memory BARs only while their function's
 * Memory Space bit is set, I/O BARs only with I/O Space.
 */
#include "kernel/string.h"
#include "vmm/pci/pci.h"

#define CF8_ENABLE 0x80000000u
#define CF8_MASK 0x80fffffcu /* enable, bus, device, function, register */
#define CF8_RESET_OFF 1      /* 0xCF9: the PC's reset control register */

/* An Intel-like host bridge (the one QEMU's q35 shows): class 06/00. */
#define HOST_VENDOR 0x8086
#define HOST_DEVICE 0x29c0
#define HOST_CLASS 0x060000

bool pci_bus_init(struct pci_bus *b, const struct pci_irq_hooks *irq,
		  struct bus *pio, struct bus *mmio, bus_read_fn cf9_read,
		  bus_write_fn cf9_write, void *cf9_dev)
{
	memset(b, 0, sizeof(*b));
	b->irq = *irq;
	b->mmio_next = PCI_MMIO_BASE;
	b->io_next = PCI_IO_BASE;
	b->cf9_read = cf9_read;
	b->cf9_write = cf9_write;
	b->cf9_dev = cf9_dev;
	b->hole = (struct pci_window){ b, PCI_MMIO_BASE };
	b->host = (struct pci_dev){
		.name = "host-bridge", .vendor_id = HOST_VENDOR, .device_id = HOST_DEVICE,
		.subsys_vendor_id = HOST_VENDOR, .subsys_id = HOST_DEVICE,
		.class_code = HOST_CLASS,
	};
	return pci_register(b, &b->host, PCI_DEVFN(0, 0)) &&
	       bus_register(pio, PCI_CF8_PORT, PCI_CF8_LEN, pci_cf8_read, pci_cf8_write, b,
			    "pci-cf8") &&
	       bus_register(pio, PCI_IO_BASE, PCI_IO_END - PCI_IO_BASE, pci_io_read,
			    pci_io_write, b, "pci-io") &&
	       bus_register(mmio, PCI_ECAM_BASE, PCI_ECAM_SIZE, pci_ecam_read, pci_ecam_write,
			    b, "pci-ecam") &&
	       bus_register(mmio, PCI_MMIO_BASE, PCI_MMIO_END - PCI_MMIO_BASE, pci_hole_read,
			    pci_hole_write, &b->hole, "pci-mmio") &&
	       bus_set_decode(mmio, PCI_MMIO_BASE, pci_hole_decodes);
}

bool pci_bus_enable_mmio64(struct pci_bus *b, struct bus *mmio)
{
	b->mmio64_next = PCI_MMIO64_BASE;
	b->hole64 = (struct pci_window){ b, PCI_MMIO64_BASE };
	return bus_register(mmio, PCI_MMIO64_BASE, PCI_MMIO64_END - PCI_MMIO64_BASE,
			    pci_hole_read, pci_hole_write, &b->hole64, "pci-mmio64") &&
	       bus_set_decode(mmio, PCI_MMIO64_BASE, pci_hole_decodes);
}

bool pci_in_window(const struct pci_bus *b, u64 addr, u64 size)
{
	if (addr >= PCI_MMIO_BASE && addr < PCI_MMIO_END)
		return size <= PCI_MMIO_END - addr;
	return b->mmio64_next && addr >= PCI_MMIO64_BASE && addr < PCI_MMIO64_END &&
	       size <= PCI_MMIO64_END - addr;
}

/* The config dword CONFIG_ADDRESS selects, or false when disabled. */
static bool cf8_target(struct pci_bus *b, u8 *bus_nr, u8 *devfn, unsigned *reg)
{
	u32 a = __atomic_load_n(&b->cf8, __ATOMIC_RELAXED);

	*bus_nr = (u8)(a >> 16);
	*devfn = (u8)(a >> 8);
	*reg = a & 0xfc;
	return a & CF8_ENABLE;
}

u64 pci_cf8_read(void *dev, u64 off, unsigned size)
{
	struct pci_bus *b = dev;
	unsigned reg;
	u8 bus_nr, devfn;

	if (off >= 4) { /* CONFIG_DATA: bytes @off-4 .. of the selected dword */
		if (!cf8_target(b, &bus_nr, &devfn, &reg) || (off - 4) + size > 4)
			return bus_all_ones(size);
		return pci_cfg_read(b, bus_nr, devfn, reg + (unsigned)(off - 4), size);
	}
	if (off == 0 && size == 4)
		return __atomic_load_n(&b->cf8, __ATOMIC_RELAXED);
	if (off == CF8_RESET_OFF && size == 1 && b->cf9_read)
		return b->cf9_read(b->cf9_dev, 0, 1);
	return bus_all_ones(size); /* not CONFIG_ADDRESS: an ordinary, empty port */
}

void pci_cf8_write(void *dev, u64 off, unsigned size, u64 val)
{
	struct pci_bus *b = dev;
	unsigned reg;
	u8 bus_nr, devfn;

	if (off >= 4) {
		if (cf8_target(b, &bus_nr, &devfn, &reg) && (off - 4) + size <= 4)
			pci_cfg_write(b, bus_nr, devfn, reg + (unsigned)(off - 4), size, (u32)val);
		return;
	}
	if (off == 0 && size == 4)
		__atomic_store_n(&b->cf8, (u32)val & CF8_MASK, __ATOMIC_RELAXED);
	else if (off == CF8_RESET_OFF && size == 1 && b->cf9_write)
		b->cf9_write(b->cf9_dev, 0, 1, val);
}

/* ECAM: an access inside one config dword; wider ones (a QWORD MOV)
 * are outside what PCIe defines: all-ones, dropped. */
u64 pci_ecam_read(void *dev, u64 off, unsigned size)
{
	if (size > 4)
		return bus_all_ones(size);
	return pci_cfg_read(dev, (u8)(off >> 20), (u8)(off >> 12), (unsigned)(off & 0xfff), size);
}

void pci_ecam_write(void *dev, u64 off, unsigned size, u64 val)
{
	if (size <= 4)
		pci_cfg_write(dev, (u8)(off >> 20), (u8)(off >> 12), (unsigned)(off & 0xfff), size,
			      (u32)val);
}

/* What serves an access found by bar_lookup(). */
struct bar_hit {
	struct pci_dev *d;
	unsigned bar;
	u64 off;
};

static bool bar_decodes(struct pci_dev *d, unsigned i, bool io, u64 addr, unsigned size)
{
	const struct pci_bar *r = &d->bar[i];
	u16 cmd = pci_command(d);

	if (io ? r->kind != PCI_BAR_IO || !(cmd & PCI_CMD_IO) :
	    (r->kind != PCI_BAR_MEM32 && r->kind != PCI_BAR_MEM64) || !(cmd & PCI_CMD_MEM))
		return false;
	return addr >= r->addr && addr - r->addr < r->size && size <= r->size - (addr - r->addr);
}

/* The enabled BAR holding all of [addr, addr + size), under bus->lock. */
static bool bar_lookup(struct pci_bus *b, bool io, u64 addr, unsigned size, struct bar_hit *h)
{
	for (unsigned n = 0; n < PCI_SLOTS * PCI_FUNCS; n++) {
		struct pci_dev *d = b->dev[n];

		for (unsigned i = 0; d && i < PCI_BARS; i++) {
			if (bar_decodes(d, i, io, addr, size)) {
				*h = (struct bar_hit){ d, i, addr - d->bar[i].addr };
				return true;
			}
		}
	}
	return false;
}

/* One BAR access: the MSI-X table and PBA are the bus's; the rest goes to
 * the model's callback, called without bus->lock. */
static bool bar_access(struct pci_bus *b, bool io, u64 addr, unsigned size, bool write,
		       u64 *val)
{
	u64 f = spin_lock_irqsave(&b->lock);
	struct bar_hit h;
	bus_read_fn rd = NULL;
	bus_write_fn wr = NULL;
	void *ctx = NULL;
	bool found = bar_lookup(b, io, addr, size, &h);

	if (found && pci_msix_bar_access(h.d, h.bar, h.off, size, write, val)) {
		spin_unlock_irqrestore(&b->lock, f);
		return true;
	}
	if (found) {
		rd = h.d->bar[h.bar].read;
		wr = h.d->bar[h.bar].write;
		ctx = h.d->bar[h.bar].ctx ? h.d->bar[h.bar].ctx : h.d->ctx;
	}
	spin_unlock_irqrestore(&b->lock, f);
	if (!found)
		return false;
	if (write && wr)
		wr(ctx, h.off, size, *val);
	else if (!write)
		*val = rd ? rd(ctx, h.off, size) : bus_all_ones(size);
	return true;
}

/* An enabled memory BAR holds [off, off + size) of the window @dev (a
 * struct pci_window): else the access is a master abort, unclaimed like
 * any address nobody has. */
bool pci_hole_decodes(void *dev, u64 off, unsigned size)
{
	struct pci_window *w = dev;
	u64 f = spin_lock_irqsave(&w->bus->lock);
	struct bar_hit h;
	bool found = bar_lookup(w->bus, false, w->base + off, size, &h);

	spin_unlock_irqrestore(&w->bus->lock, f);
	return found;
}

u64 pci_hole_read(void *dev, u64 off, unsigned size)
{
	struct pci_window *w = dev;
	u64 v = bus_all_ones(size);

	bar_access(w->bus, false, w->base + off, size, false, &v);
	return v;
}

void pci_hole_write(void *dev, u64 off, unsigned size, u64 val)
{
	struct pci_window *w = dev;

	bar_access(w->bus, false, w->base + off, size, true, &val);
}

u64 pci_io_read(void *dev, u64 off, unsigned size)
{
	u64 v = bus_all_ones(size);

	bar_access(dev, true, PCI_IO_BASE + off, size, false, &v);
	return v;
}

void pci_io_write(void *dev, u64 off, unsigned size, u64 val)
{
	bar_access(dev, true, PCI_IO_BASE + off, size, true, &val);
}
