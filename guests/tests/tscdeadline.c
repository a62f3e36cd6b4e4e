// SPDX-License-Identifier: MIT
//
// The local APIC timer in TSC-deadline mode (Intel SDM Vol. 3A §11.5.4.1):
// CPUID.1:ECX[24] offers it; with LVT timer mode 2 a write of a TSC value
// to IA32_TSC_DEADLINE (MSR 0x6E0) arms it and the MSR reads that value
// back until it fires, 0 afterwards. Checked here: the interrupt comes not
// before the deadline and at most LATE_US after it, while spinning and
// while halted; a write of 0 disarms; a deadline in the past fires at
// once; a switch to another timer mode disarms and the MSR reads 0 there
// and ignores writes; the initial-count register does not start it; and
// the same in x2APIC mode with the LVT and EOI as MSRs (0x832, 0x80B).
// The TSC rate for the bounds is measured against the ACPI PM timer.
// In x2APIC mode it also takes interrupts sent by the two ways of that
// mode (SDM Vol. 3A §11.12): the SELF IPI MSR (0x83F) and the ICR as one
// 64-bit MSR (0x830, destination in bits 63:32, read back whole), and
// checks the #GPs of Table 11-6 and §11.12.1.3: absent registers, writes
// to read-only ones, reads of write-only ones, reserved bits set.
#include "lib/cpu.h"
#include "lib/div64.h"
#include "lib/fault.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2_EOI 0x80b
#define MSR_X2_LVT_TIMER 0x832
#define APIC_BASE_BSP_EN 0xfee00900u
#define APIC_BASE_EXTD (1u << 10)
#define LVT_TSC_DEADLINE (2u << 17)
#define VEC 0x50
#define LATE_US 50000u   // the bound on how late the interrupt may come
#define AHEAD_US 2000u   // a deadline this far ahead must be waited for
#define QUIET_US 200000u // a disarmed deadline this far ahead must stay silent

static volatile u32 hits;
static volatile u64 hit_tsc;
static bool x2apic;
static u32 tsc_per_us;

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	hit_tsc = rdtsc();
	hits++;
	if (x2apic)
		wrmsr(MSR_X2_EOI, 0);
	else
		lapic_eoi();
}

static void set_lvt(u32 v)
{
	if (x2apic)
		wrmsr(MSR_X2_LVT_TIMER, v);
	else
		lapic_write(LAPIC_LVT_TIMER, v);
}

static u64 us_to_tsc(u32 us) { return (u64)us * tsc_per_us; }

static void calibrate(void)
{
	u64 t0;

	if (!pmtimer_init())
		test_fail("no ACPI PM timer to measure the TSC against");
	t0 = rdtsc();
	pmtimer_delay_us(20000);
	tsc_per_us = (u32)udiv64(rdtsc() - t0, 20000);
	check(tsc_per_us > 0, "TSC runs at %u MHz", tsc_per_us);
}

// Interrupts on for up to us microseconds or until a hit; true on a hit.
static bool wait_hit(u32 before, u32 us)
{
	u64 end = rdtsc() + us_to_tsc(us);

	sti();
	while (hits == before && rdtsc() < end)
		cpu_pause();
	cli();
	return hits != before;
}

static u64 deadline_msr(void)
{
	u64 v = ~0ULL;

	rdmsr_safe(MSR_TSC_DEADLINE, &v);
	return v;
}

// Arm AHEAD_US ahead, wait (spinning or halted), check the arrival.
static void check_fires(const char *how, bool halt)
{
	u32 before = hits;
	u64 when = rdtsc() + us_to_tsc(AHEAD_US), late;

	wrmsr(MSR_TSC_DEADLINE, when);
	check(deadline_msr() == when, "%s: the MSR reads the armed deadline", how);
	if (halt) {
		while (hits == before)
			sti_hlt(); // a lost interrupt hangs here: the test times out
		cli();
	} else if (!wait_hit(before, AHEAD_US + 1000000)) {
		check(false, "%s: the interrupt came within 1 s", how);
		return;
	}
	check(hit_tsc >= when, "%s: the interrupt came not before the deadline", how);
	late = udiv64(hit_tsc - when, tsc_per_us);
	check(hit_tsc >= when && late <= LATE_US, "%s: late by at most %u us", how, LATE_US);
	printf("%s: late by %llu us\n", how, late);
	check(deadline_msr() == 0, "%s: the MSR reads 0 once it fired", how);
}

static void check_disarm(void)
{
	u32 before = hits;

	wrmsr(MSR_TSC_DEADLINE, rdtsc() + us_to_tsc(QUIET_US));
	wrmsr(MSR_TSC_DEADLINE, 0);
	check(deadline_msr() == 0, "disarm: the MSR reads 0 after writing 0");
	check(!wait_hit(before, QUIET_US + 100000), "disarm: no interrupt");
}

static void check_past(void)
{
	u32 before = hits;
	u64 t0 = rdtsc();

	wrmsr(MSR_TSC_DEADLINE, t0 - 1);
	check(wait_hit(before, 1000) && hits == before + 1,
	      "past deadline: the interrupt comes at once (within 1 ms)");
	check(deadline_msr() == 0, "past deadline: the MSR reads 0");
	before = hits;
	wrmsr(MSR_TSC_DEADLINE, 1);
	check(wait_hit(before, 1000), "deadline 1: the interrupt comes at once");
}

static void check_mode_switch(void)
{
	u32 before = hits;

	wrmsr(MSR_TSC_DEADLINE, rdtsc() + us_to_tsc(QUIET_US));
	set_lvt(LAPIC_LVT_MASKED | VEC); // one-shot, masked
	check(deadline_msr() == 0, "one-shot mode: the MSR reads 0");
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + us_to_tsc(1000));
	check(deadline_msr() == 0, "one-shot mode: a write is ignored");
	set_lvt(LVT_TSC_DEADLINE | VEC);
	check(deadline_msr() == 0, "back in TSC-deadline mode: disarmed");
	check(!wait_hit(before, QUIET_US + 100000), "mode switch: no interrupt");
	if (!x2apic) {
		lapic_write(LAPIC_TIMER_INIT, 1000);
		check(lapic_read(LAPIC_TIMER_CUR) == 0, "TSC-deadline mode: current count reads 0");
		check(!wait_hit(before, 20000), "TSC-deadline mode: the initial count starts nothing");
	}
}

static void run_checks(const char *mode)
{
	printf("TSC-deadline checks in %s mode\n", mode);
	set_lvt(LVT_TSC_DEADLINE | VEC);
	check_fires(x2apic ? "x2apic spin" : "spin", false);
	check_fires(x2apic ? "x2apic hlt" : "hlt", true);
	check_disarm();
	check_past();
	check_mode_switch();
}

// An interrupt sent by MSR @msr = @val arrives (interrupts on briefly).
static bool x2apic_sent(u32 msr, u64 val)
{
	u32 before = hits;

	wrmsr(msr, val);
	return wait_hit(before, 1000) && hits == before + 1;
}

static void check_x2apic_msrs(void)
{
	u64 v;

	check(x2apic_sent(0x83f, VEC), "x2apic SELF IPI (MSR 0x83F) taken");
	check(x2apic_sent(0x830, (0ULL << 32) | 0x4000 | VEC), "x2apic ICR fixed IPI to ID 0 taken");
	v = 0;
	rdmsr_safe(0x830, &v);
	check(v == (0x4000 | VEC), "x2apic ICR reads back 0x%llx", v);
	check(!x2apic_sent(0x830, (7ULL << 32) | 0x4000 | VEC),
	      "x2apic ICR to an absent APIC ID 7 reaches nobody");
	check(rdmsr_safe(0x83f, &v) == VEC_GP && rdmsr_safe(0x80b, &v) == VEC_GP,
	      "x2apic SELF IPI and EOI are write-only (#GP on read)");
	check(wrmsr_safe(0x802, 0) == VEC_GP && wrmsr_safe(0x803, 0) == VEC_GP &&
	      wrmsr_safe(0x80d, 0) == VEC_GP && wrmsr_safe(0x839, 0) == VEC_GP,
	      "x2apic ID, version, LDR, current count are read-only (#GP on write)");
	check(rdmsr_safe(0x809, &v) == VEC_GP && rdmsr_safe(0x80e, &v) == VEC_GP &&
	      rdmsr_safe(0x831, &v) == VEC_GP && wrmsr_safe(0x840, 0) == VEC_GP,
	      "x2apic APR, DFR, ICR high, 0x840 are absent (#GP)");
	check(wrmsr_safe(0x83f, 0x100 | VEC) == VEC_GP && wrmsr_safe(0x80b, 1) == VEC_GP &&
	      wrmsr_safe(0x828, 1) == VEC_GP && wrmsr_safe(0x808, 1ULL << 32) == VEC_GP,
	      "x2apic reserved bits set raise #GP");
}

static void check_x2apic(void)
{
	if (!(cpuid(1, 0).ecx & (1u << 21))) {
		printf("SKIP x2apic (not offered)\n");
		return;
	}
	check(wrmsr_safe(MSR_APIC_BASE, APIC_BASE_BSP_EN | APIC_BASE_EXTD) == FAULT_NONE,
	      "x2APIC mode entered");
	x2apic = true;
	wrmsr(0x80f, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR); // SVR
	run_checks("x2APIC");
	set_lvt(LAPIC_LVT_MASKED);
	check_x2apic_msrs();
}

int main(void)
{
	test_start("tscdeadline");
	if (!(cpuid(1, 0).ecx & (1u << 24)))
		test_fail("CPUID.1:ECX[24] (TSC deadline) not offered");
	check(true, "CPUID offers the TSC-deadline timer");
	irq_init();
	trap_set_handler(VEC, timer_irq);
	calibrate();
	set_lvt(LVT_TSC_DEADLINE | VEC);
	check(lapic_read(LAPIC_LVT_TIMER) == (LVT_TSC_DEADLINE | VEC),
	      "LVT timer in TSC-deadline mode reads back");
	run_checks("xAPIC");
	check_x2apic();
	test_finish();
}
