// SPDX-License-Identifier: MIT
/*
 * The GDB stub's hands on the guest (gdb_target.h). The stub on CPU 0
 * stages work per vCPU and asks for it with VCPU_REQ_DEBUG; the vCPU does
 * it before its next entry (registers live in its VMCS/VMCB, which only
 * its CPU may touch) and answers with a fresh snapshot (snap_seq).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "kernel/log.h"
#include "kernel/string.h"
#include "vmm/gdb_target.h"
#include "vmm/gwalk.h"
#include "vmm/insn.h"
#include "vmm/monitor.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define WAIT_MS 1000

struct gdb_vcpu {
	struct vcpu_snap load; /* registers to load ... */
	bool want_load;        /* ... when set */
	u32 debug;             /* VCPU_DEBUG_* wanted ... */
	bool debug_ok;         /* ... and whether the back-end could */
	bool pushf;            /* the step is a PUSHF with the guest's TF clear: */
	u64 pushf_lin;         /* ... the linear address of the image it pushes */
};

static struct gdb_vcpu staged[VM_MAX_VCPUS];
static struct vcpu_debug hw_regs; /* dr[], dr7: written by the stub while
				     the guest is stopped, read by its vCPUs */
static struct vm *debugged;
static u32 stop_event; /* (a) thread id | GDB_STOP_*, 0 none */

void gdb_target_attach(struct vm *vm)
{
	debugged = vm;
	__atomic_store_n(&stop_event, 0, __ATOMIC_RELEASE);
}

/* Ask @v for its staged work and wait for its snapshot. */
static bool call(struct vcpu *v)
{
	u32 seq = __atomic_load_n(&v->snap_seq, __ATOMIC_ACQUIRE);
	u64 end;

	v->snap.gva = 0;
	if (vcpu_current() == v) {
		gdb_target_vcpu(v);
		return true;
	}
	if (!vm_running(v->vm) || v->pcpu == smp_this_cpu())
		return false;
	vcpu_request(v, VCPU_REQ_DEBUG);
	end = rdtsc() + WAIT_MS * tsc_khz();
	while (__atomic_load_n(&v->snap_seq, __ATOMIC_ACQUIRE) == seq)
		if (rdtsc() > end)
			return false;
	return true;
}

bool gdb_target_load(struct vcpu *v, const struct vcpu_snap *s)
{
	staged[v->id].load = *s;
	staged[v->id].want_load = true;
	return call(v);
}

void gdb_target_hw(const u64 dr[4], u64 dr7)
{
	memcpy(hw_regs.dr, dr, sizeof(hw_regs.dr));
	hw_regs.dr7 = dr7;
}

/* On @v's CPU: its staged controls into the back-end. */
static bool apply(struct vcpu *v)
{
	struct vcpu_debug d = hw_regs;

	d.flags = staged[v->id].debug;
	v->stepping = d.flags & VCPU_DEBUG_STEP;
	return vm_ops->set_debug(&v->hw, &d);
}

bool gdb_target_debug(struct vcpu *v, u32 flags)
{
	staged[v->id].debug = flags;
	staged[v->id].debug_ok = false;
	return call(v) && staged[v->id].debug_ok;
}

/* The registers the debugger may change (gdb_regs.c checked them). */
static void load_regs(struct vcpu *v, const struct vcpu_snap *s)
{
	struct segment seg;

	for (unsigned i = 0; i < NR_GPRS; i++)
		if (i != GPR_RSP)
			v->hw.gprs[i] = s->gprs[i];
	vcpu_set_reg(v, REG_RSP, s->regs[REG_RSP]);
	vcpu_set_reg(v, REG_RIP, s->regs[REG_RIP]);
	vcpu_set_reg(v, REG_RFLAGS, s->regs[REG_RFLAGS]);
	for (unsigned i = SEG_FS; i <= SEG_GS; i++) {
		vm_ops->get_seg(&v->hw, i, &seg);
		seg.base = s->segs[i].base;
		vm_ops->set_seg(&v->hw, i, &seg);
	}
}

/*
 * A single step through RFLAGS.TF (SVM, VMX without the monitor trap
 * flag) runs the instruction with the debugger's TF set, so a PUSHF
 * pushes it (SDM Vol. 2B PUSHF). Where the step is one, the pushed
 * image's TF is put back to the guest's own (clear) when the step ends.
 * The image is at the new top of stack: SS:RSP less the operand size
 * (16/32-bit: 66 swaps 2 and 4; 64-bit: 8, or 2 with 66).
 */
static u64 stack_lin(struct vcpu *v, int mode, u64 rsp)
{
	struct segment ss;

	if (mode == 64)
		return rsp;
	vm_ops->get_seg(&v->hw, SEG_SS, &ss);
	return (u32)(ss.base + (ss.attr & SEG_ATTR_DB ? (u32)rsp : (u16)rsp));
}

/* The operand size of a PUSHF at @b (legacy prefixes, 66 among them,
 * then REX in 64-bit mode), 0 for another instruction. */
static unsigned pushf_size(const u8 *b, unsigned n, int mode)
{
	bool o16 = false, w = false;
	unsigned i = 0;

	for (; i < n; i++) {
		u8 c = b[i];

		if (c == 0x66)
			o16 = true;
		else if (c != 0x26 && c != 0x2e && c != 0x36 && c != 0x3e && c != 0x64 &&
			 c != 0x65 && c != 0x67 && c != 0xf0 && c != 0xf2 && c != 0xf3)
			break;
	}
	if (mode == 64 && i < n && (b[i] & 0xf0) == 0x40)
		w = b[i++] & 8;
	if (i >= n || b[i] != 0x9c)
		return 0;
	if (mode == 64)
		return o16 && !w ? 2 : 8;
	return (mode == 16) != o16 ? 2 : 4;
}

static void pushf_note(struct vcpu *v, struct gdb_vcpu *g)
{
	u8 b[INSN_MAX];
	unsigned n = vcpu_fetch(v, b, sizeof(b));
	int mode = vcpu_code_mode(v);
	unsigned size = pushf_size(b, n, mode);

	g->pushf = false;
	if (!size || (vcpu_reg(v, REG_RFLAGS) & RFLAGS_TF))
		return;
	g->pushf = true;
	g->pushf_lin = stack_lin(v, mode, vcpu_reg(v, REG_RSP) - size);
}

/* The step ended with the PUSHF done (the stack top is its image). */
static void pushf_mend(struct vcpu *v, struct gdb_vcpu *g)
{
	u64 gpa;
	u8 b;

	if (!g->pushf)
		return;
	g->pushf = false;
	if (stack_lin(v, vcpu_code_mode(v), vcpu_reg(v, REG_RSP)) != g->pushf_lin ||
	    !gwalk_translate(v, g->pushf_lin + 1, GWALK_WRITE, &gpa) ||
	    !gmem_read(&v->vm->mem, gpa, &b, 1))
		return;
	b &= (u8)~(RFLAGS_TF >> 8);
	gmem_write(&v->vm->mem, gpa, &b, 1);
}

void gdb_target_vcpu(struct vcpu *v)
{
	struct gdb_vcpu *g = &staged[v->id];

	if (g->want_load) {
		g->want_load = false;
		load_regs(v, &g->load);
	}
	g->debug_ok = apply(v);
	if (g->debug & VCPU_DEBUG_STEP)
		pushf_note(v, g);
	else
		g->pushf = false;
	vcpu_snapshot(v);
}

u32 gdb_target_stop_take(void)
{
	return __atomic_exchange_n(&stop_event, 0, __ATOMIC_ACQ_REL);
}

/* Stop every vCPU of @v's guest for the debugger; the first stop of a
 * run is the one the stub reports. */
static void stop_all(struct vcpu *v, u32 kind)
{
	u32 none = 0;

	__atomic_compare_exchange_n(&stop_event, &none, (v->id + 1) | kind, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	monitor_pause(v->vm, true);
}

/* The guest's own INT3, INT n or INTO goes on as the CPU would have run
 * it: RIP past it, the event delivered (SDM Vol. 3A §6.4.2, §6.15). */
static enum exit_action reinject(struct vcpu *v, const u8 *b, unsigned got, bool intn)
{
	struct vcpu_event e = { EVENT_EXCEPTION, 3, false, 0 };
	u64 rip = vcpu_reg(v, REG_RIP);

	if (b[0] == 0xcd && intn && got == 2) {
		e.type = EVENT_SOFT_INTR;
		e.vector = b[1];
		rip += 2;
	} else if (b[0] == 0xce && intn) {
		vcpu_set_reg(v, REG_RIP, rip + 1);
		if (vcpu_reg(v, REG_RFLAGS) & (1u << 11)) /* OF */
			vcpu_inject_exception(v, 4, false, 0);
		return EXIT_RESUME;
	} else if (b[0] == 0xcc) {
		rip += 1;
	} else {
		return EXIT_RESUME; /* an INT3 of ours lifted meanwhile: run what is there */
	}
	vcpu_set_reg(v, REG_RIP, rip);
	vm_ops->inject(&v->hw, &e);
	return EXIT_RESUME;
}

enum exit_action gdb_target_exception(struct vcpu *v, const struct vm_exit *x)
{
	u8 b[2] = { 0, 0 };
	unsigned got = vcpu_fetch(v, b, x->exc.intn ? 2 : 1);

	if (!got) {
		vm_stop(v->vm, "unreadable-int3 vcpu %u rip 0x%llx", v->id,
			(unsigned long long)vcpu_reg(v, REG_RIP));
		return EXIT_STOP;
	}
	if (b[0] == 0xcc && debugged == v->vm &&
	    gdb_stub_is_breakpoint(v->vm, vcpu_reg(v, REG_RIP))) {
		stop_all(v, GDB_STOP_BREAK); /* RIP stays at the breakpoint */
		return EXIT_RESUME;
	}
	return reinject(v, b, got, x->exc.intn);
}

/* A hit ends a step as well: the instruction completed (a data
 * breakpoint is a trap) or has not begun (an instruction breakpoint). */
enum exit_action gdb_target_step(struct vcpu *v, const struct vm_exit *x)
{
	u32 hits = x->debug.hits;

	pushf_mend(v, &staged[v->id]);
	staged[v->id].debug &= ~VCPU_DEBUG_STEP;
	apply(v);
	if (debugged == v->vm)
		stop_all(v, hits ? GDB_STOP_HW | hits << 20 : GDB_STOP_STEP);
	return EXIT_RESUME;
}
