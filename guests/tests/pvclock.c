// SPDX-License-Identifier: MIT
//
// kvm-clock (vmm/pvclock.c; the ABI of Linux's Documentation/virt/kvm/x86/
// cpuid.rst and msr.rst): CPUID 0x40000100 names "KVMKVMKVM" beside hv's
// own leaves at 0x40000000 and 0x40000101 offers CLOCKSOURCE2, the
// stable-TSC bit and PV EOI (guests/tests/pveoi.c) and nothing else; MSR_KVM_SYSTEM_TIME_NEW (0x4B564D01) with bit 0 set
// fills the time-info record at the address given (version even, scale in
// range, stable flag) and reads back what was written; the TSC frequency
// the scale gives is the one CPUID 0x40000010 reports; time from the
// record advances as the ACPI PM timer does (20 ms measured); a
// misaligned area or one outside RAM raises #GP; MSR_KVM_WALL_CLOCK_NEW
// (0x4B564D00) fills the wall-clock record with a plausible time of day.
#include "lib/cpu.h"
#include "lib/div64.h"
#include "lib/fault.h"
#include "lib/hv.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/test.h"

#define MSR_WALL 0x4b564d00
#define MSR_SYSTEM_TIME 0x4b564d01
#define VEC_GP 13

struct time_info {
	u32 version;
	u32 pad0;
	u64 tsc_timestamp;
	u64 system_time;
	u32 mul;
	s8 shift;
	u8 flags;
	u8 pad[2];
} packed aligned(64);

struct wall_clock {
	u32 version;
	u32 sec;
	u32 nsec;
} aligned(16);

static volatile struct time_info ti;
static volatile struct wall_clock wc;

// ns for delta ticks: (delta << shift or >> -shift) * mul / 2^32 in 32-bit
// halves (the guest has no 128-bit multiply).
static u64 ticks_to_ns(u64 delta)
{
	u64 lo, hi;

	if (ti.shift < 0)
		delta >>= -ti.shift;
	else
		delta <<= ti.shift;
	lo = (u64)(u32)delta * ti.mul;
	hi = (u64)(u32)(delta >> 32) * ti.mul;
	return hi + (lo >> 32);
}

// Guest time in ns now, read as a guest OS does (retry on a changing
// or odd version).
static u64 clock_ns(void)
{
	u32 v;
	u64 ns;

	do {
		v = ti.version;
		ns = ti.system_time + ticks_to_ns(rdtsc() - ti.tsc_timestamp);
	} while ((v & 1) || v != ti.version);
	return ns;
}

/* PM timer ticks from a to b, across one wrap of its 24 or 32 bits. */
static u32 span(u32 a, u32 b)
{
	return (b - a) & (pmtimer_bits() == 32 ? 0xffffffffu : 0xffffffu);
}

static void check_cpuid(void)
{
	struct cpuid_regs r = cpuid(0x40000100, 0);
	struct cpuid_regs f = cpuid(0x40000101, 0);

	check(r.ebx == 0x4b4d564b && r.ecx == 0x564b4d56 && r.edx == 0x4d,
	      "CPUID 0x40000100 signature KVMKVMKVM");
	check(r.eax >= 0x40000101, "CPUID 0x40000100 max leaf 0x%x", r.eax);
	check((f.eax & (1u << 3)) && (f.eax & (1u << 24)),
	      "CPUID 0x40000101 offers CLOCKSOURCE2 and the stable-TSC bit (eax 0x%x)", f.eax);
	check(!(f.eax & ~((1u << 3) | (1u << 6) | (1u << 24))) && f.edx == 0,
	      "nothing else offered (eax 0x%x, hints 0x%x)", f.eax, f.edx);
	r = cpuid(0x40000000, 0);
	check(r.ebx == 0x76687668, "hv's own leaves still at 0x40000000");
}

static void check_time_info(void)
{
	u32 addr = (u32)(uintptr_t)&ti;
	u32 khz = cpuid(0x40000010, 0).eax;
	u64 back = 0, k, t0, t1, elapsed, inner, outer;
	u32 pa, pb, pc, pd;

	check(wrmsr_safe(MSR_SYSTEM_TIME, addr | 1) == FAULT_NONE, "system time MSR takes 0x%x", addr | 1);
	if (rdmsr_safe(MSR_SYSTEM_TIME, &back) != FAULT_NONE)
		back = ~0ULL;
	check(back == (addr | 1), "system time MSR reads back 0x%llx", back);
	check(ti.version && !(ti.version & 1), "record version %u (even)", ti.version);
	check(ti.mul >= 0x80000000u && ti.shift >= -8 && ti.shift <= 31,
	      "scale mul 0x%x shift %d", ti.mul, ti.shift);
	check(ti.flags & 1, "PVCLOCK_TSC_STABLE_BIT set");
	k = udiv64(1000000ULL << 32, ti.mul);
	k = ti.shift < 0 ? k << -ti.shift : k >> ti.shift;
	check(k + 1 + khz / 500000 >= khz && k <= khz + 1 + khz / 500000,
	      "the scale gives %llu kHz, CPUID 0x40000010 %u kHz", k, khz);
	t0 = clock_ns();
	check(t0 > 0 && t0 < 600000000000ULL, "guest time %llu ms since its start",
	      udiv64(t0, 1000000));
	if (!pmtimer_init()) {
		check(false, "an ACPI PM timer to compare with");
		return;
	}
	/* Each clock read bracketed by PM timer reads, so that time the
	 * emulator did not run us between a pair cannot count against it:
	 * kvm-clock's interval must lie within the PM timer's inner and
	 * outer intervals (5% slack). */
	pa = pmtimer_read();
	t0 = clock_ns();
	pb = pmtimer_read();
	do
		t1 = clock_ns();
	while (t1 - t0 < 20000000ULL);
	pc = pmtimer_read();
	t1 = clock_ns();
	pd = pmtimer_read();
	elapsed = udiv64(t1 - t0, 1000);
	inner = pmtimer_ticks_to_us(span(pb, pc));
	outer = pmtimer_ticks_to_us(span(pa, pd));
	check(elapsed * 100 >= inner * 95 && elapsed * 100 <= outer * 105,
	      "kvm-clock's %llu us lie between the PM timer's %llu and %llu us", elapsed, inner,
	      outer);
	check(wrmsr_safe(MSR_SYSTEM_TIME, (addr + 2) | 1) == VEC_GP, "a misaligned area: #GP");
	check(wrmsr_safe(MSR_SYSTEM_TIME, 0xfff00001u) == VEC_GP, "an area outside RAM: #GP");
	check(wrmsr_safe(MSR_SYSTEM_TIME, 0) == FAULT_NONE &&
	      rdmsr_safe(MSR_SYSTEM_TIME, &back) == FAULT_NONE && back == 0,
	      "disabled: reads back 0");
}

static void check_wall_clock(void)
{
	u32 addr = (u32)(uintptr_t)&wc;

	check(wrmsr_safe(MSR_WALL, addr) == FAULT_NONE, "wall clock MSR takes 0x%x", addr);
	check(wc.version && !(wc.version & 1), "wall clock version %u (even)", wc.version);
	check(wc.sec > 1577836800u && wc.nsec < 1000000000u,
	      "wall clock at guest time 0: %u s since 1970 (after 2020), %u ns", wc.sec, wc.nsec);
	check(wrmsr_safe(MSR_WALL, addr + 1) == VEC_GP, "a misaligned wall clock: #GP");
}

int main(void)
{
	test_start("pvclock");
	if (!under_hv()) {
		skip_not_hv("kvm-clock");
		test_finish();
	}
	check_cpuid();
	check_time_info();
	check_wall_clock();
	test_finish();
}
