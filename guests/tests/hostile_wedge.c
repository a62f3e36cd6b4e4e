// SPDX-License-Identifier: MIT
//
// A hostile guest that wedges itself, for the hypervisor's wedged-VM rule
// (a VM none of whose vCPUs can ever run again is stopped with a clear
// line, and its neighbour goes on). "mode=" on the command line picks how:
//   init-self  its only vCPU sends INIT to its own APIC ID and then waits
//              for a SIPI nobody can send (SDM Vol. 3A §9.4.4);
//   cli-hlt    its only vCPU halts with interrupts disabled;
//   hlt-all    with two vCPUs: the AP halts with interrupts disabled while
//              the BSP runs on (the VM must not be stopped then), the BSP
//              wakes it with an NMI (a halted vCPU with IF=0 is not dead),
//              then halts with interrupts disabled too;
//   nmi-wake   not wedged: its only vCPU halts with interrupts disabled
//              after routing the PIT through the I/O APIC as NMI, and the
//              PIT's NMI wakes it (the VM must not be stopped).
// Each mode prints what it is about to do; the system test expects the
// hypervisor's "stop wedged all vcpus ..." line and nothing after it.
#include "lib/ap.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/multiboot.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

#define AP_STACK_SIZE 8192
#define ICR_NMI 0x00004400u // NMI, level assert, physical
#define VEC_NMI 2

#define IOAPIC_BASE 0xfec00000u
#define GSI_PIT 2           // the MADT's override: ISA IRQ 0 -> GSI 2
#define RTE_NMI 0x400u      // delivery mode 100b, edge, physical, unmasked
#define PIT_10MS 11932u     // 1.193182 MHz / 100

static u8 ap_stack[AP_STACK_SIZE] aligned(16);
static volatile u32 ap_halts, ap_nmis;

// Is "mode=<m>" on the command line?
static bool mode_is(const char *m)
{
	const char *s = mb_cmdline();
	size_t n = strlen(m);

	for (; s && *s; s++)
		if ((s == mb_cmdline() || s[-1] == ' ') && !strncmp(s, "mode=", 5) &&
		    !strncmp(s + 5, m, n) && (s[5 + n] == 0 || s[5 + n] == ' '))
			return true;
	return false;
}

static void ap_nmi(struct trap_frame *f)
{
	(void)f;
	ap_nmis++;
}

// The AP: halt with interrupts off, again after each NMI.
static void ap_main(void)
{
	gdt_reload();
	idt_load();
	for (;;) {
		__atomic_fetch_add(&ap_halts, 1, __ATOMIC_SEQ_CST);
		asm volatile("cli; hlt" : : : "memory");
	}
}

static void start_ap(u32 apic_id)
{
	ap_trampoline_install(ap_main, ap_stack, AP_STACK_SIZE);
	ap_start(apic_id);
}

static bool ap_woke(void *arg)
{
	return ap_nmis >= *(u32 *)arg && ap_halts > *(u32 *)arg;
}

static void hlt_all(void)
{
	u32 one = 1;
	bool woke;

	trap_set_handler(VEC_NMI, ap_nmi);
	start_ap(1);
	pmtimer_delay_us(300000); // the AP sits in HLT with IF=0 meanwhile
	check(ap_halts == 1, "ap halted with interrupts disabled, bsp still running");
	lapic_send_ipi(1, ICR_NMI);
	woke = pmtimer_wait(ap_woke, &one, 100000);
	check(woke, "nmi from the bsp woke the halted ap (%u nmis, %u halts)", ap_nmis,
	      ap_halts);
	printf("bsp halting with interrupts disabled\n");
	asm volatile("cli; hlt" : : : "memory");
	test_fail("bsp woke from hlt with interrupts disabled");
}

static volatile u32 bsp_nmis;

static void bsp_nmi(struct trap_frame *f)
{
	(void)f;
	bsp_nmis++;
}

static void ioapic_write(u32 index, u32 val)
{
	*(volatile u32 *)IOAPIC_BASE = index;
	*(volatile u32 *)(IOAPIC_BASE + 0x10) = val;
}

// A halted vCPU with IF=0 that a device can still reach by NMI is not
// wedged: the PIT's channel 0 (every 10 ms) goes to it as an NMI.
static void nmi_wake(void)
{
	trap_set_handler(VEC_NMI, bsp_nmi);
	ioapic_write(0x10 + 2 * GSI_PIT + 1, 0);      // destination APIC ID 0
	ioapic_write(0x10 + 2 * GSI_PIT, RTE_NMI);
	outb(0x43, 0x34);                              // ch 0, lo/hi, rate generator
	outb(0x40, PIT_10MS & 0xff);
	outb(0x40, PIT_10MS >> 8);
	printf("halting with interrupts disabled, the PIT routed as NMI\n");
	asm volatile("cli; hlt" : : : "memory");
	check(bsp_nmis >= 1, "halted with interrupts disabled, woken by a device nmi (%u)",
	      bsp_nmis);
	ioapic_write(0x10 + 2 * GSI_PIT, 1u << 16);   // masked again
	test_finish();
}

int main(void)
{
	test_start("hostile_wedge");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	irq_init();
	if (mode_is("init-self")) {
		printf("sending INIT to my own apic id %u\n", lapic_id());
		lapic_send_ipi(lapic_id(), LAPIC_ICR_INIT);
		pmtimer_delay_us(100000);
		test_fail("still running 100 ms after an INIT to myself");
	} else if (mode_is("cli-hlt")) {
		printf("halting with interrupts disabled\n");
		asm volatile("cli; hlt" : : : "memory");
		test_fail("woke from hlt with interrupts disabled");
	} else if (mode_is("hlt-all")) {
		hlt_all();
	} else if (mode_is("nmi-wake")) {
		nmi_wake();
	}
	test_fail("no mode= (init-self, cli-hlt, hlt-all, nmi-wake) on the command line");
}
