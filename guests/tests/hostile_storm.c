// SPDX-License-Identifier: MIT
//
// A hostile guest (one vCPU) that storms the virtual local APIC while a
// heartbeat neighbour runs on another CPU: tens of thousands of self-IPIs,
// IPIs to itself with interrupts off (they merge: one IRR bit per vector,
// SDM Vol. 3A §11.8.4), broadcast NMI, INIT and fixed IPIs to "all
// excluding self" with nobody else in the VM, INIT, SIPI, NMI and fixed
// IPIs to every APIC ID that is not in the VM (physical and logical), and
// a LAPIC timer in periodic mode with an initial count of 1 (it fires
// every 10 ns of bus clock: with interrupts on the guest lives in its
// handler, with them off it still makes progress). Each storm checks the
// architectural outcome; the system test checks that the neighbour keeps
// its beat and the host does not panic.
#include "lib/cpu.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

#define VEC_NMI 2
#define VEC_IPI 0x50
#define VEC_MERGE 0x51  // 0x51-0x5e: merged self-IPIs
#define VEC_BCAST 0x60
#define VEC_FOREIGN 0x61
#define VEC_TIMER 0x70
#define MERGE_VECTORS 14

#define ICR_SELF (1u << 18)          // destination shorthand 01
#define ICR_ALL (2u << 18)           // 10: all including self
#define ICR_OTHERS (3u << 18)        // 11: all excluding self
#define ICR_LOGICAL (1u << 11)
#define ICR_NMI 0x400u
#define ICR_INIT 0x4500u
#define ICR_SIPI 0x4600u
#define LVT_PERIODIC (1u << 17)

#define SELF_IPIS 2000u
#define TIMER_FIRES 1000u
#define CLI_WORK_US 20000u

static volatile u32 counts[256];
static volatile u32 order[MERGE_VECTORS], norder;

static void count_irq(struct trap_frame *f)
{
	counts[f->vector & 0xff]++;
	if (f->vector >= VEC_MERGE && f->vector < VEC_MERGE + MERGE_VECTORS &&
	    norder < MERGE_VECTORS)
		order[norder++] = f->vector;
	lapic_eoi();
}

static void count_nmi(struct trap_frame *f)
{
	(void)f;
	counts[VEC_NMI]++;
}

// The storm timer: after TIMER_FIRES interrupts the handler itself masks
// it (the main program gets no instruction in between).
static void timer_irq(struct trap_frame *f)
{
	(void)f;
	if (++counts[VEC_TIMER] >= TIMER_FIRES) {
		lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
		lapic_write(LAPIC_TIMER_INIT, 0);
	}
	lapic_eoi();
}

static void icr(u32 dest, u32 lo)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
}

// A short window with interrupts on, for whatever is pending.
static void open_window(void)
{
	sti();
	for (int i = 0; i < 100; i++)
		cpu_pause();
	cli();
}

static void self_ipi_storm(void)
{
	sti();
	for (u32 i = 0; i < SELF_IPIS; i++)
		icr(0, ICR_SELF | VEC_IPI);
	for (int i = 0; i < 1000; i++)
		cpu_pause();
	cli();
	check(counts[VEC_IPI] >= 1 && counts[VEC_IPI] <= SELF_IPIS,
	      "%u self-IPIs sent with interrupts on, %u taken", SELF_IPIS, counts[VEC_IPI]);
}

// With IF=0 each vector's IPIs collapse into its IRR bit; on STI they
// come in priority order, highest first (§11.8.3).
static void merged_ipis(void)
{
	bool sorted = true;

	for (u32 i = 0; i < SELF_IPIS / MERGE_VECTORS; i++)
		for (u32 v = 0; v < MERGE_VECTORS; v++)
			icr(0, ICR_SELF | (VEC_MERGE + v));
	open_window();
	for (u32 v = 0; v < MERGE_VECTORS; v++)
		if (counts[VEC_MERGE + v] != 1)
			sorted = false;
	for (u32 i = 1; i < norder; i++)
		if (order[i] > order[i - 1])
			sorted = false;
	check(sorted && norder == MERGE_VECTORS,
	      "%u self-IPIs with interrupts off: each of %u vectors taken once, highest first",
	      SELF_IPIS / MERGE_VECTORS * MERGE_VECTORS, norder);
}

// Alone in the VM, "all excluding self" reaches nobody.
static void broadcast_to_nobody(void)
{
	icr(0, ICR_OTHERS | ICR_NMI);
	icr(0, ICR_OTHERS | ICR_INIT);
	icr(0, ICR_OTHERS | VEC_BCAST);
	open_window();
	check(counts[VEC_NMI] == 0 && counts[VEC_BCAST] == 0,
	      "nmi, init and fixed ipi to all-excluding-self: nothing arrives, still running");
	icr(0, ICR_ALL | VEC_BCAST);
	open_window();
	check(counts[VEC_BCAST] == 1, "fixed ipi to all-including-self: taken once");
}

// APIC IDs 1-254 are not in this VM: every message to them is dropped,
// whatever its kind; so is a logical one to nobody (this LDR is 0).
static void foreign_targets(void)
{
	for (u32 id = 1; id < 0xff; id++) {
		icr(id, ICR_INIT);
		icr(id, ICR_SIPI | 0x08);
		icr(id, ICR_SIPI | 0x08);
		icr(id, ICR_NMI);
		icr(id, VEC_FOREIGN);
	}
	icr(0xff, ICR_LOGICAL | ICR_INIT);
	icr(0xff, ICR_LOGICAL | ICR_NMI);
	icr(0xff, ICR_LOGICAL | VEC_FOREIGN);
	open_window();
	check(counts[VEC_NMI] == 0 && counts[VEC_FOREIGN] == 0,
	      "init, sipi, nmi and fixed ipis to 254 foreign apic ids and logical nobody: "
	      "dropped, still running");
}

static void timer_storm_start(void)
{
	lapic_write(LAPIC_TIMER_DIV, 0xb); // divide by 1
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 1);
}

static bool timer_done(void *arg)
{
	(void)arg;
	return counts[VEC_TIMER] >= TIMER_FIRES;
}

static void timer_storm(void)
{
	u32 t0;

	// Interrupts off: the storm only sets one IRR bit, the guest runs on.
	timer_storm_start();
	t0 = pmtimer_read();
	pmtimer_delay_us(CLI_WORK_US);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	check(pmtimer_ticks_to_us(pmtimer_since(t0)) < 1000000,
	      "%u ms of work with interrupts off under a period-1 timer",
	      CLI_WORK_US / 1000);
	open_window();
	check(counts[VEC_TIMER] == 1, "one timer interrupt pending after it, taken once (%u)",
	      counts[VEC_TIMER]);
	// Interrupts on: the guest lives in its handler until it masks it.
	counts[VEC_TIMER] = 0;
	timer_storm_start();
	sti();
	check(pmtimer_wait(timer_done, NULL, 10000000),
	      "periodic timer with count 1: %u interrupts, then masked by the handler",
	      counts[VEC_TIMER]);
	cli();
	lapic_write(LAPIC_TIMER_INIT, 0);
}

// Run one storm and say how long it took (a figure, not a check).
static void timed(const char *what, void (*storm)(void))
{
	u32 t0 = pmtimer_read();

	storm();
	printf("%s took %u us\n", what, (u32)pmtimer_ticks_to_us(pmtimer_since(t0)));
}

int main(void)
{
	test_start("hostile_storm");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	irq_init();
	trap_set_handler(VEC_NMI, count_nmi);
	trap_set_handler(VEC_IPI, count_irq);
	for (u32 v = 0; v < MERGE_VECTORS; v++)
		trap_set_handler(VEC_MERGE + v, count_irq);
	trap_set_handler(VEC_BCAST, count_irq);
	trap_set_handler(VEC_FOREIGN, count_irq);
	trap_set_handler(VEC_TIMER, timer_irq);
	timed("self-ipi storm", self_ipi_storm);
	timed("merged ipis", merged_ipis);
	timed("broadcasts", broadcast_to_nobody);
	timed("foreign targets", foreign_targets);
	timed("timer storm", timer_storm);
	test_finish();
}
