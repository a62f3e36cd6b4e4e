// SPDX-License-Identifier: MIT
/*
 * The vCPU run loop (vcpu.h). It runs on the vCPU's physical CPU with host
 * interrupts disabled, opening a short window between entries so pending
 * host interrupts (kicks, the host timer) are taken. Before each entry it
 * handles requests (stop, INIT, SIPI, NMI), fires the virtual LAPIC timer
 * and injects the highest deliverable interrupt, or asks for an
 * interrupt-window exit when the guest cannot take it yet. A halted vCPU
 * sleeps in a host HLT until an interrupt is due. A VM none of whose vCPUs
 * can ever run again (each waits for a SIPI or is halted with interrupts
 * off, and nothing can wake any of them) is stopped as wedged.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "vmm/cpu_state.h"
#include "vmm/dev/devices.h"
#include "vmm/exit.h"
#include "vmm/exit_path.h"
#include "vmm/gdb_target.h"
#include "vmm/gwalk.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define VEC_NMI 2

u64 vcpu_gpr(struct vcpu *v, unsigned gpr)
{
	return gpr == GPR_RSP ? vm_ops->get_reg(&v->hw, REG_RSP) : v->hw.gprs[gpr];
}

void vcpu_set_gpr(struct vcpu *v, unsigned gpr, u64 val)
{
	if (gpr == GPR_RSP)
		vm_ops->set_reg(&v->hw, REG_RSP, val);
	else
		v->hw.gprs[gpr] = val;
}

u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r) { return vm_ops->get_reg(&v->hw, r); }

void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	vm_ops->set_reg(&v->hw, r, val);
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	struct vcpu_event e = { EVENT_EXCEPTION, vector, has_error, error };

	if (vector == VEC_NMI)
		e.type = EVENT_NMI;
	vm_ops->inject(&v->hw, &e);
	trace_inject(&v->trace, TRACE_EVENT(e.type, vector));
}

struct vcpu *vcpu_current(void) { return this_cpu()->vcpu; }

void vcpu_request(struct vcpu *v, u32 req)
{
	__atomic_or_fetch(&v->requests, req, __ATOMIC_RELEASE);
	if (v->pcpu != smp_this_cpu())
		smp_kick(v->pcpu);
}

void vcpu_deliver_ipi(struct vcpu *v, u32 mode, u8 vector)
{
	switch (mode) {
	case 0: /* fixed */
	case 1: /* lowest priority: the sender picked this one */
		vlapic_raise(v, vector);
		break;
	case 4:
		vcpu_request(v, VCPU_REQ_NMI);
		break;
	case 5:
		vcpu_request(v, VCPU_REQ_INIT);
		break;
	case 6:
		v->sipi_vector = vector;
		vcpu_request(v, VCPU_REQ_SIPI);
		break;
	default:
		break; /* SMI, lowest priority etc.: not offered */
	}
}

/* INIT: the reset state, waiting for a STARTUP IPI (SDM Vol. 3A §9.4.4);
 * a platform reset (@power_on) also puts the APIC back in xAPIC mode. */
static void do_init(struct vcpu *v, bool power_on)
{
	struct vcpu_state s;

	cpu_state_real(&s, 0, 0);
	vm_ops->vcpu_load(&v->hw, &s);
	vlapic_reset(&v->lapic, power_on);
	if (power_on)
		exit_msr_power_on(v);
	v->wait_sipi = true;
	v->halted = false;
}

/* STARTUP: real mode at vector * 4 KiB (CS = vector << 8, IP = 0). */
static void do_sipi(struct vcpu *v)
{
	struct vcpu_state s;

	if (!v->wait_sipi)
		return; /* ignored unless waiting (§9.4.4.1) */
	cpu_state_real(&s, (u16)v->sipi_vector << 8, 0);
	vm_ops->vcpu_load(&v->hw, &s);
	v->wait_sipi = false;
}

void vcpu_boot(struct vcpu *v)
{
	vm_ops->vcpu_load(&v->hw, &v->vm->boot);
	v->vm->boot_tsc = rdtsc();
}

/*
 * A platform reset. The other vCPUs go back to their INIT state (waiting
 * for a SIPI from the new BSP) and say so; vCPU 0 waits for them, so no
 * vCPU is inside a device or guest memory, reboots the VM and starts at
 * its boot state. Requests queued before the reset are dropped.
 */
static void do_reset(struct vcpu *v)
{
	struct vm *vm = v->vm;

	do_init(v, true);
	if (v->id != 0) {
		__atomic_add_fetch(&vm->reset_parked, 1, __ATOMIC_ACQ_REL);
		return;
	}
	while (__atomic_load_n(&vm->reset_parked, __ATOMIC_ACQUIRE) < vm->nvcpus - 1) {
		if (!vm_running(vm))
			return;
		asm volatile("sti; pause; cli" ::: "memory");
	}
	vm->reset_parked = 0;
	if (!vm_reboot(vm))
		return;
	__atomic_and_fetch(&v->requests, VCPU_REQ_STOP, __ATOMIC_ACQ_REL);
	vcpu_boot(v);
	v->wait_sipi = false;
	v->dev_deadline = 0;
	v->dev_poll = true;
	__atomic_store_n(&vm->reset_pending, 0, __ATOMIC_RELEASE);
}

/* A TSC deadline as microseconds from @now ("-" once passed), or "none". */
static const char *due(char *buf, size_t len, u64 deadline, u64 now)
{
	u64 khz = tsc_khz() ? tsc_khz() : 1;

	if (!deadline)
		return "none";
	if (deadline >= now)
		snprintf(buf, len, "%lluus", (unsigned long long)((deadline - now) * 1000 / khz));
	else
		snprintf(buf, len, "-%lluus", (unsigned long long)((now - deadline) * 1000 / khz));
	return buf;
}

/* What a stuck guest needs to be understood: its registers, run state,
 * interrupts and timers (console Ctrl-T r; a test at its time limit). On
 * its own CPU, so the host timer is this vCPU's. */
static void dump_state(struct vcpu *v)
{
	struct segment cs;
	char t1[24], t2[24], t3[24];
	bool counting;
	u64 now = rdtsc(), host = lapic_timer_armed(&counting);

	vm_ops->get_seg(&v->hw, SEG_CS, &cs);
	printk(LOG_INFO, "guest %s vcpu %u: cs:rip %x:%llx rflags %llx cr0 %llx cr3 %llx "
	       "%s exits %llu irr-top %d isr-top %d tpr %x timer %s devices %s host %s%s",
	       v->vm->name, v->id, cs.sel,
	       (unsigned long long)vcpu_reg(v, REG_RIP),
	       (unsigned long long)vcpu_reg(v, REG_RFLAGS),
	       (unsigned long long)vcpu_reg(v, REG_CR0),
	       (unsigned long long)vcpu_reg(v, REG_CR3),
	       v->wait_sipi ? "waiting-for-sipi" : v->halted ? "halted" : "running",
	       (unsigned long long)v->exits_total, vlapic_highest_irr(&v->lapic),
	       vlapic_highest_isr(&v->lapic), vlapic_reg(&v->lapic, VLAPIC_TPR),
	       due(t1, sizeof(t1), v->lapic.timer_deadline, now),
	       due(t2, sizeof(t2), v->id ? 0 : v->dev_deadline, now), due(t3, sizeof(t3), host, now),
	       counting ? " counting" : "");
}

void vcpu_snapshot(struct vcpu *v)
{
	struct vcpu_snap *s = &v->snap;

	for (unsigned i = 0; i < NR_GPRS; i++)
		s->gprs[i] = vcpu_gpr(v, i);
	for (unsigned i = 0; i < NR_REGS; i++)
		s->regs[i] = vcpu_reg(v, i);
	for (unsigned i = 0; i < NR_SEGS; i++)
		vm_ops->get_seg(&v->hw, i, &s->segs[i]);
	s->halted = v->halted;
	s->wait_sipi = v->wait_sipi;
	s->irr_top = vlapic_highest_irr(&v->lapic);
	s->isr_top = vlapic_highest_isr(&v->lapic);
	s->tpr = vlapic_reg(&v->lapic, VLAPIC_TPR);
	s->gva_ok = gwalk_translate(v, s->gva, GWALK_READ, &s->gpa);
	__atomic_add_fetch(&v->snap_seq, 1, __ATOMIC_RELEASE);
}

static bool handle_requests(struct vcpu *v)
{
	u32 req = __atomic_load_n(&v->requests, __ATOMIC_ACQUIRE);

	if (!req) /* the usual case: one load */
		return vm_running(v->vm);
	req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);
	if (req & VCPU_REQ_STOP || !vm_running(v->vm))
		return false;
	if (req & VCPU_REQ_RESET) {
		do_reset(v);
		return vm_running(v->vm);
	}
	if (req & (VCPU_REQ_TIMERS | VCPU_REQ_DEVPOLL))
		v->dev_poll = true;
	if (req & VCPU_REQ_S2FLUSH)
		vm_ops->stage2_flush(&v->hw);
	if (req & VCPU_REQ_DUMP)
		dump_state(v);
	if (req & VCPU_REQ_DEBUG)
		gdb_target_vcpu(v);
	if (req & VCPU_REQ_SNAP)
		vcpu_snapshot(v);
	if (req & VCPU_REQ_EXITS_RESET) {
		memset(v->exits, 0, sizeof(v->exits));
		memset(v->exit_ticks, 0, sizeof(v->exit_ticks));
		memset(v->exit_samples, 0, sizeof(v->exit_samples));
		v->exits_total = 0;
	}
	if (req & VCPU_REQ_INIT)
		do_init(v, false);
	if (req & VCPU_REQ_SIPI)
		do_sipi(v);
	if ((req & VCPU_REQ_NMI) && !v->wait_sipi) {
		vcpu_inject_exception(v, VEC_NMI, false, 0);
		v->halted = false;
	}
	return true;
}

/* The earlier of two TSC deadlines, 0 meaning none. */
static u64 earliest(u64 a, u64 b)
{
	return !a ? b : !b ? a : MIN(a, b);
}

/*
 * The 8259 pair reaches vCPU 0 through LINT0 when the guest programmed it
 * as ExtINT and left it unmasked (the PC's virtual-wire mode, SDM Vol. 3A
 * §11.5.1). With the local APIC globally disabled its INTR pin goes
 * straight to the CPU (§11.4.3). Returns true when it has an interrupt for
 * this vCPU.
 */
static bool extint_pending(struct vcpu *v)
{
	u32 lint0 = vlapic_reg(&v->lapic, VLAPIC_LVT_LINT0);
	u64 f;
	bool pending;

	if (v->id != 0 || (v->lapic.enabled &&
			   ((lint0 & (1u << 16)) || ((lint0 >> 8) & 7) != 7)))
		return false;
	f = spin_lock_irqsave(&v->vm->dev_lock);
	pending = pic_has_intr(&v->vm->dev->pic);
	spin_unlock_irqrestore(&v->vm->dev_lock, f);
	return pending;
}

/* The INTA cycle: the vector the 8259 pair supplies. */
static u8 extint_ack(struct vcpu *v)
{
	u64 f = spin_lock_irqsave(&v->vm->dev_lock);
	u8 vec = pic_ack(&v->vm->dev->pic);

	spin_unlock_irqrestore(&v->vm->dev_lock, f);
	return vec;
}

/* The interrupt-window exit on or off. Off, the back-end is called only
 * when it was last asked on (the common case on every exit: nothing
 * pending, window already off). On is always passed down: a back-end may
 * decline it for now (SVM while it steps an NMI's IRET) and must be asked
 * again. */
static void intr_window(struct vcpu *v, bool on)
{
	if (!on && !v->intr_window)
		return;
	v->intr_window = on;
	vm_ops->want_intr_window(&v->hw, on);
}

bool vcpu_vapic_allowed = true; /* hv's command line apicv=off (kernel/main.c) */

/*
 * APIC virtualization where the back-end has it, for a vCPU whose local
 * APIC is in x2APIC mode (the CPU virtualizes only its MSRs) and not
 * while the debugger steps it (the CPU would deliver inside the step):
 * before the entry the CPU gets the request and service state. True: the
 * CPU delivers the local APIC's interrupts.
 */
static bool vapic_sync(struct vcpu *v)
{
	struct vlapic *l = &v->lapic;
	struct vcpu_vapic s;

	if (!vm_ops->vapic || !vcpu_vapic_allowed)
		return false;
	if (!l->enabled || !l->x2apic || v->stepping) {
		if (v->vapic)
			v->vapic = vm_ops->vapic(&v->hw, NULL);
		return false;
	}
	s.page = virt_to_phys_direct(l->page); /* vCPUs live in pmm pages */
	vlapic_vapic_state(l, &s);
	v->vapic = vm_ops->vapic(&v->hw, &s);
	if (v->vapic && !v->vapic_said) {
		v->vapic_said = true;
		printk(LOG_INFO, "guest %s vcpu %u apic virtualization on (x2apic mode)",
		       v->vm->name, v->id);
	}
	return v->vapic;
}

/*
 * Deliver the highest pending interrupt (local APIC first, then the 8259
 * through LINT0) if the guest can take it, else ask to exit when it can.
 * A pending interrupt ends HLT only when the guest has interrupts enabled.
 * Under APIC virtualization the CPU delivers the local APIC's vectors.
 */
static void deliver_interrupts(struct vcpu *v)
{
	int vec = vlapic_pending(&v->lapic);
	bool extint;
	struct vcpu_event e = { EVENT_EXT_INTR, 0, false, 0 };

	if (vapic_sync(v) && vec >= 0) {
		/* the CPU delivers it at the entry, or once the guest can
		 * take it; a halted vCPU that can take it runs again */
		if (v->halted && vm_ops->intr_allowed(&v->hw))
			v->halted = false;
		vec = -1;
	}
	extint = vec < 0 && extint_pending(v);

	/* The debugger's step runs its one instruction alone: an interrupt
	 * would run its handler inside the step, and with a TF step its
	 * frame would hold the debugger's TF. It comes after the step (a
	 * halted vCPU takes it: only an interrupt ends its HLT). */
	v->quiet = vec < 0 && !extint && !v->stepping;
	if ((vec < 0 && !extint) || (v->stepping && !v->halted)) {
		intr_window(v, false);
		return;
	}
	if (!vm_ops->intr_allowed(&v->hw)) {
		if (!v->halted)
			intr_window(v, true);
		return;
	}
	if (extint) {
		e.vector = extint_ack(v);
	} else {
		e.vector = (u8)vec;
		vlapic_accept(&v->lapic, vec);
	}
	trace_inject(&v->trace, TRACE_EVENT(EVENT_EXT_INTR, e.vector));
	vm_ops->inject(&v->hw, &e);
	intr_window(v, false);
	v->halted = false;
}

/*
 * The VM's timed devices (PIT, RTC) are driven from vCPU 0: polled when
 * their next event is due or after the guest reprogrammed one, not on
 * every entry (this sits on the exit path).
 */
static u64 device_timers(struct vcpu *v)
{
	u64 f, now;

	if (v->id != 0)
		return 0;
	now = rdtsc();
	if (!v->dev_poll && (!v->dev_deadline || now < v->dev_deadline))
		return v->dev_deadline;
	f = spin_lock_irqsave(&v->vm->dev_lock);
	v->dev_deadline = devices_timer_poll(v->vm, now);
	spin_unlock_irqrestore(&v->vm->dev_lock, f);
	v->dev_poll = false;
	return v->dev_deadline;
}

/* CPU 0 also serves console input (vm_console_poll). */
static u64 host_duties(struct vcpu *v)
{
	return v->pcpu == 0 ? vm_console_poll() : 0;
}

/*
 * Wedged VMs (SDM Vol. 3A §9.4.4: a vCPU in wait-for-SIPI runs only after
 * a STARTUP IPI; HLT with IF=0 ends only on NMI, INIT, SMI or reset). Only
 * a running vCPU of the same VM sends IPIs, and only a device whose I/O
 * APIC entry is unmasked in NMI mode could send an NMI. So when every
 * vCPU is stuck, none has a request pending and no device can send an
 * NMI, nothing will ever run that VM again: it is stopped. Each vCPU
 * marks itself stuck under vm->lock before it sleeps and unmarks itself
 * under it after, before it takes its requests; a sender sets the
 * request before it can mark itself stuck, so the check under the lock
 * sees either the sender running or the request.
 */
static u32 stuck_kind(struct vcpu *v)
{
	if (v->wait_sipi)
		return VCPU_STUCK_SIPI;
	if (v->halted && !(vcpu_reg(v, REG_RFLAGS) & RFLAGS_IF))
		return VCPU_STUCK_HLT_CLI;
	return 0;
}

static bool device_nmi_possible(struct vm *vm)
{
	return vm->dev && ioapic_nmi_routed(&vm->dev->ioapic);
}

static const char *stuck_text(u32 kinds)
{
	return kinds == VCPU_STUCK_SIPI ? "waiting for sipi" :
	       kinds == VCPU_STUCK_HLT_CLI ? "halted with interrupts disabled" :
	       "waiting for sipi or halted with interrupts disabled";
}

static void note_stuck(struct vcpu *v, u32 kind)
{
	struct vm *vm = v->vm;
	u32 kinds = 0;
	bool wedged = true;
	u64 f = spin_lock_irqsave(&vm->lock);

	v->stuck = kind;
	for (u32 i = 0; i < vm->nvcpus && wedged; i++) {
		struct vcpu *t = vm->vcpus[i];

		wedged = t->stuck && !__atomic_load_n(&t->requests, __ATOMIC_ACQUIRE);
		kinds |= t->stuck;
	}
	spin_unlock_irqrestore(&vm->lock, f);
	if (wedged && !device_nmi_possible(vm))
		vm_stop(vm, "wedged all vcpus %s vcpus %u last vcpu %u rip 0x%llx",
			stuck_text(kinds), vm->nvcpus, v->id,
			(unsigned long long)vcpu_reg(v, REG_RIP));
}

static void note_unstuck(struct vcpu *v)
{
	u64 f;

	if (!v->stuck)
		return;
	f = spin_lock_irqsave(&v->vm->lock);
	v->stuck = 0;
	spin_unlock_irqrestore(&v->vm->lock, f);
}

/* Sleep until a request or the next timer event. */
static void idle(struct vcpu *v, u64 deadline)
{
	u32 kind = stuck_kind(v);

	if (kind)
		note_stuck(v, kind);
	while (!__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE)) {
		if (deadline && rdtsc() >= deadline)
			break;
		lapic_timer_arm(earliest(deadline, host_duties(v)));
		asm volatile("sti; hlt; cli" ::: "memory");
	}
	note_unstuck(v);
}

void vcpu_run(struct vcpu *v)
{
	this_cpu()->vcpu = v;
	for (;;) {
		u64 deadline, next;
		enum exit_action a;

		asm volatile("sti; nop; cli" ::: "memory"); /* host interrupts */
		if (!handle_requests(v))
			break;
		if (v->wait_sipi || v->paused) {
			idle(v, 0);
			continue;
		}
		vlapic_pv_eoi_settle(v, &v->lapic); /* an EOI it holds counts now */
		v->lapic.changed = false; /* this pass reads it all again */
		deadline = earliest(vlapic_timer_poll(&v->lapic), device_timers(v));
		deliver_interrupts(v);
		if (v->halted) {
			idle(v, deadline);
			continue;
		}
		next = earliest(deadline, host_duties(v));
		lapic_timer_arm(next);
		if (!v->vapic) /* else the CPU takes the EOI write */
			vlapic_pv_eoi_arm(&v->lapic);
		a = exit_run(v, next);
		if (a == EXIT_STOP && !vm_running(v->vm))
			break; /* else restarting (on_stop = restart) */
	}
	lapic_timer_arm(0);
	this_cpu()->vcpu = NULL;
}
