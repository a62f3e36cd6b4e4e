/* SPDX-License-Identifier: MIT */
/*
 * The host IOMMU: one struct iommu_ops, two drivers (vtd.c for Intel VT-d
 * from the DMAR table, amdvi.c for AMD-Vi from IVRS), picked once at boot
 * by iommu_init() from ACPI.
 *
 * Policy (DESIGN.md): from iommu_init() on, every device's DMA is blocked
 * (its context / device table entry translates nothing) until it is
 * attached to a domain; a guest's domain maps exactly the guest's RAM
 * (vmm/gmem.h regions, gpa -> hpa), so hypervisor memory is in no domain;
 * RMRR / IVMD regions are mapped for the devices that name them. Faults
 * are reported from the unit's fault interrupt with one line per fault
 * (iommu_fault_log).
 *
 * Ownership: the ops and every unit's tables belong to the driver. Domains
 * are created, mapped and attached by the BSP while guests are created
 * and detached by the VM that owns them when it stops; each driver's
 * lock guards its tables and its command / invalidation queue.
 */
#ifndef DRIVERS_IOMMU_IOMMU_H
#define DRIVERS_IOMMU_IOMMU_H

#include "arch/x86/pgtable.h"
#include "kernel/types.h"

struct acpi_info;
struct iommu_domain; /* the driver's */

/* The access a mapping grants: the shared page-table builder's
 * PT_PROT_R / PT_PROT_W (arch/x86/pgtable.h), which the drivers' I/O page
 * tables are formats of. */
#define IOMMU_READ PT_PROT_R
#define IOMMU_WRITE PT_PROT_W

/* A region a device needs mapped 1:1 (VT-d RMRR, AMD-Vi IVMD). */
struct iommu_region {
	u64 base, size;
};

struct iommu_ops {
	const char *name; /* "vtd" or "amdvi", as in the report line */
	/*
	 * Bring up every unit @ai describes: tables that block every device,
	 * fault reporting to the BSP on VEC_IOMMU_FAULT, translation enabled
	 * (and interrupt remapping where the unit has it). Returns the
	 * number of units running; 0 with @why when none could be used.
	 */
	unsigned (*init)(const struct acpi_info *ai, char *why, size_t n);
	/* The report's text after "iommu=<name> ", e.g. "units=1 intremap=yes
	 * sagaw=0x4 ...". */
	void (*describe)(char *buf, size_t n);
	/* The unit covering requester @rid of segment @seg, -1 if none does
	 * (then the device cannot be isolated and is never passed through). */
	int (*unit_of)(u16 seg, u16 rid);
	/* Regions requester @rid needs identity-mapped; how many (at most
	 * @max written). */
	unsigned (*reserved)(u16 seg, u16 rid, struct iommu_region *out, unsigned max);
	/* An empty domain for VM @owner_id (the domain / tag it uses); NULL if
	 * out of memory or of domain IDs. */
	struct iommu_domain *(*domain_new)(u32 owner_id);
	/* Map [@iova, @iova + @size) to host [@hpa, ...) with IOMMU_READ /
	 * IOMMU_WRITE; page aligned; large pages where both allow. */
	bool (*map)(struct iommu_domain *d, u64 iova, u64 hpa, u64 size, unsigned prot);
	/* Translate requester @rid through @d from now on (invalidating what
	 * the unit cached for it). */
	bool (*attach)(struct iommu_domain *d, u16 seg, u16 rid);
	/* Block requester @rid again (invalidating). */
	void (*detach)(u16 seg, u16 rid);
	/* Free a domain no device is attached to. */
	void (*domain_free)(struct iommu_domain *d);
	/*
	 * Interrupt remapping: let requester @rid's interrupt number @index
	 * deliver @vector to the CPU with APIC ID @apic_id (fixed, edge),
	 * and give the MSI address / data the device must use for it.
	 * False if the unit has no interrupt remapping or @index is out of
	 * the device's table.
	 */
	bool (*irq_remap)(u16 seg, u16 rid, unsigned index, u32 apic_id, u8 vector, u64 *msi_addr,
			  u32 *msi_data);
	/* Optional: true when the units block the I/O APICs' compatibility-
	 * format interrupts (VT-d with interrupt remapping on and CFI off,
	 * SDM VT-d §5.1.2.1); AMD-Vi lets its IOAPIC sources pass. */
	bool (*blocks_compat_irqs)(void);
	/* Optional: where blocks_compat_irqs() is true, the redirection-entry
	 * bits (format, handle, vector) that let pin @pin of I/O APIC
	 * @ioapic_id (its MADT ID) deliver @vector, fixed and edge, to
	 * @apic_id through the unit's remapping table; false if it cannot. */
	bool (*ioapic_remap)(u8 ioapic_id, unsigned pin, u32 apic_id, u8 vector, u64 *rte);
};

extern const struct iommu_ops vtd_ops;
extern const struct iommu_ops amdvi_ops;

/* Pick the driver from @ai (DMAR: VT-d; IVRS: AMD-Vi) and run its init;
 * logs "iommu <name> ..." or "iommu none" and why. */
void iommu_init(const struct acpi_info *ai);

/* The running driver, or NULL (no IOMMU, or it failed to start): then no
 * device is ever passed through. */
const struct iommu_ops *iommu(void);

/* The platform report line ("iommu=vtd units=1 ..."). */
void iommu_report(void);

/*
 * The one log line for a DMA fault, printed by either driver from its
 * fault interrupt:
 *   hv: iommu fault dev 0000:00:03.0 addr 0x1000 write reason 0x5
 *       (<text>) owner <guest name|hv|none>
 */
void iommu_fault_log(u16 seg, u16 rid, u64 addr, bool write, u32 reason, const char *text);

/* How many faults the driver has reported to iommu_fault_log() since
 * boot (logged or not). */
unsigned iommu_fault_count(void);

/*
 * The boot self-test (selftest=iommu, iommu_selftest.c): QEMU's edu device,
 * owned by nobody, DMAs while blocked, attached to a domain and detached
 * again; each step logged as "selftest iommu: ok|FAIL ...", then "selftest
 * iommu: PASS" or "FAIL".
 */
void iommu_selftest(void);

#endif
