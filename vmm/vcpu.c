// SPDX-License-Identifier: MIT
/*
 * The vCPU run loop (vcpu.h). It runs on the vCPU's physical CPU with host
 * interrupts disabled, opening a short window between entries so pending
 * host IPIs (requests, kicks) are taken. A halted vCPU sleeps in a host HLT
 * until a request arrives.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "kernel/log.h"
#include "vmm/exit.h"
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
}

void vcpu_request(struct vcpu *v, u32 req)
{
	__atomic_or_fetch(&v->requests, req, __ATOMIC_RELEASE);
	if (v->pcpu != smp_this_cpu())
		smp_kick(v->pcpu);
}

/* Let pending host interrupts in for one instruction. */
static void host_irq_window(void)
{
	asm volatile("sti; nop; cli" ::: "memory");
}

/* Sleep until something is asked of this vCPU. */
static void idle_halted(struct vcpu *v)
{
	while (!__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE))
		asm volatile("sti; hlt; cli" ::: "memory");
}

static bool handle_requests(struct vcpu *v)
{
	u32 req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);

	if (req & VCPU_REQ_STOP || !vm_running(v->vm))
		return false;
	if (req & VCPU_REQ_INTR)
		v->halted = false; /* an interrupt source wants this vCPU */
	return true;
}

void vcpu_run(struct vcpu *v)
{
	for (;;) {
		host_irq_window();
		if (!handle_requests(v))
			break;
		if (v->halted || v->wait_sipi) {
			idle_halted(v);
			continue;
		}
		vm_ops->run(&v->hw);
		if (exit_dispatch(v) == EXIT_STOP)
			break;
	}
}
