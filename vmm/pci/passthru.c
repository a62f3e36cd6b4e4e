// SPDX-License-Identifier: MIT
/*
 * PCI passthrough (passthru.h): the checks that make an assignment safe,
 * the guest's view of the function, its forwarded BARs, its MSI through
 * interrupt remapping, the INTx of a function without MSI, and its resets.
 */
#include "arch/x86/io.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/trap.h"
#include "drivers/iommu/iommu.h"
#include "drivers/ioapic.h"
#include "drivers/pci/pci.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "vmm/pci/passthru.h"
#include "vmm/irq.h"
#include "vmm/pci/pci.h"
#include "vmm/vm.h"

/* Host vectors for passed-through functions' interrupts. */
#define VEC_PT_FIRST 0x40
#define VEC_PT_LAST 0xdf
#define PCIE_TYPE_PCIE_TO_PCI 0x7 /* PCIe Base 4.0 §7.5.3.2 */

struct passthru_fn;

struct pt_bar {
	struct passthru_fn *fn;
	u64 host;       /* the real BAR's address */
	bool io;
};

struct passthru_fn {
	struct pci_dev v;        /* the guest's view, on its bus */
	struct hpci_dev *h;      /* the real function */
	struct vm *vm;
	struct pt_bar bar[PCI_BARS];
	bool msix;               /* the real function signals through MSI-X (else MSI) */
	u8 vec;                  /* first host vector; entry k signals vec + k */
	u8 nvec;                 /* real MSI-X entries used (MSI: 1) */
	u32 apic_id;             /* where those vectors are delivered */
	u64 msg_addr[PCI_MSIX_MAX]; /* the remapped messages the real function sends */
	u32 msg_data[PCI_MSIX_MAX];
	u32 line;                /* its config line */
	/* A function without MSI signals through INTx (intx_lock): */
	bool intx;               /* it does, and is the guest's */
	bool intx_held;          /* Interrupt Disable set by hv: the guest has it */
	int host_gsi;            /* the host line it was seen on, -1 not yet */
	u16 host_cmd;            /* its command register, Interrupt Disable clear */
};

static struct passthru_fn *vec_fn[256]; /* written on the BSP before guests run */
static u8 next_vec = VEC_PT_FIRST;

/*
 * INTx of functions without MSI (PCI Local Bus 3.0 §2.2.6, §6.2.2-6.2.3).
 * Which host GSI a function's INTx pin is wired to is in the firmware's
 * _PRT, AML the hypervisor does not run. So every PCI line (GSIs 16 and
 * up, the PC chipsets' PIRQs) is routed to a vector of its own, edge,
 * active low, to the boot CPU, once the first such function is assigned;
 * every other function's INTx is disabled. A line's interrupt goes to the
 * functions whose Interrupt Status bit is set (a function on one line only
 * ever, the first it was seen on): for each, hv sets Interrupt Disable
 * (its line goes idle) and asserts the guest's INTx; the guest's EOI of
 * that line (vm_irq_on_ack) lowers the guest's INTx and clears Interrupt
 * Disable, so a function that still has work asserts again: a new edge.
 */
#define INTX_GSI_FIRST 16
#define INTX_GSI_MAX 32          /* host lines armed at most */
#define INTX_FNS 16

static spinlock_t intx_lock;
static struct passthru_fn *intx_fns[INTX_FNS]; /* (intx_lock) */
static u32 vec_gsi[256];          /* host vector -> GSI, set before guests run */
static bool intx_armed;
static u32 intx_unclaimed;        /* line interrupts no function claimed */

static u64 bar_read(void *ctx, u64 off, unsigned size)
{
	struct pt_bar *b = ctx;
	u64 a = b->host + off;

	if (b->io)
		return size == 1 ? inb((u16)a) : size == 2 ? inw((u16)a) :
		       size == 4 ? inl((u16)a) : bus_all_ones(size);
	switch (size) {
	case 1: return mmio_read8(a);
	case 2: return mmio_read16(a);
	case 4: return mmio_read32(a);
	case 8: return *(volatile u64 *)a;
	default: return bus_all_ones(size);
	}
}

static void bar_write(void *ctx, u64 off, unsigned size, u64 val)
{
	struct pt_bar *b = ctx;
	u64 a = b->host + off;

	if (b->io) {
		if (size == 1)
			outb((u16)a, (u8)val);
		else if (size == 2)
			outw((u16)a, (u16)val);
		else if (size == 4)
			outl((u16)a, (u32)val);
		return;
	}
	switch (size) {
	case 1: mmio_write8(a, (u8)val); break;
	case 2: mmio_write16(a, (u16)val); break;
	case 4: mmio_write32(a, (u32)val); break;
	case 8: *(volatile u64 *)a = val; break;
	default: break;
	}
}

/*
 * The real function's interrupt k: the guest's MSI-X vector k when the
 * guest enabled MSI-X, else its MSI (one vector), else nothing (INTx is
 * not routed yet).
 */
static void pt_irq(struct trap_frame *f)
{
	struct passthru_fn *fn = vec_fn[f->vector];

	lapic_eoi();
	if (!fn)
		return;
	if (pci_msix_enabled(&fn->v))
		pci_msix_notify(&fn->v, f->vector - fn->vec);
	else if (pci_msi_enabled(&fn->v))
		pci_msi_notify(&fn->v, 0);
}

/* A host PCI line's edge: which INTx functions assert (see the top). */
static void pt_intx_irq(struct trap_frame *f)
{
	u32 gsi = vec_gsi[f->vector];
	struct passthru_fn *got[INTX_FNS];
	unsigned n = 0;
	u64 fl;

	lapic_eoi();
	fl = spin_lock_irqsave(&intx_lock);
	/* Until a pass claims nothing: a function that asserted while another
	 * still held the line made no edge of its own, so it is found by the
	 * pass after that other one's Interrupt Disable; one that asserts
	 * after the last pass finds the line idle and makes its edge. */
	for (unsigned pass = 0, before = ~0u; n != before && pass < INTX_FNS; pass++) {
		before = n;
		for (unsigned i = 0; i < INTX_FNS; i++) {
			struct passthru_fn *fn = intx_fns[i];

			if (!fn || !fn->intx || fn->intx_held ||
			    (fn->host_gsi >= 0 && (u32)fn->host_gsi != gsi) ||
			    !(hpci_read(fn->h, HPCI_STATUS, 2) & HPCI_STATUS_INTX))
				continue;
			hpci_write(fn->h, HPCI_COMMAND, 2, fn->host_cmd | HPCI_COMMAND_INTX_DISABLE);
			fn->intx_held = true;
			if (fn->host_gsi < 0) {
				fn->host_gsi = (int)gsi;
				pr_info("guest %s pci %04x:%02x:%02x.%x INTx seen on host GSI %u (guest "
					"GSI %u)", fn->vm->name, fn->h->seg, fn->h->bus, fn->h->dev,
					fn->h->fn, gsi, fn->v.gsi);
			}
			got[n++] = fn;
		}
	}
	if (!n && intx_unclaimed++ < 4)
		pr_warn("host GSI %u: an interrupt no passed-through function claims", gsi);
	spin_unlock_irqrestore(&intx_lock, fl);
	for (unsigned i = 0; i < n; i++)
		pci_set_intx(&got[i]->v, true);
}

/*
 * The guest took its INTx line @gsi: let its functions on it signal again.
 * All under intx_lock, so the line handler cannot claim a function between
 * its guest line going down and its Interrupt Disable going off (the
 * status bit shows the function's state whatever Interrupt Disable says).
 * Lock order: intx_lock, then the bus's (pci_set_intx); the handler takes
 * the bus's only after dropping intx_lock.
 */
static void pt_intx_ack(void *ctx, unsigned gsi)
{
	struct vm *vm = ctx;

	for (u32 i = 0; i < vm->npassthru; i++) {
		struct passthru_fn *fn = vm->passthru[i];
		u64 fl;

		if (!fn->intx || fn->v.gsi != gsi)
			continue;
		fl = spin_lock_irqsave(&intx_lock);
		if (fn->intx && fn->intx_held) {
			pci_set_intx(&fn->v, false);
			fn->intx_held = false;
			hpci_write(fn->h, HPCI_COMMAND, 2, fn->host_cmd);
		}
		spin_unlock_irqrestore(&intx_lock, fl);
	}
}

/* Route the host's PCI lines to INTx vectors (the first INTx function's
 * assignment, on the BSP) and disable the INTx of every function no guest
 * owns, so that none holds a shared line. False when no line could be
 * routed. */
static bool intx_arm(struct vm *vm, const struct cfg_pci *c)
{
	u32 end = MIN(ioapic_gsi_end(), INTX_GSI_FIRST + INTX_GSI_MAX), lines = 0;
	char why[96] = "the I/O APICs serve no GSI from 16 up";

	if (intx_armed)
		return true;
	for (unsigned i = 0; i < hpci_count(); i++) {
		struct hpci_dev *d = hpci_at(i);

		if (d->irq_pin && d->owner == HPCI_OWNER_NONE && !d->bridge)
			hpci_write(d, HPCI_COMMAND, 2,
				   hpci_read(d, HPCI_COMMAND, 2) | HPCI_COMMAND_INTX_DISABLE);
	}
	for (u32 gsi = INTX_GSI_FIRST; gsi < end && next_vec <= VEC_PT_LAST; gsi++) {
		u8 vec = next_vec;

		vec_gsi[vec] = gsi;
		trap_set_handler(vec, pt_intx_irq);
		if (!ioapic_route_gsi(gsi, vec, percpu_area[0].apic_id, IOAPIC_RTE_ACTIVE_LOW, why,
				      sizeof(why))) {
			trap_set_handler(vec, NULL);
			break;
		}
		next_vec++;
		lines++;
	}
	if (!lines) {
		pr_err("guest %s: pci %04x:%02x:%02x.%x (line %u) refused: its INTx cannot reach the "
		       "hypervisor: %s", vm->name, c->seg, c->bus, c->dev, c->fn, c->line, why);
		return false;
	}
	pr_info("pci INTx passthrough: host GSIs %u-%u routed to vectors 0x%x-0x%x on CPU 0",
		INTX_GSI_FIRST, INTX_GSI_FIRST + lines - 1, next_vec - lines, next_vec - 1);
	intx_armed = true;
	return true;
}

/* List @fn for the line handler and listen for its guest's EOIs. */
static bool intx_register(struct passthru_fn *fn)
{
	u64 fl = spin_lock_irqsave(&intx_lock);
	bool ok = false;

	for (unsigned i = 0; i < INTX_FNS && !ok; i++)
		if (!intx_fns[i] || !intx_fns[i]->intx) {
			intx_fns[i] = fn;
			ok = true;
		}
	spin_unlock_irqrestore(&intx_lock, fl);
	if (ok)
		vm_irq_on_ack(fn->vm, fn->v.gsi, pt_intx_ack, fn->vm);
	return ok;
}

#define MSIX_CTRL_ENABLE (1u << 15)
#define MSIX_CTRL_MASKALL (1u << 14)

/* The real MSI-X table, through the hypervisor's mapping of its BAR. */
static u64 msix_entry_addr(const struct hpci_dev *h, unsigned k)
{
	u32 t = hpci_read(h, h->cap_msix + 4, 4);

	return h->bar[t & 7].base + (t & ~7u) + 16ull * k;
}

/* Program the real MSI-X entries or MSI with the remapped messages and
 * enable them; bus mastering and decode on, INTx off. */
static void host_setup(struct passthru_fn *fn)
{
	struct hpci_dev *h = fn->h;
	u16 cmd = HPCI_COMMAND_MASTER | HPCI_COMMAND_INTX_DISABLE;

	for (unsigned i = 0; i < h->nbars; i++)
		if (h->bar[i].size)
			cmd |= h->bar[i].kind == HPCI_BAR_IO ? HPCI_COMMAND_IO : HPCI_COMMAND_MEM;
	if (fn->intx) { /* INTx on (see the top); no MSI to set up */
		u64 fl = spin_lock_irqsave(&intx_lock);

		fn->host_cmd = cmd & ~HPCI_COMMAND_INTX_DISABLE;
		fn->intx_held = false;
		hpci_write(h, HPCI_COMMAND, 2, fn->host_cmd);
		spin_unlock_irqrestore(&intx_lock, fl);
		return;
	}
	hpci_write(h, HPCI_COMMAND, 2, cmd);
	if (!fn->nvec)
		return; /* no interrupt at all */
	if (fn->msix) {
		u16 ctrl = (u16)hpci_read(h, h->cap_msix + 2, 2);

		hpci_write(h, h->cap_msix + 2, 2, ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
		for (unsigned k = 0; k < fn->nvec; k++) {
			u64 e = msix_entry_addr(h, k);

			mmio_write32(e, (u32)fn->msg_addr[k]);
			mmio_write32(e + 4, (u32)(fn->msg_addr[k] >> 32));
			mmio_write32(e + 8, fn->msg_data[k]);
			mmio_write32(e + 12, 0); /* unmasked */
		}
		hpci_write(h, h->cap_msix + 2, 2, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	} else {
		u8 c = h->cap_msi;
		u16 ctrl = (u16)hpci_read(h, c + 2, 2);
		bool is64 = ctrl & (1u << 7);

		hpci_write(h, c + 2, 2, ctrl & ~(1u | 7u << 4)); /* off, one vector */
		hpci_write(h, c + 4, 4, (u32)fn->msg_addr[0]);
		if (is64)
			hpci_write(h, c + 8, 4, (u32)(fn->msg_addr[0] >> 32));
		hpci_write(h, c + (is64 ? 0xc : 8), 2, fn->msg_data[0]);
		if (ctrl & (1u << 8)) /* per-vector masking: unmask vector 0 */
			hpci_write(h, c + (is64 ? 0x10 : 0xc), 4, 0);
		hpci_write(h, c + 2, 2, (ctrl & ~(7u << 4)) | 1u);
	}
}

static void host_quiesce(struct hpci_dev *h)
{
	hpci_write(h, HPCI_COMMAND, 2, HPCI_COMMAND_INTX_DISABLE); /* no DMA, no decode */
	if (h->cap_msi)
		hpci_write(h, h->cap_msi + 2, 2, (u16)hpci_read(h, h->cap_msi + 2, 2) & ~1u);
	if (h->cap_msix)
		hpci_write(h, h->cap_msix + 2, 2,
			   (u16)hpci_read(h, h->cap_msix + 2, 2) & ~MSIX_CTRL_ENABLE);
}

static void reset_fn(struct passthru_fn *fn, const char *when)
{
	char why[96];

	host_quiesce(fn->h);
	if (!hpci_reset(fn->h, why, sizeof(why)))
		pr_warn("guest %s pci %04x:%02x:%02x.%x not reset at %s: %s", fn->vm->name, fn->h->seg,
			fn->h->bus, fn->h->dev, fn->h->fn, when, why);
}

/* Platform reset of the guest: the real function too (the remapping
 * entries stay; the function's own registers are set again). */
static void pt_reset(void *ctx)
{
	struct passthru_fn *fn = ctx;

	reset_fn(fn, "guest reset");
	host_setup(fn);
}

static bool refuse(const struct vm *vm, const struct cfg_pci *c, const char *why)
{
	pr_err("guest %s: pci %04x:%02x:%02x.%x (line %u) refused: %s", vm->name, c->seg, c->bus,
	       c->dev, c->fn, c->line, why);
	return false;
}

/* Requests of a function behind a PCIe-to-PCI or PCI bridge carry the
 * bridge's requester ID (PCIe-to-PCI Bridge spec §2.3): shared with every
 * function behind it, so it cannot be isolated from them. */
static const struct hpci_dev *legacy_bridge_above(const struct hpci_dev *h)
{
	for (u16 p = h->parent; p != HPCI_NO_PARENT; p = hpci_at(p)->parent) {
		const struct hpci_dev *b = hpci_at(p);

		if (!b->cap_pcie || b->pcie_type == PCIE_TYPE_PCIE_TO_PCI)
			return b;
	}
	return NULL;
}

/* The VM's domain: its RAM, gpa -> hpa, read and write; made once. */
static bool vm_domain(struct vm *vm)
{
	const struct iommu_ops *io = iommu();

	if (vm->dma)
		return true;
	vm->dma = io->domain_new(vm->id);
	if (!vm->dma)
		return false;
	for (unsigned i = 0; i < vm->mem.n; i++) {
		const struct gmem_region *r = &vm->mem.r[i];

		if (!io->map(vm->dma, r->gpa, r->hpa, r->size, IOMMU_READ | IOMMU_WRITE))
			return false;
	}
	return true;
}

/* Reserved regions (RMRR / IVMD) the function needs, mapped 1:1 unless
 * they collide with the guest's RAM. */
static bool map_reserved(struct vm *vm, const struct cfg_pci *c, u16 rid)
{
	struct iommu_region r[4];
	unsigned n = iommu()->reserved(c->seg, rid, r, 4);
	char why[128];

	for (unsigned i = 0; i < n; i++) {
		for (unsigned k = 0; k < vm->mem.n; k++) {
			const struct gmem_region *g = &vm->mem.r[k];

			if (r[i].base < g->gpa + g->size && g->gpa < r[i].base + r[i].size) {
				snprintf(why, sizeof(why),
					 "its reserved region 0x%llx-0x%llx (RMRR/IVMD) overlaps the "
					 "guest's RAM", (unsigned long long)r[i].base,
					 (unsigned long long)(r[i].base + r[i].size - 1));
				return refuse(vm, c, why);
			}
		}
		if (!iommu()->map(vm->dma, r[i].base, r[i].base, r[i].size, IOMMU_READ | IOMMU_WRITE))
			return refuse(vm, c, "cannot map its reserved region");
	}
	return true;
}

/* The guest's view: IDs, class, BARs of the real sizes, an MSI. */
static bool make_view(struct passthru_fn *fn, const struct cfg_pci *c)
{
	struct hpci_dev *h = fn->h;
	struct pci_dev *v = &fn->v;
	u32 sub = hpci_read(h, 0x2c, 4);

	v->name = "passthrough";
	v->vendor_id = h->vendor;
	v->device_id = h->device;
	v->subsys_vendor_id = (u16)sub;
	v->subsys_id = (u16)(sub >> 16);
	v->class_code = h->class;
	v->revision = h->revision;
	v->irq_pin = fn->intx ? h->irq_pin : 0; /* else MSI / MSI-X only */
	v->ctx = fn;
	v->reset = pt_reset;
	for (unsigned i = 0; i < h->nbars && i < PCI_BARS; i++) {
		const struct hpci_bar *hb = &h->bar[i];
		struct pci_bar *vb = &v->bar[i];

		if (!hb->size || hb->kind == HPCI_BAR_NONE)
			continue;
		if (hb->size > (hb->kind == HPCI_BAR_MEM64 && fn->vm->pci->mmio64_next ?
				PCI_MMIO64_END - PCI_MMIO64_BASE : PCI_MMIO_END - PCI_MMIO_BASE))
			return refuse(fn->vm, c, "a BAR is larger than the guest's PCI windows");
		fn->bar[i] = (struct pt_bar){ fn, hb->base, hb->kind == HPCI_BAR_IO };
		if (hb->kind != HPCI_BAR_IO)
			paging_map_mmio(hb->base, hb->size); /* the hypervisor's own access */
		vb->kind = hb->kind == HPCI_BAR_IO ? PCI_BAR_IO :
			   hb->kind == HPCI_BAR_MEM64 ? PCI_BAR_MEM64 : PCI_BAR_MEM32;
		vb->size = hb->size < 16 && hb->kind != HPCI_BAR_IO ? 16 : hb->size;
		vb->prefetchable = hb->prefetch;
		vb->read = bar_read;
		vb->write = bar_write;
		vb->ctx = &fn->bar[i];
		/* Whole pages of a memory BAR go straight into stage 2 (no exit
		 * per access); smaller ones are forwarded. */
		if (hb->kind != HPCI_BAR_IO && hb->size >= PAGE_SIZE && hb->base &&
		    !(hb->base & (PAGE_SIZE - 1)))
			vb->direct = hb->base;
		if (hb->kind == HPCI_BAR_MEM64)
			i++;
	}
	return true;
}

/* The interrupt capabilities the guest sees: MSI-X where the real one is
 * (same BAR and offsets, at most PCI_MSIX_MAX vectors) when the bus can
 * show it (table and PBA in one BAR), and an MSI. */
static bool view_caps(struct passthru_fn *fn)
{
	const struct hpci_dev *h = fn->h;
	bool msix = false;

	if (!fn->nvec)
		return true; /* no MSI or MSI-X: INTx, or no interrupt at all */
	if (fn->msix) {
		u32 t = hpci_read(h, h->cap_msix + 4, 4), p = hpci_read(h, h->cap_msix + 8, 4);

		msix = (t & 7) == (p & 7) && pci_msix_init(&fn->v, fn->nvec, t & 7, t & ~7u, p & ~7u);
	}
	return pci_msi_init(&fn->v, 1) || msix;
}

static bool attach_one(struct vm *vm, const struct cfg_pci *c)
{
	const struct iommu_ops *io = iommu();
	struct hpci_dev *h = hpci_find(c->seg, c->bus, c->dev, c->fn);
	const struct hpci_dev *br;
	struct passthru_fn *fn;
	char why[128];
	u64 pa;
	u16 rid;

	if (!io)
		return refuse(vm, c, "this machine has no usable IOMMU, and without one the device "
				      "could read and write all memory");
	if (!h)
		return refuse(vm, c, "no such function on this machine (see the platform report's pci "
				      "lines)");
	if (h->owner == HPCI_OWNER_HV)
		return refuse(vm, c, "the hypervisor uses it (its console, or an IOMMU)");
	if (h->owner == HPCI_OWNER_GUEST)
		return refuse(vm, c, "already given to another guest");
	if (h->bridge)
		return refuse(vm, c, "it is a bridge");
	if (h->iommu_unit < 0)
		return refuse(vm, c, "no IOMMU unit covers it, so its DMA cannot be confined");
	br = legacy_bridge_above(h);
	if (br) {
		snprintf(why, sizeof(why),
			 "it sits behind the PCI bridge %02x:%02x.%x, whose requester ID it shares with "
			 "every device behind it", br->bus, br->dev, br->fn);
		return refuse(vm, c, why);
	}
	if (vm->npassthru == sizeof(vm->passthru) / sizeof(vm->passthru[0]))
		return refuse(vm, c, "too many functions");
	rid = hpci_dev_rid(h);
	pa = pmm_alloc(ALIGN_UP(sizeof(*fn), PAGE_SIZE), PAGE_SIZE);
	if (!pa)
		return refuse(vm, c, "out of memory");
	fn = phys_to_virt(pa);
	memset(fn, 0, sizeof(*fn));
	fn->h = h;
	fn->vm = vm;
	fn->line = c->line;
	fn->apic_id = percpu_area[__builtin_ctzll(vm->cpus)].apic_id;
	fn->msix = h->cap_msix;
	fn->intx = !h->cap_msi && !h->cap_msix && h->irq_pin;
	fn->host_gsi = -1;
	fn->nvec = fn->msix ? (u8)MIN((hpci_read(h, h->cap_msix + 2, 2) & 0x7ff) + 1, PCI_MSIX_MAX) :
		   h->cap_msi ? 1 : 0;
	if (fn->intx && !intx_arm(vm, c))
		return false;
	if (next_vec + fn->nvec - 1 > VEC_PT_LAST)
		return refuse(vm, c, "out of host interrupt vectors");
	if (!make_view(fn, c))
		return false;
	if (!vm_domain(vm))
		return refuse(vm, c, "cannot build the guest's IOMMU domain (out of memory)");
	if (!map_reserved(vm, c, rid))
		return false;

	/* Quiet and reset it before its DMA goes anywhere. */
	reset_fn(fn, "assignment");
	fn->vec = next_vec;
	for (unsigned k = 0; k < fn->nvec; k++)
		if (!io->irq_remap(c->seg, rid, k, fn->apic_id, (u8)(fn->vec + k), &fn->msg_addr[k],
				   &fn->msg_data[k]))
			return refuse(vm, c, "the IOMMU cannot remap its interrupts, so the guest could "
					      "make it raise any host interrupt");
	if (!io->attach(vm->dma, c->seg, rid))
		return refuse(vm, c, "the IOMMU did not take it into the guest's domain");
	h->owner = HPCI_OWNER_GUEST;
	h->owner_id = vm->id;
	h->owner_name = vm->name;
	next_vec = (u8)(next_vec + fn->nvec);
	for (unsigned k = 0; k < fn->nvec; k++) {
		vec_fn[fn->vec + k] = fn;
		trap_set_handler((u8)(fn->vec + k), pt_irq);
	}
	if (!pci_register(vm->pci, &fn->v, PCI_DEVFN_ANY) || !view_caps(fn)) {
		io->detach(c->seg, rid);
		h->owner = HPCI_OWNER_NONE;
		return refuse(vm, c, "no room for it on the guest's PCI bus");
	}
	host_setup(fn);
	if (fn->intx && !intx_register(fn)) {
		host_quiesce(h);
		io->detach(c->seg, rid);
		h->owner = HPCI_OWNER_NONE;
		return refuse(vm, c, "too many INTx functions passed through");
	}
	vm->passthru[vm->npassthru++] = fn;
	if (fn->intx)
		snprintf(why, sizeof(why), "intx pin %c guest GSI %u", 'A' + fn->v.irq_pin - 1,
			 fn->v.gsi);
	else if (fn->nvec)
		snprintf(why, sizeof(why), "%s vectors 0x%x-0x%x", fn->msix ? "msi-x" : "msi", fn->vec,
			 fn->vec + fn->nvec - 1);
	else
		snprintf(why, sizeof(why), "no interrupt");
	pr_info("guest %s pci 00:%02x.%x passthrough of %04x:%02x:%02x.%x %04x:%04x class %06x "
		"iommu unit %d %s", vm->name, fn->v.devfn >> 3, fn->v.devfn & 7, h->seg, h->bus, h->dev,
		h->fn, h->vendor, h->device, h->class, h->iommu_unit, why);
	return true;
}

bool passthru_init(struct vm *vm, const struct cfg_guest *g)
{
	for (u32 i = 0; i < g->npci; i++)
		if (!attach_one(vm, &g->pci[i]))
			return false;
	return true;
}

void passthru_release(struct vm *vm)
{
	for (u32 i = 0; i < vm->npassthru; i++) {
		struct passthru_fn *fn = vm->passthru[i];
		struct hpci_dev *h = fn->h;

		host_quiesce(h);
		if (fn->intx) { /* off the line handler's list */
			u64 fl = spin_lock_irqsave(&intx_lock);

			fn->intx = false;
			fn->intx_held = false;
			spin_unlock_irqrestore(&intx_lock, fl);
		}
		iommu()->detach(h->seg, hpci_dev_rid(h));
		reset_fn(fn, "guest stop");
		h->owner = HPCI_OWNER_NONE;
		h->owner_name = NULL;
		pr_info("guest %s pci %04x:%02x:%02x.%x released: DMA blocked, reset", vm->name, h->seg,
			h->bus, h->dev, h->fn);
	}
}
