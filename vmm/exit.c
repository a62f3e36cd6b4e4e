// SPDX-License-Identifier: MIT
/*
 * The exit table and the small handlers that need no file of their own.
 * Anything a guest can provoke ends in an architectural fault injected
 * into it or in that guest being stopped with a clear log line; nothing
 * here panics the machine.
 */
#include "arch/x86/cpu.h"
#include "kernel/log.h"
#include "kernel/string.h"
#include "vmm/code_fetch.h"
#include "vmm/exit.h"
#include "vmm/exit_path.h"
#include "vmm/gdb_target.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define VEC_UD 6
#define VEC_GP 13

/* Host interrupts and NMIs are taken by the host between entries. */
static enum exit_action exit_resume(struct vcpu *v, const struct vm_exit *x)
{
	(void)v, (void)x;
	return EXIT_RESUME;
}

/* Instructions that need no emulation: INVD, WBINVD (no cache to manage
 * under second-level paging), PAUSE (a chance to take host work). */
static enum exit_action exit_skip(struct vcpu *v, const struct vm_exit *x)
{
	(void)v, (void)x;
	return EXIT_ADVANCE;
}

/* VMX/SVM instructions, MONITOR/MWAIT: CPUID hides them, so #UD. */
static enum exit_action exit_undefined(struct vcpu *v, const struct vm_exit *x)
{
	(void)x;
	vcpu_inject_exception(v, VEC_UD, false, 0);
	return EXIT_RESUME;
}

/*
 * RDPMC (SDM Vol. 2B, APM Vol. 3): #GP at CPL > 0 without CR4.PCE, and
 * for a counter the CPU does not have. It reads the PMU the MSR policy
 * shows (vmm/exit_msr.c): on AMD counters 0-3 are the legacy PERF_CTR0-3,
 * which read 0; CPUID leaf 0xA reports no Intel counters, general or
 * fixed.
 */
#define CR4_PCE (1ULL << 8)

static enum exit_action exit_rdpmc(struct vcpu *v, const struct vm_exit *x)
{
	struct segment ss;

	(void)x;
	vm_ops->get_seg(&v->hw, SEG_SS, &ss);
	if ((((ss.attr >> 5) & 3) && !(vcpu_reg(v, REG_CR4) & CR4_PCE)) ||
	    !cpu_is_amd() || (u32)v->hw.gprs[GPR_RCX] > 3) {
		vcpu_inject_exception(v, VEC_GP, true, 0);
		return EXIT_RESUME;
	}
	v->hw.gprs[GPR_RAX] = 0;
	v->hw.gprs[GPR_RDX] = 0;
	return EXIT_ADVANCE;
}

static enum exit_action exit_triple_fault(struct vcpu *v, const struct vm_exit *x)
{
	(void)x;
	vm_stop(v->vm, "triple-fault vcpu %u rip 0x%llx", v->id,
		(unsigned long long)vcpu_reg(v, REG_RIP));
	return EXIT_STOP;
}

/*
 * Hypercalls (VMCALL/VMMCALL), number in RAX, result in RAX:
 *   0  HC_NOP: does nothing, returns 0 (used to measure the exit cost)
 *   any other number returns -1 (not implemented).
 */
static enum exit_action exit_hypercall(struct vcpu *v, const struct vm_exit *x)
{
	(void)x;
	v->hw.gprs[GPR_RAX] = v->hw.gprs[GPR_RAX] == 0 ? 0 : ~0ULL;
	return EXIT_ADVANCE;
}

/* The back-end names the check the CPU failed (fail.why). */
static enum exit_action exit_entry_failed(struct vcpu *v, const struct vm_exit *x)
{
	vm_stop(v->vm, "entry-failed vcpu %u reason 0x%x info 0x%llx rip 0x%llx: %s",
		v->id, x->raw, (unsigned long long)x->fail.info,
		(unsigned long long)vcpu_reg(v, REG_RIP), x->fail.why ? x->fail.why : "unnamed");
	return EXIT_STOP;
}

static enum exit_action exit_unsupported(struct vcpu *v, const struct vm_exit *x)
{
	vm_stop(v->vm, "unhandled-exit %s (raw 0x%x) vcpu %u rip 0x%llx",
		exit_name(x->code), x->raw, v->id,
		(unsigned long long)vcpu_reg(v, REG_RIP));
	return EXIT_STOP;
}

/*
 * A double fault in the guest (VIRT_INTERCEPTED_EXCEPTIONS), given back
 * to it at once. In a working guest it means an event came where it
 * could not be delivered, and the hypervisor delivers events: the first
 * few of each vCPU also print the exits before it, each with the event
 * injected after it (trace.h), so a log shows whether one of ours
 * preceded it. A guest that double-faults on purpose costs DF_REPORTS
 * dumps, then nothing.
 */
#define VEC_DF 8
#define DF_REPORTS 2
#define DF_TRACE_LINES 12

static enum exit_action exit_double_fault(struct vcpu *v, const struct vm_exit *x)
{
	if (v->double_faults++ < DF_REPORTS) {
		printk(LOG_WARN, "guest %s vcpu %u double fault at rip 0x%llx rsp 0x%llx rflags 0x%llx "
		       "cr2 0x%llx; the exits before it:", v->vm->name, v->id,
		       (unsigned long long)x->rip, (unsigned long long)vcpu_reg(v, REG_RSP),
		       (unsigned long long)vcpu_reg(v, REG_RFLAGS),
		       (unsigned long long)vcpu_reg(v, REG_CR2));
		trace_dump(&v->trace, v->vm->name, v->id, DF_TRACE_LINES);
	}
	vcpu_inject_exception(v, VEC_DF, true, 0);
	return EXIT_RESUME;
}

/* An intercepted exception: #BP for the GDB stub (gdb_target.h), #DB
 * while its hardware breakpoints are set (VCPU_DEBUG_HW), #DF always. */
static enum exit_action exit_exception(struct vcpu *v, const struct vm_exit *x)
{
	if (x->exc.vector == 3)
		return gdb_target_exception(v, x);
	if (x->exc.vector == 1)
		return exit_debug_exception(v, x);
	if (x->exc.vector == VEC_DF)
		return exit_double_fault(v, x);
	return exit_unsupported(v, x);
}

const struct exit_row exit_table[NR_EXIT_CODES] = {
	[EXIT_NONE] = { "none", exit_resume },
	[EXIT_EXTINT] = { "extint", exit_resume },
	[EXIT_NMI] = { "nmi", exit_resume },
	[EXIT_INTR_WINDOW] = { "intr-window", exit_resume },
	[EXIT_EXCEPTION] = { "exception", exit_exception },
	[EXIT_TRIPLE_FAULT] = { "triple-fault", exit_triple_fault },
	[EXIT_INIT] = { "init", exit_unsupported },
	[EXIT_SIPI] = { "sipi", exit_unsupported },
	[EXIT_CPUID] = { "cpuid", exit_cpuid, true },
	[EXIT_HLT] = { "hlt", exit_hlt },
	[EXIT_IO] = { "io", exit_io, true }, /* the 8259 raises through its INT hook */
	[EXIT_MSR_READ] = { "rdmsr", exit_msr_read, true },
	[EXIT_MSR_WRITE] = { "wrmsr", exit_msr_write, true }, /* the LAPIC's say lapic.changed */
	[EXIT_CR_ACCESS] = { "cr", exit_cr_access },
	[EXIT_XSETBV] = { "xsetbv", exit_xsetbv, true },
	[EXIT_INVD] = { "invd", exit_skip },
	[EXIT_WBINVD] = { "wbinvd", exit_skip },
	[EXIT_PAUSE] = { "pause", exit_skip, true },
	[EXIT_HYPERCALL] = { "hypercall", exit_hypercall, true },
	[EXIT_STAGE2_FAULT] = { "stage2-fault", exit_stage2_fault, true }, /* MMIO: as wrmsr */
	[EXIT_VIRT_INSN] = { "virt-insn", exit_undefined },
	[EXIT_MONITOR] = { "monitor", exit_undefined },
	[EXIT_RDPMC] = { "rdpmc", exit_rdpmc },
	[EXIT_INVLPG] = { "invlpg", exit_unsupported },
	[EXIT_TASK_SWITCH] = { "task-switch", exit_unsupported },
	[EXIT_STEP] = { "step", gdb_target_step },
	[EXIT_DR_ACCESS] = { "dr", exit_dr_access },
	[EXIT_ENTRY_FAILED] = { "entry-failed", exit_entry_failed },
	[EXIT_APIC_EOI] = { "apic-eoi", exit_apic_eoi },
	[EXIT_UNKNOWN] = { "unknown", exit_unsupported },
};

const char *exit_name(u32 code)
{
	return code < NR_EXIT_CODES ? exit_table[code].name : "invalid";
}

/* advance() for an instruction with prefixes or a page end in it: the
 * decoder's length (exit_path.h). */
enum exit_action exit_advance_decoded(struct vcpu *v, const struct vm_exit *x)
{
	int n = insn_length_at_rip(v);

	if (n <= 0) {
		u8 b[4] = { 0 };

		vcpu_fetch(v, b, sizeof(b));
		vm_stop(v->vm, "undecodable-instruction after %s exit vcpu %u rip 0x%llx "
			"bytes %02x %02x %02x %02x", exit_name(v->hw.exit.code), v->id,
			(unsigned long long)vcpu_reg(v, REG_RIP), b[0], b[1], b[2], b[3]);
		return EXIT_STOP;
	}
	return exit_skip_insn(v, x, (u8)n);
}

bool exit_rep_step(struct vcpu *v)
{
	if (!(vcpu_reg(v, REG_RFLAGS) & RFLAGS_TF))
		return false;
	vm_ops->end_intr_shadow(&v->hw);
	vm_ops->single_step_trap(&v->hw);
	v->halted = false;
	return true;
}

enum exit_action exit_dispatch(struct vcpu *v)
{
	return exit_dispatch_at(v, exit_code(v), rdtsc());
}

/* "exits <total>: <name> <count> ..." for the non-zero counters. */
static void format_counts(char *buf, size_t len, u64 total, const u64 *counts)
{
	int n = snprintf(buf, len, "exits %llu:", (unsigned long long)total);

	for (u32 c = 0; c < NR_EXIT_CODES && n < (int)len - 32; c++)
		if (counts[c])
			n += snprintf(buf + n, len - n, " %s %llu", exit_table[c].name,
				      (unsigned long long)counts[c]);
}

void exit_stats_log_vm(const struct vm *vm)
{
	u64 sum[NR_EXIT_CODES] = { 0 }, total = 0;
	char buf[400];

	for (u32 i = 0; i < vm->nvcpus; i++) {
		for (u32 c = 0; c < NR_EXIT_CODES; c++)
			sum[c] += vm->vcpus[i]->exits[c];
		total += vm->vcpus[i]->exits_total;
	}
	format_counts(buf, sizeof(buf), total, sum);
	printk(LOG_INFO, "guest %s %s", vm->name, buf);
	mmio_stats_log(vm);
}

void exit_stats_log(const char *vm_name, const struct vcpu *v)
{
	char buf[400];

	format_counts(buf, sizeof(buf), v->exits_total, v->exits);
	printk(LOG_INFO, "guest %s vcpu %u %s", vm_name, v->id, buf);
	if (v->pio_unclaimed || v->msr_refused)
		printk(LOG_INFO, "guest %s vcpu %u unclaimed-io %llu refused-msr %llu", vm_name,
		       v->id, (unsigned long long)v->pio_unclaimed,
		       (unsigned long long)v->msr_refused);
	if (v->lapic.pv_eois)
		printk(LOG_INFO, "guest %s vcpu %u pv-eoi %llu", vm_name, v->id,
		       (unsigned long long)v->lapic.pv_eois);
}
