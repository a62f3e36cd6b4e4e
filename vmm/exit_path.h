/* SPDX-License-Identifier: MIT */
/*
 * The exit path, exit_run() at the bottom: enter the guest, count, trace
 * and handle its exit through the exit table, move RIP past the instruction,
 * and enter again at once while nothing else is due. Inline in its two
 * users, the run loop (vcpu.c) and exit_dispatch (exit.c), so that a
 * quick exit's round trip and the run loop's pass between slow exits
 * pay no call frames of their own.
 */
#ifndef VMM_EXIT_PATH_H
#define VMM_EXIT_PATH_H

#include "arch/x86/cpu.h"
#include "vmm/code_fetch.h"
#include "vmm/exit.h"
#include "vmm/trace.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* RIP past the instruction of @len bytes; its single-step trap if owed. */
static inline enum exit_action exit_skip_insn(struct vcpu *v, const struct vm_exit *x, u8 len)
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
#define PLAIN_INSN(len, ...) { len, (1u << (8 * (len))) - 1, { __VA_ARGS__ } }
static const struct {
	u8 len;       /* 0: no plain encoding known */
	u32 mask;     /* of the three bytes read at RIP, those of the encoding */
	u32 bytes[2]; /* little-endian, the first byte lowest; 0: none */
} plain_insns[NR_EXIT_CODES] = {
	[EXIT_CPUID] = PLAIN_INSN(2, 0xa20f),
	[EXIT_HLT] = PLAIN_INSN(1, 0xf4),
	[EXIT_MSR_READ] = PLAIN_INSN(2, 0x320f),
	[EXIT_MSR_WRITE] = PLAIN_INSN(2, 0x300f),
	[EXIT_HYPERCALL] = PLAIN_INSN(3, 0xd9010f /* VMMCALL */, 0xc1010f /* VMCALL */),
	[EXIT_XSETBV] = PLAIN_INSN(3, 0xd1010f),
	[EXIT_PAUSE] = PLAIN_INSN(2, 0x90f3),
	[EXIT_INVD] = PLAIN_INSN(2, 0x080f),
	[EXIT_WBINVD] = PLAIN_INSN(2, 0x090f),
};
#undef PLAIN_INSN

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

/* The decoder's length, out of line (exit.c). */
enum exit_action exit_advance_decoded(struct vcpu *v, const struct vm_exit *x);

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
		return exit_advance_decoded(v, x);
	return exit_skip_insn(v, x, len);
}

/* Count, trace and handle the exit (@code, below NR_EXIT_CODES) that came
 * at TSC @t0. */
static inline __attribute__((always_inline)) enum exit_action exit_dispatch_at(struct vcpu *v,
									      u32 code, u64 t0)
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

/*
 * Enter the guest and dispatch its exit, again and again while the exits
 * are quick ones that leave nothing for the run loop's pass over requests,
 * timers and interrupts (exit_row.quick, v->quiet, no request, no local
 * APIC write, @next not reached: the earliest timer or host duty, 0 for
 * none). Returns the last exit's action.
 */
static inline __attribute__((always_inline)) enum exit_action exit_run(struct vcpu *v, u64 next)
{
	enum exit_action a;
	u32 code;
	u64 t0;

	do {
		vm_ops->run(&v->hw);
		t0 = rdtsc();
		code = exit_code(v);
		a = exit_dispatch_at(v, code, t0);
	} while (quick_reentry(v, code, a, next, t0));
	return a;
}

#endif
