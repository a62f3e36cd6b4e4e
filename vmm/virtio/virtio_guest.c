// SPDX-License-Identifier: MIT
/*
 * A guest's virtio devices on its PCI bus (virtio_guest.h). Each device is
 * a struct vg_dev (its pci_dev and virtio_pci transport) beside its model,
 * both in pages of their own. The PCI function (virtio spec v1.2 §4.1.2):
 * vendor 0x1af4, device 0x1040 + the virtio ID, revision 1, subsystem
 * vendor 0x1af4 / subsystem ID 0x1100 + ID like other modern devices; BAR
 * 0 a 64-bit memory BAR with the four structures of virtio_pci.h in its
 * first 16 KiB and the MSI-X table and PBA (PCI 3.0 §6.8.2) in the next
 * two pages; INTA for drivers without MSI-X (§4.1.5.3).
 */
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"
#include "vmm/net/registry.h"
#include "vmm/console_in.h"
#include "vmm/pci/pci.h"
#include "vmm/vcpu.h"
#include "vmm/virtio/virtio_blk.h"
#include "vmm/virtio/virtio_console.h"
#include "vmm/virtio/virtio_guest.h"
#include "vmm/virtio/virtio_net.h"
#include "vmm/virtio/virtio_pci.h"
#include "vmm/virtio/virtio_rng.h"
#include "vmm/vm.h"

#define VG_BAR 0
#define VG_BAR_SIZE 0x8000
#define VG_MSIX_TABLE VIRTIO_PCI_BAR_SIZE
#define VG_MSIX_PBA (VIRTIO_PCI_BAR_SIZE + 0x1000)
#define VG_SUBSYS_BASE 0x1100
#define VG_MAX_DEVS (CFG_MAX_DISKS + CFG_MAX_NICS + 2)

BUILD_ASSERT(VG_MSIX_PBA + 0x1000 <= VG_BAR_SIZE);

struct vg_dev {
	struct pci_dev pci;     /* ctx = &vp: the BAR callbacks' device */
	struct virtio_pci vp;
	struct vm *vm;
	struct virtio_dev *vdev; /* the model, first member of its struct */
};

/* (c) fixed at creation; the devices' state is under the VM's dev_lock. */
struct virtio_guest {
	unsigned ndevs, nnics;
	struct vg_dev *dev[VG_MAX_DEVS];
	struct virtio_net *nic[CFG_MAX_NICS];
	struct virtio_console *con;    /* console = hvc, else NULL */
	volatile u32 kicked;           /* (a) a poll request is on its way */
};

/* Zeroed pages of hypervisor memory for @size bytes; NULL when out. */
static void *vg_alloc(u64 size)
{
	u64 pa = pmm_alloc(ALIGN_UP(size, PAGE_SIZE), PAGE_SIZE);

	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, ALIGN_UP(size, PAGE_SIZE));
	return phys_to_virt(pa);
}

static u64 kib(u64 bytes) { return ALIGN_UP(bytes, PAGE_SIZE) >> 10; }

static struct vg_dev *of_vp(void *ctx)
{
	return (struct vg_dev *)((u8 *)ctx - offsetof(struct vg_dev, vp));
}

static bool vg_msix_enabled(void *ctx) { return pci_msix_enabled(&of_vp(ctx)->pci); }
static void vg_msix_notify(void *ctx, u16 vec) { pci_msix_notify(&of_vp(ctx)->pci, vec); }
static void vg_intx(void *ctx, bool level) { pci_set_intx(&of_vp(ctx)->pci, level); }

static const struct virtio_pci_ops vg_pci_ops = {
	.msix_enabled = vg_msix_enabled, .msix_notify = vg_msix_notify, .intx = vg_intx,
};

/* Platform reset (pci_bus_reset(), dev_lock held): the driver's reset
 * (§2.4) and the transport's registers; a disk keeps its contents. */
static void vg_reset(void *ctx)
{
	virtio_pci_common_write(ctx, VIRTIO_PCI_STATUS, 1, 0);
}

/* The four vendor capabilities (§4.1.4) and MSI-X: a vector per queue
 * and one for configuration changes. */
static bool vg_caps(struct vg_dev *v, u16 nvec)
{
	static const u8 types[] = { VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG,
				    VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_DEVICE_CFG };
	u8 cap[20];

	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		unsigned len = virtio_pci_cap(types[i], VG_BAR, cap);

		if (!len || !pci_add_cap(&v->pci, PCI_CAP_VENDOR, cap, len))
			return false;
	}
	return pci_msix_init(&v->pci, nvec, VG_BAR, VG_MSIX_TABLE, VG_MSIX_PBA) != 0;
}

/* Put model @vdev of @vm on the bus; NULL (logged) when it cannot be. */
static struct vg_dev *vg_add(struct vm *vm, struct virtio_guest *g, struct virtio_dev *vdev)
{
	struct vg_dev *v = vg_alloc(sizeof(*v));
	u16 id = vdev->device_id, nvec = (u16)(vdev->nqueues + 1);

	if (!v || g->ndevs == VG_MAX_DEVS)
		return NULL;
	v->vm = vm;
	v->vdev = vdev;
	virtio_pci_init(&v->vp, vdev, &vg_pci_ops, &v->vp, nvec);
	v->pci = (struct pci_dev){
		.name = vdev->name, .vendor_id = VIRTIO_PCI_VENDOR,
		.device_id = virtio_pci_device_id(id), .subsys_vendor_id = VIRTIO_PCI_VENDOR,
		.subsys_id = (u16)(VG_SUBSYS_BASE + id), .class_code = virtio_pci_class(id),
		.revision = VIRTIO_PCI_REVISION, .irq_pin = 1, .ctx = &v->vp, .reset = vg_reset,
	};
	v->pci.bar[VG_BAR] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = VG_BAR_SIZE,
					       .read = virtio_pci_bar_read,
					       .write = virtio_pci_bar_write };
	if (!pci_register(vm->pci, &v->pci, PCI_DEVFN_ANY) || !vg_caps(v, nvec))
		return NULL;
	g->dev[g->ndevs++] = v;
	return v;
}

static void vg_log(const struct vm *vm, const struct vg_dev *v, u64 model_size,
		   const char *what)
{
	printk(LOG_INFO, "guest %s pci 00:%02x.%x virtio-%s %s state %llu KiB", vm->name,
	       v->pci.devfn >> 3, v->pci.devfn & 7, v->vdev->name, what,
	       (unsigned long long)(kib(sizeof(*v)) + kib(model_size)));
}

/* The disk's @size bytes: the module itself when read-only and whole
 * sectors (never written), else a copy that lives as long as the VM, the
 * last sector padded with zeros (virtio-blk sees only whole sectors). */
static u8 *disk_data(const struct cfg_disk *cd, const struct boot_module *m, u64 *size)
{
	u8 *copy;

	*size = ALIGN_UP(m->size, VIRTIO_BLK_SECTOR);
	if (cd->readonly && *size == m->size)
		return phys_to_virt(m->base);
	copy = vg_alloc(*size);
	if (copy)
		memcpy(copy, phys_to_virt(m->base), m->size);
	return copy;
}

static bool add_disk(struct vm *vm, struct virtio_guest *g, const struct cfg_disk *cd,
		     unsigned n, const struct boot_module *mods, unsigned nmods)
{
	const struct boot_module *m = module_find(mods, nmods, cd->file);
	struct virtio_blk *b = vg_alloc(sizeof(*b));
	char serial[VIRTIO_BLK_ID_LEN + 1], what[CFG_FILE_MAX + 48];
	struct vg_dev *v;
	u64 size;
	u8 *data;

	if (!m) {
		printk(LOG_ERR, "config line %u: guest %s: disk '%s' is not loaded", cd->line,
		       vm->name, cd->file);
		return false;
	}
	data = disk_data(cd, m, &size);
	snprintf(serial, sizeof(serial), "hv-%s-vd%c", vm->name, 'a' + n);
	if (!b || !data ||
	    !virtio_blk_init(b, data, size, cd->readonly, serial, &vm->mem, vm->name) ||
	    !(v = vg_add(vm, g, &b->vdev))) {
		printk(LOG_ERR, "config line %u: guest %s: cannot add disk '%s' (%llu bytes)",
		       cd->line, vm->name, cd->file, (unsigned long long)m->size);
		return false;
	}
	snprintf(what, sizeof(what), "%s %llu bytes %s%s", cd->file, (unsigned long long)size,
		 cd->readonly ? "ro" : "rw (a copy in RAM)",
		 size != m->size ? " (padded to whole sectors)" : "");
	vg_log(vm, v, sizeof(*b), what);
	return true;
}

/* Frames wait for @ctx (a VM) on a switch port: called with the switch
 * lock held, so only a request for its vCPU 0 (switch.h). One request
 * (and IPI) until that vCPU polls, however many frames come meanwhile. */
static void net_kick(void *ctx)
{
	struct vm *vm = ctx;

	if (vm->nvcpus && !__atomic_exchange_n(&vm->virtio->kicked, 1, __ATOMIC_ACQ_REL))
		vcpu_request(vm->vcpus[0], VCPU_REQ_DEVPOLL);
}

static bool add_nic(struct vm *vm, struct virtio_guest *g, const struct cfg_nic *cn)
{
	struct net_switch *sw = net_switch_get(cn->sw);
	struct virtio_net *n = vg_alloc(sizeof(*n));
	char what[80];
	struct vg_dev *v;
	const u8 *a = cn->mac;

	if (!sw || !n || !virtio_net_init(n, cn->mac, sw, net_kick, vm, &vm->mem, vm->name) ||
	    !(v = vg_add(vm, g, &n->vdev))) {
		printk(LOG_ERR, "config line %u: guest %s: cannot add a NIC on switch %s",
		       cn->line, vm->name, cn->sw);
		return false;
	}
	g->nic[g->nnics++] = n;
	snprintf(what, sizeof(what), "switch %s mac %02x:%02x:%02x:%02x:%02x:%02x", cn->sw,
		 a[0], a[1], a[2], a[3], a[4], a[5]);
	vg_log(vm, v, sizeof(*n), what);
	return true;
}

static bool add_rng(struct vm *vm, struct virtio_guest *g)
{
	struct virtio_rng *r = vg_alloc(sizeof(*r));
	struct vg_dev *v;

	if (!r)
		return false;
	if (!virtio_rng_init(r, &vm->mem, vm->name))
		return true; /* no RDSEED/RDRAND: logged, the guest goes without */
	if (!(v = vg_add(vm, g, &r->vdev)))
		return false;
	vg_log(vm, v, sizeof(*r), "entropy from the CPU");
	return true;
}

static void con_tx(void *ctx, const u8 *buf, u32 len)
{
	for (u32 i = 0; i < len; i++)
		vm_console_putc(ctx, (char)buf[i]);
}

/* The port as the sink of the guest's console input (console_in.h): it
 * takes what its receive ring has room for; the rest waits in con_in and
 * is fed again at each device poll (virtio_guest_poll). */
static unsigned hvc_room(void *dev) { return virtio_console_rx_room(dev); }

static bool hvc_put(void *dev, u8 byte)
{
	return virtio_console_input(dev, &byte, 1) == 1;
}

static bool add_console(struct vm *vm, struct virtio_guest *g)
{
	struct virtio_console *c = vg_alloc(sizeof(*c));
	struct vg_dev *v;

	if (!c)
		return false;
	virtio_console_init(c, con_tx, vm, &vm->mem, vm->name);
	if (!(v = vg_add(vm, g, &c->vdev)))
		return false;
	g->con = c;
	console_in_set_sink(vm->con_in, &(struct console_sink){ hvc_room, hvc_put, c });
	vg_log(vm, v, sizeof(*c), "the guest's console (hvc0)");
	return true;
}

bool virtio_guest_init(struct vm *vm, const struct cfg_guest *cg,
		       const struct boot_module *mods, unsigned nmods)
{
	struct virtio_guest *g;
	bool ok = true;

	if (!cg->ndisks && !cg->nnics && !cg->rng && cg->console != CFG_CONSOLE_HVC)
		return true;
	g = vg_alloc(sizeof(*g));
	if (!g)
		return false;
	vm->virtio = g;
	for (unsigned i = 0; i < cg->ndisks && ok; i++)
		ok = add_disk(vm, g, &cg->disks[i], i, mods, nmods);
	for (unsigned i = 0; i < cg->nnics && ok; i++)
		ok = add_nic(vm, g, &cg->nics[i]);
	if (ok && cg->rng)
		ok = add_rng(vm, g);
	if (ok && cg->console == CFG_CONSOLE_HVC)
		ok = add_console(vm, g);
	if (!ok)
		printk(LOG_ERR, "guest %s: cannot create its virtio devices", vm->name);
	return ok;
}

bool virtio_guest_poll(struct vm *vm)
{
	struct virtio_guest *g = vm->virtio;

	if (!g)
		return false;
	/* cleared before draining: a frame queued after the drain looked
	 * kicks again */
	__atomic_store_n(&g->kicked, 0, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < g->nnics; i++)
		virtio_net_rx_poll(g->nic[i]);
	if (!g->con)
		return false;
	console_in_feed(vm->con_in);
	return console_in_pending(vm->con_in) > 0;
}

void virtio_guest_report(struct vm *vm)
{
	struct virtio_guest *g = vm->virtio;

	for (unsigned i = 0; g && i < g->ndevs; i++) {
		const struct vg_dev *v = g->dev[i];

		printk(LOG_INFO, "guest %s pci %02x:%02x.%u virtio-%s notifies %llu interrupts %llu",
		       vm->name, 0, v->pci.devfn >> 3, v->pci.devfn & 7, v->vdev->name,
		       (unsigned long long)v->vdev->notifies, (unsigned long long)v->vdev->interrupts);
	}

	for (unsigned i = 0; g && i < g->nnics; i++) {
		const struct virtio_net *n = g->nic[i];

		printk(LOG_INFO, "guest %s net %u tx %llu rx %llu tx-errors %llu rx-errors %llu "
		       "mailbox-drops %llu tx-gso %llu tx-csum %llu", vm->name, i,
		       (unsigned long long)n->tx_frames, (unsigned long long)n->rx_frames,
		       (unsigned long long)n->tx_errors, (unsigned long long)n->rx_errors,
		       (unsigned long long)n->port.rx_drops, (unsigned long long)n->tx_gso,
		       (unsigned long long)n->tx_csum);
	}
}
