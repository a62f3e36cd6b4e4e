// SPDX-License-Identifier: MIT
//
// The SMP guest: finds the other CPUs in the ACPI MADT, starts each with
// INIT-SIPI-SIPI through the xAPIC interrupt command register (Intel SDM
// Vol. 3A, "MP Initialization"; delays timed with the ACPI PM timer) into a
// real-mode trampoline copied to 0x8000. Every AP prints "ap <id> up" and
// increments a counter; the BSP waits up to a second for all of them,
// checks that each APIC ID reported in exactly once and cross-checks the
// CPU count with fw_cfg.
#include "lib/acpi.h"
#include "lib/ap.h"
#include "lib/cpu.h"
#include "lib/fwcfg.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

#define AP_STACK_SIZE 8192
#define MAX_CPUS 64
#define XAPIC_MAX_ID 0xfe
#define AP_WAIT_US 1000000

struct cpu_list {
	u32 n;
	u32 apic_ids[MAX_CPUS];
};

static u8 ap_stacks[MAX_CPUS][AP_STACK_SIZE] aligned(16);
static volatile u32 ap_count;
static volatile u8 ap_seen[256];

static void ap_main(void)
{
	u32 id;

	gdt_reload();
	idt_load();
	id = lapic_id();
	printf("ap %u up\n", id);
	ap_seen[id & 0xff] = 1;
	__atomic_fetch_add(&ap_count, 1, __ATOMIC_SEQ_CST);
	cpu_halt_forever();
}

static void collect_cpu(const struct acpi_lapic *l, void *arg)
{
	struct cpu_list *cpus = arg;

	printf("madt: apic id %u uid %u %s\n", l->apic_id, l->processor_uid,
	       l->enabled ? "enabled" : "disabled");
	if (l->enabled && cpus->n < MAX_CPUS)
		cpus->apic_ids[cpus->n++] = l->apic_id;
}

static bool all_up(void *arg)
{
	return ap_count >= *(u32 *)arg;
}

// Start every AP in cpus; returns how many were sent INIT-SIPI-SIPI.
static u32 start_aps(const struct cpu_list *cpus, u32 bsp)
{
	u32 started = 0;

	for (u32 i = 0; i < cpus->n; i++) {
		u32 id = cpus->apic_ids[i];

		if (id == bsp)
			continue;
		if (id > XAPIC_MAX_ID)
			check(false, "apic id %u reachable through the xAPIC", id);
		else
			check(ap_start(id), "INIT-SIPI-SIPI sent to apic id %u", id);
		started++;
	}
	return started;
}

static void check_cpu_count(u32 ncpus)
{
	if (!fw_cfg_present()) {
		printf("SKIP fw_cfg cpu count (no fw_cfg)\n");
		return;
	}
	u16 fw = fw_cfg_read16(FW_CFG_NB_CPUS);
	check(fw == ncpus, "fw_cfg reports %u cpus, madt %u", fw, ncpus);
}

int main(void)
{
	struct cpu_list cpus = { 0 };
	u32 bsp, aps;

	test_start("smp");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	printf("pm timer at port 0x%x, %u bits\n", pmtimer_port(), pmtimer_bits());
	if (acpi_for_each_lapic(collect_cpu, &cpus) < 0)
		test_fail("no ACPI MADT");
	irq_init();
	bsp = lapic_id();
	printf("bsp apic id %u, %u cpus enabled in the madt\n", bsp, cpus.n);
	check_cpu_count(cpus.n);
	ap_trampoline_install(ap_main, ap_stacks, AP_STACK_SIZE);
	aps = start_aps(&cpus, bsp);
	pmtimer_wait(all_up, &aps, AP_WAIT_US);
	pmtimer_delay_us(10000); // an AP started twice would count again
	check(ap_count == aps, "%u of %u application processors up", ap_count, aps);
	for (u32 i = 0; i < cpus.n; i++)
		if (cpus.apic_ids[i] != bsp && cpus.apic_ids[i] <= XAPIC_MAX_ID)
			check(ap_seen[cpus.apic_ids[i]], "apic id %u reported in", cpus.apic_ids[i]);
	test_finish();
}
