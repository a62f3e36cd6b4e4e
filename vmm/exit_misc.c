// SPDX-License-Identifier: MIT
/*
 * Exits for HLT, XSETBV, control-register accesses and second-level
 * faults (guest accesses outside its RAM).
 */
#include "arch/x86/cpu.h"
#include "kernel/log.h"
#include "vmm/exit.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define VEC_UD 6
#define VEC_GP 13
#define CR4_OSXSAVE (1ULL << 18)

/*
 * HLT: the vCPU sleeps until an interrupt is due. With interrupts off
 * nothing but INIT can wake the BSP: that guest is stopped rather than
 * left to hang.
 */
enum exit_action exit_hlt(struct vcpu *v, const struct vm_exit *x)
{
	(void)x;
	if (!(vcpu_reg(v, REG_RFLAGS) & RFLAGS_IF) && v->id == 0) {
		vm_stop(v->vm, "halted with interrupts disabled vcpu %u rip 0x%llx", v->id,
			(unsigned long long)vcpu_reg(v, REG_RIP));
		return EXIT_STOP;
	}
	v->halted = true;
	return EXIT_ADVANCE;
}

/*
 * XSETBV (SDM Vol. 2D): XCR0 only, x87 bit set, AVX needs SSE, only
 * features the host supports. The vCPU owns its physical CPU and the
 * hypervisor never uses extended state, so the guest's XCR0 is simply the
 * hardware's.
 */
enum exit_action exit_xsetbv(struct vcpu *v, const struct vm_exit *x)
{
	u64 val = (v->hw.gprs[GPR_RDX] << 32) | (u32)v->hw.gprs[GPR_RAX];
	u64 supported = cpuid(0xd, 0).eax | ((u64)cpuid(0xd, 0).edx << 32);

	(void)x;
	if (!(vcpu_reg(v, REG_CR4) & CR4_OSXSAVE)) {
		vcpu_inject_exception(v, VEC_UD, false, 0);
		return EXIT_RESUME;
	}
	if ((u32)v->hw.gprs[GPR_RCX] != 0 || !(val & 1) || (val & ~supported) ||
	    ((val & 4) && !(val & 2))) {
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	asm volatile("xsetbv" : : "c"(0), "a"((u32)val), "d"((u32)(val >> 32)));
	return EXIT_ADVANCE;
}

/* Control-register exits are not requested by either back-end yet. */
enum exit_action exit_cr_access(struct vcpu *v, const struct vm_exit *x)
{
	vm_stop(v->vm, "unhandled-exit cr%u %s vcpu %u rip 0x%llx", x->cr.cr,
		x->cr.write ? "write" : "read", v->id,
		(unsigned long long)vcpu_reg(v, REG_RIP));
	return EXIT_STOP;
}

/*
 * A second-level fault: the address is outside the guest's RAM. If a
 * device model claims it on the MMIO bus the access is emulated; anything
 * else is an access to nowhere and stops the guest.
 */
enum exit_action exit_stage2_fault(struct vcpu *v, const struct vm_exit *x)
{
	if (!x->stage2.fetch && bus_find(&v->vm->mmio, x->stage2.gpa, 1))
		return mmio_emulate(v, x->stage2.gpa);
	vm_stop(v->vm, "bad-memory-access gpa 0x%llx %s vcpu %u rip 0x%llx",
		(unsigned long long)x->stage2.gpa,
		x->stage2.fetch ? "fetch" : x->stage2.write ? "write" : "read", v->id,
		(unsigned long long)vcpu_reg(v, REG_RIP));
	return EXIT_STOP;
}
