// SPDX-License-Identifier: MIT
/*
 * The hypervisor's init sequence, read top to bottom: one call per step.
 * Both firmware paths arrive here with a struct boot_info (boot/); this is
 * the only kernel file that reads it. Stage 1 runs on the boot stack with
 * the loader's page tables; stage 2 on the BSP's guarded stack with ours.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/cpuinfo.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/stacks.h"
#include "arch/x86/tsc.h"
#include "arch/x86/virt.h"
#include "boot/boot_info.h"
#include "drivers/acpi.h"
#include "drivers/acpi_power.h"
#include "drivers/iommu/iommu.h"
#include "drivers/ioapic.h"
#include "drivers/pci/pci.h"
#include "drivers/rtc.h"
#include "drivers/timer.h"
#include "kernel/cmdline.h"
#include "kernel/config_load.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/main.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/platform.h"
#include "vmm/console_route.h"
#include "vmm/gdb_stub.h"
#include "vmm/trace.h"
#include "vmm/vcpu.h"
#include "kernel/pmm.h"
#include "kernel/selftest.h"
#include "kernel/string.h"
#include "kernel/wallclock.h"
#include "vmm/vm.h"

#define AP_TIMEOUT_MS 2000

extern char __kernel_end[];

static struct boot_info bi;
static struct acpi_info acpi;
static struct config cfg;
static struct cpuinfo cpu;
static u64 trampoline;

static void boot_info_take(const struct boot_info *in)
{
	if (in->magic != BOOT_INFO_MAGIC || in->version != BOOT_INFO_VERSION)
		cpu_halt_forever(); /* no console yet, nothing sane to report */
	bi = *in;
	bi.cmdline[sizeof(bi.cmdline) - 1] = 0;
	bi.loader[sizeof(bi.loader) - 1] = 0;
	bi.messages[sizeof(bi.messages) - 1] = 0;
	if (bi.nmem > BOOT_MAX_MEM)
		bi.nmem = BOOT_MAX_MEM;
	if (bi.nmods > BOOT_MAX_MODULES)
		bi.nmods = BOOT_MAX_MODULES;
	for (u32 i = 0; i < bi.nmods; i++)
		bi.mods[i].name[BOOT_MOD_NAME_MAX - 1] = 0;
}

static const char *boot_path_name(void)
{
	return bi.path == BOOT_PATH_UEFI ? "uefi" : "multiboot2";
}

static void log_boot(void)
{
	printk(LOG_INFO, "boot %s loader=\"%s\" cmdline=\"%s\" modules=%u",
	       boot_path_name(), bi.loader, bi.cmdline, bi.nmods);
	for (u32 i = 0; i < bi.nmods; i++)
		printk(LOG_INFO, "module %u: %s at 0x%llx, %llu bytes", i, bi.mods[i].name,
		       (unsigned long long)bi.mods[i].base, (unsigned long long)bi.mods[i].size);
}

/* Repeat what the loader had to say, at its level. */
static void replay_loader_messages(void)
{
	const char *p = bi.messages;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		int level = !strncmp(p, "error: ", 7) ? LOG_ERR :
			    !strncmp(p, "warn: ", 6) ? LOG_WARN : LOG_INFO;
		const char *text = strchr(p, ' ');

		text = (text && text < p + len) ? text + 1 : p;
		printk(level, "loader: %.*s", (int)(p + len - text), text);
		p += len + (nl ? 1 : 0);
	}
}

static void log_settings(void)
{
	char v[16];

	if (cmdline_get(bi.cmdline, "loglevel", v, sizeof(v)))
		log_set_level(log_level_parse(v, strlen(v)) >= 0 ?
			      log_level_parse(v, strlen(v)) : LOG_INFO);
	if (cmdline_get(bi.cmdline, "panic", v, sizeof(v)))
		panic_set_action(!strcmp(v, "reboot") ? PANIC_REBOOT :
				 !strcmp(v, "poweroff") ? PANIC_POWEROFF : PANIC_HALT);
	if (cmdline_get(bi.cmdline, "trace", v, sizeof(v)))
		trace_on = strcmp(v, "off") != 0; /* the exit trace (vmm/trace.h) */
	if (cmdline_get(bi.cmdline, "apicv", v, sizeof(v)))
		vcpu_vapic_allowed = strcmp(v, "off") != 0; /* APIC virtualization (vmm/vcpu.h) */
}

/* The config's loglevel, from the moment the config is read, unless the
 * command line set one: the command line wins, as for the console. */
static void log_settings_from_config(void)
{
	char v[16];

	if (cfg.loglevel >= 0 && !cmdline_get(bi.cmdline, "loglevel", v, sizeof(v)))
		log_set_level(cfg.loglevel);
}

/* Sanitize the map, mark what must never be handed out, start the pmm. */
static void memory_init(void)
{
	u64 ksize = (u64)__kernel_end - KERNEL_VMA;

	if (!bi.nmem)
		panic("the boot loader gave no memory map");
	bi.nmem = memmap_sanitize(bi.mem, bi.nmem, BOOT_MAX_MEM);
	bi.nmem = memmap_mark(bi.mem, bi.nmem, BOOT_MAX_MEM, bi.kernel_phys, ksize, MEM_KERNEL);
	for (u32 i = 0; i < bi.nmods; i++)
		bi.nmem = memmap_mark(bi.mem, bi.nmem, BOOT_MAX_MEM, bi.mods[i].base,
				      bi.mods[i].size, MEM_MODULE);
	trampoline = smp_reserve_trampoline(bi.mem, &bi.nmem, BOOT_MAX_MEM);
	pmm_init(bi.mem, bi.nmem);
	printk(LOG_INFO, "memory: %llu MiB usable in %u regions, %llu MiB free",
	       (unsigned long long)(memmap_total(bi.mem, bi.nmem, MEM_USABLE) >> 20),
	       bi.nmem, (unsigned long long)(pmm_free_bytes() >> 20));
}

static unsigned max_cpus(void)
{
	char v[16];
	u64 n;

	if (cmdline_get(bi.cmdline, "smp", v, sizeof(v)) && parse_u64(v, &n) && n)
		return n < MAX_CPUS ? (unsigned)n : MAX_CPUS;
	return MAX_CPUS;
}

static void panic_poweroff(void) { acpi_poweroff(&acpi); }
static void panic_reset(void) { acpi_reset(&acpi); }

static void panic_hooks(void)
{
	panic_stop_others_hook = lapic_send_nmi_others;
	panic_poweroff_hook = panic_poweroff;
	panic_reboot_hook = panic_reset;
}

static void report(void)
{
	struct platform_facts f = {
		.boot_path = boot_path_name(), .loader = bi.loader,
		.mem = bi.mem, .nmem = bi.nmem, .acpi = &acpi, .cpu = &cpu,
		.guests = cfg.nguests, .efi_mmap = bi.efi_mmap,
	};

	platform_report(&f);
}

/* Enable virtualization everywhere, create the guests, run them until
 * they have all stopped. */
/* gdb=<guest>[,console]: the GDB stub on COM2, or on the multiplexed
 * console (vmm/gdb_stub.h). */
static void gdb_from_cmdline(void)
{
	char v[40], *comma;
	bool console = false;

	if (!cmdline_get(bi.cmdline, "gdb", v, sizeof(v)))
		return;
	comma = strchr(v, ',');
	if (comma) {
		*comma = 0;
		if (strcmp(comma + 1, "console")) {
			printk(LOG_ERR, "gdb=%s,%s: unknown option '%s' (gdb=GUEST or gdb=GUEST,console): "
			       "no stub", v, comma + 1, comma + 1);
			return;
		}
		console = true;
	}
	gdb_stub_init(v, console);
}

static void run_guests(void)
{
	const struct vcpu_ops *ops = virt_probe(&cpu);

	if (!ops || !virt_enable_all(ops)) {
		printk(LOG_ERR, "virtualization unavailable: no guest can run");
		return;
	}
	if (!vm_create_all(&cfg, bi.mods, bi.nmods, ops)) {
		printk(LOG_INFO, "no guest to run: the machine is done");
		return;
	}
	gdb_from_cmdline();
	vm_run_all();
	gdb_stub_poll();        /* gdb hears that its guest ended (W00) */
	console_route_finish(); /* what was held or kept out of focus */
	printk(LOG_INFO, "all guests stopped");
}

/* The host RTC's time, for the guests' clocks. */
static void wallclock_init(void)
{
	u64 epoch;

	if (rtc_host_read(acpi.fadt.century, &epoch))
		wallclock_set(epoch, rdtsc());
	else
		printk(LOG_WARN, "host RTC unreadable: guest clocks start at 2024-01-01");
}

static __noreturn void kernel_main_stage2(void)
{
	platform_acpi_init(bi.rsdp, bi.rsdp_len, bi.rsdp_phys, &acpi);
	timer_setup(&acpi);
	tsc_calibrate();
	wallclock_init();
	legacy_pic_mask();
	lapic_setup(acpi.madt.lapic_addr, true);
	smp_init_bsp();
	lapic_timer_calibrate();
	panic_hooks();
	cpuinfo_read(&cpu);
	config_load(bi.cmdline, bi.mods, bi.nmods, &cfg);
	log_settings_from_config();
	console_refine(&acpi, cfg.console);
	hpci_init(&acpi);
	hpci_reset_test(bi.cmdline);
	iommu_init(&acpi); /* before any device may master the bus for a guest */
	ioapic_host_init(&acpi);
	console_irq_init(&acpi, percpu_area[0].apic_id); /* after iommu_init: remapping */
	smp_boot(&acpi.madt, trampoline, max_cpus(), AP_TIMEOUT_MS);
	report();
	selftest_run(bi.cmdline);
	run_guests();
	platform_poweroff(&acpi);
}

__noreturn void kernel_main(const struct boot_info *in)
{
	boot_info_take(in);
	console_init(bi.cmdline);
	log_settings();
	log_boot();
	replay_loader_messages();
	desc_init_cpu(&percpu_area[0]);
	memory_init();
	paging_init(bi.mem, bi.nmem, bi.kernel_phys);
	if (!stacks_setup(&percpu_area[0]))
		panic("out of memory for the boot CPU's stacks");
	stack_switch(percpu_area[0].stack_top, kernel_main_stage2);
}
