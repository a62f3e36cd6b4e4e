// SPDX-License-Identifier: MIT
/*
 * Configuration space of the virtual PCI bus (pci.h): registration and
 * BAR placement, the type 0 header (PCI 3.0 §6.1-6.2) with its explicit
 * write masks, BAR sizing (§6.2.5.1), the capability list (§6.7), INTx
 * wiring and resets. Every config byte lives in the pci_dev; the header's
 * BAR dwords are composed from the BAR state instead. Pure logic: the
 * interrupt controllers are reached through the bus's hooks.
 */
#include "kernel/string.h"
#include "vmm/pci/pci.h"

#define BAR_MEM_TYPE64 0x4
#define BAR_MEM_PREFETCH 0x8
#define BAR_IO_SPACE 0x1
#define BAR_IO_MAX 256      /* §6.2.5.1: I/O BARs ask for at most 256 bytes */
#define BAR_ALIGN_MIN PAGE_SIZE /* memory BARs get whole pages */
#define HDR_MULTIFUNCTION 0x80

/* Which header bits the guest may change (§6.2): the command bits the
 * bus implements, cache line size and interrupt line. Everything else
 * of the first 64 bytes is read-only; the BARs have their own rules. */
static const u8 hdr_wmask[PCI_HDR_END] = {
	[PCI_COMMAND] = PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_PARITY,
	[PCI_COMMAND + 1] = (PCI_CMD_SERR | PCI_CMD_INTX_DISABLE) >> 8,
	[PCI_CACHE_LINE] = 0xff,
	[PCI_INT_LINE] = 0xff,
};

static void put16(u8 *p, u16 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static u16 get16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }

u16 pci_command(const struct pci_dev *d)
{
	return get16(&d->cfg[PCI_COMMAND]);
}

/* The BAR slot @i holds: its own BAR, or the upper half of @i-1's. */
static struct pci_bar *bar_upper_of(struct pci_dev *d, unsigned i)
{
	return i > 0 && d->bar[i - 1].kind == PCI_BAR_MEM64 ? &d->bar[i - 1] : NULL;
}

static u32 bar_read(struct pci_dev *d, unsigned i)
{
	const struct pci_bar *b = &d->bar[i], *lo = bar_upper_of(d, i);

	if (lo)
		return (u32)(lo->addr >> 32);
	switch (b->kind) {
	case PCI_BAR_MEM32:
		return (u32)b->addr | (b->prefetchable ? BAR_MEM_PREFETCH : 0);
	case PCI_BAR_MEM64:
		return (u32)b->addr | BAR_MEM_TYPE64 | (b->prefetchable ? BAR_MEM_PREFETCH : 0);
	case PCI_BAR_IO:
		return (u32)b->addr | BAR_IO_SPACE;
	default:
		return 0; /* unimplemented: hardwired to zero */
	}
}

/* A write of @v to BAR slot @i: the address bits below the size stay 0,
 * so writing all-ones reads back the size mask (§6.2.5.1). I/O BARs
 * decode 16 bits (the x86 port space). */
static void bar_write(struct pci_dev *d, unsigned i, u32 v)
{
	struct pci_bar *b = &d->bar[i], *lo = bar_upper_of(d, i);

	if (lo) {
		lo->addr = (((u64)v << 32) | (u32)lo->addr) & ~(lo->size - 1);
		return;
	}
	switch (b->kind) {
	case PCI_BAR_MEM32:
		b->addr = v & ~0xfu & (u32)~(b->size - 1);
		break;
	case PCI_BAR_MEM64:
		b->addr = (b->addr & ~0xffffffffULL) | (v & ~0xfu & (u32)~(b->size - 1));
		break;
	case PCI_BAR_IO:
		b->addr = v & 0xfffc & (u32)~(b->size - 1);
		break;
	default:
		break;
	}
}

static bool has_other_functions(const struct pci_dev *d)
{
	for (unsigned fn = 1; fn < PCI_FUNCS; fn++)
		if (d->bus->dev[(d->devfn & ~7u) | fn])
			return true;
	return false;
}

/* Dword @reg (< PCI_HDR_END, aligned) of the header. */
static u32 hdr_dword(struct pci_dev *d, unsigned reg)
{
	u32 v;

	if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 4 * PCI_BARS)
		return bar_read(d, (reg - PCI_BAR0) / 4);
	memcpy(&v, &d->cfg[reg], 4);
	if (reg == PCI_CACHE_LINE && !(d->devfn & 7) && has_other_functions(d))
		v |= HDR_MULTIFUNCTION << 16;
	return v;
}

static u32 bytes_read(const u8 *p, unsigned size)
{
	u32 v = 0;

	memcpy(&v, p, size);
	return v;
}

static bool in_cap(u8 cap, unsigned off, unsigned len)
{
	return cap && off >= cap && off < cap + len;
}

/* Config read of @size bytes at @off of @d (within one dword). */
static u32 dev_cfg_read(struct pci_dev *d, unsigned off, unsigned size)
{
	u32 v;

	if (off < PCI_HDR_END)
		return (hdr_dword(d, off & ~3u) >> ((off & 3) * 8)) &
		       (u32)((1ULL << (size * 8)) - 1);
	if (in_cap(d->msi_cap, off, PCI_MSI_CAP_LEN) ||
	    in_cap(d->msix_cap, off, PCI_MSIX_CAP_LEN))
		return bytes_read(&d->cfg[off], size);
	if (d->cfg_read && d->cfg_read(d, off, size, &v))
		return v;
	return off < PCI_CFG_SIZE ? bytes_read(&d->cfg[off], size) : 0;
}

/* Bytes of @v land where @wmask lets them. */
void pci_cfg_masked_write(struct pci_dev *d, unsigned off, unsigned size, u32 v)
{
	for (unsigned i = 0; i < size; i++, v >>= 8)
		d->cfg[off + i] = (u8)((d->cfg[off + i] & ~d->wmask[off + i]) |
				       ((u8)v & d->wmask[off + i]));
}

/* Map BAR @i of @d at @at except the pages of its MSI-X table and PBA,
 * which stay trapped for the bus's emulation. Under bus->lock. */
static bool direct_map(struct pci_dev *d, unsigned i, u64 at)
{
	struct pci_map_hooks *h = &d->bus->maps;
	const struct pci_bar *b = &d->bar[i];
	u64 cut[2][2], from = 0;
	unsigned ncut = 0;

	if (d->msix_cap && i == d->msix_bar) {
		u64 t = d->msix_table, p = d->msix_pba, tend = t + (u64)d->msix_n * 16;
		bool pba_first = p < t;

		cut[pba_first][0] = ALIGN_DOWN(t, PAGE_SIZE);
		cut[pba_first][1] = ALIGN_UP(tend, PAGE_SIZE);
		cut[!pba_first][0] = ALIGN_DOWN(p, PAGE_SIZE);
		cut[!pba_first][1] = ALIGN_UP(p + 8, PAGE_SIZE);
		ncut = 2;
	}
	for (unsigned k = 0; k < ncut; k++) {
		if (cut[k][0] > from && !h->map(h->ctx, at + from, b->direct + from, cut[k][0] - from))
			return false;
		from = MAX(from, cut[k][1]);
	}
	return from >= b->size || h->map(h->ctx, at + from, b->direct + from, b->size - from);
}

/*
 * Keep @d's direct BARs mapped where they decode now: at their address
 * while memory decode is on and they lie inside the hole, nowhere
 * otherwise (then an access exits and the callbacks forward it). Under
 * bus->lock.
 */
static void direct_update(struct pci_dev *d)
{
	struct pci_map_hooks *h = &d->bus->maps;
	bool mem = pci_command(d) & PCI_CMD_MEM;

	for (unsigned i = 0; i < PCI_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		u64 want = 0;

		if (!b->direct || !h->map)
			continue;
		if (mem && pci_in_window(d->bus, b->addr, b->size) && !(b->addr & (PAGE_SIZE - 1)))
			want = b->addr;
		if (want == b->mapped)
			continue;
		if (b->mapped)
			h->unmap(h->ctx, b->mapped, b->size);
		b->mapped = 0;
		if (want && direct_map(d, i, want))
			b->mapped = want;
		else if (want)
			h->unmap(h->ctx, want, b->size); /* what did get mapped */
	}
}

void pci_direct_refresh(struct pci_dev *d)
{
	for (unsigned i = 0; i < PCI_BARS; i++)
		if (d->bar[i].mapped) {
			d->bus->maps.unmap(d->bus->maps.ctx, d->bar[i].mapped, d->bar[i].size);
			d->bar[i].mapped = 0;
		}
	direct_update(d);
}

void pci_bus_set_map_hooks(struct pci_bus *b, const struct pci_map_hooks *h)
{
	b->maps = *h;
}

static void hdr_write(struct pci_dev *d, unsigned off, unsigned size, u32 v)
{
	unsigned reg = off & ~3u, sh = (off & 3) * 8;
	u32 m = (u32)((1ULL << (size * 8)) - 1) << sh;

	if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 4 * PCI_BARS) {
		bar_write(d, (reg - PCI_BAR0) / 4, (hdr_dword(d, reg) & ~m) | ((v << sh) & m));
		direct_update(d);
		return;
	}
	pci_cfg_masked_write(d, off, size, v); /* status: its W1C bits are never set */
	if (reg == PCI_COMMAND) {
		pci_intx_update(d); /* INTx disable may have changed */
		direct_update(d);   /* memory decode may have */
	}
}

static void dev_cfg_write(struct pci_dev *d, unsigned off, unsigned size, u32 v)
{
	if (off < PCI_HDR_END)
		hdr_write(d, off, size, v);
	else if (pci_msi_cfg_write(d, off, size, v))
		return;
	else if (d->cfg_write && d->cfg_write(d, off, size, v))
		return;
	else if (off < PCI_CFG_SIZE)
		pci_cfg_masked_write(d, off, size, v);
}

static struct pci_dev *find_dev(struct pci_bus *b, u8 bus_nr, u8 devfn)
{
	return bus_nr ? NULL : b->dev[devfn];
}

static bool cfg_access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_ECFG_SIZE &&
	       (off & 3) + size <= 4; /* byte enables of one dword */
}

u32 pci_cfg_read(struct pci_bus *b, u8 bus_nr, u8 devfn, unsigned off, unsigned size)
{
	u64 f;
	struct pci_dev *d;
	u32 v = (u32)((1ULL << (size >= 4 ? 32 : size * 8)) - 1);

	if (!cfg_access_ok(off, size))
		return v;
	f = spin_lock_irqsave(&b->lock);
	d = find_dev(b, bus_nr, devfn);
	if (d)
		v = dev_cfg_read(d, off, size);
	spin_unlock_irqrestore(&b->lock, f);
	return v;
}

void pci_cfg_write(struct pci_bus *b, u8 bus_nr, u8 devfn, unsigned off, unsigned size,
		   u32 val)
{
	u64 f;
	struct pci_dev *d;

	if (!cfg_access_ok(off, size))
		return;
	f = spin_lock_irqsave(&b->lock);
	d = find_dev(b, bus_nr, devfn);
	if (d)
		dev_cfg_write(d, off, size, val);
	spin_unlock_irqrestore(&b->lock, f);
}

/* Is the BAR table of @d well formed (sizes, kinds, 64-bit pairs) for
 * bus @bus? */
static bool bars_valid(const struct pci_bus *bus, const struct pci_dev *d)
{
	for (unsigned i = 0; i < PCI_BARS; i++) {
		const struct pci_bar *b = &d->bar[i];

		if (b->kind == PCI_BAR_NONE)
			continue;
		if (b->kind > PCI_BAR_IO || !b->size || (b->size & (b->size - 1)))
			return false;
		if (b->kind == PCI_BAR_IO ? b->size < 4 || b->size > BAR_IO_MAX :
		    b->size < 16 || b->size > (b->kind == PCI_BAR_MEM64 && bus->mmio64_next ?
					       PCI_MMIO64_END - PCI_MMIO64_BASE :
					       PCI_MMIO_END - PCI_MMIO_BASE))
			return false;
		if (b->kind == PCI_BAR_MEM64 && (i == PCI_BARS - 1 || d->bar[i + 1].kind))
			return false;
		if (b->kind == PCI_BAR_MEM64)
			i++;
	}
	return true;
}

/* Firmware placement: memory BARs page-aligned in the MMIO window, 64-bit
 * ones of PCI_MMIO64_MIN_BAR or more in the 64-bit window when the bus has
 * one, I/O BARs in the I/O window. */
static bool bars_place(struct pci_bus *b, struct pci_dev *d, u16 *cmd)
{
	for (unsigned i = 0; i < PCI_BARS; i++) {
		struct pci_bar *r = &d->bar[i];
		u64 at;

		if (r->kind == PCI_BAR_IO) {
			at = ALIGN_UP(b->io_next, r->size);
			if (at + r->size > PCI_IO_END)
				return false;
			b->io_next = (u32)(at + r->size);
			*cmd |= PCI_CMD_IO;
		} else if (r->kind == PCI_BAR_MEM64 && b->mmio64_next &&
			   r->size >= PCI_MMIO64_MIN_BAR) {
			at = ALIGN_UP(b->mmio64_next, r->size);
			if (at + r->size > PCI_MMIO64_END)
				return false;
			b->mmio64_next = at + r->size;
			*cmd |= PCI_CMD_MEM;
		} else if (r->kind != PCI_BAR_NONE) {
			at = ALIGN_UP(b->mmio_next, MAX(r->size, BAR_ALIGN_MIN));
			if (at + r->size > PCI_MMIO_END)
				return false;
			b->mmio_next = at + MAX(r->size, BAR_ALIGN_MIN);
			*cmd |= PCI_CMD_MEM;
		} else {
			continue;
		}
		r->addr = r->placed = at;
	}
	return true;
}

static int free_slot(const struct pci_bus *b)
{
	for (unsigned s = 1; s < PCI_SLOTS; s++) {
		bool empty = true;

		for (unsigned fn = 0; fn < PCI_FUNCS; fn++)
			empty = empty && !b->dev[PCI_DEVFN(s, fn)];
		if (empty)
			return PCI_DEVFN(s, 0);
	}
	return -1;
}

/* The header a firmware leaves behind (§6.1, §6.2.4). */
static void header_init(struct pci_dev *d, u16 cmd)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	memset(d->wmask, 0, sizeof(d->wmask));
	memcpy(d->wmask, hdr_wmask, sizeof(hdr_wmask));
	put16(&d->cfg[PCI_VENDOR_ID], d->vendor_id);
	put16(&d->cfg[PCI_DEVICE_ID], d->device_id);
	put16(&d->cfg[PCI_COMMAND], cmd);
	d->cfg[PCI_REVISION] = d->revision;
	d->cfg[PCI_CLASS_PROG] = (u8)d->class_code;
	put16(&d->cfg[PCI_CLASS_PROG + 1], (u16)(d->class_code >> 8));
	put16(&d->cfg[PCI_SUBSYS_VENDOR], d->subsys_vendor_id);
	put16(&d->cfg[PCI_SUBSYS_ID], d->subsys_id);
	d->cfg[PCI_INT_PIN] = d->irq_pin;
	d->cfg[PCI_INT_LINE] = d->irq_pin ? d->gsi : 0xff; /* 0xff: not connected */
	d->cap_end = PCI_HDR_END;
	d->cap_last = 0;
	memcpy(d->cfg0, d->cfg, sizeof(d->cfg0));
}

static bool register_locked(struct pci_bus *b, struct pci_dev *d, u8 devfn)
{
	u16 cmd = 0;
	int at = devfn == PCI_DEVFN_ANY ? free_slot(b) : devfn;

	if (at < 0 || b->dev[at] || d->irq_pin > 4 || !bars_valid(b, d))
		return false;
	if ((at & 7) && !b->dev[at & ~7]) /* function 0 comes first */
		return false;
	if (!bars_place(b, d, &cmd))
		return false;
	d->bus = b;
	d->devfn = (u8)at;
	d->gsi = (u8)PCI_INTX_GSI(at >> 3, d->irq_pin);
	d->msi_cap = d->msix_cap = 0;
	d->msix_n = 0;
	d->intx_level = false;
	header_init(d, cmd);
	pci_msi_reset(d);
	b->dev[at] = d;
	return true;
}

bool pci_register(struct pci_bus *b, struct pci_dev *d, u8 devfn)
{
	u64 f = spin_lock_irqsave(&b->lock);
	bool ok = register_locked(b, d, devfn);

	if (ok)
		direct_update(d);
	spin_unlock_irqrestore(&b->lock, f);
	return ok;
}

u8 pci_add_cap(struct pci_dev *d, u8 id, const void *data, unsigned len)
{
	unsigned at = ALIGN_UP(d->cap_end, 4);

	if (len < 2 || at + len > PCI_CFG_SIZE)
		return 0;
	memcpy(&d->cfg[at], data, len);
	d->cfg[at] = id;
	d->cfg[at + 1] = 0;
	if (d->cap_last)
		d->cfg[d->cap_last + 1] = (u8)at;
	else
		d->cfg[PCI_CAP_PTR] = (u8)at;
	d->cfg[PCI_STATUS] |= PCI_STS_CAP_LIST;
	d->cap_last = (u8)at;
	d->cap_end = (u8)MIN(at + len, 0xffu);
	memcpy(d->cfg0, d->cfg, sizeof(d->cfg0));
	return (u8)at;
}

void pci_set_wmask(struct pci_dev *d, unsigned off, const u8 *mask, unsigned len)
{
	for (unsigned i = 0; i < len && off + i < PCI_CFG_SIZE; i++)
		if (off + i >= PCI_HDR_END)
			d->wmask[off + i] = mask[i];
}

static bool intx_effective(struct pci_dev *d)
{
	return d->intx_level && d->irq_pin && !(pci_command(d) & PCI_CMD_INTX_DISABLE) &&
	       !pci_msi_enabled(d) && !pci_msix_enabled(d);
}

/*
 * Recompute the line of @d's GSI: PCI INTx lines are open-drain, active
 * low and shared (§2.2.6), so the line is low while any function on it
 * asserts. Under bus->lock.
 */
void pci_intx_update(struct pci_dev *d)
{
	struct pci_bus *b = d->bus;
	bool low = false;

	if (d->intx_level)
		d->cfg[PCI_STATUS] |= PCI_STS_INTX;
	else
		d->cfg[PCI_STATUS] &= (u8)~PCI_STS_INTX;
	if (!d->irq_pin || !b->irq.set_gsi)
		return;
	for (unsigned i = 0; i < PCI_SLOTS * PCI_FUNCS; i++)
		if (b->dev[i] && b->dev[i]->gsi == d->gsi && intx_effective(b->dev[i]))
			low = true;
	b->irq.set_gsi(b->irq.ctx, d->gsi, !low);
}

void pci_set_intx(struct pci_dev *d, bool asserted)
{
	u64 f = spin_lock_irqsave(&d->bus->lock);

	d->intx_level = asserted;
	pci_intx_update(d);
	spin_unlock_irqrestore(&d->bus->lock, f);
}

static void dev_reset_locked(struct pci_dev *d)
{
	memcpy(d->cfg, d->cfg0, sizeof(d->cfg));
	for (unsigned i = 0; i < PCI_BARS; i++)
		d->bar[i].addr = d->bar[i].placed;
	d->intx_level = false;
	pci_msi_reset(d);
	pci_intx_update(d);
	direct_update(d);
}

void pci_bus_reset(struct pci_bus *b)
{
	u64 f = spin_lock_irqsave(&b->lock);

	b->cf8 = 0;
	for (unsigned i = 0; i < PCI_SLOTS * PCI_FUNCS; i++)
		if (b->dev[i])
			dev_reset_locked(b->dev[i]);
	spin_unlock_irqrestore(&b->lock, f);
	for (unsigned i = 0; i < PCI_SLOTS * PCI_FUNCS; i++)
		if (b->dev[i] && b->dev[i]->reset)
			b->dev[i]->reset(b->dev[i]->ctx);
}
