// SPDX-License-Identifier: MIT
/*
 * The IOMMU driver in use (iommu.h): picked from ACPI, started once on the
 * BSP before any guest, reported, and the one fault line both drivers use.
 */
#include "drivers/acpi.h"
#include "drivers/iommu/iommu.h"
#include "drivers/pci/pci.h"
#include "kernel/log.h"
#include "kernel/string.h"

static const struct iommu_ops *active; /* written once by iommu_init on the BSP */
static char absent_why[96] = "no DMAR or IVRS table";
static unsigned faults; /* reported to iommu_fault_log(), logged or not */

void iommu_init(const struct acpi_info *ai)
{
	const struct iommu_ops *ops = NULL;
	char why[96] = "";
	unsigned units;

	if (ai->dmar.present && ai->dmar.drhd_count)
		ops = &vtd_ops;
	else if (ai->ivrs.present && ai->ivrs.ivhd_count)
		ops = &amdvi_ops;
	if (!ops) {
		pr_info("iommu none: %s; no device can be passed through", absent_why);
		return;
	}
	units = ops->init(ai, why, sizeof(why));
	if (!units) {
		snprintf(absent_why, sizeof(absent_why), "%s did not start: %s", ops->name, why);
		pr_err("iommu none: %s; no device can be passed through", absent_why);
		return;
	}
	active = ops;
	for (unsigned i = 0; i < hpci_count(); i++) {
		struct hpci_dev *d = hpci_at(i);

		d->iommu_unit = ops->unit_of(d->seg, hpci_dev_rid(d));
	}
	pr_info("iommu %s started, %u unit%s, every device's DMA blocked until assigned", ops->name,
		units, units == 1 ? "" : "s");
}

const struct iommu_ops *iommu(void) { return active; }

void iommu_report(void)
{
	char buf[160];

	if (!active) {
		pr_info("platform iommu=none (%s)", absent_why);
		return;
	}
	active->describe(buf, sizeof(buf));
	pr_info("platform iommu=%s %s", active->name, buf);
	/* the memory each function needs mapped 1:1 (RMRR / IVMD) */
	for (unsigned i = 0; i < hpci_count(); i++) {
		const struct hpci_dev *d = hpci_at(i);
		struct iommu_region r[4];
		unsigned n = active->reserved(d->seg, hpci_dev_rid(d), r, 4);

		for (unsigned k = 0; k < n; k++)
			pr_info("platform iommu_reserved %04x:%02x:%02x.%x 0x%llx-0x%llx", d->seg, d->bus,
				d->dev, d->fn, (unsigned long long)r[k].base,
				(unsigned long long)(r[k].base + r[k].size - 1));
	}
}

/* A device that keeps faulting (a guest can make its device do that on
 * purpose) must not flood the console: the first FAULT_LOG_FIRST faults of
 * each function are logged, then one in FAULT_LOG_EVERY with the count. */
#define FAULT_LOG_FIRST 16
#define FAULT_LOG_EVERY 4096

void iommu_fault_log(u16 seg, u16 rid, u64 addr, bool write, u32 reason, const char *text)
{
	struct hpci_dev *d = hpci_find(seg, (u8)(rid >> 8), (u8)(rid >> 3 & 31), (u8)(rid & 7));
	static u32 unknown_faults; /* requester IDs the table does not know */
	u32 *count = d ? &d->dma_faults : &unknown_faults;
	const char *owner = "none";
	u32 n = ++*count;

	__atomic_add_fetch(&faults, 1, __ATOMIC_RELAXED);
	if (n > FAULT_LOG_FIRST && n % FAULT_LOG_EVERY)
		return;
	if (d && d->owner != HPCI_OWNER_NONE && d->owner_name)
		owner = d->owner_name;
	pr_warn("iommu fault dev %04x:%02x:%02x.%x addr 0x%llx %s reason 0x%x (%s) owner %s", seg,
		rid >> 8, rid >> 3 & 31, rid & 7, (unsigned long long)addr, write ? "write" : "read",
		reason, text, owner);
	if (n == FAULT_LOG_FIRST)
		pr_warn("iommu faults of dev %04x:%02x:%02x.%x: %u logged, from now on one line in %u",
			seg, rid >> 8, rid >> 3 & 31, rid & 7, n, FAULT_LOG_EVERY);
	if (n > FAULT_LOG_FIRST)
		pr_warn("iommu faults of dev %04x:%02x:%02x.%x so far: %u", seg, rid >> 8,
			rid >> 3 & 31, rid & 7, n);
}

unsigned iommu_fault_count(void) { return __atomic_load_n(&faults, __ATOMIC_RELAXED); }
