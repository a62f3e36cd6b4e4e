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
 * A second-level fault: the address is outside the guest's RAM. A data
 * access is emulated (mmio.c: a device, or nothing: all-ones and dropped
 * writes). An instruction fetch from outside RAM stops the guest, and so
 * does a fault in the guest's own page walk (x->stage2.walk: a
 * paging-structure entry or A/D update outside RAM): the access's operand
 * was never reached, so emulating the instruction would hand its data to
 * the wrong address; on hardware such a walk reads device registers or
 * all-ones as page-table entries, which no guest means.
 */
enum exit_action exit_stage2_fault(struct vcpu *v, const struct vm_exit *x)
{
	u64 gpa = x->stage2.gpa;
	const struct bus_region *r;

	if (!x->stage2.walk && !x->stage2.fetch && !gmem_is_ram(&v->vm->mem, gpa, 1))
		return mmio_emulate(v, gpa);
	r = bus_find(&v->vm->mmio, gpa, 1);
	vm_stop(v->vm, "bad-memory-access gpa 0x%llx %s vcpu %u rip 0x%llx target %s",
		(unsigned long long)gpa,
		x->stage2.walk ? "page-walk" : x->stage2.fetch ? "fetch" :
		x->stage2.write ? "write" : "read", v->id,
		(unsigned long long)vcpu_reg(v, REG_RIP),
		r ? r->name : gmem_is_ram(&v->vm->mem, gpa, 1) ? "ram" : "unclaimed");
	return EXIT_STOP;
}
