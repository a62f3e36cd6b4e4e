/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the application processors: every usable CPU in the MADT is
 * started with INIT-SIPI-SIPI through the trampoline below 1 MiB (Intel SDM
 * Vol. 3A §9.4.4, AMD APM Vol. 2 §15.27.8 for the same protocol), gets its
 * own stacks, GDT/TSS/IDT and per-CPU area, and reports itself online.
 */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include "kernel/memmap.h"
#include "kernel/types.h"

struct acpi_madt_info;

/* Find and claim a free page pair below 1 MiB for the trampoline in the
 * (sanitized) map; marks it MEM_KERNEL. Returns its address or 0. */
u64 smp_reserve_trampoline(struct mem_region *map, unsigned *n, unsigned max);

/* Set up CPU 0 (the BSP): per-CPU area, descriptors, stacks. */
void smp_init_bsp(void);

/* Start the APs listed in @madt, at most @max_cpus CPUs in total; waits up
 * to @timeout_ms for each. */
void smp_boot(const struct acpi_madt_info *madt, u64 trampoline,
	      unsigned max_cpus, unsigned timeout_ms);

unsigned smp_cpus_possible(void); /* CPUs the MADT offers (capped) */
unsigned smp_cpus_online(void);

/*
 * Make idle CPU @cpu run @fn(@arg) from its idle loop (it returns to idling
 * when @fn returns). False if the CPU is not online or already busy.
 */
bool smp_run_on(unsigned cpu, void (*fn)(void *), void *arg);

/* Interrupt @cpu so it leaves HLT and looks at its requests. */
void smp_kick(unsigned cpu);

/* Is CPU @cpu (an index) online? */
bool smp_cpu_online(unsigned cpu);

/* The calling CPU's index. */
unsigned smp_this_cpu(void);

/* Run @fn on every online CPU (via IPI) and on this one; wait for all. */
void smp_call_all(void (*fn)(void *), void *arg);

#endif
