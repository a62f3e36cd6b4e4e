// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the virtual local APIC (vmm/dev/vlapic.c) of a
 * three-vCPU VM (fake_vm.h): its MMIO page through the bus (devfuzz.h,
 * the vCPU being vcpu_current()), and events for the rest of what a guest
 * or a device reaches: x2APIC MSR reads and writes (0x800-0x8FF), writes
 * to IA32_APIC_BASE (the xAPIC/x2APIC/disabled transitions; BSP is vCPU
 * 0) with INIT and platform resets, the TSC-deadline MSR, interrupts
 * raised by devices (edge and level), the vCPU taking its highest pending
 * interrupt, the timer poll, switching the current vCPU, and the
 * paravirtual EOI (its MSR with any value, the arm before an entry, the
 * guest flipping its word's bits, the settle after an exit), the state
 * APIC virtualization gets before an entry and its EOI exits, and CR8. Checks that
 * a pending vector is a real vector (16-255), that IA32_APIC_BASE reads
 * back a refused write unchanged and an accepted one as written, and
 * that the paravirtual EOI word is only ever one of guest RAM's, and that
 * APIC virtualization is only asked to deliver real vectors.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/virt.h"
#include "tests/fuzz/devfuzz.h"
#include "tests/fuzz/fake_vm.h"

/* 256 bytes of guest RAM at 0x1000 for the paravirtual EOI word. */
#define RAM_GPA 0x1000u
static u32 ram[64];

void *gmem_ptr(const struct gmem *m, u64 gpa, u64 len)
{
	(void)m;
	return gpa >= RAM_GPA && len <= sizeof(ram) && gpa - RAM_GPA <= sizeof(ram) - len ?
		       (u8 *)ram + (gpa - RAM_GPA) : NULL;
}

/* The paravirtual EOI: the MSR (an address near the RAM), the guest's
 * own write to its word, the arm before an entry, the settle after. */
static void pv_eoi(struct vcpu *v, u8 arg, u64 val)
{
	struct vlapic *l = &v->lapic;

	struct vcpu_vapic st;

	switch ((arg >> 4) & 7) {
	case 0: vlapic_pv_eoi_write(v, (val & 0x1ff) + RAM_GPA - 0x80); break;
	case 1: ram[val % 64] = (u32)(val >> 8); break;
	case 2: vlapic_pv_eoi_arm(l); break;
	case 3: vlapic_pv_eoi_settle(v, l); break;
	case 4: /* APIC virtualization: the state before an entry */
		vlapic_vapic_state(l, &st);
		if (st.rvi && st.rvi < 16)
			abort(); /* only a real vector is requested */
		break;
	case 5: vlapic_eoi_exited(v, (u8)val); break;
	case 6: vlapic_cr8_write(v, val & 0x1f); break;
	default: vlapic_cr8_read(l); break;
	}
	if (l->pv_eoi && ((u8 *)l->pv_eoi < (u8 *)ram || (u8 *)l->pv_eoi + 4 > (u8 *)(ram + 64)))
		abort();
}

static void take_interrupt(struct vcpu *v)
{
	int vec = vlapic_pending(&v->lapic);

	if (vec < 0)
		return;
	if (vec < 16 || vec > 255)
		abort();
	vlapic_accept(&v->lapic, vec);
}

/* IA32_APIC_BASE: EN (bit 11) and EXTD (bit 10) from @val, the fixed
 * base, sometimes reserved bits or another base. */
static void base_write(struct vcpu *v, u8 arg, u64 val)
{
	const u64 bsp_bit = 1ULL << 8; /* read-only: says whether this is vCPU 0 */
	bool bsp = v->id == 0;
	u64 before = vlapic_base_read(&v->lapic, bsp), w = VLAPIC_BASE | (val & 0xc00);

	if (arg & 16)
		w |= val & ~0xc00ULL;
	if (vlapic_base_write(&v->lapic, w, bsp) ?
	    vlapic_base_read(&v->lapic, bsp) != ((w & ~bsp_bit) | (bsp ? bsp_bit : 0)) :
	    vlapic_base_read(&v->lapic, bsp) != before)
		abort();
}

static void on_event(u8 arg, u64 val)
{
	struct vcpu *v = vcpu_current();
	u64 got;

	switch (arg & 7) {
	case 0: fvm->current = (arg >> 3) % FAKE_VM_VCPUS; break;
	case 1: vlapic_msr_read(v, 0x800 + (u32)(val & 0xff), &got); break;
	case 2: vlapic_msr_write(v, 0x800 + (arg >> 3) * 8 + (u32)(val & 7), val >> 3); break;
	case 3:
		if (arg & 8)
			base_write(v, arg, val);
		else
			vlapic_reset(&v->lapic, arg & 16);
		break;
	case 4: vlapic_raise_level(v, (u8)val, arg & 8); break;
	case 5: take_interrupt(v); break;
	case 6:
		if (arg & 8)
			pv_eoi(v, arg, val);
		else
			vlapic_timer_poll(&v->lapic);
		break;
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
	memset(ram, 0, sizeof(ram));
	devfuzz_run(&d, data, size);
	return 0;
}
