// SPDX-License-Identifier: MIT
/*
 * MSI and MSI-X of the virtual PCI bus (pci.h; PCI 3.0 §6.8). MSI: the
 * 64-bit capability with per-vector masking (§6.8.1): control, address,
 * data, mask and pending bits all in config space. MSI-X (§6.8.2): the
 * capability (table size, function mask, enable) in config space, the
 * table (address, data, vector control per entry) and the pending bit
 * array in a memory BAR of the device, served here ahead of the model's
 * own BAR callbacks. A masked vector's message waits as a pending bit and
 * goes out when it is unmasked; a message is an (address, data) write
 * handed to the bus's msi hook, which decodes it for the local APICs
 * (vm_msi(), SDM Vol. 3A §11.11). Everything here runs under bus->lock.
 */
#include "kernel/string.h"
#include "vmm/pci/pci.h"

/* MSI capability layout, 64-bit with per-vector masking (§6.8.1). */
#define MSI_CTRL 2
#define MSI_ADDR_LO 4
#define MSI_ADDR_HI 8
#define MSI_DATA 0xc
#define MSI_MASK 0x10
#define MSI_PENDING 0x14
#define MSI_CTRL_ENABLE 0x0001
#define MSI_CTRL_64BIT 0x0080
#define MSI_CTRL_PVM 0x0100
#define MSI_MAX 32

/* MSI-X capability layout (§6.8.2). */
#define MSIX_CTRL 2
#define MSIX_TABLE 4
#define MSIX_PBA 8
#define MSIX_CTRL_MASKALL 0x4000
#define MSIX_CTRL_ENABLE 0x8000
#define MSIX_ENTRY 16
#define MSIX_VEC_MASKED 0x1 /* vector control bit 0; bits 31:1 reserved */

static u32 cfg32(const struct pci_dev *d, unsigned off)
{
	u32 v;

	memcpy(&v, &d->cfg[off], 4);
	return v;
}

static u16 cfg16(const struct pci_dev *d, unsigned off)
{
	return (u16)(d->cfg[off] | d->cfg[off + 1] << 8);
}

bool pci_msi_enabled(struct pci_dev *d)
{
	return d->msi_cap && (cfg16(d, d->msi_cap + MSI_CTRL) & MSI_CTRL_ENABLE);
}

bool pci_msix_enabled(struct pci_dev *d)
{
	return d->msix_cap && (cfg16(d, d->msix_cap + MSIX_CTRL) & MSIX_CTRL_ENABLE);
}

static unsigned log2_of(unsigned n)
{
	unsigned l = 0;

	while ((1u << l) < n)
		l++;
	return l;
}

u8 pci_msi_init(struct pci_dev *d, unsigned nvec)
{
	u8 cap[PCI_MSI_CAP_LEN] = { 0 }, wm[PCI_MSI_CAP_LEN] = { 0 };
	unsigned l = log2_of(nvec);
	u16 ctrl = (u16)(MSI_CTRL_64BIT | MSI_CTRL_PVM | l << 1);
	u32 mask = nvec >= MSI_MAX ? ~0u : (1u << nvec) - 1;
	u8 at;

	if (!nvec || nvec > MSI_MAX || (nvec & (nvec - 1)) || d->msi_cap)
		return 0;
	memcpy(&cap[MSI_CTRL], &ctrl, 2);
	at = pci_add_cap(d, PCI_CAP_MSI, cap, sizeof(cap));
	if (!at)
		return 0;
	wm[MSI_CTRL] = 0x71; /* enable, multiple message enable (6:4) */
	memset(&wm[MSI_ADDR_LO], 0xff, 8);
	wm[MSI_ADDR_LO] = 0xfc; /* dword aligned */
	memset(&wm[MSI_DATA], 0xff, 2);
	memcpy(&wm[MSI_MASK], &mask, 4);
	pci_set_wmask(d, at, wm, sizeof(wm));
	d->msi_cap = at;
	return at;
}

u8 pci_msix_init(struct pci_dev *d, unsigned nvec, unsigned bar, u32 table_off, u32 pba_off)
{
	u8 cap[PCI_MSIX_CAP_LEN] = { 0 }, wm[PCI_MSIX_CAP_LEN] = { 0 };
	const struct pci_bar *b = bar < PCI_BARS ? &d->bar[bar] : NULL;
	u64 tend = table_off + (u64)nvec * MSIX_ENTRY, pend = pba_off + 8ULL;
	u16 ctrl = (u16)(nvec - 1);
	u32 t = table_off | bar, p = pba_off | bar;
	u8 at;

	if (!nvec || nvec > PCI_MSIX_MAX || !b || d->msix_cap ||
	    (b->kind != PCI_BAR_MEM32 && b->kind != PCI_BAR_MEM64) ||
	    (table_off & 7) || (pba_off & 7) || tend > b->size || pend > b->size ||
	    (pba_off < tend && table_off < pend))
		return 0;
	memcpy(&cap[MSIX_CTRL], &ctrl, 2);
	memcpy(&cap[MSIX_TABLE], &t, 4);
	memcpy(&cap[MSIX_PBA], &p, 4);
	at = pci_add_cap(d, PCI_CAP_MSIX, cap, sizeof(cap));
	if (!at)
		return 0;
	wm[MSIX_CTRL + 1] = (MSIX_CTRL_MASKALL | MSIX_CTRL_ENABLE) >> 8;
	pci_set_wmask(d, at, wm, sizeof(wm));
	d->msix_cap = at;
	d->msix_n = (u16)nvec;
	d->msix_bar = (u8)bar;
	d->msix_table = table_off;
	d->msix_pba = pba_off;
	pci_msi_reset(d);
	if (d->bar[bar].direct && d->bus)
		pci_direct_refresh(d); /* the table's pages leave the direct mapping */
	return at;
}

void pci_msi_reset(struct pci_dev *d)
{
	memset(d->msix, 0, sizeof(d->msix));
	for (unsigned i = 0; i < PCI_MSIX_MAX; i++)
		d->msix[i].ctrl = MSIX_VEC_MASKED; /* §6.8.2.9: masked at reset */
	d->msix_pending = 0;
	d->msi_pending = 0;
}

static void send(struct pci_dev *d, u64 addr, u32 data)
{
	if (d->bus && d->bus->irq.msi)
		d->bus->irq.msi(d->bus->irq.ctx, addr, data);
}

/* MSI vector @vec: its message, or a pending bit while masked. */
static void msi_fire(struct pci_dev *d, unsigned vec)
{
	u16 ctrl = cfg16(d, d->msi_cap + MSI_CTRL);
	/* enabled vectors: Multiple Message Enable, at most what is capable */
	unsigned c = d->msi_cap, n = 1u << MIN((ctrl >> 4) & 7u, (ctrl >> 1) & 7u);
	u64 addr = cfg32(d, c + MSI_ADDR_LO) | (u64)cfg32(d, c + MSI_ADDR_HI) << 32;
	u32 data = cfg16(d, c + MSI_DATA);

	if (!pci_msi_enabled(d) || vec >= n)
		return;
	if (cfg32(d, c + MSI_MASK) & (1u << vec)) {
		d->msi_pending |= 1u << vec;
	} else {
		d->msi_pending &= ~(1u << vec);
		send(d, addr, (data & ~(n - 1)) | vec); /* §6.8.1.6: low data bits */
	}
	memcpy(&d->cfg[c + MSI_PENDING], &d->msi_pending, 4);
}

static bool msix_masked(const struct pci_dev *d, unsigned vec)
{
	return (cfg16(d, d->msix_cap + MSIX_CTRL) & MSIX_CTRL_MASKALL) ||
	       (d->msix[vec].ctrl & MSIX_VEC_MASKED);
}

static void msix_fire(struct pci_dev *d, unsigned vec)
{
	const struct pci_msix_entry *e;

	if (!pci_msix_enabled(d) || vec >= d->msix_n) /* a model's bad vector */
		return;
	if (msix_masked(d, vec)) {
		d->msix_pending |= 1u << vec;
		return;
	}
	e = &d->msix[vec];
	d->msix_pending &= ~(1u << vec);
	send(d, e->addr_lo | (u64)e->addr_hi << 32, e->data);
}

/* Deliver what waited for an unmask (§6.8.2.9, §6.8.1.3). */
static void flush_pending(struct pci_dev *d)
{
	for (unsigned v = 0; v < d->msix_n; v++)
		if ((d->msix_pending & (1u << v)) && pci_msix_enabled(d) && !msix_masked(d, v))
			msix_fire(d, v);
	for (unsigned v = 0; v < MSI_MAX && d->msi_cap; v++)
		if ((d->msi_pending & (1u << v)) &&
		    !(cfg32(d, d->msi_cap + MSI_MASK) & (1u << v)))
			msi_fire(d, v);
}

bool pci_msi_cfg_write(struct pci_dev *d, unsigned off, unsigned size, u32 val)
{
	bool msi = d->msi_cap && off >= d->msi_cap && off < d->msi_cap + (unsigned)PCI_MSI_CAP_LEN;
	bool msix = d->msix_cap && off >= d->msix_cap && off < d->msix_cap + (unsigned)PCI_MSIX_CAP_LEN;

	if (!msi && !msix)
		return false;
	pci_cfg_masked_write(d, off, size, val);
	flush_pending(d);
	pci_intx_update(d); /* MSI(-X) enable replaces INTx */
	return true;
}

/* A table access of @size bytes at @off (within one entry). */
static void msix_table_access(struct pci_dev *d, u64 off, unsigned size, bool write,
			      u64 *val)
{
	unsigned vec = (unsigned)(off / MSIX_ENTRY), in = (unsigned)(off % MSIX_ENTRY);
	struct pci_msix_entry *e = &d->msix[vec];
	u8 *bytes = (u8 *)e;

	if (in + size > MSIX_ENTRY) { /* straddles two entries: unsupported */
		if (!write)
			*val = ~0ULL;
		return;
	}
	if (!write) {
		*val = 0;
		memcpy(val, bytes + in, size);
		return;
	}
	memcpy(bytes + in, val, size);
	e->ctrl &= MSIX_VEC_MASKED; /* reserved bits read 0 */
	flush_pending(d);
}

bool pci_msix_bar_access(struct pci_dev *d, unsigned bar, u64 off, unsigned size,
			 bool write, u64 *val)
{
	if (!d->msix_cap || bar != d->msix_bar)
		return false;
	if (off >= d->msix_table && off < d->msix_table + (u64)d->msix_n * MSIX_ENTRY) {
		msix_table_access(d, off - d->msix_table, size, write, val);
		return true;
	}
	if (off >= d->msix_pba && off < d->msix_pba + 8ULL) {
		u64 pba = d->msix_pending, in = off - d->msix_pba;

		if (!write) /* read-only (§6.8.2.10) */
			*val = in + size > 8 ? ~0ULL : pba >> (in * 8);
		return true;
	}
	return false;
}

void pci_msix_notify(struct pci_dev *d, unsigned vec)
{
	u64 f = spin_lock_irqsave(&d->bus->lock);

	if (d->msix_cap)
		msix_fire(d, vec);
	spin_unlock_irqrestore(&d->bus->lock, f);
}

void pci_msi_notify(struct pci_dev *d, unsigned vec)
{
	u64 f = spin_lock_irqsave(&d->bus->lock);

	if (d->msi_cap)
		msi_fire(d, vec);
	spin_unlock_irqrestore(&d->bus->lock, f);
}
