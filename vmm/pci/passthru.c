// SPDX-License-Identifier: MIT
/*
 * PCI passthrough (passthru.h): the checks that make an assignment safe,
 * the guest's view of the function, its forwarded BARs, its MSI through
 * interrupt remapping, and its resets.
 */
#include "arch/x86/io.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/trap.h"
#include "drivers/iommu/iommu.h"
#include "drivers/pci/pci.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"
#include "vmm/pci/passthru.h"
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
};

static struct passthru_fn *vec_fn[256]; /* written on the BSP before guests run */
static u8 next_vec = VEC_PT_FIRST;

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
	hpci_write(h, HPCI_COMMAND, 2, cmd);
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
	v->irq_pin = 0; /* MSI only: INTx is not routed yet */
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
	if (!h->cap_msi && !h->cap_msix)
		return refuse(vm, c, "it has neither MSI nor MSI-X (INTx-only functions are not "
				      "passed through yet)");
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
	fn->nvec = fn->msix ? (u8)MIN((hpci_read(h, h->cap_msix + 2, 2) & 0x7ff) + 1, PCI_MSIX_MAX) : 1;
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
	vm->passthru[vm->npassthru++] = fn;
	pr_info("guest %s pci 00:%02x.%x passthrough of %04x:%02x:%02x.%x %04x:%04x class %06x "
		"iommu unit %d %s vectors 0x%x-0x%x", vm->name, fn->v.devfn >> 3, fn->v.devfn & 7,
		h->seg, h->bus, h->dev, h->fn, h->vendor, h->device, h->class, h->iommu_unit,
		fn->msix ? "msi-x" : "msi", fn->vec, fn->vec + fn->nvec - 1);
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
		iommu()->detach(h->seg, hpci_dev_rid(h));
		reset_fn(fn, "guest stop");
		h->owner = HPCI_OWNER_NONE;
		h->owner_name = NULL;
		pr_info("guest %s pci %04x:%02x:%02x.%x released: DMA blocked, reset", vm->name, h->seg,
			h->bus, h->dev, h->fn);
	}
}
