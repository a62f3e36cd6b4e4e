/* SPDX-License-Identifier: MIT */
/*
 * The host's PCI devices (PCI Local Bus 3.0, PCI-to-PCI Bridge 1.2, PCIe
 * Base 4.0 for the capabilities and resets): enumerated once at boot
 * through ECAM (MCFG) or, where there is no MCFG, configuration mechanism
 * #1 (CF8/CFC), bridges followed to their secondary buses. Each function
 * found is a struct hpci_dev in one table, with its BARs sized and its
 * capabilities located.
 *
 * Names start with hpci_ / HPCI_ (host PCI): the guest's virtual bus
 * (vmm/pci/pci.h) has its own pci_ names, and passthrough code sees both.
 *
 * Enumeration (hpci_enumerate) is pure logic over a struct hpci_cfg_access,
 * so the unit tests feed it a simulated configuration space; pci_host.c
 * binds it to the hardware.
 *
 * Ownership: the table is written by the BSP during boot (hpci_init,
 * then the passthrough assignment while guests are created, which sets
 * owner); after guests start it is read-only except the owner field,
 * which only the VM that owns a device changes when it stops. No lock.
 */
#ifndef DRIVERS_PCI_HPCI_H
#define DRIVERS_PCI_HPCI_H

#include "kernel/types.h"

struct acpi_info;

#define HPCI_MAX_DEVS 256
#define HPCI_NO_PARENT 0xffff

/* Standard configuration header offsets and bits (PCI 3.0 §6.1, §6.2). */
#define HPCI_VENDOR_ID 0x00
#define HPCI_DEVICE_ID 0x02
#define HPCI_COMMAND 0x04
#define HPCI_COMMAND_IO (1u << 0)
#define HPCI_COMMAND_MEM (1u << 1)
#define HPCI_COMMAND_MASTER (1u << 2)
#define HPCI_COMMAND_INTX_DISABLE (1u << 10)
#define HPCI_STATUS 0x06
#define HPCI_STATUS_INTX (1u << 3)     /* Interrupt Status (PCI 2.3+) */
#define HPCI_STATUS_CAP_LIST (1u << 4)
#define HPCI_CLASS_REV 0x08 /* class << 8 | revision */
#define HPCI_HEADER_TYPE 0x0e
#define HPCI_BAR0 0x10
#define HPCI_PRIMARY_BUS 0x18 /* type 1: primary, secondary, subordinate */
#define HPCI_SECONDARY_BUS 0x19
#define HPCI_SUBORDINATE_BUS 0x1a
#define HPCI_CAP_PTR 0x34
#define HPCI_INTERRUPT_LINE 0x3c
#define HPCI_INTERRUPT_PIN 0x3d
#define HPCI_BRIDGE_CONTROL 0x3e
#define HPCI_BRIDGE_CTL_BUS_RESET (1u << 6)

#define HPCI_CAP_ID_PM 0x01
#define HPCI_CAP_ID_MSI 0x05
#define HPCI_CAP_ID_PCIE 0x10
#define HPCI_CAP_ID_MSIX 0x11

/* PCI Express capability registers, offsets from the capability (PCIe
 * Base 4.0 §7.5.3). */
#define HPCI_PCIE_FLAGS 0x02
#define HPCI_PCIE_DEVCAP 0x04
#define HPCI_PCIE_DEVCAP_FLR (1u << 28)
#define HPCI_PCIE_DEVCTL 0x08
#define HPCI_PCIE_DEVCTL_BCR_FLR (1u << 15) /* Initiate Function Level Reset */
#define HPCI_PCIE_DEVSTA 0x0a
#define HPCI_PCIE_DEVSTA_TRPND (1u << 5)    /* Transactions Pending */
#define HPCI_PCIE_DEVCTL2 0x28              /* capability version 2 and later */

/* Power management capability (PCI PM 1.2 §3.2). */
#define HPCI_PM_CSR 0x04
#define HPCI_PM_CSR_STATE 0x3u              /* 0 D0 ... 3 D3hot */
#define HPCI_PM_CSR_NO_SOFT_RESET (1u << 3)

enum hpci_bar_kind { HPCI_BAR_NONE, HPCI_BAR_IO, HPCI_BAR_MEM32, HPCI_BAR_MEM64 };

struct hpci_bar {
	u64 base;            /* as the firmware left it */
	u64 size;            /* 0: not implemented */
	u8 kind;             /* enum hpci_bar_kind; the upper half of a 64-bit BAR is NONE */
	bool prefetch;
};

/* Who has a device. The hypervisor's own console, a guest (by VM id), or
 * nobody (then its DMA is blocked by the IOMMU). */
enum hpci_owner { HPCI_OWNER_NONE, HPCI_OWNER_HV, HPCI_OWNER_GUEST };

struct hpci_dev {
	u16 seg;
	u8 bus, dev, fn;
	u16 vendor, device;
	u32 class;           /* base class << 16 | subclass << 8 | prog-if */
	u8 revision;
	u8 header_type;      /* bits 6:0 of the header type register */
	bool multifunction;
	bool bridge;         /* header type 1 */
	u8 sec_bus, sub_bus; /* bridges: the buses behind it */
	u8 nbars;            /* 6 for type 0, 2 for type 1 */
	struct hpci_bar bar[6];
	u8 irq_pin;          /* 0 none, 1-4 INTA-INTD */
	u8 cap_pm, cap_msi, cap_msix, cap_pcie; /* config offsets, 0: absent */
	u8 pcie_type;        /* PCIe capability: device/port type (bits 7:4 of PCIe caps) */
	bool flr;            /* PCIe Device Capabilities: Function Level Reset */
	u16 parent;          /* index of the bridge above, HPCI_NO_PARENT on a root bus */
	u8 owner;            /* enum hpci_owner */
	u32 owner_id;        /* the VM's id when owned by a guest */
	const char *owner_name; /* the owner's name for log lines ("hv" or the VM's) */
	u32 dma_faults;      /* IOMMU faults it caused (the fault handler's count) */
	int iommu_unit;      /* the IOMMU unit covering it, -1 none (set by the IOMMU driver) */
};

/* A function's requester ID as the IOMMU sees it: bus << 8 | dev << 3 | fn. */
static inline u16 hpci_rid(u8 bus, u8 dev, u8 fn) { return (u16)(bus << 8 | dev << 3 | fn); }
static inline u16 hpci_dev_rid(const struct hpci_dev *d) { return hpci_rid(d->bus, d->dev, d->fn); }

/* Configuration space access for one segment; @size 1, 2 or 4. A read of
 * an absent function returns all ones. */
struct hpci_cfg_access {
	u32 (*read)(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size);
	void (*write)(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size, u32 val);
	void *ctx;
};

/* The device table filled by hpci_enumerate(). */
struct hpci_table {
	unsigned n;
	bool truncated;      /* more functions than HPCI_MAX_DEVS */
	struct hpci_dev d[HPCI_MAX_DEVS];
};

/*
 * Scan segment @seg from bus @bus0 (its root bus), following bridges to
 * their secondary buses (the bus numbers the firmware assigned; a bridge
 * whose secondary bus is 0, not above its own bus, or already scanned is
 * recorded but not followed). Sizes every BAR with decoding switched off
 * for the moment, and walks the capability list (bounded, so a looping
 * list ends). Appends to @t.
 */
void hpci_enumerate(struct hpci_table *t, const struct hpci_cfg_access *a, u16 seg, u8 bus0);

/*
 * Enumerate a whole segment whose buses are @first..@last (an MCFG entry):
 * from @first, then from every other bus that has devices and that no
 * bridge in the table claims (a second host bridge's root bus, e.g. a
 * server's uncore bus). Returns how many root buses were scanned.
 */
unsigned hpci_enumerate_segment(struct hpci_table *t, const struct hpci_cfg_access *a, u16 seg,
				u8 first, u8 last);

/* The function @seg:@bus:@dev.@fn in @t, or NULL. */
struct hpci_dev *hpci_table_find(struct hpci_table *t, u16 seg, u8 bus, u8 dev, u8 fn);

/* The function with an I/O BAR that decodes @port (a PCI serial card
 * behind the hypervisor's console), or NULL. */
struct hpci_dev *hpci_table_find_io(struct hpci_table *t, u16 port);

/* Parse "SSSS:BB:DD.F" or "BB:DD.F" (hex: segment 1-4 digits, bus and
 * device 1-2, device at most 1f, function one digit 0-7); false if
 * malformed or followed by anything. */
bool hpci_parse_bdf(const char *s, size_t len, u16 *seg, u8 *bus, u8 *dev, u8 *fn);

/* One function as the platform report shows it: "0000:00:03.0 1234:11e8
 * class 00ff00 hdr 0 bars 0:mem32:0xfea00000+1M caps msi,pcie
 * pcie=endpoint flr=no owner none iommu -" (bridges add "bus SS-UU" after
 * hdr; a prefetchable BAR is "mem64p"). */
void hpci_describe(const struct hpci_dev *d, char *buf, size_t size);

/* ---- the host's table (pci_host.c) ---- */

/* Enumerate the host's devices through ECAM from @ai's MCFG, else CF8/CFC
 * (segment 0). A function whose I/O BAR decodes the console's port
 * becomes HPCI_OWNER_HV. Boot CPU, before the APs start. */
void hpci_init(const struct acpi_info *ai);
unsigned hpci_count(void);
struct hpci_dev *hpci_at(unsigned i);
struct hpci_dev *hpci_find(u16 seg, u8 bus, u8 dev, u8 fn);
u32 hpci_read(const struct hpci_dev *d, u16 off, unsigned size);
void hpci_write(const struct hpci_dev *d, u16 off, unsigned size, u32 val);

/* Reset a function: FLR if it has one, else a secondary bus reset of its
 * bridge when it is alone behind it, else D3hot -> D0 if its PM
 * capability allows; with the waits the specifications require (100 ms
 * and more: only where a busy-wait that long is fine). Its BARs, command
 * register, interrupt line and PCIe device controls are put back, except
 * bus mastering, which is left off. True with the method in @why ("FLR",
 * "secondary bus reset", "D3hot->D0"); false with the reason in @why when
 * none applies or the function does not answer afterwards. */
bool hpci_reset(struct hpci_dev *d, char *why, size_t n);

/* The command line's pci_reset=BDF[,BDF...]: reset each function now and
 * log the method, the time taken and whether its BARs came back (a test
 * of hpci_reset on the machine at hand). */
void hpci_reset_test(const char *cmdline);

/* The platform report's lines: "platform pci functions=N access=ecam|cf8|
 * none", then one "platform pci <hpci_describe>" per function. */
void hpci_report(void);

#endif
