// SPDX-License-Identifier: MIT
//
// Application processor start-up through the trampoline (ap.h).
#include "lib/ap.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/string.h"
#include "lib/test.h"

// Must match the parameter block at offset 4 of smp_trampoline.asm.
struct trampoline_params {
	u32 entry;
	u32 stack_base;
	u32 stack_size;
	u32 next;
};

extern const u8 smp_trampoline_start[], smp_trampoline_end[];

void ap_trampoline_install(void (*entry)(void), void *stacks, u32 stack_size)
{
	u32 size = smp_trampoline_end - smp_trampoline_start;
	struct trampoline_params *p = (void *)(AP_TRAMP_BASE + 4);

	if (size > 0x1000)
		test_fail("trampoline of %u bytes is larger than a page", size);
	memcpy((void *)AP_TRAMP_BASE, smp_trampoline_start, size);
	p->entry = (u32)entry;
	p->stack_base = (u32)stacks;
	p->stack_size = stack_size;
	p->next = 0;
}

bool ap_start(u32 apic_id)
{
	if (!lapic_send_ipi(apic_id, LAPIC_ICR_INIT))
		return false;
	pmtimer_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		if (!lapic_send_ipi(apic_id, LAPIC_ICR_SIPI | AP_SIPI_VECTOR))
			return false;
		pmtimer_delay_us(200);
	}
	return true;
}
