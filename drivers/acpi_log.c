// SPDX-License-Identifier: MIT
/*
 * Prints what acpi_parse() found (drivers/acpi.h) to the hypervisor log: a
 * few compact "acpi:" lines (tables, CPUs and interrupt controllers, PM
 * timer and \_S5, PCI ECAM, IOMMU units, console) followed by every
 * recorded warning. Kept apart from drivers/acpi.c so the parser itself
 * needs no printk and runs unchanged in the host unit tests.
 */
#include "drivers/acpi.h"
#include "kernel/log.h"

/* Every table seen, in walk order; "!" marks one that was skipped. */
static void acpi_log_tables(const struct acpi_info *ai)
{
	char list[ACPI_MAX_TABLES * 6 + 1]; /* " XXXX!" per table */
	size_t n = 0;

	list[0] = 0;
	for (u32 i = 0; i < ai->table_count && n < sizeof(list); i++)
		n += snprintf(list + n, sizeof(list) - n, " %s%s", ai->tables[i].sig,
			      ai->tables[i].ok ? "" : "!");
	pr_info("acpi: rsdp rev %u oem '%s' %s at 0x%llx, %u tables:%s%s",
		ai->rsdp_revision, ai->oem_id, ai->xsdt_used ? "xsdt" : "rsdt",
		(unsigned long long)ai->root_phys, ai->table_count, list,
		ai->table_dropped ? " ..." : "");
}

static void acpi_log_madt(const struct acpi_info *ai)
{
	const struct acpi_madt_info *m = &ai->madt;

	if (!m->present) {
		pr_warn("acpi: no MADT");
		return;
	}
	pr_info("acpi: madt lapic 0x%llx%s cpus %u (disabled %u dup %u dropped %u) "
		"ioapics %u overrides %u nmis %u",
		(unsigned long long)m->lapic_addr,
		m->flags & ACPI_MADT_PCAT_COMPAT ? " pcat" : "", m->cpu_count,
		m->cpu_disabled, m->cpu_duplicates, m->cpu_dropped, m->ioapic_count,
		m->override_count, m->lapic_nmi_count);
}

static const char *acpi_space_name(const struct acpi_gas *g)
{
	if (g->space_id == ACPI_GAS_IO)
		return "io";
	if (g->space_id == ACPI_GAS_MEMORY)
		return "mem";
	if (g->space_id == ACPI_GAS_PCI_CONFIG)
		return "pci";
	return "other";
}

static void acpi_log_fadt(const struct acpi_info *ai)
{
	const struct acpi_fadt_info *f = &ai->fadt;

	if (!f->present) {
		pr_warn("acpi: no FADT");
		return;
	}
	pr_info("acpi: fadt rev %u flags 0x%x sci %u%s pm1a_cnt %s 0x%llx "
		"pmtmr %s 0x%llx %s-bit",
		f->revision, f->flags, f->sci_int,
		f->flags & ACPI_FADT_HW_REDUCED_ACPI ? " hw-reduced" : "",
		acpi_space_name(&f->pm1a_cnt), (unsigned long long)f->pm1a_cnt.address,
		acpi_space_name(&f->pm_tmr), (unsigned long long)f->pm_tmr.address,
		f->pm_tmr_32bit ? "32" : "24");
	if (ai->s5.valid)
		pr_info("acpi: s5 slp_typa %u slp_typb %u (%s)", ai->s5.slp_typa,
			ai->s5.slp_typb, ai->s5.table);
	else
		pr_warn("acpi: no \\_S5 package, ACPI power-off unavailable");
}

static void acpi_log_mcfg(const struct acpi_info *ai)
{
	for (u32 i = 0; i < ai->mcfg.count; i++) {
		const struct acpi_mcfg_entry *e = &ai->mcfg.entries[i];

		pr_info("acpi: mcfg seg %u bus %u-%u ecam 0x%llx", e->segment,
			e->start_bus, e->end_bus, (unsigned long long)e->base);
	}
}

static void acpi_log_iommu(const struct acpi_info *ai)
{
	const struct acpi_dmar_info *d = &ai->dmar;
	const struct acpi_ivrs_info *v = &ai->ivrs;

	if (d->present)
		pr_info("acpi: dmar haw %u flags 0x%x drhd %u rmrr %u",
			d->host_addr_width, d->flags, d->drhd_count, d->rmrr_count);
	for (u32 i = 0; i < d->drhd_count; i++)
		pr_info("acpi: drhd seg %u base 0x%llx%s", d->drhd[i].segment,
			(unsigned long long)d->drhd[i].base,
			d->drhd[i].include_pci_all ? " include-all" : "");
	if (v->present)
		pr_info("acpi: ivrs ivinfo 0x%x ivhd %u ivmd %u", v->ivinfo,
			v->ivhd_count, v->ivmd_count);
	for (u32 i = 0; i < v->ivhd_count; i++)
		pr_info("acpi: ivhd type 0x%x seg %u devid 0x%x base 0x%llx",
			v->ivhd[i].type, v->ivhd[i].segment, v->ivhd[i].device_id,
			(unsigned long long)v->ivhd[i].base);
}

static void acpi_log_misc(const struct acpi_info *ai)
{
	u16 port;
	u32 baud;

	if (ai->hpet.present)
		pr_info("acpi: hpet base 0x%llx",
			(unsigned long long)ai->hpet.base.address);
	if (acpi_spcr_console_port(ai, &port, &baud))
		pr_info("acpi: spcr 16550 port 0x%x baud %u", port, baud);
	else if (ai->spcr.present)
		pr_info("acpi: spcr type 0x%x %s 0x%llx", ai->spcr.interface_type,
			acpi_space_name(&ai->spcr.base),
			(unsigned long long)ai->spcr.base.address);
}

void acpi_log_summary(const struct acpi_info *ai)
{
	acpi_log_tables(ai);
	acpi_log_madt(ai);
	acpi_log_fadt(ai);
	acpi_log_mcfg(ai);
	acpi_log_iommu(ai);
	acpi_log_misc(ai);
	for (u32 i = 0; i < ai->warn_count; i++)
		pr_warn("acpi: %s", ai->warnings[i]);
	if (ai->warn_total > ai->warn_count)
		pr_warn("acpi: %u more warnings not recorded",
			ai->warn_total - ai->warn_count);
}
