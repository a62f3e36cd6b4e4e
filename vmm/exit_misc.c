// SPDX-License-Identifier: MIT
/*
 * Exits for HLT, XSETBV, control-register accesses and second-level
 * faults (guest accesses outside its RAM).
 */
#include "arch/x86/cpu.h"
#include "kernel/log.h"
#include "vmm/exit.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define VEC_UD 6
#define VEC_GP 13
#define CR4_OSXSAVE (1ULL << 18)

/*
 * HLT: the vCPU sleeps until an interrupt is due. With interrupts off only
 * an NMI, INIT or reset ends it (SDM Vol. 3A §9.4.4 / Vol. 2A HLT): a
 * sibling vCPU may still send one, so the guest is stopped only when the
 * whole VM is wedged (the vCPU loop decides, vcpu.c).
 */
enum exit_action exit_hlt(struct vcpu *v, const struct vm_exit *x)
{
	(void)x;
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

#define CR0_CD (1ULL << 30)
#define CR0_NW (1ULL << 29)
#define CR0_TS (1ULL << 3)
#define CR4_VMXE (1ULL << 13)
/* CR4 bits a guest may set: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR
 * OSXMMEXCPT UMIP FSGSBASE PCIDE OSXSAVE SMEP SMAP PKE (SDM Vol. 3A §2.5). */
#define CR4_ALLOWED 0x3767ffULL

/* Would the CPU refuse this CR0 with #GP (SDM Vol. 3A §2.5, MOV CR)? */
static bool cr0_invalid(u64 cr0)
{
	return (cr0 >> 32) || ((cr0 & CR0_PG) && !(cr0 & CR0_PE)) ||
	       ((cr0 & CR0_NW) && !(cr0 & CR0_CD));
}

/*
 * Control-register writes the back-end could not let through (on VMX:
 * CR0/CR4 bits it owns, SDM Vol. 3C §26.3). MOV to CR0/CR4 with the
 * architectural checks, and CLTS; anything else stops the guest.
 */
enum exit_action exit_cr_access(struct vcpu *v, const struct vm_exit *x)
{
	u64 val = x->cr.gpr < NR_GPRS ? vcpu_gpr(v, x->cr.gpr) : 0;

	if (x->cr.write && x->cr.cr == 0 && x->cr.gpr < NR_GPRS) {
		if (cr0_invalid(val))
			goto gp;
		vcpu_set_reg(v, REG_CR0, val);
		return EXIT_ADVANCE;
	}
	if (x->cr.write && x->cr.cr == 4 && x->cr.gpr < NR_GPRS) {
		if (val & ~CR4_ALLOWED)
			goto gp; /* includes VMXE: CPUID offers no VMX */
		vcpu_set_reg(v, REG_CR4, val);
		return EXIT_ADVANCE;
	}
	if (x->cr.write && x->cr.cr == 0 && x->cr.gpr == 0xff &&
	    insn_length_at_rip(v) == 2) { /* CLTS (0F 06) */
		vcpu_set_reg(v, REG_CR0, vcpu_reg(v, REG_CR0) & ~CR0_TS);
		return EXIT_ADVANCE;
	}
	vm_stop(v->vm, "unhandled-exit cr%u %s vcpu %u rip 0x%llx", x->cr.cr,
		x->cr.write ? "write" : "read", v->id,
		(unsigned long long)vcpu_reg(v, REG_RIP));
	return EXIT_STOP;
gp:
	vcpu_inject_exception(v, VEC_GP, true, 0);
	return EXIT_RESUME;
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
