// SPDX-License-Identifier: MIT
/* Host I/O APIC routing of one ISA interrupt (ioapic.h). */
#include "arch/x86/io.h"
#include "arch/x86/paging.h"
#include "drivers/acpi.h"
#include "drivers/iommu/iommu.h"
#include "drivers/ioapic.h"
#include "kernel/format.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_VER 0x01
#define REG_RTE(i) (0x10 + 2 * (i))
#define RTE_ACTIVE_LOW (1u << 13)
#define RTE_LEVEL (1u << 15)
#define RTE_MASKED (1u << 16)

u32 ioapic_isa_gsi(const struct acpi_info *ai, u8 irq, u32 *rte_flags)
{
	*rte_flags = 0; /* ISA: edge, active high */
	for (u32 i = 0; i < ai->madt.override_count; i++) {
		const struct acpi_irq_override *o = &ai->madt.overrides[i];

		if (o->bus != 0 || o->source != irq)
			continue;
		if ((o->flags & 3) == 3)
			*rte_flags |= RTE_ACTIVE_LOW;
		if (((o->flags >> 2) & 3) == 3)
			*rte_flags |= RTE_LEVEL;
		return o->gsi;
	}
	return irq;
}

u64 ioapic_rte(u8 vector, u32 apic_id, u32 rte_flags)
{
	return (u64)(apic_id & 0xff) << 56 | (rte_flags & (RTE_ACTIVE_LOW | RTE_LEVEL)) | vector;
}

static u32 rd(u64 base, u32 reg)
{
	mmio_write32(base + IOREGSEL, reg);
	return mmio_read32(base + IOWIN);
}

static void wr(u64 base, u32 reg, u32 val)
{
	mmio_write32(base + IOREGSEL, reg);
	mmio_write32(base + IOWIN, val);
}

bool ioapic_route_isa(const struct acpi_info *ai, u8 irq, u8 vector, u32 apic_id, char *why,
		      size_t n)
{
	u32 flags, gsi = ioapic_isa_gsi(ai, irq, &flags);
	const struct iommu_ops *mmu = iommu();
	bool remap = mmu && mmu->blocks_compat_irqs && mmu->blocks_compat_irqs();

	if (!remap && apic_id > 0xff) {
		snprintf(why, n, "APIC ID %u needs interrupt remapping", apic_id);
		return false;
	}
	for (u32 i = 0; i < ai->madt.ioapic_count; i++) {
		const struct acpi_ioapic *io = &ai->madt.ioapics[i];
		u64 base = io->addr, rte;
		u32 entries;

		if (gsi < io->gsi_base)
			continue;
		paging_map_mmio(base, 0x1000);
		entries = ((rd(base, REG_VER) >> 16) & 0xff) + 1;
		if (gsi - io->gsi_base >= entries)
			continue;
		rte = ioapic_rte(vector, apic_id, flags);
		if (remap) { /* the unit drops compatibility-format messages */
			if (!mmu->ioapic_remap ||
			    !mmu->ioapic_remap(io->id, gsi - io->gsi_base, apic_id, vector, &rte)) {
				snprintf(why, n, "interrupt remapping: no entry for I/O APIC %u pin %u",
					 io->id, gsi - io->gsi_base);
				return false;
			}
			rte |= flags & (RTE_ACTIVE_LOW | RTE_LEVEL);
		}
		/* masked while the halves change, the destination first */
		wr(base, REG_RTE(gsi - io->gsi_base), RTE_MASKED);
		wr(base, REG_RTE(gsi - io->gsi_base) + 1, (u32)(rte >> 32));
		wr(base, REG_RTE(gsi - io->gsi_base), (u32)rte);
		return true;
	}
	snprintf(why, n, "no I/O APIC serves GSI %u", gsi);
	return false;
}
