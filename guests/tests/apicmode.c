// SPDX-License-Identifier: MIT
//
// Local APIC modes through IA32_APIC_BASE (MSR 0x1B; Intel SDM Vol. 3A
// §11.4.4 and §11.12.5, Figure "Local x2APIC State Transitions"): the
// power-up value; the writes that must #GP (EXTD without EN, reserved
// bits, a moved base, x2APIC -> xAPIC directly, disabled -> x2APIC);
// EN=0 disabling the APIC (its MMIO page reads all-ones and ignores
// writes, a self-IPI goes nowhere, CPUID's APIC flag reads 0) and EN=1 bringing it back in its
// power-up state; x2APIC -> disabled -> xAPIC when CPUID offers x2APIC;
// and the I/O APIC ID register's bits 24-27 reading back what was written.
#include "lib/cpu.h"
#include "lib/fault.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

#define MSR_APIC_BASE 0x1b
#define BASE_ADDR 0xfee00000u
#define BSP (1u << 8)
#define EXTD (1u << 10)
#define EN (1u << 11)
#define LAPIC_TPR 0x80
#define ICR_SELF (1u << 18)
#define VEC_SELF 0x48
#define IOAPIC_BASE 0xfec00000u

static volatile u32 taken;

static void self_irq(struct trap_frame *f)
{
	(void)f;
	taken++;
	lapic_eoi();
}

static u32 mmio(u32 reg)
{
	return *(volatile u32 *)(BASE_ADDR + reg);
}

static u32 base_low(void)
{
	return (u32)rdmsr(MSR_APIC_BASE);
}

// Send a self-IPI and give it a window to arrive; how many came.
static u32 self_ipi(void)
{
	u32 before = taken;

	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, ICR_SELF | VEC_SELF);
	sti();
	for (int i = 0; i < 1000; i++)
		cpu_pause();
	cli();
	return taken - before;
}

static void check_invalid_writes(void)
{
	u32 base = base_low();

	check(base == (BASE_ADDR | BSP | EN), "IA32_APIC_BASE 0x%x at power-up", base);
	check(wrmsr_safe(MSR_APIC_BASE, BASE_ADDR | BSP | EXTD) == VEC_GP,
	      "EXTD=1 with EN=0 (invalid) raises #GP");
	check(wrmsr_safe(MSR_APIC_BASE, base | 1) == VEC_GP, "reserved bit 0 raises #GP");
	check(wrmsr_safe(MSR_APIC_BASE, base | 0x200) == VEC_GP, "reserved bit 9 raises #GP");
	check(wrmsr_safe(MSR_APIC_BASE, 0xfed00000u | BSP | EN) == VEC_GP,
	      "moving the APIC base raises #GP");
	check(wrmsr_safe(MSR_APIC_BASE, base) == FAULT_NONE && base_low() == base,
	      "writing the same value back is accepted");
}

/*
 * The CPUID APIC flag follows IA32_APIC_BASE.EN (SDM Vol. 3A §11.4.3):
 * bit 0 here is leaf 1 EDX[9], bit 1 AMD's copy in 0x80000001 EDX[9].
 */
static u32 apic_flags(void)
{
	u32 f = (cpuid(1, 0).edx >> 9) & 1;

	if (cpuid(0x80000000, 0).eax >= 0x80000001)
		f |= ((cpuid(0x80000001, 0).edx >> 9) & 1) << 1;
	return f;
}

static void check_disable(void)
{
	u64 dummy;
	u32 apic_flags_on = apic_flags();

	check(apic_flags_on & 1, "enabled: CPUID.1:EDX.APIC set");
	lapic_write(LAPIC_TPR, 0x20);
	lapic_timer_oneshot(0x49, 0x7fffffff);
	check(self_ipi() == 1, "self-IPI taken while enabled");
	check(wrmsr_safe(MSR_APIC_BASE, BASE_ADDR | BSP) == FAULT_NONE &&
	      base_low() == (BASE_ADDR | BSP), "EN=0 accepted: APIC disabled");
	check(mmio(LAPIC_VERSION) == 0xffffffff && mmio(LAPIC_SVR) == 0xffffffff,
	      "disabled: the MMIO page reads all-ones");
	check(!apic_flags(), "disabled: CPUID reports no APIC (flags 0x%x)", apic_flags());
	check(self_ipi() == 0, "disabled: a self-IPI written to the page goes nowhere");
	check(rdmsr_safe(0x802, &dummy) == VEC_GP, "disabled: x2APIC MSRs raise #GP");
	check(wrmsr_safe(MSR_APIC_BASE, BASE_ADDR | BSP | EN) == FAULT_NONE,
	      "EN=1 accepted: disabled -> xAPIC");
	check(apic_flags() == apic_flags_on, "enabled: CPUID reports the APIC again (flags 0x%x)",
	      apic_flags());
	check(mmio(LAPIC_SVR) == 0xff && mmio(LAPIC_TPR) == 0 &&
	      mmio(LAPIC_LVT_TIMER) == LAPIC_LVT_MASKED && mmio(LAPIC_TIMER_INIT) == 0,
	      "re-enabled in the power-up state (svr 0x%x tpr 0x%x lvt timer 0x%x)",
	      mmio(LAPIC_SVR), mmio(LAPIC_TPR), mmio(LAPIC_LVT_TIMER));
	lapic_enable();
	check(self_ipi() == 1, "self-IPI taken again after re-enabling");
}

static void check_x2apic(void)
{
	u64 id;

	if (!(cpuid(1, 0).ecx & (1u << 21))) {
		printf("SKIP x2apic transitions (not offered)\n");
		return;
	}
	check(wrmsr_safe(MSR_APIC_BASE, BASE_ADDR | BSP | EN | EXTD) == FAULT_NONE,
	      "xAPIC -> x2APIC accepted");
	check(rdmsr_safe(0x802, &id) == FAULT_NONE && id == 0, "x2APIC ID %u by MSR", (u32)id);
	check(mmio(LAPIC_VERSION) == 0xffffffff, "x2APIC: the MMIO page reads all-ones");
	check(wrmsr_safe(MSR_APIC_BASE, BASE_ADDR | BSP | EN) == VEC_GP &&
	      (base_low() & EXTD), "x2APIC -> xAPIC directly raises #GP");
	check(wrmsr_safe(MSR_APIC_BASE, BASE_ADDR | BSP) == FAULT_NONE,
	      "x2APIC -> disabled accepted");
	check(wrmsr_safe(MSR_APIC_BASE, BASE_ADDR | BSP | EN | EXTD) == VEC_GP,
	      "disabled -> x2APIC directly raises #GP");
	check(wrmsr_safe(MSR_APIC_BASE, BASE_ADDR | BSP | EN) == FAULT_NONE &&
	      (mmio(LAPIC_VERSION) & 0xff) != 0xff, "disabled -> xAPIC accepted, MMIO back");
	lapic_enable();
	check(self_ipi() == 1, "self-IPI taken in xAPIC mode after x2APIC");
}

static u32 ioapic_reg(u32 index, bool write, u32 val)
{
	*(volatile u32 *)IOAPIC_BASE = index;
	if (write)
		*(volatile u32 *)(IOAPIC_BASE + 0x10) = val;
	return *(volatile u32 *)(IOAPIC_BASE + 0x10);
}

static void check_ioapic_id(void)
{
	u32 old = ioapic_reg(0, false, 0);
	u32 got = ioapic_reg(0, true, 0x0a000000);

	check(got == 0x0a000000, "I/O APIC ID bits 24-27 written 0xa, read 0x%x", got >> 24);
	got = ioapic_reg(0, true, 0x05000000);
	check(got == 0x05000000, "I/O APIC ID bits 24-27 written 0x5, read 0x%x", got >> 24);
	ioapic_reg(0, true, old);
}

int main(void)
{
	test_start("apicmode");
	irq_init();
	trap_set_handler(VEC_SELF, self_irq);
	check_invalid_writes();
	check_disable();
	check_x2apic();
	check_ioapic_id();
	test_finish();
}
