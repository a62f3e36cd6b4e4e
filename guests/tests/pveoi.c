// SPDX-License-Identifier: MIT
//
// The paravirtual EOI (the KVM interface, Linux's
// Documentation/virt/kvm/x86/msr.rst: MSR_KVM_PV_EOI_EN 0x4B564D04, CPUID
// 0x40000101 EAX bit 6 under the "KVMKVMKVM" leaf): the guest names a
// word of its RAM; when the hypervisor set bit 0 of it before the guest's
// interrupt handler ran, clearing the bit is the handler's EOI and no
// EOI register write (no exit) is needed. Checked: the MSR's #GP cases
// and read-back; the bit is set for an edge interrupt with nothing else
// waiting, and a cleared bit ends the vector in service (the same vector
// and a lower one are delivered again after it, while spinning and while
// halted); with a lower vector waiting behind the one in service the bit
// is taken back and the EOI register write ends it; turned off, the bit
// stays clear. The number of EOIs done by clearing the bit is printed and
// compared with the hypervisor's count at the end (the expectation file).
#include "lib/cpu.h"
#include "lib/fault.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

#define MSR_PV_EOI 0x4b564d04u
#define KVM_FEATURE_PV_EOI (1u << 6)
#define VEC_HI 0x60
#define VEC_LO 0x50
#define ROUNDS 100
#define ICR_SELF (1u << 18) // destination shorthand: self

static volatile u32 pv_word; // 4-byte aligned as a u32
static volatile u32 hits_hi, hits_lo, seen_set, pv_eois;
static volatile bool lower_inside; // the VEC_HI handler sends VEC_LO first
static volatile u32 bit_after_lower = ~0u;

// Linux's kvm_guest_apic_eoi_write: one test-and-clear instruction, the
// EOI register only when the bit was not set.
static void eoi(void)
{
	bool set;

	asm volatile("btrl $0, %0" : "+m"(pv_word), "=@ccc"(set) : : "memory");
	if (set)
		pv_eois++;
	else
		lapic_eoi();
}

static void self_ipi(u8 vec)
{
	lapic_write(LAPIC_ICR_LO, ICR_SELF | vec);
}

static void hi_irq(struct trap_frame *f)
{
	(void)f;
	hits_hi++;
	if (pv_word & 1)
		seen_set++;
	if (lower_inside) {
		self_ipi(VEC_LO); // waits behind this one: the bit is taken back
		bit_after_lower = pv_word & 1;
	}
	eoi();
}

static void lo_irq(struct trap_frame *f)
{
	(void)f;
	hits_lo++;
	if (pv_word & 1)
		seen_set++;
	eoi();
}

static bool kvm_features(u32 *eax)
{
	for (u32 base = 0x40000000; base < 0x40010000; base += 0x100) {
		struct cpuid_regs r = cpuid(base, 0);
		char sig[13];

		memcpy(sig, &r.ebx, 4);
		memcpy(sig + 4, &r.ecx, 4);
		memcpy(sig + 8, &r.edx, 4);
		sig[12] = 0;
		if (!strcmp(sig, "KVMKVMKVM")) {
			*eax = cpuid(base + 1, 0).eax;
			return true;
		}
	}
	return false;
}

static void check_msr(void)
{
	u32 addr = (u32)(unsigned long)&pv_word;
	u64 v = ~0ULL;

	check(rdmsr_safe(MSR_PV_EOI, &v) == FAULT_NONE && v == 0, "the MSR reads 0 at start");
	check(wrmsr_safe(MSR_PV_EOI, addr | 3) == VEC_GP, "reserved bit 1 set: #GP");
	check(wrmsr_safe(MSR_PV_EOI, 0x7ffff000u | 1) == VEC_GP, "a word outside RAM: #GP");
	check(wrmsr_safe(MSR_PV_EOI, addr | 1) == FAULT_NONE, "enabled at 0x%x", addr);
	check(rdmsr_safe(MSR_PV_EOI, &v) == FAULT_NONE && v == (addr | 1), "the MSR reads back");
}

// ROUNDS self-IPIs of @vec, each waited for (halted or spinning).
static bool rounds(u8 vec, volatile u32 *hits, bool halt)
{
	for (u32 i = 0; i < ROUNDS; i++) {
		u32 want = *hits + 1;

		self_ipi(vec);
		if (halt) {
			while (*hits < want)
				sti_hlt(); // a lost one hangs here: the test times out
			cli();
		} else if (irq_wait_count(hits, want, 1000) < want) {
			return false;
		}
	}
	return true;
}

int main(void)
{
	u32 feat = 0, before;

	test_start("pveoi");
	if (!kvm_features(&feat) || !(feat & KVM_FEATURE_PV_EOI))
		test_fail("CPUID does not offer the paravirtual EOI (KVM leaf EAX bit 6)");
	check(true, "CPUID offers the paravirtual EOI");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer for the waits");
	irq_init();
	trap_set_handler(VEC_HI, hi_irq);
	trap_set_handler(VEC_LO, lo_irq);
	check_msr();

	check(rounds(VEC_HI, &hits_hi, false), "%u self-IPIs taken while spinning", ROUNDS);
	check(seen_set == ROUNDS, "the bit was set in each handler (%u)", seen_set);
	check(pv_eois == ROUNDS, "each EOI cleared it (%u)", pv_eois);
	check(rounds(VEC_LO, &hits_lo, true), "%u lower self-IPIs taken while halted", ROUNDS);
	check(seen_set == 2 * ROUNDS && pv_eois == 2 * ROUNDS,
	      "each by clearing the bit (%u set, %u cleared)", seen_set, pv_eois);

	lower_inside = true;
	before = pv_eois;
	self_ipi(VEC_HI);
	irq_wait_count(&hits_lo, ROUNDS + 1, 1000);
	lower_inside = false;
	check(hits_hi == ROUNDS + 1 && hits_lo == ROUNDS + 1,
	      "a lower vector sent inside the handler came after it");
	check(bit_after_lower == 0, "with it waiting the bit was taken back");
	check(pv_eois == before + 1, "the outer handler wrote EOI, the lower one cleared the bit");

	check(wrmsr_safe(MSR_PV_EOI, 0) == FAULT_NONE, "turned off");
	before = pv_eois;
	check(rounds(VEC_HI, &hits_hi, false) && pv_eois == before,
	      "off: %u self-IPIs taken with EOI writes", ROUNDS);
	printf("pv-eoi %u EOIs by clearing the bit\n", pv_eois);
	test_finish();
}
