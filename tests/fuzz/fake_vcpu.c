// SPDX-License-Identifier: MIT
/*
 * The fake vCPU of fake_vcpu.h: CR0.PE, EFER.LMA and CS.L/D give the
 * code mode the test asked for (vcpu_code_mode() in vmm/vcpu_mode.c reads them
 * like on a real vCPU), linear = guest-physical, RAM is fake.code at 0, and
 * the VM's buses answer with fake.bus_val.
 */
#include <stdarg.h>
#include <string.h>

#include "arch/x86/tsc.h"
#include "kernel/log.h"
#include "tests/fuzz/fake_vcpu.h"
#include "tests/unit/fake_vcpu_stubs.h"
#include "vmm/bus.h"
#include "vmm/gmem.h"
#include "vmm/gwalk.h"

struct fake_cpu fake;

static void fake_get_seg(struct vcpu_hw *hw, enum vcpu_seg s, struct segment *out)
{
	(void)hw, (void)s;
	memset(out, 0, sizeof(*out));
	out->attr = SEG_ATTR_P | SEG_ATTR_S | 0xb;
	if (fake.mode == 64)
		out->attr |= SEG_ATTR_L;
	else if (fake.mode == 32)
		out->attr |= SEG_ATTR_DB;
}

static const struct vcpu_ops fake_ops = { .get_seg = fake_get_seg };
const struct vcpu_ops *vm_ops = &fake_ops;

u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r)
{
	(void)v;
	switch (r) {
	case REG_CR0:
		return fake.mode == 16 ? 0x10 : 0x80000011; /* real mode: PE=0 */
	case REG_EFER:
		return fake.mode == 64 ? 0xd00 : 0; /* LME, LMA, NXE */
	default:
		return 0; /* RIP 0: the code starts at fake.code[0] */
	}
}

void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	(void)v, (void)r, (void)val; /* RFLAGS after an emulated ALU op */
}

u64 vcpu_gpr(struct vcpu *v, unsigned gpr)
{
	(void)v;
	return gpr < NR_GPRS ? fake.gpr[gpr] : 0;
}

void vcpu_set_gpr(struct vcpu *v, unsigned gpr, u64 val)
{
	(void)v;
	if (gpr < NR_GPRS)
		fake.gpr[gpr] = val;
	fake.gpr_writes++;
	fake.gpr_last = gpr;
}

bool gwalk_translate(struct vcpu *v, u64 lin, enum gwalk_access acc, u64 *gpa)
{
	(void)v;
	if (fake.data_unmapped && acc != GWALK_FETCH)
		return false;
	*gpa = lin;
	return true;
}

/* The instruction fetch's walk (linear = physical). */
bool gwalk_translate_view(struct vcpu *v, const struct vcpu_code_view *cv, u64 lin, u64 *gpa)
{
	(void)cv;
	return gwalk_translate(v, lin, GWALK_FETCH, gpa);
}

FAKE_GWALK_NO_MEMO

/* The checked walk of a string operand: as gwalk_translate(). */
bool gwalk_check(struct vcpu *v, u64 lin, bool write, bool user, u64 *gpa, u32 *pf_error)
{
	*pf_error = user ? GWALK_PF_U : 0;
	return gwalk_translate(v, lin, write ? GWALK_WRITE : GWALK_READ, gpa);
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	(void)v, (void)vector, (void)has_error, (void)error;
	fake.faults++;
}

bool vm_running(const struct vm *vm)
{
	return vm->state == VM_RUNNING;
}

/* No TF in the fake: a REP runs to its end (or its slice's). */
bool exit_rep_step(struct vcpu *v)
{
	(void)v;
	return false;
}

static bool in_ram(u64 gpa, u64 len)
{
	return gpa < fake.code_len && len <= fake.code_len - gpa;
}

FAKE_GMEM(fake.code, in_ram)

u64 tsc_khz(void) { return 0; } /* REP slices end by count only */
void printk(int level, const char *fmt, ...) { (void)level, (void)fmt; }

static u64 mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static bool fake_bus_read(struct vm *vm, struct bus *b, u64 addr, unsigned size, u64 *val)
{
	(void)vm, (void)b;
	fake.bus_reads++;
	fake.bus_addr = addr;
	fake.bus_size = size;
	fake.bad_size |= size < 1 || size > 8;
	*val = fake.bus_val & mask(size);
	return true;
}

static bool fake_bus_write(struct vm *vm, struct bus *b, u64 addr, unsigned size, u64 val)
{
	(void)vm, (void)b;
	fake.bus_writes++;
	fake.bus_addr = addr;
	fake.bus_size = size;
	fake.bad_size |= size < 1 || size > 8;
	fake.bus_written = val;
	return true;
}

void vm_region_access(struct vm *vm, const struct bus_region *r, u64 addr, unsigned size,
		      bool write, u64 *val)
{
	(void)r;
	if (write)
		fake_bus_write(vm, NULL, addr, size, *val);
	else
		fake_bus_read(vm, NULL, addr, size, val);
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	(void)fmt;
	vm->state = VM_STOPPED;
	fake.stopped = true;
}

/* The device page's callbacks: fake_bus_read/write above stand for them. */
static u64 dev_read(void *d, u64 offset, unsigned size)
{
	(void)d, (void)offset, (void)size;
	return 0;
}

static void dev_write(void *d, u64 offset, unsigned size, u64 val)
{
	(void)d, (void)offset, (void)size, (void)val;
}

void fake_cpu_setup(struct vcpu *v, struct vm *vm, int mode)
{
	fake.mode = mode;
	fake.bus_reads = fake.bus_writes = fake.gpr_writes = 0;
	fake.bus_addr = fake.bus_written = 0;
	fake.bus_size = fake.gpr_last = 0;
	fake.stopped = fake.bad_size = fake.data_unmapped = false;
	fake.faults = 0;
	memset(v, 0, sizeof(*v));
	memset(vm, 0, sizeof(*vm));
	strcpy(vm->name, "fuzz");
	vm->state = VM_RUNNING;
	bus_register(&vm->mmio, FAKE_DEV_BASE, PAGE_SIZE, dev_read, dev_write, NULL, "dev");
	v->vm = vm;
}
