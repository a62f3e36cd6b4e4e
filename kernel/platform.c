// SPDX-License-Identifier: MIT
/* ACPI bring-up, the platform report and power-off (platform.h). */
#include "arch/x86/cpu.h"
#include "arch/x86/cpuinfo.h"
#include "arch/x86/lapic.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "drivers/acpi.h"
#include "drivers/acpi_power.h"
#include "drivers/iommu/iommu.h"
#include "drivers/pci/pci.h"
#include "drivers/timer.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/platform.h"
#include "kernel/pmm.h"

/* ACPI tables are read through the identity map (all of the low 4 GiB and
 * every RAM region are mapped, see arch/x86/paging.h). */
static const void *acpi_ident_map(void *ctx, u64 phys, u64 len)
{
	(void)ctx;
	if (!phys || phys + len < phys || phys + len > 64 * GiB)
		return NULL;
	return phys_to_virt(phys);
}

static const struct acpi_mem acpi_mem = { acpi_ident_map, NULL };

bool platform_acpi_init(const u8 *rsdp, u32 rsdp_len, u64 rsdp_phys,
			struct acpi_info *ai)
{
	int r;

	if (!rsdp_len && !rsdp_phys) {
		rsdp_phys = acpi_find_rsdp_bios(&acpi_mem);
		if (rsdp_phys)
			printk(LOG_INFO, "acpi: RSDP found by BIOS scan at 0x%llx",
			       (unsigned long long)rsdp_phys);
	}
	r = acpi_parse(&acpi_mem, rsdp_len ? rsdp : NULL, rsdp_len, rsdp_phys, ai);
	if (r) {
		printk(LOG_ERR, "acpi: no usable tables (error %d): one CPU, no power-off", r);
		return false;
	}
	acpi_log_summary(ai);
	return true;
}

#define KV(key, fmt, ...) printk(LOG_INFO, "platform " key "=" fmt, ##__VA_ARGS__)

static const char *yn(bool b) { return b ? "yes" : "no"; }

static void report_cpu(const struct cpuinfo *c)
{
	KV("cpu_vendor", "%s", c->vendor);
	KV("cpu_brand", "%s", c->brand[0] ? c->brand : "unknown");
	KV("cpu_family_model_stepping", "%u/%u/%u", c->family, c->model, c->stepping);
	KV("virt", "%s", c->vmx ? "vmx" : c->svm ? "svm" : "none");
	if (c->vmx) {
		KV("vmx_locked_off_by_firmware", "%s", yn(c->vmx_locked_off));
		KV("vmx_ept", "%s", yn(c->vmx_ept));
		KV("vmx_vpid", "%s", yn(c->vmx_vpid));
		KV("vmx_unrestricted_guest", "%s", yn(c->vmx_unrestricted));
		KV("vmx_true_controls", "%s", yn(c->vmx_true_ctls));
		KV("vmx_monitor_trap_flag", "%s", yn(c->vmx_mtf));
		KV("vmx_apic_register_virt", "%s", yn(c->vmx_apic_regs));
		KV("vmx_virtual_intr_delivery", "%s", yn(c->vmx_vintr_delivery));
	}
	if (c->svm) {
		KV("svm_disabled_by_firmware", "%s", yn(c->svm_disabled));
		KV("svm_npt", "%s", yn(c->svm_npt));
		KV("svm_asids", "%u", c->svm_asids);
		KV("svm_nrip_save", "%s", yn(c->svm_nrips));
		KV("svm_decode_assists", "%s", yn(c->svm_decode_assists));
		KV("svm_vgif", "%s", yn(c->svm_vgif));
		KV("svm_avic", "%s", yn(c->svm_avic));
	}
	KV("x2apic", "%s", yn(c->x2apic));
	KV("apic_mode", "%s", lapic_is_x2apic() ? "x2apic" : "xapic");
	KV("nx", "%s", yn(c->nx));
	KV("invariant_tsc", "%s", yn(c->invariant_tsc));
	KV("tsc_khz", "%llu", (unsigned long long)tsc_khz());
	KV("tsc_calibrated_with", "%s", timer_name());
	KV("running_under_hypervisor", "%s", yn(c->hypervisor));
}

static void report_memory(const struct mem_region *m, unsigned n)
{
	u64 top = 0;

	for (unsigned i = 0; i < n; i++)
		if (m[i].type != MEM_RESERVED && m[i].base + m[i].size > top)
			top = m[i].base + m[i].size;
	KV("mem_regions", "%u", n);
	KV("mem_usable_mib", "%llu", (unsigned long long)(memmap_total(m, n, MEM_USABLE) >> 20));
	KV("mem_acpi_kib", "%llu", (unsigned long long)((memmap_total(m, n, MEM_ACPI_RECLAIM) +
							memmap_total(m, n, MEM_ACPI_NVS)) >> 10));
	KV("mem_kernel_kib", "%llu", (unsigned long long)(memmap_total(m, n, MEM_KERNEL) >> 10));
	KV("mem_modules_kib", "%llu", (unsigned long long)(memmap_total(m, n, MEM_MODULE) >> 10));
	KV("mem_top", "0x%llx", (unsigned long long)top);
	KV("mem_free_mib", "%llu", (unsigned long long)(pmm_free_bytes() >> 20));
}

static struct platform_facts last_facts; /* the boot's, for platform_report_again() */
static bool have_facts;

bool platform_report_again(void)
{
	if (have_facts)
		platform_report(&last_facts);
	return have_facts;
}

void platform_report(const struct platform_facts *f)
{
	if (f != &last_facts) {
		last_facts = *f;
		have_facts = true;
	}
	printk(LOG_INFO, "platform report begin");
	KV("boot", "%s", f->boot_path);
	KV("loader", "%s", f->loader[0] ? f->loader : "unknown");
	report_cpu(f->cpu);
	KV("efi_memory_map", "%s", yn(f->efi_mmap));
	report_memory(f->mem, f->nmem);
	KV("cpus", "%u", smp_cpus_possible());
	KV("cpus_online", "%u", smp_cpus_online());
	KV("acpi", "%s", f->acpi->table_count ? "yes" : "no");
	KV("acpi_oem", "%s", f->acpi->oem_id);
	KV("pci_ecam", "%s", f->acpi->mcfg.count ? "yes" : "no");
	hpci_report();
	iommu_report();
	KV("console", "%s", console_describe());
	KV("guests", "%u", f->guests);
	printk(LOG_INFO, "platform report end");
}

void platform_reset(const struct acpi_info *ai)
{
	acpi_reset(ai);
}

__noreturn void platform_poweroff(const struct acpi_info *ai)
{
	printk(LOG_INFO, "power off");
	irq_disable();
	acpi_poweroff(ai);
	mdelay(1000);
	printk(LOG_ERR, "ACPI power-off did not take effect; resetting");
	acpi_reset(ai);
	mdelay(1000);
	printk(LOG_ERR, "reset did not take effect; halting");
	cpu_halt_forever();
}
