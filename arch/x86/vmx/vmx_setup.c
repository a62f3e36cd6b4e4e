// SPDX-License-Identifier: MIT
/*
 * Building a vCPU's VMCS (Intel SDM Vol. 3C ch. 25): the VM-execution, exit
 * and entry controls derived once from the capability MSRs (Appendix A.3),
 * the host-state area of the CPU that runs the vCPU (§25.5), and the guest
 * state a vcpu_state describes (§25.4). What the guest may see of CR0 and
 * CR4 is decided here too: the bits VMX operation fixes (§24.8) are owned
 * by the host and the guest reads its own value through the read shadows
 * (§25.6.6).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"

#define PIN_WANT (PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)
#define PROC_NEED (CPU_HLT_EXITING | CPU_UNCOND_IO_EXITING | \
		   CPU_USE_MSR_BITMAPS | CPU_SECONDARY_CONTROLS)
#define PROC_WANT (PROC_NEED | CPU_MWAIT_EXITING | CPU_RDPMC_EXITING | \
		   CPU_MONITOR_EXITING | CR8_EXITING)
/* MOV CR8 reaches the TPR (SDM Vol. 3A §10.8.6.1): without the TPR
 * shadow it would be the host's, so it exits (vmm/ keeps the guest's). */
#define CR8_EXITING (CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING)
#define VAPIC_PROC2 (SEC_VIRTUALIZE_X2APIC | SEC_VIRTUAL_INTR_DELIVERY)
#define WINDOWS (CPU_INTR_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING)
#define PROC2_NEED (SEC_ENABLE_EPT | SEC_ENABLE_VPID | SEC_UNRESTRICTED_GUEST)
#define PROC2_WANT (PROC2_NEED | SEC_ENABLE_RDTSCP | SEC_ENABLE_INVPCID | \
		    SEC_ENABLE_XSAVES | SEC_WBINVD_EXITING)
#define EXIT_NEED (EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_IA32_PAT | \
		   EXIT_LOAD_IA32_PAT | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER)
#define EXIT_WANT (EXIT_NEED | EXIT_SAVE_DEBUG_CONTROLS)
#define ENTRY_NEED (ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER)
#define ENTRY_WANT (ENTRY_NEED | ENTRY_LOAD_DEBUG_CONTROLS)
#define EPT_NEED (EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_2M | EPT_CAP_INVEPT)

u64 vmx_current_vmcs[MAX_CPUS];

/*
 * Appendix A.3: bits 31:0 of a control MSR are the allowed 0-settings (a 1
 * there: the control must be 1), bits 63:32 the allowed 1-settings.
 */
static u32 ctl_adjust(u64 cap, u32 want)
{
	return (want | (u32)cap) & (u32)(cap >> 32);
}

static bool ctl_check(u32 got, u32 need, u32 never, const char *what, char *why, size_t len)
{
	if ((got & need) == need && !(got & never))
		return true;
	return vmx_refuse(why, len, "%s controls: cannot set 0x%x or clear 0x%x", what,
			  need & ~got, got & never);
}

static bool controls_init(const struct vmx_caps *c, struct vmx_config *k, char *why, size_t len)
{
	k->pin = ctl_adjust(c->pin, PIN_WANT);
	k->proc = ctl_adjust(c->proc, PROC_WANT);
	k->io_bitmaps = (c->proc >> 32) & CPU_USE_IO_BITMAPS;
	k->proc2 = ctl_adjust(c->proc2, PROC2_WANT);
	k->exit = ctl_adjust(c->exit, EXIT_WANT);
	k->entry = ctl_adjust(c->entry, ENTRY_WANT) & ~ENTRY_IA32E_MODE_GUEST;
	k->vapic = ((c->proc >> 32) & CPU_TPR_SHADOW) &&
		   ((c->proc2 >> 32) & VAPIC_PROC2) == VAPIC_PROC2;
	k->apic_regs = k->vapic && ((c->proc2 >> 32) & SEC_APIC_REGISTER_VIRT);
	if (!(c->proc2 & ((u64)SEC_ENABLE_EPT << 32)))
		return vmx_refuse(why, len, "no EPT");
	if (!(c->proc2 & ((u64)SEC_UNRESTRICTED_GUEST << 32)))
		return vmx_refuse(why, len, "no unrestricted guest");
	if (!(c->proc2 & ((u64)SEC_ENABLE_VPID << 32)))
		return vmx_refuse(why, len, "no VPID");
	/* The window exits must be settable, and start clear. */
	return ctl_check(k->pin, PIN_WANT, 0, "pin-based", why, len) &&
	       ctl_check(k->proc, PROC_NEED | CR8_EXITING, WINDOWS, "processor-based", why, len) &&
	       ctl_check(c->proc >> 32, WINDOWS, 0, "processor-based", why, len) &&
	       ctl_check(k->proc2, PROC2_NEED, 0, "secondary", why, len) &&
	       ctl_check(k->exit, EXIT_NEED, EXIT_ACK_INTR_ON_EXIT, "VM-exit", why, len) &&
	       ctl_check(k->entry, ENTRY_NEED, 0, "VM-entry", why, len);
}

/* Appendix A.10: 4-level EPT in WB memory with 2 MiB pages, INVEPT and
 * INVVPID of some context type. */
static bool tlb_init(const struct vmx_caps *c, struct vmx_config *k, char *why, size_t len)
{
	u64 cap = c->ept_vpid;

	if ((cap & EPT_NEED) != EPT_NEED ||
	    !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
		return vmx_refuse(why, len, "EPT lacks 4-level WB tables, 2 MiB pages or INVEPT (cap 0x%llx)",
				  (unsigned long long)cap);
	if (!(cap & VPID_CAP_INVVPID) || !(cap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL)))
		return vmx_refuse(why, len, "no INVVPID (cap 0x%llx)", (unsigned long long)cap);
	k->invept_type = (cap & EPT_CAP_INVEPT_SINGLE) ? INV_SINGLE_CONTEXT : INV_ALL_CONTEXT;
	k->invvpid_type = (cap & VPID_CAP_INVVPID_SINGLE) ? INV_SINGLE_CONTEXT : INV_ALL_CONTEXT;
	return true;
}

/*
 * §24.8 and §27.3.1.1: CR0 and CR4 bits fixed to 1 (FIXED0) or to 0 (not
 * in FIXED1) are forced in the real registers and owned by the host, so a
 * guest write that would change them exits and the guest reads its own
 * value from the shadow. With unrestricted guest CR0.PE and PG are free.
 * CR0.CD and NW are owned as well and kept 0 in the real CR0: the guest's
 * cache-disable would otherwise make this CPU run uncached (its memory
 * types come from EPT and the guest PAT).
 */
static void cr_policy_init(const struct vmx_caps *c, struct vmx_config *k)
{
	k->cr0_set = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	k->cr0_clear = ~c->cr0_fixed1 | CR0_CD | CR0_NW;
	k->cr0_mask = k->cr0_set | k->cr0_clear;
	k->cr4_set = c->cr4_fixed0 | CR4_VMXE;
	k->cr4_clear = ~c->cr4_fixed1;
	/* Every CR4 bit but PGE is owned, so a MOV to CR4 that changes one
	 * exits and vmm/ checks it against the guest's CPUID view (a bit
	 * whose feature CPUID hides must #GP, §2.5). PGE, which guests
	 * toggle to flush global TLB entries, is never hidden. */
	k->cr4_mask = k->cr4_set | k->cr4_clear | ~CR4_PGE;
}

/* §25.6.9: one all-ones MSR bitmap for every vCPU: every RDMSR and WRMSR
 * exits; and one for vCPUs under APIC virtualization, where WRMSR of the
 * x2APIC TPR (0x808), EOI (0x80B) and SELF IPI (0x83F) is virtualized
 * (§30.5) and so does not exit (the write bitmap for MSRs 0-0x1FFF is
 * at byte 0x800). With APIC-register virtualization, RDMSR of the
 * registers the page holds as the guest must see them reads the page
 * (§30.5: the 8 bytes at offset (ECX & 0xFF) << 4; vapic_page_read()
 * names them); the rest exit: the current count (0x839) is computed,
 * absent and write-only registers raise #GP (the read bitmap starts at
 * byte 0). */
static void msr_pass(u8 *bitmap, u32 msr)
{
	bitmap[msr >> 3] &= (u8)~(1u << (msr & 7));
}

static bool msr_bitmap_init(struct vmx_config *k)
{
	u8 *b;

	k->msr_bitmap_pa = pmm_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!k->msr_bitmap_pa)
		return false;
	memset(phys_to_virt(k->msr_bitmap_pa), 0xff, PAGE_SIZE);
	if (!k->vapic)
		return true;
	k->msr_bitmap_vapic_pa = pmm_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!k->msr_bitmap_vapic_pa)
		return false;
	b = phys_to_virt(k->msr_bitmap_vapic_pa);
	memset(b, 0xff, PAGE_SIZE);
	msr_pass(b + 0x800, 0x808);
	msr_pass(b + 0x800, 0x80b);
	msr_pass(b + 0x800, 0x83f);
	for (u32 msr = 0x800; k->apic_regs && msr <= 0x8ff; msr++)
		if (vapic_page_read(msr))
			msr_pass(b, msr);
	return true;
}

bool vmx_config_init(const struct vmx_caps *c, char *why, size_t len)
{
	struct vmx_config *k = &vmx_config;

	if (!controls_init(c, k, why, len) || !tlb_init(c, k, why, len))
		return false;
	cr_policy_init(c, k);
	if (!msr_bitmap_init(k))
		return vmx_refuse(why, len, "out of memory");
	return true;
}

static void write_controls(struct vcpu_hw *v, struct vmx_vcpu *s)
{
	const struct vmx_config *k = &vmx_config;

	s->proc = k->proc;
	if (v->vm->io_bitmap && k->io_bitmaps) { /* the VM's ports, else all exit */
		s->proc = (s->proc & ~CPU_UNCOND_IO_EXITING) | CPU_USE_IO_BITMAPS;
		vmcs_write64(IO_BITMAP_A, v->vm->io_bitmap);
		vmcs_write64(IO_BITMAP_B, v->vm->io_bitmap + PAGE_SIZE);
	}
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, k->pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, s->proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, k->proc2);
	vmcs_write32(VM_EXIT_CONTROLS, k->exit);
	vmcs_write32(VM_ENTRY_CONTROLS, k->entry);
	vmcs_write32(EXCEPTION_BITMAP, VIRT_INTERCEPTED_EXCEPTIONS);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write64(MSR_BITMAP, k->msr_bitmap_pa);
	vmcs_write64(TSC_OFFSET, 0);
	vmcs_write16(VMCS_VPID, (u16)v->tag);
	vmcs_write64(EPT_POINTER, v->vm->s2.root | EPTP_WALK_4 | EPTP_WB);
	if (k->proc2 & SEC_ENABLE_XSAVES)
		vmcs_write64(XSS_EXITING_BITMAP, 0); /* XSAVES/XRSTORS never exit */
	vmcs_write64(CR0_GUEST_HOST_MASK, k->cr0_mask);
	vmcs_write64(CR4_GUEST_HOST_MASK, k->cr4_mask);
}

/*
 * §25.5 and §28.5: what a VM exit loads. The selectors and bases are this
 * CPU's (arch/x86/desc.c); TR's limit becomes 0x67, which fits the TSS.
 * HOST_RSP is written by the entry stub.
 */
static void write_host_state(void)
{
	struct percpu *pc = this_cpu();

	vmcs_write64(HOST_CR0, read_cr0());
	vmcs_write64(HOST_CR3, read_cr3());
	vmcs_write64(HOST_CR4, read_cr4());
	vmcs_write16(HOST_CS_SELECTOR, SEL_KCODE);
	vmcs_write16(HOST_SS_SELECTOR, SEL_KDATA);
	vmcs_write16(HOST_DS_SELECTOR, SEL_KDATA);
	vmcs_write16(HOST_ES_SELECTOR, SEL_KDATA);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, SEL_TSS);
	vmcs_write64(HOST_FS_BASE, 0);
	vmcs_write64(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_write64(HOST_TR_BASE, (u64)&pc->tss);
	vmcs_write64(HOST_GDTR_BASE, (u64)pc->gdt);
	vmcs_write64(HOST_IDTR_BASE, (u64)pc->idt);
	vmcs_write32(HOST_IA32_SYSENTER_CS, 0);
	vmcs_write64(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write64(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write64(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmcs_write64(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write64(HOST_RIP, (u64)vmx_exit_point);
}

/*
 * Guest state that struct vcpu_state does not carry, at its reset value
 * (§25.4.2): active, nothing blocked or pending, no VMCS link (§27.3.1.5).
 */
static void write_guest_defaults(struct vmx_vcpu *s)
{
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write64(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_write64(GUEST_SYSENTER_ESP, 0);
	vmcs_write64(GUEST_SYSENTER_EIP, 0);
	for (u32 i = 0; i < 4; i++)
		vmcs_write64(GUEST_PDPTE0 + 2 * i, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO, 0);
	s->entry_info = 0;
	s->nmi_pending = false;
	vmx_set_proc_control(s, CPU_NMI_WINDOW_EXITING, false);
}

/* §25.11.3: a fresh VMCS is cleared, then made current and written. */
static bool vmcs_start(struct vmx_vcpu *s)
{
	u64 *cur = &vmx_current_vmcs[this_cpu()->cpu];

	if (!vmx_vmclear(s->vmcs_pa))
		return false;
	if (*cur == s->vmcs_pa)
		*cur = 0;
	return vmx_make_current(s);
}

bool vmx_vcpu_init(struct vcpu_hw *v)
{
	u64 spa = pmm_alloc(PAGE_SIZE, PAGE_SIZE);
	u64 vmcs = vmx_alloc_region();
	struct vmx_vcpu *s;

	if (!spa || !vmcs) {
		if (spa)
			pmm_free(spa, PAGE_SIZE);
		if (vmcs)
			pmm_free(vmcs, PAGE_SIZE);
		return false;
	}
	s = phys_to_virt(spa);
	memset(s, 0, sizeof(*s));
	s->vmcs_pa = vmcs;
	s->flush_ept = s->flush_vpid = true;
	v->priv = s;
	if (!vmcs_start(s)) {
		printk(LOG_ERR, "vmx: VMCLEAR/VMPTRLD of a new VMCS failed");
		return false;
	}
	write_controls(v, s);
	write_host_state();
	write_guest_defaults(s);
	if (vmcs_read32(VM_INSTRUCTION_ERROR)) {
		printk(LOG_ERR, "vmx: writing the VMCS failed: VM-instruction error %u",
		       vmcs_read32(VM_INSTRUCTION_ERROR));
		return false;
	}
	return true;
}

void vmx_vcpu_load(struct vcpu_hw *v, const struct vcpu_state *st)
{
	struct vmx_vcpu *s = vmx_priv(v);

	if (!vmx_make_current(s))
		printk(LOG_ERR, "vmx: VMPTRLD failed in vcpu_load");
	write_guest_defaults(s);
	for (int g = 0; g < NR_SEGS; g++)
		vmx_set_seg(v, g, &st->segs[g]);
	for (int r = 0; r < NR_REGS; r++)
		vmx_write_reg(v, r, st->regs[r]);
	memcpy(v->gprs, st->gprs, sizeof(v->gprs));
	vmx_mode_changed(v);
	vmx_step_forget(s);
	s->flush_ept = true;
}
