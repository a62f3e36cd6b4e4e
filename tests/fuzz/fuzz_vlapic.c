// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the virtual local APIC (vmm/dev/vlapic.c) of a
 * three-vCPU VM (fake_vm.h): its MMIO page through the bus (devfuzz.h,
 * the vCPU being vcpu_current()), and events for the rest of what a guest
 * or a device reaches: x2APIC MSR reads and writes (0x800-0x8FF), the
 * switch to x2APIC mode, the TSC-deadline MSR, interrupts raised by
 * devices (edge and level), the vCPU taking its highest pending interrupt,
 * the timer poll, and switching the current vCPU. Checks that a pending
 * vector is a real vector (16-255) and is what the IRR says.
 */
#include <stdlib.h>

#include "tests/fuzz/devfuzz.h"
#include "tests/fuzz/fake_vm.h"

static void take_interrupt(struct vcpu *v)
{
	int vec = vlapic_pending(&v->lapic);

	if (vec < 0)
		return;
	if (vec < 16 || vec > 255)
		abort();
	vlapic_accept(&v->lapic, vec);
}

static void on_event(u8 arg, u64 val)
{
	struct vcpu *v = vcpu_current();
	u64 got;

	switch (arg & 7) {
	case 0: fvm->current = (arg >> 3) % FAKE_VM_VCPUS; break;
	case 1: vlapic_msr_read(v, 0x800 + (u32)(val & 0xff), &got); break;
	case 2: vlapic_msr_write(v, 0x800 + (arg >> 3) * 8 + (u32)(val & 7), val >> 3); break;
	case 3: vlapic_enable_x2apic(&v->lapic); break;
	case 4: vlapic_raise_level(v, (u8)val, arg & 8); break;
	case 5: take_interrupt(v); break;
	case 6: vlapic_timer_poll(&v->lapic); break;
	default:
		if (arg & 8)
			vlapic_tsc_deadline_write(&v->lapic, val);
		else
			vlapic_tsc_deadline_read(&v->lapic, &got);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ 4096, vlapic_mmio_read, vlapic_mmio_write, NULL, "lapic" },
	};
	static const struct devfuzz d = { r, 1, NULL, on_event };

	fake_vm_reset();
	devfuzz_run(&d, data, size);
	return 0;
}
