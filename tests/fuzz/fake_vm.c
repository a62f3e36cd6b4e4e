// SPDX-License-Identifier: MIT
/*
 * The fake VM of fake_vm.h. Single-threaded; the vCPU structures are
 * zeroed and their local APICs initialised by fake_vm_reset().
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/log.h"
#include "tests/fuzz/fake_vm.h"

struct fake_vm *fvm;

static unsigned idx(struct vcpu_hw *hw)
{
	return (unsigned)(vcpu_of(hw) - fvm->vcpu) % FAKE_VM_VCPUS;
}

static u64 fake_get_reg(struct vcpu_hw *hw, enum vcpu_reg r) { return fvm->regs[idx(hw)][r]; }
static void fake_set_reg(struct vcpu_hw *hw, enum vcpu_reg r, u64 val) { fvm->regs[idx(hw)][r] = val; }

static void fake_get_seg(struct vcpu_hw *hw, enum vcpu_seg s, struct segment *out)
{
	*out = fvm->segs[idx(hw)][s];
}

static void fake_set_seg(struct vcpu_hw *hw, enum vcpu_seg s, const struct segment *in)
{
	fvm->segs[idx(hw)][s] = *in;
}

static const struct vcpu_ops fake_ops = {
	.get_reg = fake_get_reg, .set_reg = fake_set_reg,
	.get_seg = fake_get_seg, .set_seg = fake_set_seg,
};
const struct vcpu_ops *vm_ops = &fake_ops;

u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r) { return fake_get_reg(&v->hw, r); }
void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val) { fake_set_reg(&v->hw, r, val); }
u64 vcpu_gpr(struct vcpu *v, unsigned gpr) { return gpr < NR_GPRS ? v->hw.gprs[gpr] : 0; }

void vcpu_set_gpr(struct vcpu *v, unsigned gpr, u64 val)
{
	if (gpr < NR_GPRS)
		v->hw.gprs[gpr] = val;
}

struct vcpu *vcpu_current(void) { return &fvm->vcpu[fvm->current % FAKE_VM_VCPUS]; }
u64 tsc_khz(void) { return 1000000; }

void vcpu_request(struct vcpu *v, u32 req)
{
	v->requests |= req;
	fvm->requests++;
}

void vcpu_deliver_ipi(struct vcpu *v, u32 mode, u8 vector)
{
	if (mode <= 1)
		vlapic_raise(v, vector);
	else if (mode == 4 || mode == 5 || mode == 6)
		vcpu_request(v, mode == 4 ? VCPU_REQ_NMI : mode == 5 ? VCPU_REQ_INIT : VCPU_REQ_SIPI);
}

void vm_eoi_broadcast(struct vm *vm, u8 vector)
{
	(void)vm, (void)vector;
	fvm->eois++;
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	(void)v, (void)has_error, (void)error;
	fvm->injected++;
	fvm->inj_vector = vector;
}

void printk(int level, const char *fmt, ...) { (void)level, (void)fmt; }

/* The guest values that reach a host register went through the policy
 * checks first; a host process cannot run WRMSR/XSETBV: they succeed. */
bool wrmsr_safe(u32 msr, u64 val)
{
	(void)msr, (void)val;
	fvm->host_writes++;
	return true;
}

bool xsetbv_safe(u32 xcr, u64 val)
{
	(void)xcr, (void)val;
	fvm->host_writes++;
	return true;
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	(void)vm, (void)fmt;
	fvm->stops++;
}

void fake_vm_reset(void)
{
	if (!fvm)
		fvm = aligned_alloc(_Alignof(struct fake_vm), sizeof(*fvm)); /* the APIC pages */
	memset(fvm, 0, sizeof(*fvm));
	strcpy(fvm->vm.name, "fuzz");
	fvm->vm.nvcpus = FAKE_VM_VCPUS;
	for (unsigned i = 0; i < FAKE_VM_VCPUS; i++) {
		struct vcpu *v = &fvm->vcpu[i];

		v->vm = &fvm->vm;
		v->id = i;
		fvm->vm.vcpus[i] = v;
		vlapic_init(&v->lapic, i);
		fvm->regs[i][REG_CR0] = 0x60000010; /* reset value (CD, NW, ET) */
		fvm->regs[i][REG_PAT] = 0x0007040600070406ULL;
	}
}
