// SPDX-License-Identifier: MIT
/*
 * MMIO instruction emulation (mmio.h). Supported: MOV r/m,r (88/89), MOV
 * r,r/m (8A/8B), MOV r/m,imm (C6/C7), MOV with a moffs (A0-A3), MOVZX
 * (0F B6/B7) and MOVSX (0F BE/BF) — what compilers emit for volatile
 * device accesses — and MOVS/STOS (A4/A5/AA/AB, with REP), what memcpy
 * and memset emit for a frame buffer. Register writes follow SDM Vol. 1
 * §3.4.1.1: a 32-bit destination zero-extends, 8- and 16-bit ones merge;
 * without REX, byte registers 4-7 are AH, CH, DH, BH. Anything else
 * (XCHG, CMPXCHG, ADD, ... on a device) stops the guest, naming the bytes.
 *
 * Where an access of @size bytes at a guest-physical address goes:
 * - inside one device region: to that device model;
 * - wholly outside every region and outside RAM: nobody claims it, and
 *   the PC's master abort answers: reads give all-ones, writes are
 *   dropped; counted per VM, the first MMIO_LOG_FIRST of them logged;
 * - across a region's edge (device and nothing, two devices, device or
 *   nothing and RAM): the guest is stopped ("mmio-straddle"), except for
 *   an access split by a page boundary between RAM and nothing: the CPU
 *   does that as two accesses, and so does the emulation (the fault names
 *   only the page that faulted: the operand's address says where the
 *   access starts, mmio_operand.h). Hardware
 *   splits such an access into bus cycles whose meaning each device
 *   decides on its own (the LAPIC and I/O APIC leave unaligned accesses
 *   undefined, SDM Vol. 3A §10.4.1); no guest does it on purpose.
 * A long REP string instruction is done in slices (mmio_slice_over()),
 * re-entering the guest in between, so a huge rCX never holds the CPU.
 *
 * The exit path: the instruction decoded last stays in the vCPU's
 * mmio_memo with its classified access, reused while RIP, the code mode
 * and the bytes at RIP are the same (a driver touches its registers from
 * a few places); the region hit last is tried first (bus_find_hinted);
 * a lockless region (the local APIC) is called straight from here.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "vmm/alu.h"
#include "vmm/code_fetch.h"
#include "vmm/gwalk.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"
#include "vmm/mmio_operand.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static u64 size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static unsigned reg_index(const struct insn *in)
{
	return ((in->modrm >> 3) & 7) | ((in->rex & 4) ? 8 : 0);
}

static u64 read_gpr(struct vcpu *v, unsigned r, unsigned size, bool rex)
{
	if (size == 1 && !rex && r >= 4 && r < 8)
		return (vcpu_gpr(v, r - 4) >> 8) & 0xff; /* AH..BH */
	return vcpu_gpr(v, r) & size_mask(size);
}

static void write_gpr_slow(struct vcpu *v, unsigned r, unsigned size, bool rex, u64 val)
{
	u64 old;

	if (size == 1 && !rex && r >= 4 && r < 8) {
		old = vcpu_gpr(v, r - 4);
		vcpu_set_gpr(v, r - 4, (old & ~0xff00ULL) | ((val & 0xff) << 8));
		return;
	}
	old = vcpu_gpr(v, r);
	vcpu_set_gpr(v, r, (old & ~size_mask(size)) | (val & size_mask(size)));
}

/* A 32- or 64-bit load (the usual MMIO read) straight to the register. */
static inline void write_gpr(struct vcpu *v, unsigned r, unsigned size, bool rex, u64 val)
{
	if (size >= 4)
		vcpu_set_gpr(v, r, val & size_mask(size));
	else
		write_gpr_slow(v, r, size, rex, val);
}

static u64 sign_extend(u64 val, unsigned from)
{
	u64 bit = 1ULL << (from * 8 - 1);

	return ((val & size_mask(from)) ^ bit) - bit;
}

/* Map the decoded instruction to the access it performs. */
static bool classify(const struct insn *in, struct mmio_access *a)
{
	u8 op = in->opcode;
	unsigned osz = in->opsize;

	*a = (struct mmio_access){ .reg = (u8)reg_index(in), .dsize = (u8)osz };
	if (in->has_modrm && (in->modrm >> 6) == 3)
		return false; /* register operands only: no memory access */
	if (in->two_byte) {
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return false;
		a->size = (op & 1) ? 2 : 1;
		a->ext = op >= 0xbe ? 2 : 1;
		return true;
	}
	switch (op) {
	case 0x88: case 0x8a: case 0xc6: case 0xa0: case 0xa2:
		a->size = a->dsize = 1;
		break;
	case 0x89: case 0x8b: case 0xc7: case 0xa1: case 0xa3:
		a->size = (u8)osz;
		break;
	default:
		return false;
	}
	a->write = op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7 ||
		   op == 0xa2 || op == 0xa3;
	a->imm = op == 0xc6 || op == 0xc7;
	if (op >= 0xa0)
		a->reg = GPR_RAX;
	return true;
}

static u64 store_value(struct vcpu *v, const struct insn *in, const struct mmio_access *a)
{
	if (!a->imm)
		return read_gpr(v, a->reg, a->size, in->rex);
	/* C7 with a 64-bit operand takes a sign-extended imm32. */
	return a->size == 8 ? sign_extend(in->imm, 4) : in->imm & size_mask(a->size);
}

#define MMIO_LOG_FIRST 4
#define RFLAGS_DF (1ULL << 10)

/* Unclaimed accesses per VM id: (a) any vCPU of the VM. */
static u64 unclaimed[VM_MAX];

static void note_unclaimed(struct vcpu *v, u64 gpa, unsigned size, bool write)
{
	u64 n;

	if (v->vm->id >= VM_MAX)
		return;
	n = __atomic_fetch_add(&unclaimed[v->vm->id], 1, __ATOMIC_RELAXED);
	if (n < MMIO_LOG_FIRST)
		printk(LOG_INFO, "guest %s unclaimed-mmio %s gpa 0x%llx size %u vcpu %u rip 0x%llx",
		       v->vm->name, write ? "write" : "read", (unsigned long long)gpa, size,
		       v->id, (unsigned long long)vcpu_reg(v, REG_RIP));
}

void mmio_stats_log(const struct vm *vm)
{
	u64 n = vm->id < VM_MAX ? __atomic_load_n(&unclaimed[vm->id], __ATOMIC_RELAXED) : 0;

	if (n)
		printk(LOG_INFO, "guest %s unclaimed-mmio %llu", vm->name, (unsigned long long)n);
}

/* Is any byte of [gpa, gpa+size) RAM? */
static bool touches_ram(const struct gmem *m, u64 gpa, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		if (gmem_is_ram(m, gpa + i, 1))
			return true;
	return false;
}

/* mmio_access() for all but a lockless region's hit; @hit is
 * bus_find()'s answer. */
static bool mmio_access_bus(struct vcpu *v, const struct bus_region *hit, u64 gpa, unsigned size,
			    bool write, u64 *val)
{
	struct vm *vm = v->vm;
	const struct bus_region *r = NULL;

	/* inside one region that decodes it (the common case), else whatever
	 * it overlaps: a region's edge, or RAM */
	if (!hit && ((r = bus_overlap(&vm->mmio, gpa, size)) || touches_ram(&vm->mem, gpa, size))) {
		vm_stop(vm, "mmio-straddle gpa 0x%llx size %u %s %s vcpu %u rip 0x%llx",
			(unsigned long long)gpa, size, write ? "write" : "read",
			r ? r->name : "ram", v->id, (unsigned long long)vcpu_reg(v, REG_RIP));
		return false;
	}
	if (!hit) {
		note_unclaimed(v, gpa, size, write);
		if (!write)
			*val = bus_all_ones(size);
		return true;
	}
	vm_region_access(vm, hit, gpa, size, write, val); /* the buses are constant: found once */
	return true;
}

/* One access outside RAM (see the top of the file); false when the guest
 * was stopped. A hit on a lockless region (the local APIC) is served
 * inline: the usual MMIO exit of an xAPIC guest. */
static inline __attribute__((always_inline)) bool mmio_access(struct vcpu *v, u64 gpa,
							       unsigned size, bool write, u64 *val)
{
	const struct bus_region *hit = bus_find_hinted(&v->vm->mmio, gpa, size, &v->mmio_hint);

	if (!hit || !hit->lockless)
		return mmio_access_bus(v, hit, gpa, size, write, val);
	vm_region_access_inline(v->vm, hit, gpa, size, write, val); /* no lock taken */
	return true;
}

bool mmio_mem_access(struct vcpu *v, u64 gpa, unsigned size, bool write, u64 *val)
{
	if (!gmem_is_ram(&v->vm->mem, gpa, size))
		return mmio_access(v, gpa, size, write, val);
	if (write)
		return gmem_write(&v->vm->mem, gpa, val, size);
	*val = 0;
	return gmem_read(&v->vm->mem, gpa, val, size);
}

/* "bytes 8b 05 ..." for the @n fetched bytes, or "no bytes". */
static void format_bytes(char *out, size_t len, const u8 *buf, unsigned n)
{
	int k = snprintf(out, len, n ? "bytes" : "no bytes");

	for (unsigned i = 0; i < n && i < 8 && k < (int)len; i++)
		k += snprintf(out + k, len - k, " %02x", buf[i]);
}

static void stop_unsupported(struct vcpu *v, u64 gpa, const u8 *buf, unsigned n,
			     const char *why)
{
	char bytes[32];

	format_bytes(bytes, sizeof(bytes), buf, n);
	vm_stop(v->vm, "unsupported-mmio-instruction gpa 0x%llx vcpu %u rip 0x%llx %s%s",
		(unsigned long long)gpa, v->id, (unsigned long long)vcpu_reg(v, REG_RIP),
		bytes, why);
}

#define VEC_PF 14

/*
 * seg:off of a string operand to guest-physical; the element must not
 * cross a page. False when it cannot be done: the guest's page walk
 * refuses the other operand (the one in RAM, which the CPU had not
 * reached): #PF with its error code and CR2 is queued for the guest, as
 * the CPU raises it (SDM Vol. 3A §4.7); else the guest is stopped.
 */
static bool string_gpa(struct vcpu *v, unsigned seg, u64 off, unsigned size, bool write,
		       u64 *gpa)
{
	struct segment s, ss;
	u64 lin;
	u32 err;

	vm_ops->get_seg(&v->hw, seg, &s);
	vm_ops->get_seg(&v->hw, SEG_SS, &ss);
	lin = (vcpu_code_mode(v) == 64 && seg < SEG_FS ? 0 : s.base) + off;
	if ((lin & (PAGE_SIZE - 1)) + size <= PAGE_SIZE) {
		if (gwalk_check(v, lin, write, ((ss.attr >> 5) & 3) == 3, gpa, &err))
			return true;
		vcpu_set_reg(v, REG_CR2, lin);
		vcpu_inject_exception(v, VEC_PF, true, err);
		return false;
	}
	vm_stop(v->vm, "unsupported-mmio-instruction vcpu %u rip 0x%llx string operand "
		"0x%llx across a page", v->id,
		(unsigned long long)vcpu_reg(v, REG_RIP), (unsigned long long)lin);
	return false;
}

static u64 step_ptr(u64 ptr, u64 amask, s64 step)
{
	return (ptr & ~amask) | ((ptr + (u64)step) & amask);
}

/* One element of MOVS (A4/A5) or STOS (AA/AB), SDM Vol. 2B: from seg:rSI
 * (DS unless overridden) or AL/AX/EAX/RAX to ES:rDI, stepping backwards
 * when RFLAGS.DF is set. False when the guest was stopped or a fault is
 * queued for it (rCX and the pointers then count the elements done). */
static bool string_step(struct vcpu *v, const struct insn *in, unsigned size)
{
	u64 amask = size_mask(in->addrsize), rsi = vcpu_gpr(v, GPR_RSI);
	u64 rdi = vcpu_gpr(v, GPR_RDI), val = vcpu_gpr(v, GPR_RAX) & size_mask(size), gpa;
	s64 step = (vcpu_reg(v, REG_RFLAGS) & RFLAGS_DF) ? -(s64)size : (s64)size;
	bool movs = in->opcode == 0xa4 || in->opcode == 0xa5;

	if (movs && (!string_gpa(v, in->seg, rsi & amask, size, false, &gpa) ||
		     !mmio_mem_access(v, gpa, size, false, &val)))
		return false;
	if (!string_gpa(v, SEG_ES, rdi & amask, size, true, &gpa) ||
	    !mmio_mem_access(v, gpa, size, true, &val))
		return false;
	vcpu_set_gpr(v, GPR_RDI, step_ptr(rdi, amask, step));
	if (movs)
		vcpu_set_gpr(v, GPR_RSI, step_ptr(rsi, amask, step));
	return true;
}

bool mmio_slice_over(unsigned n, u64 start_tsc)
{
	u64 khz;

	if (n >= MMIO_SLICE_MAX)
		return true;
	if (!n || n % 64)
		return false;
	khz = tsc_khz();
	return khz && rdtsc() - start_tsc > khz * MMIO_SLICE_US / 1000;
}

static bool is_string(const struct insn *in)
{
	return !in->two_byte && (in->opcode == 0xa4 || in->opcode == 0xa5 ||
				 in->opcode == 0xaa || in->opcode == 0xab);
}

/* MOVS/STOS, REP in slices: rCX counts down; EXIT_RESUME re-enters the
 * unfinished instruction (an interrupt may come first, as on hardware). */
static enum exit_action mmio_string(struct vcpu *v, const struct insn *in)
{
	unsigned size = (in->opcode & 1) ? in->opsize : 1;
	u64 amask = size_mask(in->addrsize), rcx, t0 = rdtsc();

	for (unsigned n = 0; !in->rep || (vcpu_gpr(v, GPR_RCX) & amask); n++) {
		if (in->rep && mmio_slice_over(n, t0))
			return EXIT_RESUME;
		if (!string_step(v, in, size))
			return vm_running(v->vm) ? EXIT_RESUME : EXIT_STOP; /* #PF queued */
		if (!in->rep)
			break;
		rcx = vcpu_gpr(v, GPR_RCX);
		vcpu_set_gpr(v, GPR_RCX, step_ptr(rcx, amask, -1));
		if ((vcpu_gpr(v, GPR_RCX) & amask) && exit_rep_step(v))
			return EXIT_RESUME; /* TF: a trap after each iteration */
	}
	v->hw.exit.insn_len = in->len;
	return EXIT_ADVANCE;
}

/*
 * A MOV-family access at linear @lin that crosses into the next page: the
 * two parts, each RAM or nothing, are done apart as the CPU does them. A
 * device in either part stops the guest. False when the guest stopped.
 */
static bool split_access(struct vcpu *v, u64 gpa, u64 lin, unsigned size, bool write,
			 u64 *val)
{
	unsigned lo = PAGE_SIZE - (unsigned)(lin & (PAGE_SIZE - 1));
	enum gwalk_access acc = write ? GWALK_WRITE : GWALK_READ;
	const struct bus_region *r = NULL;
	u64 glo, ghi, vlo = *val & size_mask(lo), vhi = *val >> (8 * lo);

	if (!gwalk_translate(v, lin, acc, &glo) || !gwalk_translate(v, lin + lo, acc, &ghi))
		return mmio_access(v, gpa, size, write, val); /* cannot be: it faulted */
	if ((r = bus_overlap(&v->vm->mmio, glo, lo)) || (r = bus_overlap(&v->vm->mmio, ghi, size - lo))) {
		vm_stop(v->vm, "mmio-straddle gpa 0x%llx size %u %s %s vcpu %u rip 0x%llx",
			(unsigned long long)glo, size, write ? "write" : "read", r->name, v->id,
			(unsigned long long)vcpu_reg(v, REG_RIP));
		return false;
	}
	if (!mmio_mem_access(v, glo, lo, write, &vlo) ||
	    !mmio_mem_access(v, ghi, size - lo, write, &vhi))
		return false;
	*val = (vlo & size_mask(lo)) | (vhi << (8 * lo));
	return true;
}

/*
 * The data access of a MOV-family instruction that faulted at @gpa. Only an
 * access that crosses a page needs the operand's linear address: one that
 * faults in its first page shows it in @gpa's offset (offset + size past
 * the page), one that faults in its second page faults at that page's
 * first byte. So an access at a non-zero offset that ends in its page (a
 * device register, nearly always) skips the address computation.
 */
static inline __attribute__((always_inline)) bool mov_access(struct vcpu *v, u64 gpa,
							      const u8 *buf, unsigned n,
							      const struct insn *in,
							      unsigned size, bool write, u64 *val)
{
	unsigned off = (unsigned)(gpa & (PAGE_SIZE - 1));
	u64 lin;

	if (off && off + size <= PAGE_SIZE)
		return mmio_access(v, gpa, size, write, val);
	if (mmio_operand_linear(v, buf, n, in->mode, in, &lin) &&
	    (lin & (PAGE_SIZE - 1)) + size > PAGE_SIZE)
		return split_access(v, gpa, lin, size, write, val);
	return mmio_access(v, gpa, size, write, val);
}

/* Read-modify-write and ALU instructions on memory (see the top). */
enum rmw_kind { RMW_ALU, RMW_XCHG, RMW_XADD, RMW_CMPXCHG };

struct rmw {
	enum rmw_kind kind;
	enum alu_op op;
	unsigned size;
	bool imm;    /* second operand: the immediate, not ModRM.reg */
	bool to_reg; /* ModRM.reg op= memory (02/03, 0A/0B, ...) */
	bool store;  /* memory is written */
	u64 b;       /* the immediate, sign-extended */
};

/* Group-1 and other immediates: imm8 sign-extends (83, 80), imm32 with a
 * 64-bit operand too (81, F7). */
static u64 rmw_imm(const struct insn *in, unsigned size, unsigned imm_bytes)
{
	return sign_extend(in->imm, MIN(imm_bytes, 4u)) & size_mask(size);
}

/* Opcodes 00-3B (ALU r/m,r and r,r/m), 80/81/83 (ALU r/m,imm), 84/85
 * (TEST), 86/87 (XCHG), F6/F7 /0-/3 (TEST imm, NOT, NEG), FE/FF /0-/1
 * (INC, DEC); 0F B0/B1 (CMPXCHG), 0F C0/C1 (XADD). */
static bool rmw_classify(const struct insn *in, struct rmw *r)
{
	u8 op = in->opcode, ext = (in->modrm >> 3) & 7;

	*r = (struct rmw){ RMW_ALU, ALU_ADD, (op & 1) ? in->opsize : 1, false, false, true, 0 };
	if (!in->has_modrm || (in->modrm >> 6) == 3)
		return false;
	if (in->two_byte) {
		r->kind = (op & ~1) == 0xb0 ? RMW_CMPXCHG : RMW_XADD;
		return (op & ~1) == 0xb0 || (op & ~1) == 0xc0;
	}
	if (op <= 0x3b && (op & 7) < 4) {
		r->op = (enum alu_op)(op >> 3);
		r->to_reg = op & 2;
	} else if (op == 0x80 || op == 0x81 || op == 0x83) {
		r->size = op == 0x80 ? 1 : in->opsize;
		r->op = (enum alu_op)ext;
		r->imm = true;
		r->b = rmw_imm(in, r->size, op == 0x81 ? r->size : 1);
	} else if (op == 0x84 || op == 0x85) {
		r->op = ALU_TEST;
	} else if (op == 0x86 || op == 0x87) {
		r->kind = RMW_XCHG;
	} else if ((op == 0xf6 || op == 0xf7) && ext != 1 && ext < 4) {
		static const enum alu_op grp3[] = { ALU_TEST, ALU_TEST, ALU_NOT, ALU_NEG };

		r->op = grp3[ext];
		r->imm = ext == 0;
		r->b = rmw_imm(in, r->size, r->size);
	} else if ((op == 0xfe || op == 0xff) && ext < 2) {
		r->op = ext ? ALU_DEC : ALU_INC;
	} else {
		return false;
	}
	r->store = !r->to_reg && r->op != ALU_CMP && r->op != ALU_TEST;
	return true;
}

/* The memory operand's new value, and the register's (*reg, written back
 * when *reg_out) and flags (*fl); @mem is the value read. */
static u64 rmw_compute(struct vcpu *v, const struct insn *in, const struct rmw *r, u64 mem,
		       u64 *reg, bool *reg_out, u64 *fl)
{
	u64 res;

	*reg_out = false;
	switch (r->kind) {
	case RMW_XCHG:
		res = *reg, *reg = mem, *reg_out = true;
		return res;
	case RMW_XADD:
		res = alu_compute(ALU_ADD, mem, *reg, r->size, fl);
		*reg = mem, *reg_out = true;
		return res;
	case RMW_CMPXCHG: /* a failed compare writes the old value back */
		alu_compute(ALU_CMP, read_gpr(v, GPR_RAX, r->size, in->rex), mem, r->size, fl);
		return (*fl & ALU_ZF) ? *reg : mem;
	default:
		break;
	}
	if (r->to_reg) {
		res = alu_compute(r->op, *reg, mem, r->size, fl);
		*reg_out = r->op != ALU_CMP;
		*reg = res;
		return mem;
	}
	return alu_compute(r->op, mem, r->imm ? r->b : *reg, r->size, fl);
}

static enum exit_action mmio_rmw(struct vcpu *v, u64 gpa, const u8 *buf, unsigned n,
				 const struct insn *in, const struct rmw *r)
{
	u64 mem, res, reg = read_gpr(v, reg_index(in), r->size, in->rex);
	u64 fl = vcpu_reg(v, REG_RFLAGS);
	bool reg_out;

	if (bus_overlap(&v->vm->mmio, gpa, r->size)) {
		stop_unsupported(v, gpa, buf, n, "");
		return EXIT_STOP;
	}
	if (!mov_access(v, gpa, buf, n, in, r->size, false, &mem))
		return EXIT_STOP;
	res = rmw_compute(v, in, r, mem, &reg, &reg_out, &fl);
	if (r->store && !mov_access(v, gpa, buf, n, in, r->size, true, &res))
		return EXIT_STOP;
	if (reg_out)
		write_gpr(v, reg_index(in), r->size, in->rex, reg);
	if (r->kind == RMW_CMPXCHG && !(fl & ALU_ZF))
		write_gpr(v, GPR_RAX, r->size, in->rex, mem);
	vcpu_set_reg(v, REG_RFLAGS, fl);
	v->hw.exit.insn_len = in->len;
	return EXIT_ADVANCE;
}

typedef u32 __attribute__((aligned(1), may_alias)) u32_unaligned;
typedef u16 __attribute__((aligned(1), may_alias)) u16_unaligned;

/* Are the @n bytes at @p those of @m? Four at a time, then two, then one
 * (the guest may be writing @p: each byte is read once). */
static inline bool same_bytes(const u8 *p, const u8 *m, unsigned n)
{
	unsigned i = 0;

	for (; i + 4 <= n; i += 4)
		if (*(const u32_unaligned *)(p + i) != *(const u32_unaligned *)(m + i))
			return false;
	if (i + 2 <= n) {
		if (*(const u16_unaligned *)(p + i) != *(const u16_unaligned *)(m + i))
			return false;
		i += 2;
	}
	return i == n || p[i] == m[i];
}

/*
 * The instruction at RIP, decoded into v->mmio_memo: the last one decoded
 * when RIP, the code mode and its bytes are the same (a driver's register
 * accesses repeat at a few places: no copy, no decode, no classification),
 * else fetched, decoded and classified again. Returns how many of the
 * memo's bytes are valid (those fetched, or the instruction's when the
 * memo held); in.len is 0 and *@decoded false when they do not decode.
 */
static unsigned fetch_decode(struct vcpu *v, bool *decoded)
{
	struct mmio_memo *m = &v->mmio_memo;
	u64 rip = v->hw.exit.rip;
	const u8 *p;
	unsigned n;
	int mode;

	if (m->in.len && m->rip == rip && (p = vcpu_code_bytes(v, m->in.len, &mode)) &&
	    mode == m->in.mode && same_bytes(p, m->bytes, m->in.len)) {
		*decoded = true;
		return m->in.len;
	}
	n = vcpu_fetch_code(v, m->bytes, sizeof(m->bytes), &mode);
	*decoded = insn_decode(m->bytes, n, mode, &m->in);
	if (!*decoded)
		m->in.len = 0;
	m->plain = *decoded && !is_string(&m->in) && classify(&m->in, &m->acc);
	m->rip = rip;
	return n;
}

enum exit_action mmio_emulate(struct vcpu *v, u64 gpa)
{
	const struct insn *in = &v->mmio_memo.in;
	const struct mmio_access *a = &v->mmio_memo.acc;
	const u8 *buf = v->mmio_memo.bytes;
	struct rmw r;
	bool decoded;
	unsigned n = fetch_decode(v, &decoded);
	u64 val;

	if (!v->mmio_memo.plain) {
		if (decoded && is_string(in))
			return mmio_string(v, in);
		if (decoded && rmw_classify(in, &r))
			return mmio_rmw(v, gpa, buf, n, in, &r);
		stop_unsupported(v, gpa, buf, n, decoded ? "" : " (undecodable)");
		return EXIT_STOP;
	}
	if (a->write) {
		val = store_value(v, in, a);
		if (!mov_access(v, gpa, buf, n, in, a->size, true, &val))
			return EXIT_STOP;
	} else {
		if (!mov_access(v, gpa, buf, n, in, a->size, false, &val))
			return EXIT_STOP;
		if (a->ext == 2)
			val = sign_extend(val, a->size);
		write_gpr(v, a->reg, a->dsize, in->rex, val);
	}
	v->hw.exit.insn_len = in->len;
	return EXIT_ADVANCE;
}
