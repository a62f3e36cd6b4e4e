// SPDX-License-Identifier: MIT
/*
 * Port I/O exits: IN/OUT go to the VM's PIO bus. A port nobody registered
 * reads all-ones and swallows writes, like an empty ISA bus; such accesses
 * are counted, not fatal. IN to EAX zero-extends into RAX (SDM Vol. 1
 * §3.4.1.1); 8- and 16-bit INs leave the rest of RAX alone.
 *
 * String forms (INS/OUTS, SDM Vol. 2B) move between the port and guest
 * memory at ES:rDI (INS) or seg:rSI (OUTS, DS unless overridden), stepping
 * by the element size backwards when RFLAGS.DF is set; with REP, rCX
 * counts down. The memory operand may be RAM, a device or nothing
 * (mmio_mem_access(): all-ones, writes dropped, like any access there).
 * A long REP is done in slices so the host stays responsive: the
 * instruction is re-entered until rCX reaches zero (slices bounded in
 * elements and in host time: mmio_slice_over()).
 */
#include "arch/x86/cpu.h"
#include "vmm/exit.h"
#include "vmm/gwalk.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define RFLAGS_DF (1ULL << 10)
#define VEC_GP 13

static u64 mask_of(unsigned bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

/* Guest memory access at seg:offset (offset already masked). */
static bool string_mem(struct vcpu *v, unsigned seg, u64 off, u64 *buf,
		       unsigned size, bool write)
{
	struct segment s;
	u64 gpa;

	vm_ops->get_seg(&v->hw, seg, &s);
	if (!gwalk_translate(v, (vcpu_code_mode(v) == 64 && seg < SEG_FS ? 0 : s.base) + off,
			     write ? GWALK_WRITE : GWALK_READ, &gpa))
		return false;
	return mmio_mem_access(v, gpa, size, write, buf);
}

/* Move one element; false when guest memory is not there. */
static bool string_step(struct vcpu *v, const struct vm_exit *x, const struct insn *in)
{
	unsigned reg = x->io.in ? GPR_RDI : GPR_RSI;
	u64 amask = mask_of(in->addrsize), ptr = v->hw.gprs[reg], val = 0;
	s64 step = (vcpu_reg(v, REG_RFLAGS) & RFLAGS_DF) ? -(s64)x->io.size : x->io.size;

	if (x->io.in) {
		if (!vm_bus_read(v->vm, &v->vm->pio, x->io.port, x->io.size, &val))
			v->pio_unclaimed++;
		if (!string_mem(v, SEG_ES, ptr & amask, &val, x->io.size, true))
			return false;
	} else {
		if (!string_mem(v, in->seg, ptr & amask, &val, x->io.size, false))
			return false;
		if (!vm_bus_write(v->vm, &v->vm->pio, x->io.port, x->io.size, val))
			v->pio_unclaimed++;
	}
	v->hw.gprs[reg] = (ptr & ~amask) | ((ptr + step) & amask);
	return true;
}

static enum exit_action string_io(struct vcpu *v, const struct vm_exit *x)
{
	u8 buf[INSN_MAX];
	struct insn in;
	u64 amask, t0 = rdtsc();

	if (!insn_decode(buf, vcpu_fetch(v, buf, sizeof(buf)), vcpu_code_mode(v), &in)) {
		vm_stop(v->vm, "undecodable-instruction vcpu %u rip 0x%llx", v->id,
			(unsigned long long)vcpu_reg(v, REG_RIP));
		return EXIT_STOP;
	}
	v->hw.exit.insn_len = in.len;
	amask = mask_of(in.addrsize);
	for (unsigned n = 0; !in.rep || (v->hw.gprs[GPR_RCX] & amask); n++) {
		if (in.rep && mmio_slice_over(n, t0))
			return EXIT_RESUME; /* continue after a look at the host */
		if (!string_step(v, x, &in)) {
			if (!vm_running(v->vm))
				return EXIT_STOP; /* stopped by the access */
			vcpu_inject_exception(v, VEC_GP, true, 0);
			return EXIT_RESUME;
		}
		if (!in.rep)
			break;
		v->hw.gprs[GPR_RCX] = (v->hw.gprs[GPR_RCX] & ~amask) |
				      ((v->hw.gprs[GPR_RCX] - 1) & amask);
	}
	return EXIT_ADVANCE;
}

enum exit_action exit_io(struct vcpu *v, const struct vm_exit *x)
{
	u64 mask = mask_of(x->io.size);
	u64 rax = v->hw.gprs[GPR_RAX], val;

	if (x->io.string)
		return string_io(v, x);
	if (x->io.in) {
		if (!vm_bus_read(v->vm, &v->vm->pio, x->io.port, x->io.size, &val))
			v->pio_unclaimed++;
		v->hw.gprs[GPR_RAX] = x->io.size == 4 ? (val & mask) : (rax & ~mask) | (val & mask);
	} else if (!vm_bus_write(v->vm, &v->vm->pio, x->io.port, x->io.size, rax & mask)) {
		v->pio_unclaimed++;
	}
	return EXIT_ADVANCE;
}
