/* SPDX-License-Identifier: MIT */
/*
 * The virtual PCI bus of a VM (PCI Local Bus 3.0, PCI Express Base 4.0
 * ch. 7): segment 0, bus 0, 32 slots of up to 8 functions. A device model
 * (virtio today, a passed-through function later) fills a struct pci_dev
 * -- IDs, class, BARs (kind, power-of-two size, read/write callbacks that
 * get the offset into the BAR), optional hooks for its own config
 * registers -- and calls pci_register(); the bus picks the slot, places
 * the BARs in the guest's PCI hole like a firmware would and serves the
 * type 0 header: command/status, BAR sizing (32-bit, 64-bit pairs, I/O),
 * read-only fields, interrupt line/pin, the capability list (pci_add_cap),
 * MSI and MSI-X (vmm/pci/msi.c), 256 bytes of conventional config space
 * and 4 KiB through ECAM (extended space reads 0 unless a hook serves it).
 * The host bridge at 00:00.0 is the bus's own device. A model never
 * learns where it sits; it raises interrupts only through pci_set_intx(),
 * pci_msi_notify() and pci_msix_notify().
 *
 * Guest view (vmm/pci/pci_host.c; the DSDT, MCFG and E820 say the same):
 * config mechanism #1 at ports 0xCF8/0xCFC, ECAM at PCI_ECAM_BASE,
 * memory BARs in [PCI_MMIO_BASE, PCI_MMIO_END) and 64-bit ones of
 * PCI_MMIO64_MIN_BAR or more in [PCI_MMIO64_BASE, PCI_MMIO64_END), I/O BARs in
 * [PCI_IO_BASE, PCI_IO_END), INTx pin P of slot S on GSI
 * PCI_GSI_BASE + ((S + P - 1) & 7), level-triggered, active low. The bus
 * claims the whole MMIO hole and the whole I/O window as ONE region each
 * on the VM's buses and dispatches inside by the CURRENT BAR values and
 * the command register's enable bits, so the guest may move BARs freely;
 * space no enabled BAR decodes is unclaimed (bus_decode_fn): all-ones,
 * writes dropped, counted and logged like any address nobody has.
 *
 * Who owns what. (c) written before the bus is live (the model fills its
 * pci_dev before pci_register(); the bus fills its own at registration),
 * read-only afterwards. (l) bus->lock: every pci_dev's config bytes,
 * BAR addresses, MSI-X table and pending bits, INTx state, and the slot
 * table. Lock order: the VM's dev_lock (held by every bus access) ->
 * bus->lock -> the interrupt controllers' locks. BAR callbacks run
 * WITHOUT bus->lock (they may call pci_set_intx() / pci_*_notify());
 * config hooks run WITH it and must not call back into the bus.
 */
#ifndef VMM_PCI_PCI_H
#define VMM_PCI_PCI_H

#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "vmm/bus.h"

/* The guest physical layout of the bus. */
#define PCI_MMIO_BASE 0xc0000000ULL   /* = GMEM_LOW_TOP: guest RAM ends here */
#define PCI_MMIO_END 0xf0000000ULL
/* The 64-bit window above all guest RAM, for large 64-bit BARs (a
 * guest whose CPU reports fewer than 40 physical address bits cannot
 * reach it: the bus then keeps every BAR below 4 GiB). */
#define PCI_MMIO64_BASE 0x8000000000ULL /* 512 GiB */
#define PCI_MMIO64_END 0x9000000000ULL  /* + 64 GiB */
#define PCI_MMIO64_MIN_BAR (256ULL * MiB) /* 64-bit BARs this large go there */
#define PCI_ECAM_BASE 0xf0000000ULL   /* PCIe 4.0 §7.2.2 */
#define PCI_ECAM_BUSES 1              /* bus 0 only */
#define PCI_ECAM_SIZE (PCI_ECAM_BUSES * MiB)
#define PCI_IO_BASE 0xc000
#define PCI_IO_END 0x10000
#define PCI_CF8_PORT 0xcf8            /* CONFIG_ADDRESS, CONFIG_DATA at 0xcfc */
#define PCI_CF8_LEN 8
#define PCI_GSI_BASE 16               /* INTx lines: GSIs 16-23 */
#define PCI_GSIS 8
/* The GSI of INTx pin @pin (1-4 = INTA-INTD) of slot @slot: the rule the
 * DSDT's _PRT spells out entry by entry. */
#define PCI_INTX_GSI(slot, pin) (PCI_GSI_BASE + (((slot) + (pin) - 1) & (PCI_GSIS - 1)))

#define PCI_SLOTS 32
#define PCI_FUNCS 8
#define PCI_DEVFN(slot, fn) ((u8)(((slot) << 3) | (fn)))
#define PCI_DEVFN_ANY 0xff            /* pci_register(): the next free slot */
#define PCI_CFG_SIZE 256              /* conventional space */
#define PCI_ECFG_SIZE 4096            /* with PCIe extended space */
#define PCI_BARS 6
#define PCI_MSIX_MAX 32               /* table entries a pci_dev can hold */

/* Type 0 header offsets (PCI 3.0 §6.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CACHE_LINE 0x0c
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
#define PCI_ROM 0x30
#define PCI_CAP_PTR 0x34
#define PCI_INT_LINE 0x3c
#define PCI_INT_PIN 0x3d
#define PCI_HDR_END 0x40

/* Command register bits (§6.2.2). */
#define PCI_CMD_IO (1u << 0)
#define PCI_CMD_MEM (1u << 1)
#define PCI_CMD_MASTER (1u << 2)
#define PCI_CMD_PARITY (1u << 6)
#define PCI_CMD_SERR (1u << 8)
#define PCI_CMD_INTX_DISABLE (1u << 10)
/* Status register bits (§6.2.3). */
#define PCI_STS_INTX (1u << 3)
#define PCI_STS_CAP_LIST (1u << 4)

/* Capability IDs (PCI Code and ID Assignment spec). */
#define PCI_CAP_MSI 0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_PCIE 0x10
#define PCI_CAP_MSIX 0x11

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_MEM32, PCI_BAR_MEM64, PCI_BAR_IO };

struct pci_bar {
	/* (c) filled by the model; a MEM64 BAR takes slots n and n+1 */
	enum pci_bar_kind kind;
	u64 size;             /* power of two; at least 16 (MEM) / 4 (IO) */
	bool prefetchable;
	bus_read_fn read;     /* offset into the BAR; NULL reads all-ones */
	bus_write_fn write;
	void *ctx;            /* the callbacks' dev; NULL: the device's ctx */
	/* (c) nonzero: a passed-through memory BAR mapped straight to this
	 * host address in the guest's stage 2 (uncached) wherever the guest
	 * puts it while memory decode is on, so accesses make no exit; the
	 * callbacks serve it only while it is not mapped. Page aligned, a
	 * size of at least a page. */
	u64 direct;
	u64 mapped;           /* (l) guest address it is mapped at now, 0: none */
	/* (l) where the BAR points now: what the guest (or the placement)
	 * wrote, the low bits below the size masked off */
	u64 addr;
	u64 placed;           /* (c) set by the bus: the firmware placement */
};

struct pci_dev;

/*
 * Device-specific config registers: called for accesses outside the type 0
 * header (0x00-0x3f) and outside the MSI/MSI-X capabilities the bus runs.
 * Return true when handled (*val filled for a read); false lets the bus
 * use its config bytes (write mask from pci_add_cap()/pci_set_wmask();
 * extended space reads 0). Called with bus->lock held.
 */
typedef bool (*pci_cfg_read_fn)(struct pci_dev *d, unsigned off, unsigned size, u32 *val);
typedef bool (*pci_cfg_write_fn)(struct pci_dev *d, unsigned off, unsigned size, u32 val);

struct pci_msix_entry {
	u32 addr_lo, addr_hi, data, ctrl; /* PCI 3.0 §6.8.2.6-9 */
};

struct pci_dev {
	/* (c) filled by the model before pci_register() */
	const char *name;
	u16 vendor_id, device_id;
	u16 subsys_vendor_id, subsys_id;
	u32 class_code;        /* base class << 16 | subclass << 8 | prog-if */
	u8 revision;
	u8 irq_pin;            /* 0 none, 1-4 INTA-INTD */
	struct pci_bar bar[PCI_BARS];
	void *ctx;             /* the model's own pointer: the BAR callbacks' dev */
	pci_cfg_read_fn cfg_read;   /* optional */
	pci_cfg_write_fn cfg_write; /* optional */
	void (*reset)(void *ctx);   /* optional: platform reset, without bus->lock */

	/* (c) set by pci_register() */
	struct pci_bus *bus;
	u8 devfn;
	u8 gsi;                /* where INTx goes (_PRT) */
	/* (l) the emulated config bytes and which bits of them are RW */
	u8 cfg[PCI_CFG_SIZE];
	u8 wmask[PCI_CFG_SIZE];
	u8 cfg0[PCI_CFG_SIZE]; /* (c) the bytes at registration, for resets */
	u8 cap_end;            /* next free config byte for pci_add_cap() */
	u8 cap_last;           /* offset of the last capability, 0 if none */
	u8 msi_cap, msix_cap;  /* (c) their offsets, 0 if absent */
	bool intx_level;       /* (l) the model asserts INTx */
	/* MSI-X (msi.c): table and PBA in BAR msix_bar */
	u16 msix_n;            /* (c) table size */
	u8 msix_bar;           /* (c) */
	u32 msix_table, msix_pba; /* (c) offsets into the BAR */
	struct pci_msix_entry msix[PCI_MSIX_MAX]; /* (l) */
	u32 msix_pending;      /* (l) PBA bits */
	u32 msi_pending;       /* (l) MSI pending bits (the capability's copy too) */
};

/* How the bus reaches the VM's stage 2 for direct BARs: map guest
 * [gpa, gpa + size) to host MMIO at @hpa uncached (false if it cannot),
 * or take such a mapping away (every vCPU stops using it before its next
 * guest instruction). Called under bus->lock. */
struct pci_map_hooks {
	bool (*map)(void *ctx, u64 gpa, u64 hpa, u64 size);
	void (*unmap)(void *ctx, u64 gpa, u64 size);
	void *ctx;
};

/* How the bus reaches the VM's interrupt controllers. */
struct pci_irq_hooks {
	void (*set_gsi)(void *ctx, unsigned gsi, bool level); /* electrical level */
	void (*msi)(void *ctx, u64 addr, u32 data);           /* an MSI write */
	void *ctx;
};

/* A memory window BARs decode in, as its bus region's callbacks see it. */
struct pci_window {
	struct pci_bus *bus;
	u64 base;
};

struct pci_bus {
	spinlock_t lock;
	struct pci_irq_hooks irq;          /* (c) */
	struct pci_map_hooks maps;         /* (c) for direct BARs; none: all trapped */
	struct pci_dev *dev[PCI_SLOTS * PCI_FUNCS]; /* (l) by devfn */
	u32 cf8;                           /* (l) CONFIG_ADDRESS */
	u64 mmio_next;                     /* (l) BAR placement cursors */
	u64 mmio64_next;                   /* 0: no 64-bit window (see pci_bus_enable_mmio64) */
	struct pci_window hole, hole64;    /* (c) the two windows' region contexts */
	u32 io_next;
	struct pci_dev host;               /* 00:00.0 */
	/* optional: what owns the rest of 0xCF8-0xCFF on a PC (the reset
	 * control register at 0xCF9): non-dword accesses to 0xCF8-0xCFB */
	bus_read_fn cf9_read;
	bus_write_fn cf9_write;
	void *cf9_dev;
};

/*
 * Set up @b with its host bridge and claim its ranges on the VM's buses:
 * 0xCF8-0xCFF and the I/O window on @pio, ECAM and the MMIO hole on
 * @mmio. False if a range is taken (a hypervisor bug). @cf9_* serve the
 * byte at 0xCF9 (NULL: nothing there).
 */
bool pci_bus_init(struct pci_bus *b, const struct pci_irq_hooks *irq,
		  struct bus *pio, struct bus *mmio, bus_read_fn cf9_read,
		  bus_write_fn cf9_write, void *cf9_dev);

/* Open the 64-bit window (the guest's CPU reaches PCI_MMIO64_END) and
 * claim it on @mmio; before devices are registered. */
bool pci_bus_enable_mmio64(struct pci_bus *b, struct bus *mmio);

/* Whether [addr, addr + size) lies in a window BARs may decode in. */
bool pci_in_window(const struct pci_bus *b, u64 addr, u64 size);

/* Give the bus the VM's stage-2 hooks (before any device with a direct
 * BAR is registered). */
void pci_bus_set_map_hooks(struct pci_bus *b, const struct pci_map_hooks *h);

/*
 * Put @d on the bus at @devfn, or at function 0 of the next free slot
 * with PCI_DEVFN_ANY; place its BARs, set its header to what a firmware
 * leaves (BARs placed, I/O and memory decode on, interrupt line = GSI).
 * Capabilities are added after this. False (logged by the caller) when
 * the slot is taken, the bus is full, a BAR is malformed or the hole is
 * full.
 */
bool pci_register(struct pci_bus *b, struct pci_dev *d, u8 devfn);

/*
 * Append a capability of @len bytes (@len >= 2) whose contents are
 * @data: the bus writes its ID @id and next pointer over the first two
 * bytes. Returns its config offset, 0 when it does not fit below 0x100.
 * Its bytes are read-only until pci_set_wmask() says otherwise.
 */
u8 pci_add_cap(struct pci_dev *d, u8 id, const void *data, unsigned len);

/* Make bits of config bytes [off, off + len) writable: mask bytes @mask. */
void pci_set_wmask(struct pci_dev *d, unsigned off, const u8 *mask, unsigned len);

/* MSI capability with @nvec (1, 2, 4, ... 32) vectors, 64-bit address and
 * per-vector masking. Returns its offset or 0. */
u8 pci_msi_init(struct pci_dev *d, unsigned nvec);

/* MSI-X capability with @nvec (<= PCI_MSIX_MAX) vectors, table at
 * @table_off and PBA at @pba_off of memory BAR @bar (8-byte aligned,
 * inside the BAR, not overlapping). Returns its offset or 0. */
u8 pci_msix_init(struct pci_dev *d, unsigned nvec, unsigned bar, u32 table_off, u32 pba_off);

/* Signal vector @vec: delivered now, or left pending while masked (MSI-X
 * vector or function mask, MSI mask bit) and delivered on unmask. Ignored
 * while MSI(-X) is disabled and for vectors the function does not have.
 * Any CPU; takes bus->lock (not to be called from a config hook). */
void pci_msix_notify(struct pci_dev *d, unsigned vec);
void pci_msi_notify(struct pci_dev *d, unsigned vec);

/* Has the guest enabled MSI-X / MSI? A snapshot of one config byte,
 * without the lock: a model picks its interrupt path with it (a change
 * racing with the notify is the guest's, as on hardware). */
bool pci_msix_enabled(struct pci_dev *d);
bool pci_msi_enabled(struct pci_dev *d);

/* Drive the device's INTx (level, @asserted). The line to the I/O APIC is
 * the wired-OR of every function on its GSI whose INTx is asserted, not
 * disabled by the command register and not replaced by MSI/MSI-X;
 * the status register's interrupt bit follows @asserted. Takes bus->lock;
 * caller holds the VM's dev_lock. */
void pci_set_intx(struct pci_dev *d, bool asserted);

/* Platform reset: every function back to its registration state, INTx
 * low, then each model's reset hook. Caller holds the VM's dev_lock. */
void pci_bus_reset(struct pci_bus *b);

/*
 * Configuration access to bus 0 (@bus_nr other than 0 or an empty devfn:
 * reads all-ones, writes dropped). @off < PCI_ECFG_SIZE, @size 1, 2 or 4
 * within one dword (a configuration request carries byte enables of one
 * dword; others: all-ones / dropped). Takes bus->lock.
 */
u32 pci_cfg_read(struct pci_bus *b, u8 bus_nr, u8 devfn, unsigned off, unsigned size);
void pci_cfg_write(struct pci_bus *b, u8 bus_nr, u8 devfn, unsigned off, unsigned size,
		   u32 val);

/* Bus callbacks for the ranges pci_bus_init() claims (@dev is the bus;
 * for the pci_hole_* ones, the struct pci_window). */
u64 pci_cf8_read(void *dev, u64 off, unsigned size);
void pci_cf8_write(void *dev, u64 off, unsigned size, u64 val);
u64 pci_ecam_read(void *dev, u64 off, unsigned size);
void pci_ecam_write(void *dev, u64 off, unsigned size, u64 val);
bool pci_hole_decodes(void *dev, u64 off, unsigned size); /* bus_decode_fn */
u64 pci_hole_read(void *dev, u64 off, unsigned size);
void pci_hole_write(void *dev, u64 off, unsigned size, u64 val);
u64 pci_io_read(void *dev, u64 off, unsigned size);
void pci_io_write(void *dev, u64 off, unsigned size, u64 val);

/* Internal to vmm/pci/ (msi.c <-> pci.c), under bus->lock. */
#define PCI_MSI_CAP_LEN 0x18
#define PCI_MSIX_CAP_LEN 12
u16 pci_command(const struct pci_dev *d);
void pci_cfg_masked_write(struct pci_dev *d, unsigned off, unsigned size, u32 v);
bool pci_msi_cfg_write(struct pci_dev *d, unsigned off, unsigned size, u32 val);
bool pci_msix_bar_access(struct pci_dev *d, unsigned bar, u64 off, unsigned size,
			 bool write, u64 *val);
void pci_msi_reset(struct pci_dev *d);
void pci_intx_update(struct pci_dev *d);
void pci_direct_refresh(struct pci_dev *d); /* a direct BAR's layout changed (MSI-X added) */

#endif
