// SPDX-License-Identifier: MIT
/*
 * run() of the VMX back-end: one guest entry through the stub in
 * vmx_entry.asm, then the VM exit decoded into struct vm_exit (Intel SDM
 * Vol. 3C §28.2, exit reasons in Appendix C). A table maps the basic exit
 * reason to the normalized code and says whether the exit instruction
 * length (§28.2.5) and qualification (§28.2.1) are worth reading; the few
 * exits with more detail have their own decoder. An event whose delivery
 * the exit interrupted (§28.2.4) is queued again for the next entry.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/log.h"

/* exit_map entries: the exit code, plus what else to read. */
#define MAP_CODE 0x1fu
#define MAP_QUAL 0x20u /* qualification into fail.info */
#define MAP_LEN 0x80u  /* instruction exit: the length field is valid */
BUILD_ASSERT(NR_EXIT_CODES <= MAP_CODE + 1);

/* Zero (no row) decodes as EXIT_UNKNOWN with the qualification. */
static const u8 exit_map[EXIT_REASON_MAX + 1] = {
	[EXIT_REASON_EXCEPTION_NMI] = EXIT_EXCEPTION,
	[EXIT_REASON_MONITOR_TRAP_FLAG] = EXIT_STEP,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = EXIT_EXTINT,
	[EXIT_REASON_TRIPLE_FAULT] = EXIT_TRIPLE_FAULT,
	[EXIT_REASON_INIT] = EXIT_INIT,
	[EXIT_REASON_SIPI] = EXIT_SIPI,
	[EXIT_REASON_INTERRUPT_WINDOW] = EXIT_INTR_WINDOW,
	[EXIT_REASON_NMI_WINDOW] = EXIT_INTR_WINDOW,
	[EXIT_REASON_TASK_SWITCH] = EXIT_TASK_SWITCH | MAP_QUAL,
	[EXIT_REASON_CPUID] = EXIT_CPUID | MAP_LEN,
	[EXIT_REASON_GETSEC] = EXIT_UNKNOWN | MAP_LEN,
	[EXIT_REASON_HLT] = EXIT_HLT | MAP_LEN,
	[EXIT_REASON_INVD] = EXIT_INVD | MAP_LEN,
	[EXIT_REASON_INVLPG] = EXIT_INVLPG | MAP_LEN | MAP_QUAL,
	[EXIT_REASON_RDPMC] = EXIT_RDPMC | MAP_LEN,
	[EXIT_REASON_RDTSC] = EXIT_UNKNOWN | MAP_LEN,
	[EXIT_REASON_VMCALL] = EXIT_HYPERCALL | MAP_LEN,
	[EXIT_REASON_VMCLEAR] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_VMLAUNCH] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_VMPTRLD] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_VMPTRST] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_VMREAD] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_VMRESUME] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_VMWRITE] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_VMXOFF] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_VMXON] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_CR_ACCESS] = EXIT_CR_ACCESS | MAP_LEN,
	[EXIT_REASON_DR_ACCESS] = EXIT_DR_ACCESS | MAP_LEN,
	[EXIT_REASON_IO_INSTRUCTION] = EXIT_IO | MAP_LEN,
	[EXIT_REASON_MSR_READ] = EXIT_MSR_READ | MAP_LEN,
	[EXIT_REASON_MSR_WRITE] = EXIT_MSR_WRITE | MAP_LEN,
	[EXIT_REASON_MWAIT] = EXIT_MONITOR | MAP_LEN,
	[EXIT_REASON_MONITOR] = EXIT_MONITOR | MAP_LEN,
	[EXIT_REASON_PAUSE] = EXIT_PAUSE | MAP_LEN,
	[EXIT_REASON_VIRTUALIZED_EOI] = EXIT_APIC_EOI,
	[EXIT_REASON_GDTR_IDTR] = EXIT_UNKNOWN | MAP_LEN | MAP_QUAL,
	[EXIT_REASON_LDTR_TR] = EXIT_UNKNOWN | MAP_LEN | MAP_QUAL,
	[EXIT_REASON_EPT_VIOLATION] = EXIT_STAGE2_FAULT,
	[EXIT_REASON_EPT_MISCONFIG] = EXIT_UNKNOWN,
	[EXIT_REASON_INVEPT] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_RDTSCP] = EXIT_UNKNOWN | MAP_LEN,
	[EXIT_REASON_INVVPID] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_WBINVD] = EXIT_WBINVD | MAP_LEN,
	[EXIT_REASON_XSETBV] = EXIT_XSETBV | MAP_LEN,
	[EXIT_REASON_RDRAND] = EXIT_UNKNOWN | MAP_LEN,
	[EXIT_REASON_INVPCID] = EXIT_UNKNOWN | MAP_LEN | MAP_QUAL,
	[EXIT_REASON_VMFUNC] = EXIT_VIRT_INSN | MAP_LEN,
	[EXIT_REASON_ENCLS] = EXIT_UNKNOWN | MAP_LEN,
	[EXIT_REASON_RDSEED] = EXIT_UNKNOWN | MAP_LEN,
	[EXIT_REASON_XSAVES] = EXIT_UNKNOWN | MAP_LEN,
	[EXIT_REASON_XRSTORS] = EXIT_UNKNOWN | MAP_LEN,
};

/*
 * §28.2.3: a fault during an IRET that had unblocked (virtual) NMIs, with
 * no event being delivered: the blocking must be restored before the
 * guest runs the IRET again.
 */
static void nmi_reblock(bool unblocked_by_iret, u32 idt_info)
{
	if (unblocked_by_iret && !(idt_info & INTR_INFO_VALID))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | INTERRUPTIBILITY_NMI);
}

/*
 * Exit reason 0 (§28.2.2): an NMI, or an exception the bitmap intercepts.
 * The NMI was meant for the host (NMI exiting): it goes to the host's
 * handler through its IDT, whose IRET also ends NMI blocking.
 */
static void decode_exception(struct vm_exit *x, u32 idt_info)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u32 type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	if (type == INTR_TYPE_NMI) {
		x->code = EXIT_NMI;
		asm volatile("int $2" ::: "memory");
		return;
	}
	x->exc.vector = info & INTR_INFO_VECTOR_MASK;
	x->exc.has_error = info & INTR_INFO_ERROR_VALID;
	x->exc.error = x->exc.has_error ? vmcs_read32(VM_EXIT_INTR_ERROR_CODE) : 0;
	x->exc.intn = false;
	if (type == INTR_TYPE_SOFT_EXCEPTION || type == INTR_TYPE_PRIV_SOFT_EXCEPTION)
		x->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	nmi_reblock(info & INTR_INFO_NMI_UNBLOCKED, idt_info);
}

/* Table 28-3: CR number in bits 3:0, access type in 5:4 (0 MOV to CR,
 * 1 MOV from CR, 2 CLTS, 3 LMSW), the MOV's GPR in bits 11:8. */
static void decode_cr(struct vm_exit *x, u64 q)
{
	u32 type = (q >> 4) & 3;

	x->cr.cr = q & 0xf;
	x->cr.write = type != 1;
	x->cr.gpr = type <= 1 ? (q >> 8) & 0xf : 0xff;
}

/* Table 28-4: DR number in bits 2:0, direction in bit 4 (1: MOV from
 * DR), the GPR in bits 11:8. */
static void decode_dr(struct vm_exit *x, u64 q)
{
	x->dr.dr = q & 7;
	x->dr.write = !(q & (1u << 4));
	x->dr.gpr = (q >> 8) & 0xf;
}

/* Table 28-5: size - 1 in bits 2:0, IN, string, REP, port in 31:16. */
static void decode_io(struct vm_exit *x, u64 q)
{
	x->io.size = (q & 7) + 1;
	x->io.in = q & (1u << 3);
	x->io.string = q & (1u << 4);
	x->io.rep = q & (1u << 5);
	x->io.port = (u16)(q >> 16);
}

/* Table 28-7: the access that faulted; §28.2.1: the guest-physical
 * address field. Bit 8 (valid with bit 7) is set when the address is the
 * translation of the linear address, clear for a paging-structure access
 * of the walk or an A/D update; with bit 7 clear (PDPTE loads) it is
 * clear too: no final translation either. */
static void decode_ept_violation(struct vm_exit *x, u64 q, u32 idt_info)
{
	x->stage2.gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	x->stage2.read = q & (1u << 0);
	x->stage2.write = q & (1u << 1);
	x->stage2.fetch = q & (1u << 2);
	x->stage2.walk = !(q & (1u << 8));
	nmi_reblock(q & (1u << 12), idt_info);
}

static void decode_detail(struct vcpu_hw *v, u32 reason, u32 idt_info)
{
	struct vm_exit *x = &v->exit;

	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		decode_exception(x, idt_info);
		break;
	case EXIT_REASON_NMI_WINDOW:
		vmx_nmi_window_open(v);
		break;
	case EXIT_REASON_SIPI:
		x->sipi.vector = (u8)vmcs_read64(EXIT_QUALIFICATION);
		break;
	case EXIT_REASON_VIRTUALIZED_EOI: /* §28.2.1: the vector */
		x->eoi.vector = (u8)vmcs_read64(EXIT_QUALIFICATION);
		break;
	case EXIT_REASON_CR_ACCESS:
		decode_cr(x, vmcs_read64(EXIT_QUALIFICATION));
		break;
	case EXIT_REASON_DR_ACCESS:
		decode_dr(x, vmcs_read64(EXIT_QUALIFICATION));
		break;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		x->debug.hits = 0;
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		decode_io(x, vmcs_read64(EXIT_QUALIFICATION));
		break;
	case EXIT_REASON_MSR_READ: case EXIT_REASON_MSR_WRITE:
		x->msr.index = (u32)v->gprs[GPR_RCX];
		break;
	case EXIT_REASON_EPT_VIOLATION:
		decode_ept_violation(x, vmcs_read64(EXIT_QUALIFICATION), idt_info);
		break;
	case EXIT_REASON_EPT_MISCONFIG:
		x->fail.info = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
		break;
	}
}

/*
 * §28.2.4, §27.6: the event the exit interrupted is injected again, with
 * its error code and (software events) instruction length, unless vmm/
 * injects something else first. Hardware cleared the entry field's valid
 * bit at the exit (§28.2), so nothing else is pending.
 */
static void requeue_interrupted_event(struct vmx_vcpu *s, u32 idt_info)
{
	u32 type = (idt_info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	s->entry_info = 0;
	if (!(idt_info & INTR_INFO_VALID))
		return;
	if (idt_info & INTR_INFO_ERROR_VALID)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (type >= INTR_TYPE_SOFT_INTR && type <= INTR_TYPE_SOFT_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	if (type == INTR_TYPE_NMI) /* the NMI was not delivered: not blocked */
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & ~INTERRUPTIBILITY_NMI);
	s->entry_info = idt_info & (INTR_INFO_VALID | INTR_INFO_ERROR_VALID |
				    INTR_INFO_TYPE_MASK | INTR_INFO_VECTOR_MASK);
	vmcs_write32(VM_ENTRY_INTR_INFO, s->entry_info);
}

static void decode_exit(struct vcpu_hw *v, u32 reason)
{
	struct vm_exit *x = &v->exit;
	u32 map = reason <= EXIT_REASON_MAX ? exit_map[reason] : 0;
	/* Instruction exits never interrupt an event delivery (§28.2.4). */
	u32 idt_info = (map & MAP_LEN) ? 0 : vmcs_read32(IDT_VECTORING_INFO);

	x->raw = reason;
	x->code = map ? (map & MAP_CODE) : EXIT_UNKNOWN;
	x->rip = vmcs_read64(GUEST_RIP);
	x->insn_len = (map & MAP_LEN) ? vmcs_read32(VM_EXIT_INSTRUCTION_LEN) : 0;
	if (!map || (map & MAP_QUAL))
		x->fail.info = vmcs_read64(EXIT_QUALIFICATION);
	requeue_interrupted_event(vmx_priv(v), idt_info);
	decode_detail(v, reason, idt_info);
	vmx_debug_exit(v);
}

/* For the log when the CPU refuses the guest state (§27.3, §27.8). */
static void dump_guest_state(void)
{
	static const char *const names[] = { "es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr" };

	printk(LOG_ERR, "vmx: cr0 %llx (shadow %llx) cr3 %llx cr4 %llx (shadow %llx) efer %llx",
	       (unsigned long long)vmcs_read64(GUEST_CR0), (unsigned long long)vmcs_read64(CR0_READ_SHADOW),
	       (unsigned long long)vmcs_read64(GUEST_CR3), (unsigned long long)vmcs_read64(GUEST_CR4),
	       (unsigned long long)vmcs_read64(CR4_READ_SHADOW),
	       (unsigned long long)vmcs_read64(GUEST_IA32_EFER));
	printk(LOG_ERR, "vmx: rip %llx rsp %llx rflags %llx entry %x intr-info %x interruptibility %x",
	       (unsigned long long)vmcs_read64(GUEST_RIP), (unsigned long long)vmcs_read64(GUEST_RSP),
	       (unsigned long long)vmcs_read64(GUEST_RFLAGS), vmcs_read32(VM_ENTRY_CONTROLS),
	       vmcs_read32(VM_ENTRY_INTR_INFO), vmcs_read32(GUEST_INTERRUPTIBILITY_INFO));
	for (u32 s = 0; s < ARRAY_SIZE(names); s++)
		printk(LOG_ERR, "vmx: %-4s sel %04x ar %05x limit %08x base %llx", names[s],
		       vmcs_read16(GUEST_ES_SELECTOR + 2 * s), vmcs_read32(GUEST_ES_AR_BYTES + 2 * s),
		       vmcs_read32(GUEST_ES_LIMIT + 2 * s),
		       (unsigned long long)vmcs_read64(GUEST_ES_BASE + 2 * s));
}

/* §27.3.1 repeated on the VMCS when the CPU only says "invalid guest
 * state": the name of the failed check, or NULL. */
static const char *guest_state_check(void)
{
	static const u32 seg_index[] = { 4, 5, 6, 7 }; /* FS GS LDTR TR */
	struct vmx_guest_check g = {
		.cr0 = vmcs_read64(GUEST_CR0), .cr4 = vmcs_read64(GUEST_CR4),
		.efer = vmcs_read64(GUEST_IA32_EFER), .rflags = vmcs_read64(GUEST_RFLAGS),
		.pat = vmcs_read64(GUEST_IA32_PAT), .dr7 = vmcs_read64(GUEST_DR7),
		.cr0_fixed0 = vmx_caps.cr0_fixed0, .cr0_fixed1 = vmx_caps.cr0_fixed1,
		.cr4_fixed0 = vmx_caps.cr4_fixed0, .cr4_fixed1 = vmx_caps.cr4_fixed1,
		.unrestricted = true, /* required by vmx_config_init */
		.ia32e = vmcs_read32(VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST,
		.va_bits = (read_cr4() & CR4_LA57) ? 57 : 48,
	};

	for (u32 i = 0; i < ARRAY_SIZE(seg_index); i++)
		g.bases[i] = vmcs_read64(GUEST_ES_BASE + 2 * seg_index[i]);
	g.bases[4] = vmcs_read64(GUEST_GDTR_BASE);
	g.bases[5] = vmcs_read64(GUEST_IDTR_BASE);
	g.bases[6] = vmcs_read64(GUEST_SYSENTER_ESP);
	g.bases[7] = vmcs_read64(GUEST_SYSENTER_EIP);
	return vmx_check_guest(&g);
}

/*
 * VMLAUNCH/VMRESUME failed as an instruction (§31.2: VMfailInvalid, or
 * VMfailValid with the VM-instruction error number, §31.4), or the entry
 * failed while loading guest state and exited with bit 31 of the exit
 * reason set (§27.8; the qualification says more).
 */
static void entry_failed(struct vcpu_hw *v, u32 how, u32 reason)
{
	struct vm_exit *x = &v->exit;

	x->code = EXIT_ENTRY_FAILED;
	x->insn_len = 0;
	/* no VMCS to read after VMfailInvalid (§31.2) */
	x->rip = how == VMX_ENTER_FAIL_INVALID ? 0 : vmcs_read64(GUEST_RIP);
	u32 err = how == VMX_ENTER_FAIL_VALID ? vmcs_read32(VM_INSTRUCTION_ERROR) : 0;

	if (how == VMX_ENTER_EXITED) {
		x->raw = reason;
		x->fail.info = vmcs_read64(EXIT_QUALIFICATION);
	} else {
		x->raw = 0;
		x->fail.info = how == VMX_ENTER_FAIL_VALID ? err : ~0ULL;
	}
	x->fail.why = vmx_entry_failure_name(how, reason, err, x->fail.info);
	if (how == VMX_ENTER_EXITED && (reason & 0xffff) == 33 && x->fail.info == 0) {
		const char *why = guest_state_check();

		if (why)
			x->fail.why = why;
	}
	printk(LOG_ERR, "vmx: VM entry failed: %s (exit reason %x, %s %llu)", x->fail.why, reason,
	       how == VMX_ENTER_EXITED ? "qualification" : "VM-instruction error",
	       (unsigned long long)x->fail.info);
	if (how != VMX_ENTER_FAIL_INVALID)
		dump_guest_state();
}

/* §29.4.3.1: drop translations vmm/ made stale, before entering. */
static void flush_tlbs(struct vcpu_hw *v, struct vmx_vcpu *s)
{
	if (s->flush_ept) {
		vmx_invept(vmx_config.invept_type, v->vm->s2.root | EPTP_WALK_4 | EPTP_WB);
		s->flush_ept = false;
	}
	if (s->flush_vpid) {
		vmx_invvpid(vmx_config.invvpid_type, (u16)v->tag);
		s->flush_vpid = false;
	}
}

/*
 * A VM exit leaves RFLAGS.IF clear (§28.5.3) and, without "acknowledge
 * interrupt on exit", the host interrupt that caused it pending in the
 * LAPIC: the caller's IF comes back once the exit is decoded, and the
 * interrupt is taken then.
 */
void vmx_run(struct vcpu_hw *v)
{
	struct vmx_vcpu *s = vmx_priv(v);
	u64 flags = read_rflags();
	u32 how = VMX_ENTER_FAIL_INVALID, reason = 0;

	irq_disable();
	if (vmx_make_current(s)) {
		if (!vmx_step_entry(v)) { /* the debugger's step ended, no entry */
			if (flags & RFLAGS_IF)
				irq_enable();
			return;
		}
		flush_tlbs(v, s);
		if (read_cr2() != s->cr2)
			write_cr2(s->cr2);
		how = vmx_enter(v->gprs, &s->host_rsp, s->launched);
		s->cr2 = read_cr2();
	}
	if (how == VMX_ENTER_EXITED)
		reason = vmcs_read32(VM_EXIT_REASON);
	if (how != VMX_ENTER_EXITED || (reason & EXIT_REASON_ENTRY_FAILED)) {
		entry_failed(v, how, reason);
	} else {
		s->launched = true;
		decode_exit(v, reason & 0xffff);
	}
	if (flags & RFLAGS_IF)
		irq_enable();
}
