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

/* An intercepted exception: #BP for the GDB stub (gdb_target.h), #DB
 * while its hardware breakpoints are set (VCPU_DEBUG_HW). */
static enum exit_action exit_exception(struct vcpu *v, const struct vm_exit *x)
{
	if (x->exc.vector == 3)
		return gdb_target_exception(v, x);
	if (x->exc.vector == 1)
		return exit_debug_exception(v, x);
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

/* RIP past the instruction of @len bytes; its single-step trap if owed. */
static inline enum exit_action skip(struct vcpu *v, const struct vm_exit *x, u8 len)
{
	if (vm_ops->skip_insn(&v->hw, x->rip + len)) {
		vm_ops->single_step_trap(&v->hw);
		v->halted = false;
	}
	return EXIT_ADVANCE;
}

/*
 * The usual encodings of instructions that exit, without prefixes: when
 * the bytes at RIP are exactly these, their length is known without the
 * full decoder (an exit path shortcut for CPUs without nrip-save).
 */
#define PLAIN(len, ...) { len, (1u << (8 * (len))) - 1, { __VA_ARGS__ } }
static const struct {
	u8 len;       /* 0: no plain encoding known */
	u32 mask;     /* of the three bytes read at RIP, those of the encoding */
	u32 bytes[2]; /* little-endian, the first byte lowest; 0: none */
} plain_insns[NR_EXIT_CODES] = {
	[EXIT_CPUID] = PLAIN(2, 0xa20f),
	[EXIT_HLT] = PLAIN(1, 0xf4),
	[EXIT_MSR_READ] = PLAIN(2, 0x320f),
	[EXIT_MSR_WRITE] = PLAIN(2, 0x300f),
	[EXIT_HYPERCALL] = PLAIN(3, 0xd9010f /* VMMCALL */, 0xc1010f /* VMCALL */),
	[EXIT_XSETBV] = PLAIN(3, 0xd1010f),
	[EXIT_PAUSE] = PLAIN(2, 0x90f3),
	[EXIT_INVD] = PLAIN(2, 0x080f),
	[EXIT_WBINVD] = PLAIN(2, 0x090f),
};

/* @code: below NR_EXIT_CODES. */
static inline __attribute__((always_inline)) int plain_length(struct vcpu *v, u32 code)
{
	const u8 *b;
	u32 have;
	int mode;

	if (!plain_insns[code].len || !(b = vcpu_code_bytes(v, 3, &mode)))
		return 0; /* (three bytes at RIP fail to read only at a page end: decoded) */
	have = (b[0] | (u32)b[1] << 8 | (u32)b[2] << 16) & plain_insns[code].mask;
	return have == plain_insns[code].bytes[0] ||
	       (plain_insns[code].bytes[1] && have == plain_insns[code].bytes[1]) ?
	       plain_insns[code].len : 0;
}

/* advance() for an instruction with prefixes or a page end in it: the
 * decoder's length. */
static __attribute__((noinline)) enum exit_action advance_decoded(struct vcpu *v,
								  const struct vm_exit *x)
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
	return skip(v, x, (u8)n);
}

/*
 * Move RIP past the exiting instruction, decoding it when the hardware
 * did not say how long it was. The instruction then completed as if the
 * CPU had run it: an interrupt shadow it was under ends, and with TF set
 * it owes a single-step trap (SDM Vol. 3B §18.3.1.4), in any ring. A
 * halted vCPU takes that #DB at once and resumes after the HLT (the trap
 * is an event that ends the halt, as KVM does). RIP is the one the exit
 * recorded (x->rip): a handler that returns EXIT_ADVANCE never moves RIP
 * itself (those that do, the debugger's and the #DB reflection, return
 * EXIT_RESUME). Inline in the exit loop, but for the decoder's part.
 */
static inline __attribute__((always_inline)) enum exit_action advance(struct vcpu *v, u32 code,
								      const struct vm_exit *x, u8 len)
{
	if (!len)
		len = (u8)plain_length(v, code);
	if (!len)
		return advance_decoded(v, x);
	return skip(v, x, len);
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

/* Count, trace and handle the exit that came at TSC @t0; inline in both
 * callers (exit_run is the hot one). */
static inline __attribute__((always_inline)) enum exit_action dispatch(struct vcpu *v, u32 code,
								      u64 t0)
{
	const struct vm_exit *x = &v->hw.exit;
	struct trace_entry *t;
	enum exit_action a;

	v->exits[code]++;
	v->exits_total++;
	t = trace_on ? trace_record(&v->trace, x, t0) : NULL;
	a = exit_table[code].handler(v, x);
	if (a == EXIT_ADVANCE)
		a = advance(v, code, x, x->insn_len);
	if (t)
		trace_done(t, a);
	if ((v->exits[code] & (EXIT_COST_SAMPLE - 1)) == 1) { /* the cost, sampled */
		v->exit_ticks[code] += rdtsc() - t0;
		v->exit_samples[code]++;
	}
	return a;
}

static inline u32 exit_code(const struct vcpu *v)
{
	return v->hw.exit.code < NR_EXIT_CODES ? v->hw.exit.code : EXIT_UNKNOWN;
}

enum exit_action exit_dispatch(struct vcpu *v)
{
	return dispatch(v, exit_code(v), rdtsc());
}

/*
 * After an exit whose handler left the vCPU's interrupt state alone
 * (exit_row.quick), the run loop's pass over requests, timers and pending
 * interrupts would find what it found before the entry when that pass
 * found nothing to deliver (v->quiet), no request came (every interrupt
 * raised for this vCPU comes with VCPU_REQ_INTR), the guest wrote no
 * register of its local APIC (lapic.changed: EOI, TPR and the timer
 * change what the pass finds without a request) and no timer or host
 * duty is due (@next, the earliest of them, 0: none; against @now, the
 * exit's TSC: the host timer armed for @next ends a run that began a
 * little late). Then the guest is entered again at once.
 */
static inline bool quick_reentry(const struct vcpu *v, u32 code, enum exit_action a, u64 next,
				 u64 now)
{
	return a == EXIT_ADVANCE && exit_table[code].quick && v->quiet && !v->lapic.changed &&
	       !__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) && (!next || now < next);
}

enum exit_action exit_run(struct vcpu *v, u64 next)
{
	enum exit_action a;
	u32 code;
	u64 t0;

	do {
		vm_ops->run(&v->hw);
		t0 = rdtsc();
		code = exit_code(v);
		a = dispatch(v, code, t0);
	} while (quick_reentry(v, code, a, next, t0));
	return a;
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
