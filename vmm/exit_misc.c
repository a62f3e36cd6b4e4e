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
 * MOV to CR, to or from DR, without the GPR number from the hardware (SVM
 * without decode assists, APM §15.33): the instruction at RIP is 0F @op /r
 * (22: MOV to CR; 21, 23: MOV from, to DR) and the GPR is ModRM.rm
 * (extended by REX.B), whatever ModRM.mod says (SDM Vol. 2B MOV CR, MOV
 * DR). Returns the GPR, or -1 when it is not such an instruction.
 */
static int mov_ctl_gpr(struct vcpu *v, u8 op)
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
	if (i + 3 > n || b[i] != 0x0f || b[i + 1] != op)
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
 * Control-register accesses the back-end intercepts (VMX: writes of the
 * CR0/CR4 bits it owns, SDM Vol. 3C §26.3; SVM: every CR4 write; both:
 * CR8, unless the CPU virtualizes the TPR). MOV to CR0/CR4 with the
 * architectural checks, CLTS, MOV to and from CR8 (the virtual local
 * APIC's TPR, SDM Vol. 3A §10.8.6.1); anything else stops the guest.
 */
enum exit_action exit_cr_access(struct vcpu *v, const struct vm_exit *x)
{
	int gpr = x->cr.gpr != CR_GPR_DECODE ? x->cr.gpr : mov_ctl_gpr(v, x->cr.write ? 0x22 : 0x20);

	if (x->cr.cr == 8 && gpr >= 0 && gpr < NR_GPRS) { /* the local APIC's TPR */
		if (!x->cr.write) {
			vcpu_set_gpr(v, gpr, vlapic_cr8_read(&v->lapic));
			return EXIT_ADVANCE;
		}
		if (vlapic_cr8_write(v, vcpu_gpr(v, gpr)))
			return EXIT_ADVANCE;
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return EXIT_RESUME;
	}

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

/* APIC virtualization: the guest's EOI of a level-triggered vector, which
 * the CPU already ended in ISR (a trap-like exit: RIP is past the WRMSR);
 * the I/O APIC hears of it. */
enum exit_action exit_apic_eoi(struct vcpu *v, const struct vm_exit *x)
{
	vlapic_eoi_exited(v, x->eoi.vector);
	return EXIT_RESUME;
}

#define VEC_DB 1
#define CR4_DE (1ULL << 3)
#define DR6_BD (1ULL << 13)
#define DR6_FIXED 0xffff0ff0ULL /* the bits that read as 1 */
#define DR6_WRITABLE 0xe00fULL  /* B0-B3 BD BS BT */
#define DR7_FIXED 0x400ULL
#define DR7_ZERO 0xd800ULL      /* bits 11, 12, 14, 15 read as 0 */
#define DR7_GD (1ULL << 13)

static const u8 dr_reg[8] = { REG_DR0, REG_DR1, REG_DR2, REG_DR3, REG_DR6, REG_DR7, REG_DR6,
			      REG_DR7 };

/* A #DB for the guest, DR6 with @bits as the CPU sets them. */
static void debug_exception(struct vcpu *v, u64 bits)
{
	vcpu_set_reg(v, REG_DR6, vcpu_reg(v, REG_DR6) | bits);
	vcpu_inject_exception(v, VEC_DB, false, 0);
}

/*
 * MOV to or from a debug register while the debugger owns them
 * (VCPU_DEBUG_HW): the guest's own values (REG_DR*), with the CPU's
 * checks (SDM Vol. 2B MOV DR, Vol. 3B §18.2): CPL 0 only (#GP(0)); DR4 and
 * DR5 are DR6 and DR7 unless CR4.DE (#UD); DR7.GD turns the access into a
 * #DB with DR6.BD and GD cleared (§18.2.4); DR6 and DR7 take no upper 32
 * bits (#GP(0)) and keep their fixed bits. Outside 64-bit mode the MOV
 * moves 32 bits.
 */
enum exit_action exit_dr_access(struct vcpu *v, const struct vm_exit *x)
{
	int gpr = x->dr.gpr == CR_GPR_DECODE ? mov_ctl_gpr(v, x->dr.write ? 0x23 : 0x21) :
					      x->dr.gpr;
	unsigned dr = x->dr.dr & 7;
	bool m64 = vcpu_code_mode(v) == 64;
	u64 val;

	if (gpr < 0 || gpr >= NR_GPRS) {
		vm_stop(v->vm, "unhandled-exit dr%u %s vcpu %u rip 0x%llx", dr,
			x->dr.write ? "write" : "read", v->id,
			(unsigned long long)vcpu_reg(v, REG_RIP));
		return EXIT_STOP;
	}
	if (guest_cpl(v) != 0) {
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	if ((dr == 4 || dr == 5) && (vcpu_reg(v, REG_CR4) & CR4_DE)) {
		vcpu_inject_exception(v, VEC_UD, false, 0);
		return EXIT_RESUME;
	}
	if (vcpu_reg(v, REG_DR7) & DR7_GD) {
		vcpu_set_reg(v, REG_DR7, vcpu_reg(v, REG_DR7) & ~DR7_GD);
		debug_exception(v, DR6_BD);
		return EXIT_RESUME;
	}
	if (!x->dr.write) {
		val = vcpu_reg(v, dr_reg[dr]);
		vcpu_set_gpr(v, gpr, m64 ? val : (u32)val);
		return EXIT_ADVANCE;
	}
	val = m64 ? vcpu_gpr(v, gpr) : (u32)vcpu_gpr(v, gpr);
	if (dr >= 4 && (val >> 32)) {
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	if (dr_reg[dr] == REG_DR6)
		val = (val & DR6_WRITABLE) | DR6_FIXED;
	else if (dr_reg[dr] == REG_DR7)
		val = (val & ~DR7_ZERO) | DR7_FIXED;
	vcpu_set_reg(v, dr_reg[dr], val);
	return EXIT_ADVANCE;
}

/*
 * The guest's own #DB while the debugger owns the debug registers (its
 * TF, ICEBP; exc.error: the DR6 bits the CPU would set): given to the
 * guest. A software exception (VMX reports ICEBP so, with its length) is
 * past its instruction first.
 */
enum exit_action exit_debug_exception(struct vcpu *v, const struct vm_exit *x)
{
	if (x->insn_len)
		vcpu_set_reg(v, REG_RIP, vcpu_reg(v, REG_RIP) + x->insn_len);
	debug_exception(v, x->exc.error);
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
static __attribute__((noinline)) enum exit_action bad_memory_access(struct vcpu *v,
								    const struct vm_exit *x)
{
	u64 gpa = x->stage2.gpa;
	const struct bus_region *r = bus_find(&v->vm->mmio, gpa, 1);

	vm_stop(v->vm, "bad-memory-access gpa 0x%llx %s vcpu %u rip 0x%llx target %s",
		(unsigned long long)gpa,
		x->stage2.walk ? "page-walk" : x->stage2.fetch ? "fetch" :
		x->stage2.write ? "write" : "read", v->id,
		(unsigned long long)vcpu_reg(v, REG_RIP),
		r ? r->name : gmem_is_ram(&v->vm->mem, gpa, 1) ? "ram" : "unclaimed");
	return EXIT_STOP;
}

/* A data access outside the hole under 4 GiB: a device elsewhere, or RAM. */
static __attribute__((noinline)) enum exit_action ram_or_device(struct vcpu *v,
								const struct vm_exit *x)
{
	if (gmem_is_ram(&v->vm->mem, x->stage2.gpa, 1))
		return bad_memory_access(v, x);
	return mmio_emulate(v, x->stage2.gpa);
}

/* Each way out a tail call: the MMIO exit keeps no frame here. */
enum exit_action exit_stage2_fault(struct vcpu *v, const struct vm_exit *x)
{
	if (x->stage2.walk || x->stage2.fetch)
		return bad_memory_access(v, x);
	if (gmem_in_hole(&v->vm->mem, x->stage2.gpa))
		return mmio_emulate(v, x->stage2.gpa);
	return ram_or_device(v, x);
}
