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

u32 ioapic_isa_gsi(const struct acpi_info *ai, u8 irq, u32 *rte_flags)
{
	*rte_flags = 0; /* ISA: edge, active high */
	for (u32 i = 0; i < ai->madt.override_count; i++) {
		const struct acpi_irq_override *o = &ai->madt.overrides[i];

		if (o->bus != 0 || o->source != irq)
			continue;
		if ((o->flags & 3) == 3)
			*rte_flags |= IOAPIC_RTE_ACTIVE_LOW;
		if (((o->flags >> 2) & 3) == 3)
			*rte_flags |= IOAPIC_RTE_LEVEL;
		return o->gsi;
	}
	return irq;
}

u64 ioapic_rte(u8 vector, u32 apic_id, u32 rte_flags)
{
	return (u64)(apic_id & 0xff) << 56 | (rte_flags & (IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL)) |
	       vector;
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

/* The I/O APICs the MADT lists, learnt by ioapic_host_init (BSP, before any
 * routing; read-only after). */
static struct host_ioapic {
	u8 id;
	u64 base;
	u32 gsi_base, entries;
} ioapics[ACPI_MAX_IOAPICS];
static u32 nioapics;

void ioapic_host_init(const struct acpi_info *ai)
{
	nioapics = 0;
	for (u32 i = 0; i < ai->madt.ioapic_count && i < ACPI_MAX_IOAPICS; i++) {
		const struct acpi_ioapic *io = &ai->madt.ioapics[i];
		struct host_ioapic *h = &ioapics[nioapics++];

		paging_map_mmio(io->addr, 0x1000);
		h->id = io->id;
		h->base = io->addr;
		h->gsi_base = io->gsi_base;
		h->entries = ((rd(io->addr, REG_VER) >> 16) & 0xff) + 1;
	}
}

u32 ioapic_gsi_end(void)
{
	u32 end = 0;

	for (u32 i = 0; i < nioapics; i++)
		end = MAX(end, ioapics[i].gsi_base + ioapics[i].entries);
	return end;
}

static const struct host_ioapic *serving(u32 gsi)
{
	for (u32 i = 0; i < nioapics; i++)
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].entries)
			return &ioapics[i];
	return NULL;
}

bool ioapic_route_gsi(u32 gsi, u8 vector, u32 apic_id, u32 rte_flags, char *why, size_t n)
{
	const struct host_ioapic *io = serving(gsi);
	const struct iommu_ops *mmu = iommu();
	bool remap = mmu && mmu->blocks_compat_irqs && mmu->blocks_compat_irqs();
	u32 pin;
	u64 rte;

	if (!remap && apic_id > 0xff) {
		snprintf(why, n, "APIC ID %u needs interrupt remapping", apic_id);
		return false;
	}
	if (!io) {
		snprintf(why, n, "no I/O APIC serves GSI %u", gsi);
		return false;
	}
	pin = gsi - io->gsi_base;
	rte = ioapic_rte(vector, apic_id, rte_flags);
	if (remap) { /* the unit drops compatibility-format messages */
		if (!mmu->ioapic_remap || !mmu->ioapic_remap(io->id, pin, apic_id, vector, &rte)) {
			snprintf(why, n, "interrupt remapping: no entry for I/O APIC %u pin %u", io->id,
				 pin);
			return false;
		}
		rte |= rte_flags & (IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL);
	}
	/* masked while the halves change, the destination first */
	wr(io->base, REG_RTE(pin), IOAPIC_RTE_MASKED);
	wr(io->base, REG_RTE(pin) + 1, (u32)(rte >> 32));
	wr(io->base, REG_RTE(pin), (u32)rte | (rte_flags & IOAPIC_RTE_MASKED));
	return true;
}

bool ioapic_route_isa(const struct acpi_info *ai, u8 irq, u8 vector, u32 apic_id, char *why,
		      size_t n)
{
	u32 flags, gsi = ioapic_isa_gsi(ai, irq, &flags);

	return ioapic_route_gsi(gsi, vector, apic_id, flags, why, n);
}
