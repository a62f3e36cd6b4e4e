// SPDX-License-Identifier: MIT
//
// The local APIC in x2APIC mode taking many interrupts, the workload APIC
// virtualization (Intel SDM Vol. 3C ch. 30) serves without exits under
// VMX and the hypervisor's emulation serves under SVM; the checks are the
// architecture's, the same for both:
// - ROUNDS self-IPIs through the SELF IPI MSR (0x83F), each ended by an
//   EOI write (MSR 0x80B): all taken, none twice;
// - TPR (MSR 0x808) holds back a vector of its priority class or below,
//   and lowering it lets the vector in at once (SDM Vol. 3A §11.8.3.1);
// - a lower vector sent inside a handler waits for its EOI, a higher one
//   nests once interrupts are on (§11.8.3);
// - a level-triggered interrupt from the I/O APIC (the RTC's periodic
//   interrupt, IRQ 8 routed level, active high): each EOI reaches the I/O
//   APIC and clears Remote IRR, or the next one never comes (§11.8.5;
//   under APIC virtualization an EOI-induced exit).
// - every readable register read back by RDMSR READ_ROUNDS times, what
//   was written or what the state makes it (ID, the derived LDR, TPR,
//   PPR and ISR inside a handler, IRR with a vector held back by TPR, the
//   64-bit ICR, LVT, initial count, divide configuration): under VMX,
//   APIC-register virtualization reads them from the page the hypervisor
//   and the CPU keep (SDM Vol. 3C §30.5), the current count excepted.
// The expectation for VMX also bounds the WRMSR and RDMSR exits (tests/
// system/expect/guest-apicv-vmx): with APIC virtualization the EOI, SELF
// IPI and TPR writes and those register reads do not exit.
#include "lib/cpu.h"
#include "lib/fault.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

#define MSR_APIC_BASE 0x1b
#define X2_TPR 0x808
#define X2_EOI 0x80b
#define X2_SVR 0x80f
#define X2_ISR0 0x810
#define X2_SELF_IPI 0x83f
#define X2_ID 0x802
#define X2_VER 0x803
#define X2_PPR 0x80a
#define X2_LDR 0x80d
#define X2_TMR0 0x818
#define X2_IRR0 0x820
#define X2_ESR 0x828
#define X2_ICR 0x830
#define X2_LVT_TIMER 0x832
#define X2_LVT_ERROR 0x837
#define X2_TIMER_INIT 0x838
#define X2_TIMER_CUR 0x839
#define X2_TIMER_DIV 0x83e
#define READ_ROUNDS 100
#define APIC_BASE_BSP_EN 0xfee00900u
#define APIC_BASE_EXTD (1u << 10)
#define ROUNDS 1000
#define VEC_SELF 0x41
#define VEC_LOW 0x50
#define VEC_MID 0x60
#define VEC_HIGH 0x70
#define VEC_RTC 0x68
#define RTC_GSI 8
#define RTC_TICKS 20

static volatile u32 self_hits, low_hits, mid_hits, high_hits, rtc_hits;
static volatile bool nest_low, nest_high;
static volatile u32 low_inside_mid, high_inside_mid;

static void eoi(void) { wrmsr(X2_EOI, 0); }

static volatile bool read_inside;
static volatile u64 ppr_inside, isr_inside;

static void self_irq(struct trap_frame *f)
{
	(void)f;
	self_hits++;
	if (read_inside) {
		ppr_inside = rdmsr(X2_PPR);
		isr_inside = rdmsr(X2_ISR0 + VEC_SELF / 32);
	}
	eoi();
}
static void low_irq(struct trap_frame *f) { (void)f; low_hits++; eoi(); }
static void high_irq(struct trap_frame *f) { (void)f; high_hits++; eoi(); }

static void mid_irq(struct trap_frame *f)
{
	(void)f;
	mid_hits++;
	if (nest_low) {
		wrmsr(X2_SELF_IPI, VEC_LOW);
		sti();
		for (int i = 0; i < 1000; i++)
			cpu_pause();
		cli();
		low_inside_mid = low_hits; // must not have come yet
	}
	if (nest_high) {
		wrmsr(X2_SELF_IPI, VEC_HIGH);
		sti();
		for (int i = 0; i < 1000 && !high_hits; i++)
			cpu_pause();
		cli();
		high_inside_mid = high_hits; // came inside
	}
	eoi();
}

static u8 cmos_read(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void cmos_write(u8 reg, u8 v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

static void rtc_irq(struct trap_frame *f)
{
	(void)f;
	rtc_hits++;
	cmos_read(0x0c); // lowers IRQ 8
	eoi();           // level: reaches the I/O APIC, clears Remote IRR
}

static void check_self_ipis(void)
{
	u32 missed = 0;

	for (u32 i = 0; i < ROUNDS; i++) {
		u32 want = self_hits + 1;

		wrmsr(X2_SELF_IPI, VEC_SELF);
		if (irq_wait_count(&self_hits, want, 100) != want)
			missed++;
	}
	check(missed == 0 && self_hits == ROUNDS, "%u self-IPIs taken once each (%u missed)",
	      self_hits, missed);
}

static void check_tpr(void)
{
	u32 before = low_hits;
	u64 v = 0;

	wrmsr(X2_TPR, 0x50);
	check(rdmsr_safe(X2_TPR, &v) == FAULT_NONE && v == 0x50, "TPR reads back 0x50");
	wrmsr(X2_SELF_IPI, VEC_LOW);
	irq_wait_count(&low_hits, before + 1, 20);
	check(low_hits == before, "TPR 0x50 holds vector 0x%x back", VEC_LOW);
	sti();
	wrmsr(X2_TPR, 0x40);
	cli();
	check(low_hits == before + 1, "TPR 0x40 lets it in at once");
	wrmsr(X2_TPR, 0);
}

static void check_nesting(void)
{
	nest_low = true;
	wrmsr(X2_SELF_IPI, VEC_MID);
	irq_wait_count(&low_hits, 2, 100);
	nest_low = false;
	check(mid_hits == 1 && low_inside_mid == 1 && low_hits == 2,
	      "a lower vector sent in a handler waits for its EOI");
	nest_high = true;
	wrmsr(X2_SELF_IPI, VEC_MID);
	irq_wait_count(&mid_hits, 2, 100);
	nest_high = false;
	check(mid_hits == 2 && high_inside_mid == 1, "a higher one nests");
	check(rdmsr(X2_ISR0 + VEC_MID / 32) == 0 && rdmsr(X2_ISR0 + VEC_HIGH / 32) == 0,
	      "nothing left in service");
}

static void check_level(void)
{
	ioapic_route(RTC_GSI, IOAPIC_LEVEL | VEC_RTC, 0);
	cmos_write(0x0a, 0x2a); // 32.768 kHz divider, 64 Hz periodic rate
	cmos_read(0x0c);
	cmos_write(0x0b, (u8)(cmos_read(0x0b) | 0x40)); // PIE
	irq_wait_count(&rtc_hits, RTC_TICKS, 2000);
	cmos_write(0x0b, (u8)(cmos_read(0x0b) & ~0x40));
	ioapic_route(RTC_GSI, IOAPIC_MASKED, 0);
	check(rtc_hits >= RTC_TICKS, "%u level-triggered RTC interrupts: each EOI reached the I/O APIC",
	      rtc_hits);
}

// One register by RDMSR must read @want in every round; how many did not.
static u32 reads_wrong(u32 msr, u64 want)
{
	u32 wrong = 0;

	for (int i = 0; i < READ_ROUNDS; i++)
		if (rdmsr(msr) != want)
			wrong++;
	if (wrong)
		printf("MSR 0x%x read 0x%llx, want 0x%llx\n", msr, rdmsr(msr), want);
	return wrong;
}

static void check_register_reads(void)
{
	u64 icr = (7ULL << 32) | 0x4000 | VEC_SELF; // to APIC ID 7: nobody
	u64 ver = rdmsr(X2_VER), cur;
	u32 wrong = 0, before = low_hits;

	wrmsr(X2_TPR, 0x30);
	wrmsr(X2_LVT_TIMER, (1u << 16) | 0x7e); // masked
	wrmsr(X2_LVT_ERROR, (1u << 16) | 0x7f);
	wrmsr(X2_TIMER_DIV, 0xb);                // divide by 1
	wrmsr(X2_TIMER_INIT, 0x40000000);
	wrmsr(X2_ICR, icr);
	wrong += reads_wrong(X2_ID, 0) + reads_wrong(X2_LDR, 1) + reads_wrong(X2_VER, ver);
	wrong += reads_wrong(X2_TPR, 0x30) + reads_wrong(X2_PPR, 0x30);
	wrong += reads_wrong(X2_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	wrong += reads_wrong(X2_ESR, 0) + reads_wrong(X2_ICR, icr);
	wrong += reads_wrong(X2_LVT_TIMER, (1u << 16) | 0x7e);
	wrong += reads_wrong(X2_LVT_ERROR, (1u << 16) | 0x7f);
	wrong += reads_wrong(X2_TIMER_INIT, 0x40000000) + reads_wrong(X2_TIMER_DIV, 0xb);
	wrong += reads_wrong(X2_ISR0 + VEC_SELF / 32, 0) + reads_wrong(X2_TMR0 + VEC_SELF / 32, 0);
	cur = rdmsr(X2_TIMER_CUR); // computed: exits
	check(wrong == 0 && (ver & 0xff) >= 0x10 && !(ver >> 32) && cur && cur < 0x40000000,
	      "14 x2APIC registers read back %u times each (%u wrong), current count counting",
	      READ_ROUNDS, wrong);
	wrmsr(X2_TIMER_INIT, 0);

	wrmsr(X2_TPR, 0x50);
	wrmsr(X2_SELF_IPI, VEC_LOW); // held back: requested, not in service
	wrong = reads_wrong(X2_IRR0 + VEC_LOW / 32, 1ULL << (VEC_LOW % 32));
	check(wrong == 0 && low_hits == before, "IRR shows the vector TPR holds back");
	sti();
	wrmsr(X2_TPR, 0);
	cli();

	read_inside = true;
	wrmsr(X2_SELF_IPI, VEC_SELF);
	irq_wait_count(&self_hits, self_hits + 1, 100);
	read_inside = false;
	check(ppr_inside == (VEC_SELF & 0xf0) && isr_inside == 1ULL << (VEC_SELF % 32) &&
	      low_hits == before + 1,
	      "inside the handler PPR reads 0x%llx and ISR has the vector", ppr_inside);
}

int main(void)
{
	test_start("apicv");
	if (!(cpuid(1, 0).ecx & (1u << 21)))
		test_fail("CPUID.1:ECX[21] (x2APIC) not offered");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer for the waits");
	irq_init();
	trap_set_handler(VEC_SELF, self_irq);
	trap_set_handler(VEC_LOW, low_irq);
	trap_set_handler(VEC_MID, mid_irq);
	trap_set_handler(VEC_HIGH, high_irq);
	trap_set_handler(VEC_RTC, rtc_irq);
	check(wrmsr_safe(MSR_APIC_BASE, APIC_BASE_BSP_EN | APIC_BASE_EXTD) == FAULT_NONE,
	      "x2APIC mode entered");
	wrmsr(X2_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	check_self_ipis();
	check_tpr();
	check_nesting();
	check_register_reads();
	check_level();
	test_finish();
}
