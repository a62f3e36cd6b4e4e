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
 * elements and in host time: mmio_slice_over()). The I/O exit comes
 * before the memory operand is touched, so its checks are the
 * emulation's: segment and canonical violations raise #GP (#SS for SS),
 * paging ones #PF with the CPU's error code and CR2 (gwalk_check()).
 */
#include "arch/x86/cpu.h"
#include "vmm/cpu_policy.h"
#include "vmm/exit.h"
#include "vmm/gwalk.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define RFLAGS_DF (1ULL << 10)
#define CR4_LA57 (1ULL << 12)
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define SEG_TYPE_CODE 8u
#define SEG_TYPE_EXPDOWN_OR_READ 4u /* data: expand-down; code: conforming */
#define SEG_TYPE_WRITABLE 2u        /* data: writable; code: readable */

static u64 mask_of(unsigned bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

/* The fault an element access raises (vector 0: none). */
struct io_fault {
	u8 vector;
	u32 error;
	u64 cr2;
};

/*
 * Segment checks of a memory operand outside 64-bit mode (SDM Vol. 3A
 * §5.3, §5.4.1): in protected mode an unusable (null) segment, a write to
 * code or read-only data, a read of execute-only code; in any mode the
 * limit (an expand-down segment holds the offsets above its limit, up to
 * 0xffff or 0xffffffff by its B flag).
 */
static bool segment_allows(struct vcpu *v, const struct segment *s, u64 off,
			   unsigned size, bool write)
{
	u32 type = s->attr & 0xf;
	u64 last = off + size - 1;

	if (vcpu_reg(v, REG_CR0) & CR0_PE) {
		if (!(s->attr & SEG_ATTR_P))
			return false;
		if ((type & SEG_TYPE_CODE) ? (write || !(type & SEG_TYPE_WRITABLE))
					   : (write && !(type & SEG_TYPE_WRITABLE)))
			return false;
		if (!(type & SEG_TYPE_CODE) && (type & SEG_TYPE_EXPDOWN_OR_READ))
			return off > s->limit &&
			       last <= ((s->attr & SEG_ATTR_DB) ? 0xffffffffULL : 0xffffULL);
	}
	return last <= s->limit;
}

/*
 * seg:off to a linear address, or the fault: #GP(0) (#SS(0) for SS) for
 * a segment violation or, in 64-bit mode, a non-canonical address
 * (§5.3.1, Vol. 1 §3.3.7.1).
 */
static bool string_linear(struct vcpu *v, unsigned seg, u64 off, unsigned size, bool write,
			  u64 *lin, struct io_fault *f)
{
	struct segment s;

	vm_ops->get_seg(&v->hw, seg, &s);
	if (vcpu_code_mode(v) == 64) {
		*lin = (seg < SEG_FS ? 0 : s.base) + off;
		if (policy_canonical(*lin, (vcpu_reg(v, REG_CR4) & CR4_LA57) ? 57 : 48) &&
		    policy_canonical(*lin + size - 1, (vcpu_reg(v, REG_CR4) & CR4_LA57) ? 57 : 48))
			return true;
	} else if (segment_allows(v, &s, off, size, write)) {
		*lin = (s.base + off) & 0xffffffffULL;
		return true;
	}
	*f = (struct io_fault){ seg == SEG_SS ? VEC_SS : VEC_GP, 0, 0 };
	return false;
}

/* The guest-physical addresses of the element's bytes (two parts when it
 * crosses a page), or the #PF the CPU raises: CR2 is the first byte of
 * the page that failed (Vol. 3A §4.7). */
static bool string_gpa(struct vcpu *v, u64 lin, unsigned size, bool write, u64 gpa[2],
		       unsigned *lo, struct io_fault *f)
{
	struct segment ss;
	bool user;
	u32 err;

	vm_ops->get_seg(&v->hw, SEG_SS, &ss);
	user = ((ss.attr >> 5) & 3) == 3;
	*lo = MIN(size, PAGE_SIZE - (unsigned)(lin & (PAGE_SIZE - 1)));
	if (!gwalk_check(v, lin, write, user, &gpa[0], &err)) {
		*f = (struct io_fault){ VEC_PF, err, lin };
		return false;
	}
	if (*lo < size && !gwalk_check(v, lin + *lo, write, user, &gpa[1], &err)) {
		*f = (struct io_fault){ VEC_PF, err, lin + *lo };
		return false;
	}
	return true;
}

/* Guest memory access at seg:offset (offset already masked): false with
 * @f set when it faults, false with @f clear when the guest was stopped. */
static bool string_mem(struct vcpu *v, unsigned seg, u64 off, u64 *buf, unsigned size,
		       bool write, bool (*io)(struct vcpu *, const struct vm_exit *, u64 *),
		       const struct vm_exit *x, struct io_fault *f)
{
	u64 lin, gpa[2], hi;
	unsigned lo;

	*f = (struct io_fault){ 0, 0, 0 };
	if (!string_linear(v, seg, off, size, write, &lin, f) ||
	    !string_gpa(v, lin, size, write, gpa, &lo, f))
		return false;
	if (io)
		io(v, x, buf); /* INS: the port is read once the operand is known good */
	if (lo == size)
		return mmio_mem_access(v, gpa[0], size, write, buf);
	hi = *buf >> (8 * lo);
	if (!mmio_mem_access(v, gpa[0], lo, write, buf) ||
	    !mmio_mem_access(v, gpa[1], size - lo, write, &hi))
		return false;
	*buf = (*buf & mask_of(lo)) | (hi << (8 * lo));
	return true;
}

static bool port_in(struct vcpu *v, const struct vm_exit *x, u64 *val)
{
	*val = 0;
	if (!vm_bus_read(v->vm, &v->vm->pio, x->io.port, x->io.size, val))
		v->pio_unclaimed++;
	return true;
}

/* Move one element; false when it faulted (@f) or the guest stopped. */
static bool string_step(struct vcpu *v, const struct vm_exit *x, const struct insn *in,
			struct io_fault *f)
{
	unsigned reg = x->io.in ? GPR_RDI : GPR_RSI;
	u64 amask = mask_of(in->addrsize), ptr = v->hw.gprs[reg], val = 0;
	s64 step = (vcpu_reg(v, REG_RFLAGS) & RFLAGS_DF) ? -(s64)x->io.size : x->io.size;

	if (x->io.in) {
		if (!string_mem(v, SEG_ES, ptr & amask, &val, x->io.size, true, port_in, x, f))
			return false;
	} else {
		if (!string_mem(v, in->seg, ptr & amask, &val, x->io.size, false, NULL, x, f))
			return false;
		if (!vm_bus_write(v->vm, &v->vm->pio, x->io.port, x->io.size, val))
			v->pio_unclaimed++;
	}
	v->hw.gprs[reg] = (ptr & ~amask) | ((ptr + step) & amask);
	return true;
}

static void raise_fault(struct vcpu *v, const struct io_fault *f)
{
	if (f->vector == VEC_PF)
		vcpu_set_reg(v, REG_CR2, f->cr2);
	vcpu_inject_exception(v, f->vector, true, f->error);
}

/*
 * An element that faults leaves rCX and the pointers at the elements
 * done, RIP at the instruction (SDM Vol. 2B REP: the instruction restarts
 * after the handler). With RFLAGS.TF a REP takes its single-step trap
 * after each iteration, RIP still at the instruction while rCX is not 0
 * (Vol. 3B §18.3.1.4): exit_rep_step() delivers it.
 */
static enum exit_action string_io(struct vcpu *v, const struct vm_exit *x)
{
	u8 buf[INSN_MAX];
	struct insn in;
	struct io_fault f;
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
		if (!string_step(v, x, &in, &f)) {
			if (!f.vector)
				return EXIT_STOP; /* stopped by the access */
			raise_fault(v, &f);
			return EXIT_RESUME;
		}
		if (!in.rep)
			break;
		v->hw.gprs[GPR_RCX] = (v->hw.gprs[GPR_RCX] & ~amask) |
				      ((v->hw.gprs[GPR_RCX] - 1) & amask);
		if ((v->hw.gprs[GPR_RCX] & amask) && exit_rep_step(v))
			return EXIT_RESUME;
	}
	return EXIT_ADVANCE;
}

enum exit_action exit_io(struct vcpu *v, const struct vm_exit *x)
{
	u64 mask = 0xffffffffULL >> (32 - 8 * x->io.size); /* size 1, 2 or 4 */
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
