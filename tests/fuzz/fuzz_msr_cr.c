// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the MSR policy (vmm/exit_msr.c), the control-
 * register and XSETBV exits (vmm/exit_misc.c) with the real checks of
 * vmm/cpu_policy.c against the guest's CPUID view (vmm/cpuid_view.c and
 * vmm/exit_cpuid.c over the host's CPUID) on a fake vCPU (fake_vm.h), with
 * the real local APIC behind IA32_APIC_BASE and the x2APIC MSRs. Each
 * operation is 12 bytes: kind (RDMSR, WRMSR, MOV to CR, CLTS-style exit,
 * MOV to CR the handler decodes itself, XSETBV), an MSR index or CR number,
 * GPR and CS mode, and a 64-bit value (also the instruction bytes a
 * decoding handler fetches). Indices are drawn from the MSRs the policy
 * names, the x2APIC block and anything else. IA32_TSC_AUX (0xC0000103) is
 * left out: its read runs the real RDMSR, which a host process cannot
 * (wrmsr_safe and xsetbv_safe are fakes that succeed, fake_vm.c).
 *
 * Checks the exit contract: RESUME means an exception was injected,
 * ADVANCE means none was; a read that succeeds returns EDX:EAX with the
 * upper halves clear. With HV_FUZZ_STRICT=1 in the environment it also
 * checks that the state the guest was allowed to write is state a CPU
 * accepts on VM entry (SDM Vol. 3C §26.3.1): canonical FS/GS/KERNEL_GS,
 * LSTAR, CSTAR, SYSENTER_EIP/ESP; PAT entries of valid types; CR0 PG
 * only with PE, NW only with CD; EFER without reserved bits.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fake_vm.h"
#include "vmm/bus.h"
#include "vmm/exit.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"

#define MSR_TSC_AUX_INDEX 0xc0000103u

static const u32 named[] = {
	0x10, 0x1b, 0x3a, 0x8b, 0x174, 0x175, 0x176, 0x1a0, 0x277, 0x6e0,
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0010055, 0x802, 0x808, 0x80b,
	0x80f, 0x830, 0x83f, 0x838, 0x839, 0x83e, 0xc0010000, 0xc0010004, 0x6e1,
	0xc1, 0x186, 0x38f, 0x48, 0x49, 0x10a, 0x4b564d00, 0x4b564d01,
	0x4b564d04,
};

/* exit_misc.c's other exits (never taken here), CLTS's length, and the
 * code at RIP (the operation's value) with the mode CS and EFER give. */
const struct bus_region *bus_find_sorted(const struct bus *b, u64 addr, unsigned size)
{
	(void)b, (void)addr, (void)size;
	return NULL;
}

bool gmem_is_ram(const struct gmem *m, u64 gpa, u64 len)
{
	(void)m, (void)gpa, (void)len;
	return false;
}

/* 64 KiB of guest RAM at 0 for the kvm-clock areas (vmm/pvclock.c). */
static u8 ram[0x10000];

void *gmem_ptr(const struct gmem *m, u64 gpa, u64 len)
{
	(void)m;
	return gpa < sizeof(ram) && len <= sizeof(ram) - gpa ? ram + gpa : NULL;
}

void wallclock_ref(u64 *epoch, u64 *tsc)
{
	*epoch = 1764892800; /* 2025-12-05 */
	*tsc = 0;
}

int insn_length_at_rip(struct vcpu *v) { (void)v; return fvm->insn_len; }

enum exit_action mmio_emulate(struct vcpu *v, u64 gpa)
{
	(void)v, (void)gpa;
	return EXIT_STOP;
}

static u8 code[8];

unsigned vcpu_fetch_code(struct vcpu *v, u8 *buf, unsigned len, int *mode)
{
	(void)v;
	*mode = vcpu_code_mode(v);
	len = MIN(len, (unsigned)sizeof(code));
	memcpy(buf, code, len);
	return len;
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

static bool pat_ok(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static void strict_check(struct vcpu *v)
{
	u64 *r = fvm->regs[v->id];
	u64 cr0 = r[REG_CR0];

	if (!canonical(r[REG_KERNEL_GS_BASE]) || !canonical(r[REG_LSTAR]) ||
	    !canonical(r[REG_CSTAR]) || !canonical(r[REG_SYSENTER_EIP]) ||
	    !canonical(r[REG_SYSENTER_ESP]) || !canonical(fvm->segs[v->id][SEG_FS].base) ||
	    !canonical(fvm->segs[v->id][SEG_GS].base) || !pat_ok(r[REG_PAT]) ||
	    ((cr0 & (1ULL << 31)) && !(cr0 & 1)) ||
	    ((cr0 & (1ULL << 29)) && !(cr0 & (1ULL << 30))) || (cr0 >> 32) ||
	    (r[REG_EFER] & ~0xd01ULL))
		abort();
}

static enum exit_action one(struct vcpu *v, const u8 *p)
{
	struct vm_exit x;
	u64 val;
	u32 sel = p[1] | (u32)p[2] << 8 | (u32)p[3] << 16;

	memcpy(&val, p + 4, 8);
	memset(&x, 0, sizeof(x));
	switch (p[0] & 3) {
	case 0:
	case 1:
		x.code = (p[0] & 1) ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		x.msr.index = (p[0] & 4) ? named[sel % ARRAY_SIZE(named)] :
			      (p[0] & 8) ? 0x800 + (sel & 0xff) : sel | (u32)p[0] << 24;
		if (x.msr.index == MSR_TSC_AUX_INDEX)
			return EXIT_ADVANCE;
		v->hw.gprs[GPR_RAX] = val & 0xffffffff;
		v->hw.gprs[GPR_RDX] = val >> 32;
		if (p[0] & 0x10)
			v->hw.gprs[GPR_RAX] |= 0xdead000000000000ULL; /* upper halves ignored */
		return (p[0] & 1) ? exit_msr_write(v, &x) : exit_msr_read(v, &x);
	default:
		fvm->segs[v->id][SEG_CS].attr = (u16)(0x9b | ((p[3] & 4) ? SEG_ATTR_L : 0) |
						      ((p[3] & 8) ? SEG_ATTR_DB : 0));
		memcpy(code, p + 4, sizeof(code));
		if ((p[0] & 3) == 3 && (p[1] & 0x80)) {
			x.code = EXIT_XSETBV;
			v->hw.gprs[GPR_RCX] = (p[2] & 1) ? p[2] >> 1 : 0;
			v->hw.gprs[GPR_RAX] = val & 0xffffffff;
			v->hw.gprs[GPR_RDX] = val >> 32;
			return exit_xsetbv(v, &x);
		}
		x.code = EXIT_CR_ACCESS;
		x.cr.cr = p[1] & 15;
		x.cr.write = (p[0] & 3) == 2 || (p[1] & 0x10);
		x.cr.gpr = (p[1] & 0x20) ? 0xff : (p[1] & 0x40) ? CR_GPR_DECODE : p[2] % NR_GPRS;
		fvm->insn_len = p[3] & 3 ? 2 : 3;
		if (x.cr.gpr < NR_GPRS)
			v->hw.gprs[x.cr.gpr] = val;
		return exit_cr_access(v, &x);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	bool strict = getenv("HV_FUZZ_STRICT") != NULL;

	fake_vm_reset();
	for (size_t off = 0; off + 12 <= size; off += 12) {
		struct vcpu *v = &fvm->vcpu[data[off] >> 6 < FAKE_VM_VCPUS ? data[off] >> 6 : 0];
		unsigned before = fvm->injected, stops = fvm->stops;
		enum exit_action act;

		fvm->current = v->id;
		act = one(v, data + off);
		if ((act == EXIT_RESUME) != (fvm->injected != before) ||
		    (act == EXIT_STOP) != (fvm->stops != stops))
			abort();
		if (act == EXIT_ADVANCE && (data[off] & 3) == 0 &&
		    ((v->hw.gprs[GPR_RAX] | v->hw.gprs[GPR_RDX]) >> 32))
			abort();
		if (strict)
			strict_check(v);
	}
	return 0;
}
