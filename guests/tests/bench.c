// SPDX-License-Identifier: MIT
//
// The exit-cost benchmark. Times with RDTSC, over many iterations after a
// warm-up, the operations that cost a VM exit under the hypervisor: CPUID
// leaf 0, a hypercall (VMCALL on Intel, VMMCALL on AMD; only under hv), an
// IN from the UART line status port, an MMIO read of the LAPIC version
// register, and a HLT woken by a LAPIC one-shot timer; and, when QEMU's
// edu device is on its PCI bus (bare, or passed through by hv), the
// latency of an MSI the device raises; and, when a second CPU is there,
// the latency of an IPI to it, spinning and halted. Prints one
// "BENCH <name> <cycles per operation>" line each ("n/a" when not
// measured), then "TEST bench PASS". The command line may set the number of
// iterations with "iters=N" (default 2000; HLT uses a tenth).
#include "lib/acpi.h"
#include "lib/ap.h"
#include "lib/cpu.h"
#include "lib/div64.h"
#include "lib/fault.h"
#include "lib/hv.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/multiboot.h"
#include "lib/pci.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/serial.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

#define DEFAULT_ITERS 2000
#define WARMUP 32
#define TIMER_VECTOR 0x40
#define HLT_TIMER_COUNT 10000 // LAPIC timer ticks (divide by 1)

static u32 iters = DEFAULT_ITERS;
static u64 loop_overhead; // cycles per empty iteration
static volatile u64 timer_tsc;
static volatile u32 timer_hits;

// Run body n times and return the TSC cycles taken.
#define TIME_LOOP(n, body) ({				\
	u64 t0_ = rdtsc();				\
	for (u32 i_ = 0; i_ < (n); i_++) {		\
		body;					\
	}						\
	rdtsc() - t0_;					\
})

// Warm up, time iters runs of body, print the BENCH line.
#define BENCH(name, body) do {					\
	TIME_LOOP(WARMUP, body);				\
	report(name, TIME_LOOP(iters, body), iters, true);	\
} while (0)

static void report(const char *name, u64 cycles, u32 n, bool subtract_loop)
{
	u64 per_op = udiv64(cycles, n);

	if (subtract_loop)
		per_op = per_op > loop_overhead ? per_op - loop_overhead : 0;
	printf("BENCH %s %llu\n", name, per_op);
}

static inline void op_cpuid0(void)
{
	u32 a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
}

static inline void op_vmcall(void)
{
	asm volatile("vmcall" : : "a"(0) : "ebx", "ecx", "edx", "esi", "edi", "memory");
}

static inline void op_vmmcall(void)
{
	asm volatile("vmmcall" : : "a"(0) : "ebx", "ecx", "edx", "esi", "edi", "memory");
}

static void parse_cmdline(void)
{
	const char *p = mb_cmdline();
	u32 n = 0;

	for (; *p; p++)
		if (!strncmp(p, "iters=", 6))
			break;
	if (!*p)
		return;
	for (p += 6; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (*p - '0');
	if (n >= 10)
		iters = n;
}

static void measure_loop_overhead(void)
{
	TIME_LOOP(WARMUP, asm volatile(""));
	loop_overhead = udiv64(TIME_LOOP(iters, asm volatile("")), iters);
}

// Hypercall 0 under hv only; n/a bare or when the hypervisor refuses it.
static void bench_hypercall(void)
{
	bool amd = cpu_is_amd();
	u32 ret, vec;

	if (!under_hv()) {
		printf("BENCH hypercall n/a\n");
		return;
	}
	vec = hypercall_safe(amd, 0, &ret);
	if (vec != FAULT_NONE) {
		printf("%s raised %s\n", amd ? "vmmcall" : "vmcall", trap_name(vec));
		printf("BENCH hypercall n/a\n");
		return;
	}
	if (amd)
		BENCH("hypercall", op_vmmcall());
	else
		BENCH("hypercall", op_vmcall());
}

/* x2APIC mode (bench_x2apic): the timer and EOI through MSRs. */
static volatile bool x2;
#define X2_EOI 0x80b
#define X2_LVT_TIMER 0x832
#define X2_TIMER_INIT 0x838
#define X2_TIMER_DIV 0x83e
#define X2_SELF_IPI 0x83f

/* EOI in this CPU's APIC mode (both CPUs switch before x2 is set). */
static void apic_eoi(void)
{
	if (x2)
		wrmsr(X2_EOI, 0);
	else
		lapic_eoi();
}

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	timer_tsc = rdtsc();
	timer_hits++;
	apic_eoi();
}

static void timer_start(void)
{
	if (!x2) {
		lapic_timer_oneshot(TIMER_VECTOR, HLT_TIMER_COUNT);
		return;
	}
	wrmsr(X2_TIMER_DIV, 0xb);
	wrmsr(X2_LVT_TIMER, TIMER_VECTOR);
	wrmsr(X2_TIMER_INIT, HLT_TIMER_COUNT);
}

static void timer_stop(void)
{
	if (!x2) {
		lapic_timer_stop();
		return;
	}
	wrmsr(X2_LVT_TIMER, LAPIC_LVT_MASKED);
	wrmsr(X2_TIMER_INIT, 0);
}

// Wait for the timer handler's next hit after @hits, in HLT or spinning,
// interrupts off again after it.
static void timer_wait(u32 hits, bool hlt)
{
	if (!hlt)
		sti(); /* once: an STI in the loop would put every other instruction
			* in its interrupt shadow, and an expiry landing there would
			* cost an interrupt-window exit, or not, by the loop's phase */
	while (timer_hits == hits) {
		if (hlt)
			sti_hlt();
		else
			cpu_pause();
	}
	cli();
}

// Sum of iters / 10 runs of @once(@hlt) after WARMUP unmeasured ones.
static u64 timer_rounds(u64 (*once)(bool), bool hlt)
{
	u64 total = 0;

	for (u32 i = 0; i < WARMUP; i++)
		once(hlt);
	for (u32 i = 0; i < iters / 10; i++)
		total += once(hlt);
	return total;
}

// TSC cycles from arming the timer to its handler, one wake-up, waiting
// in HLT or spinning with interrupts on. The timer's period (its count
// at the local APIC's own rate) is in both; the difference is what
// sleeping in HLT adds.
static u64 timer_once(bool hlt)
{
	u32 hits = timer_hits;
	u64 t0;

	timer_start();
	t0 = rdtsc();
	timer_wait(hits, hlt);
	return timer_tsc - t0;
}

/* The timer's period in TSC cycles: HLT_TIMER_COUNT ticks of the local
 * APIC's clock. Under hv CPUID 0x40000010 gives both rates; bare under
 * QEMU -icount shift=0 both run at 1 GHz. */
static u64 timer_period_tsc(void)
{
	struct cpuid_regs r;

	if (!under_hv())
		return HLT_TIMER_COUNT;
	r = cpuid(0x40000010, 0);
	return r.ebx ? udiv64((u64)HLT_TIMER_COUNT * r.eax, r.ebx) : 0;
}

/* Also "BENCH <latency> N": cycles from the timer's expiry to its handler
 * (the round trip less the period). */
static void bench_timer(const char *name, const char *latency, bool hlt)
{
	u32 n = iters / 10;
	u64 total = timer_rounds(timer_once, hlt), per, period = timer_period_tsc();

	timer_stop();
	report(name, total, n, false);
	per = udiv64(total, n);
	if (period && per >= period)
		printf("BENCH %s %llu\n", latency, per - period);
}

/*
 * CPU-bound work: fill WORK_BYTES at WORK_BASE (guest RAM, above the
 * image) with a xorshift stream, then hash it WORK_PASSES times (FNV-1a
 * over 32-bit words, a page-crossing read stream). Reported in thousands
 * of cycles: under hv the difference to bare is what exits taken meanwhile
 * (host timer interrupts) and second-level translation cost.
 */
#define WORK_BASE 0x1000000u   /* 16 MiB */
#define WORK_BYTES 0x800000u   /* 8 MiB */
#define WORK_PASSES 4

static void bench_cpu_work(void)
{
	volatile u32 *w = (volatile u32 *)(uintptr_t)WORK_BASE;
	u32 x = 2463534242u, h = 2166136261u;
	u64 t0 = rdtsc();

	for (u32 i = 0; i < WORK_BYTES / 4; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		w[i] = x;
	}
	for (u32 p = 0; p < WORK_PASSES; p++)
		for (u32 i = 0; i < WORK_BYTES / 4; i++)
			h = (h ^ w[i]) * 16777619u;
	printf("BENCH cpu_work %llu\n", udiv64(rdtsc() - t0, 1000));
	printf("bench: cpu_work hash 0x%x\n", h);
}

/*
 * MSI delivery: QEMU's edu device (1234:11e8, docs/specs/edu.txt) raises
 * its MSI when its "raise" register (BAR0 + 0x60) is written; under hv the
 * BAR is mapped straight through, so the write does not exit and what is
 * timed is the interrupt's way: bare, QEMU's local APIC; under hv, the
 * IOMMU's interrupt remapping, the host's vector, the exit, the injection
 * and the entry. "BENCH msi_latency N": cycles from the write to the
 * handler, interrupts open and spinning.
 */
#define EDU_ID 0x11e81234u
#define EDU_RAISE 0x60
#define EDU_STATUS 0x24
#define EDU_ACK 0x64
#define MSI_VECTOR 0x52

static u32 edu_bar;
static volatile u64 msi_tsc;
static volatile u32 msi_hits;

static void msi_handler(struct trap_frame *f)
{
	(void)f;
	msi_tsc = rdtsc();
	mmio_write32(edu_bar + EDU_ACK, mmio_read32(edu_bar + EDU_STATUS));
	msi_hits++;
	lapic_eoi();
}

static void bench_msi(void)
{
	u32 slot = pci_find(EDU_ID), n = iters / 10, got = 0;
	u64 total = 0;

	if (!slot) {
		printf("BENCH msi_latency n/a\n");
		return;
	}
	edu_bar = pci_cfg_read(slot, 0x10) & ~0xfu;
	pci_cfg_write(slot, 4, (pci_cfg_read(slot, 4) & 0xffff0000u) | 0x6); /* memory, bus master */
	trap_set_handler(MSI_VECTOR, msi_handler);
	if (!pci_msi_enable(slot, MSI_VECTOR, lapic_id())) {
		printf("BENCH msi_latency n/a\n");
		return;
	}
	for (u32 i = 0; i < WARMUP + n; i++) {
		u32 hits = msi_hits;
		u64 t0;

		sti();
		t0 = rdtsc();
		mmio_write32(edu_bar + EDU_RAISE, 1);
		for (u32 k = 0; k < 10000000 && msi_hits == hits; k++)
			cpu_pause();
		cli();
		if (msi_hits != hits && i >= WARMUP) {
			total += msi_tsc - t0;
			got++;
		}
	}
	printf("bench: msi from edu at 00:%02x.0, %u of %u delivered\n", slot, got, n);
	if (got == n)
		report("msi_latency", total, n, false);
	else
		printf("BENCH msi_latency n/a\n");
}

/*
 * IPI latency: the first other CPU of the MADT is started (INIT-SIPI-SIPI)
 * and waits with interrupts open, spinning or in HLT; the boot CPU sends
 * it a fixed IPI and "BENCH ipi_latency N" / "BENCH ipi_hlt_latency N"
 * are the cycles from just before the ICR write to the target's handler
 * (the CPUs' TSCs agree: Bochs counts one tick for all, hv does not
 * offset them). Needs two CPUs, which QEMU's icount cannot run: make
 * bench measures it under Bochs.
 */
#define IPI_VECTOR 0x61

static u8 ap_stack[8192] aligned(16);
static volatile u32 ap_up, ipi_hits, ap_halts, ap_x2;
static volatile u64 ipi_tsc;
static u32 other_cpu = ~0u;

static void ipi_handler(struct trap_frame *f)
{
	(void)f;
	ipi_tsc = rdtsc();
	ipi_hits++;
	apic_eoi();
}

static noreturn void ap_entry(void)
{
	gdt_reload();
	idt_load();
	lapic_enable();
	ap_up = 1;
	sti();
	for (;;) {
		if (ap_x2 == 1) { /* bench_x2apic: this CPU to x2APIC mode too */
			cli();
			wrmsr(0x1b, 0xfee00000u | (1u << 11) | (1u << 10));
			wrmsr(0x80f, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
			ap_x2 = 2;
			sti();
		}
		if (ap_halts)
			hlt();
		else
			cpu_pause();
	}
}

static void pick_other(const struct acpi_lapic *l, void *arg)
{
	(void)arg;
	if (l->enabled && l->apic_id != lapic_id() && other_cpu == ~0u)
		other_cpu = l->apic_id;
}

/* Cycles from the ICR write to the handler, averaged; 0 if one was lost. */
static u64 ipi_round(bool halted)
{
	u32 n = iters / 10;
	u64 total = 0;

	ap_halts = halted;
	for (u32 i = 0; i < WARMUP + n; i++) {
		u32 hits = ipi_hits, t = pmtimer_read();
		u64 t0;

		while (halted && pmtimer_since(t) < PM_TIMER_HZ / 5000)
			; /* 200 us: the target is back in HLT */
		t0 = rdtsc();
		if (x2)
			wrmsr(0x830, (u64)other_cpu << 32 | IPI_VECTOR); /* ICR: fixed, physical */
		else
			lapic_send_ipi(other_cpu, IPI_VECTOR);
		t = pmtimer_read();
		while (ipi_hits == hits && pmtimer_since(t) < PM_TIMER_HZ / 10)
			cpu_pause();
		if (ipi_hits == hits)
			return 0;
		if (i >= WARMUP)
			total += ipi_tsc - t0;
	}
	return udiv64(total, n);
}

static void bench_ipi(void)
{
	u32 t;
	u64 spin, halt;

	acpi_for_each_lapic(pick_other, NULL);
	if (other_cpu == ~0u || !pmtimer_init()) {
		printf("BENCH ipi_latency n/a\n");
		return;
	}
	trap_set_handler(IPI_VECTOR, ipi_handler);
	ap_trampoline_install(ap_entry, ap_stack, sizeof(ap_stack));
	t = pmtimer_read();
	if (ap_start(other_cpu))
		while (!ap_up && pmtimer_since(t) < PM_TIMER_HZ)
			cpu_pause();
	if (!ap_up) {
		printf("bench: the CPU with APIC ID %u did not start\n", other_cpu);
		printf("BENCH ipi_latency n/a\n");
		return;
	}
	spin = ipi_round(false);
	halt = ipi_round(true);
	printf("bench: IPIs to APIC ID %u, %u each after %u warm-up\n", other_cpu, iters / 10,
	       WARMUP);
	if (spin)
		printf("BENCH ipi_latency %llu\n", spin);
	if (halt)
		printf("BENCH ipi_hlt_latency %llu\n", halt);
}

/*
 * The timer in TSC-deadline mode (CPUID.1:ECX[24], SDM Vol. 3A §10.5.4.1):
 * the guest knows the deadline, so "BENCH deadline_latency N" and
 * "deadline_hlt_latency N" are exactly the cycles from the expiry to the
 * handler's time stamp, spinning or halted, whatever the arming write
 * cost (timer_latency, a one-shot count, cannot separate the two).
 */
#define MSR_TSC_DEADLINE 0x6e0
#define LVT_TSC_DEADLINE (2u << 17)
#define DEADLINE_DELTA 100000u

static u64 deadline_once(bool hlt)
{
	u32 hits = timer_hits;
	u64 d;

	d = rdtsc() + DEADLINE_DELTA;
	wrmsr(MSR_TSC_DEADLINE, d);
	timer_wait(hits, hlt);
	return timer_tsc - d;
}

static void bench_deadline(void)
{
	if (!(cpuid(1, 0).ecx & (1u << 24))) {
		printf("BENCH deadline_latency n/a\nBENCH deadline_hlt_latency n/a\n");
		return;
	}
	lapic_write(LAPIC_LVT_TIMER, LVT_TSC_DEADLINE | TIMER_VECTOR);
	report("deadline_latency", timer_rounds(deadline_once, false), iters / 10, false);
	report("deadline_hlt_latency", timer_rounds(deadline_once, true), iters / 10, false);
	wrmsr(MSR_TSC_DEADLINE, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
}

static void bench_hlt_wakeup(void)
{
	irq_init();
	trap_set_handler(TIMER_VECTOR, timer_handler);
	bench_timer("timer_spin", "timer_latency", false);
	bench_timer("hlt_wakeup", "hlt_latency", true);
	bench_deadline();
}

/*
 * The same local APIC work in x2APIC mode, where APIC virtualization
 * (VMX) takes it without exits: the timer latencies again, and "BENCH
 * self_ipi_x2 N": cycles from a SELF IPI write (MSR 0x83F) to the end of
 * its handler, which EOIs by MSR. n/a without x2APIC.
 */
static volatile u32 self_hits;

static void self_handler(struct trap_frame *f)
{
	(void)f;
	self_hits++;
	wrmsr(X2_EOI, 0);
}

static void self_ipi_once(void)
{
	u32 hits = self_hits;

	wrmsr(X2_SELF_IPI, TIMER_VECTOR + 1);
	sti();
	while (self_hits == hits)
		cpu_pause();
	cli();
}

static void bench_x2apic(void)
{
	if (!(cpuid(1, 0).ecx & (1u << 21))) {
		printf("BENCH timer_latency_x2 n/a\nBENCH hlt_latency_x2 n/a\nBENCH self_ipi_x2 n/a\n");
		return;
	}
	if (ap_up) { /* the other CPU first, woken from HLT by an xAPIC IPI */
		u32 t = pmtimer_read();

		ap_halts = 0;
		ap_x2 = 1;
		lapic_send_ipi(other_cpu, IPI_VECTOR);
		while (ap_x2 != 2 && pmtimer_since(t) < PM_TIMER_HZ / 10)
			cpu_pause();
	}
	if (wrmsr_safe(0x1b, 0xfee00000u | (1u << 11) | (1u << 10) | (1u << 8)) != FAULT_NONE) {
		printf("BENCH timer_latency_x2 n/a\nBENCH hlt_latency_x2 n/a\nBENCH self_ipi_x2 n/a\n");
		return;
	}
	x2 = true;
	wrmsr(0x80f, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	trap_set_handler(TIMER_VECTOR + 1, self_handler);
	bench_timer("timer_spin_x2", "timer_latency_x2", false);
	bench_timer("hlt_wakeup_x2", "hlt_latency_x2", true);
	BENCH("self_ipi_x2", self_ipi_once());
	if (ap_x2 == 2) { /* the IPI latencies again, both CPUs in x2APIC mode */
		u64 spin, halt;

		spin = ipi_round(false);
		halt = ipi_round(true);
		if (spin)
			printf("BENCH ipi_latency_x2 %llu\n", spin);
		if (halt)
			printf("BENCH ipi_hlt_latency_x2 %llu\n", halt);
	}
}

int main(void)
{
	test_start("bench");
	parse_cmdline();
	hv_report();
	measure_loop_overhead();
	printf("bench: %s, %u iterations after %u warm-up (hlt_wakeup: %u), "
	       "loop overhead %llu cycles subtracted\n",
	       under_hv() ? "under hv" : "bare", iters, WARMUP, iters / 10, loop_overhead);
	BENCH("cpuid", op_cpuid0());
	bench_hypercall();
	BENCH("pio_read", inb(COM1 + UART_LSR));
	BENCH("mmio_read", mmio_read32(LAPIC_BASE + LAPIC_VERSION));
	bench_hlt_wakeup();
	bench_msi();
	bench_ipi();
	bench_x2apic();
	bench_cpu_work();
	test_finish();
}
