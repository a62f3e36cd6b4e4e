// SPDX-License-Identifier: MIT
/*
 * Exits for HLT, XSETBV, control-register accesses and second-level
 * faults (guest accesses outside its RAM).
 */
#include "arch/x86/cpu.h"
#include "kernel/log.h"
#include "vmm/cpuid_view.h"
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

/* CPL = SS.DPL (SDM Vol. 3A §5.5). */
static unsigned guest_cpl(struct vcpu *v)
{
	struct segment ss;

	vm_ops->get_seg(&v->hw, SEG_SS, &ss);
	return (ss.attr >> 5) & 3;
}

/*
 * XSETBV (SDM Vol. 2D, Vol. 1 §13.3): #UD without CR4.OSXSAVE; #GP for an
 * XCR other than 0, at CPL > 0, or for an XCR0 the CPU would refuse or the
 * guest's CPUID leaf 0xD does not offer (policy_xcr0_valid). The vCPU owns
 * its physical CPU and the hypervisor never uses extended state, so the
 * guest's XCR0 is simply the hardware's: the value is loaded through
 * xsetbv_safe, whose fixup turns a fault the check missed into a #GP for
 * the guest instead of a host panic.
 */
enum exit_action exit_xsetbv(struct vcpu *v, const struct vm_exit *x)
{
	u64 val = (v->hw.gprs[GPR_RDX] << 32) | (u32)v->hw.gprs[GPR_RAX];
	struct cpuid_regs host = cpuid(0xd, 0);
	struct cpu_view c;

	(void)x;
	if (!(vcpu_reg(v, REG_CR4) & CR4_OSXSAVE)) {
		vcpu_inject_exception(v, VEC_UD, false, 0);
		return EXIT_RESUME;
	}
	cpu_view_of(v, &c);
	if ((u32)v->hw.gprs[GPR_RCX] != 0 || guest_cpl(v) != 0 ||
	    !policy_xcr0_valid(val, c.xcr0 & (((u64)host.edx << 32) | host.eax)) ||
	    !xsetbv_safe(0, val)) {
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	return EXIT_ADVANCE;
}

#define CR0_TS (1ULL << 3)

static bool is_legacy_prefix(u8 b)
{
	return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x3e ||
	       b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65;
}

/*
 * MOV to CR without the GPR number from the hardware (SVM without decode
 * assists, APM §15.33): the instruction at RIP is 0F 22 /r and the source
 * is ModRM.rm (extended by REX.B), whatever ModRM.mod says (SDM Vol. 2B
 * MOV CR). Returns the GPR, or -1 when it is not such an instruction.
 */
static int cr_write_gpr(struct vcpu *v)
{
	u8 b[INSN_MAX];
	unsigned n = vcpu_fetch(v, b, sizeof(b)), i = 0;
	bool long64 = vcpu_code_mode(v) == 64;
	u8 rex = 0;

	for (; i < n; i++) {
		if (long64 && (b[i] & 0xf0) == 0x40)
			rex = b[i]; /* the last REX before the opcode counts */
		else if (is_legacy_prefix(b[i]))
			rex = 0;
		else
			break;
	}
	if (i + 3 > n || b[i] != 0x0f || b[i + 1] != 0x22)
		return -1;
	return (b[i + 2] & 7) | ((rex & 1) << 3);
}

/* MOV to CR0 and CR4 with the CPU's own checks (vmm/cpu_policy.c). */
static bool cr_write(struct vcpu *v, unsigned cr, u64 val)
{
	u64 cr4 = vcpu_reg(v, REG_CR4), efer = vcpu_reg(v, REG_EFER);
	struct cpu_view c;

	if (cr == 0) {
		if (!policy_cr0_valid(val, cr4, efer))
			return false;
		vcpu_set_reg(v, REG_CR0, val);
		return true;
	}
	cpu_view_of(v, &c);
	if (!policy_cr4_valid(&c, cr4, val, efer, vcpu_reg(v, REG_CR3)))
		return false;
	vcpu_set_reg(v, REG_CR4, val);
	return true;
}

/*
 * Control-register writes the back-end intercepts (VMX: the CR0/CR4 bits
 * it owns, SDM Vol. 3C §26.3; SVM: every CR4 write). MOV to CR0/CR4 with
 * the architectural checks, and CLTS; anything else stops the guest.
 */
enum exit_action exit_cr_access(struct vcpu *v, const struct vm_exit *x)
{
	int gpr = x->cr.gpr == CR_GPR_DECODE ? cr_write_gpr(v) : x->cr.gpr;

	if (x->cr.write && (x->cr.cr == 0 || x->cr.cr == 4) && gpr >= 0 && gpr < NR_GPRS) {
		u64 val = vcpu_gpr(v, gpr);

		if (vcpu_code_mode(v) != 64)
			val = (u32)val; /* outside 64-bit mode MOV CR takes 32 bits */
		if (cr_write(v, x->cr.cr, val))
			return EXIT_ADVANCE;
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return EXIT_RESUME;
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
