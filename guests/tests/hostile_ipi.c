// SPDX-License-Identifier: MIT
//
// A hostile guest with two vCPUs that storms the cross-CPU interrupt path:
// the AP sends fixed IPIs to the BSP as fast as the BSP takes them, while
// the BSP's LAPIC timer fires periodically into the same IRR word (vectors
// 0x30 and 0x31, as Linux's timer and IPI vectors share one): an IPI the
// hypervisor loses would never arrive. The BSP also sends IPIs to the AP,
// which halts between them. An IPI counts as lost when the BSP has taken
// three timer interrupts after it was sent without taking it (the IPI's
// vector outranks the timer's, SDM Vol. 3A §11.8.3: no timeout, so a slow
// vCPU is not a lost IPI). Runs for IPI_ROUNDS or 2 s, then passes.
#include "lib/ap.h"
#include "lib/cpu.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

#define AP_STACK_SIZE 8192

#define VEC_TIMER 0x30
#define VEC_TO_BSP 0x31
#define VEC_TO_AP 0x32
#define TIMER_COUNT 20000u  // 200 us of the 100 MHz bus clock
#define IPI_ROUNDS 20000u
#define RUN_US 2000000u
#define LOST_TICKS 3u

static u8 ap_stack[AP_STACK_SIZE] aligned(16);
static volatile u32 ticks, bsp_got, ap_got, ap_sent, ap_lost, ap_up, stop;

static void timer_irq(struct trap_frame *f)
{
	(void)f;
	__atomic_fetch_add(&ticks, 1, __ATOMIC_SEQ_CST);
	lapic_eoi();
}

static void bsp_irq(struct trap_frame *f)
{
	(void)f;
	__atomic_fetch_add(&bsp_got, 1, __ATOMIC_SEQ_CST);
	lapic_eoi();
}

static void ap_irq(struct trap_frame *f)
{
	(void)f;
	__atomic_fetch_add(&ap_got, 1, __ATOMIC_SEQ_CST);
	lapic_eoi();
}

static void send(u32 apic_id, u32 vector)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, vector); // fixed, physical
}

// The AP: one IPI to the BSP at a time, each waited for.
static void ap_main(void)
{
	gdt_reload();
	idt_load();
	lapic_enable();
	__atomic_store_n(&ap_up, 1, __ATOMIC_SEQ_CST);
	sti();
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST) && ap_sent < IPI_ROUNDS) {
		u32 want = ap_sent + 1, t0;

		send(0, VEC_TO_BSP); // in the BSP's IRR when the write completes
		t0 = __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
		ap_sent = want;
		while (__atomic_load_n(&bsp_got, __ATOMIC_SEQ_CST) < want) {
			// ticks first, then the count the BSP made before them
			if (__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) - t0 >= LOST_TICKS &&
			    __atomic_load_n(&bsp_got, __ATOMIC_SEQ_CST) < want) {
				ap_lost++;
				__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
				break;
			}
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	for (;;)
		asm volatile("sti; hlt" : : : "memory"); // still takes VEC_TO_AP
}

static void start_ap(u32 apic_id)
{
	ap_trampoline_install(ap_main, ap_stack, AP_STACK_SIZE);
	ap_start(apic_id);
}

static bool is_up(void *arg)
{
	(void)arg;
	return ap_up;
}

static bool stopped(void *arg)
{
	(void)arg;
	return stop;
}

int main(void)
{
	u32 t0, us, sent_to_ap = 0;

	test_start("hostile_ipi");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	irq_init();
	trap_set_handler(VEC_TIMER, timer_irq);
	trap_set_handler(VEC_TO_BSP, bsp_irq);
	trap_set_handler(VEC_TO_AP, ap_irq);
	start_ap(1);
	if (!pmtimer_wait(is_up, NULL, 1000000))
		test_fail("the AP did not start");
	lapic_write(LAPIC_TIMER_DIV, 0xb);
	lapic_write(LAPIC_LVT_TIMER, (1u << 17) | VEC_TIMER); // periodic
	lapic_write(LAPIC_TIMER_INIT, TIMER_COUNT);
	sti();
	t0 = pmtimer_read();
	while (!stop && pmtimer_ticks_to_us(pmtimer_since(t0)) < RUN_US) {
		send(1, VEC_TO_AP);
		sent_to_ap++;
		asm volatile("hlt" : : : "memory"); // until the next interrupt
	}
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	us = (u32)pmtimer_ticks_to_us(pmtimer_since(t0));
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	pmtimer_wait(stopped, NULL, 100000);
	pmtimer_delay_us(10000);
	cli();
	printf("%u ipis to the bsp, %u to the ap, %u timer ticks in %u ms\n", ap_sent,
	       sent_to_ap, ticks, us / 1000);
	check(ap_lost == 0 && bsp_got == ap_sent,
	      "every ipi from the ap reached the bsp beside its timer (%u of %u)", bsp_got,
	      ap_sent);
	check(ap_got >= 1 && ap_got <= sent_to_ap, "ipis from the bsp reached the ap (%u of %u)",
	      ap_got, sent_to_ap);
	check(ticks >= LOST_TICKS, "the bsp's timer ran (%u ticks)", ticks);
	test_finish();
}
