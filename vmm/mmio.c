// SPDX-License-Identifier: MIT
/*
 * MMIO instruction emulation (mmio.h). Supported: MOV r/m,r (88/89), MOV
 * r,r/m (8A/8B), MOV r/m,imm (C6/C7), MOV with a moffs (A0-A3), MOVZX
 * (0F B6/B7) and MOVSX (0F BE/BF) — what compilers emit for volatile
 * device accesses. Register writes follow SDM Vol. 1 §3.4.1.1: a 32-bit
 * destination zero-extends, 8- and 16-bit ones merge; without REX, byte
 * registers 4-7 are AH, CH, DH, BH.
 */
#include "vmm/insn.h"
#include "vmm/mmio.h"
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

static void write_gpr(struct vcpu *v, unsigned r, unsigned size, bool rex, u64 val)
{
	u64 old;

	if (size == 1 && !rex && r >= 4 && r < 8) {
		old = vcpu_gpr(v, r - 4);
		vcpu_set_gpr(v, r - 4, (old & ~0xff00ULL) | ((val & 0xff) << 8));
		return;
	}
	if (size >= 4) {
		vcpu_set_gpr(v, r, val & size_mask(size));
		return;
	}
	old = vcpu_gpr(v, r);
	vcpu_set_gpr(v, r, (old & ~size_mask(size)) | (val & size_mask(size)));
}

static u64 sign_extend(u64 val, unsigned from)
{
	u64 bit = 1ULL << (from * 8 - 1);

	return ((val & size_mask(from)) ^ bit) - bit;
}

struct access {
	bool write;
	unsigned size;  /* bytes on the bus */
	unsigned reg;   /* register operand (loads and register stores) */
	unsigned dsize; /* destination register width for loads */
	int ext;        /* loads: 0 plain, 1 zero-extend, 2 sign-extend */
	bool imm;       /* stores of an immediate */
};

/* Map the decoded instruction to the access it performs. */
static bool classify(const struct insn *in, struct access *a)
{
	u8 op = in->opcode;
	unsigned osz = in->opsize;

	*a = (struct access){ .reg = reg_index(in), .dsize = osz };
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
		a->size = osz;
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

static u64 store_value(struct vcpu *v, const struct insn *in, const struct access *a)
{
	if (!a->imm)
		return read_gpr(v, a->reg, a->size, in->rex);
	/* C7 with a 64-bit operand takes a sign-extended imm32. */
	return a->size == 8 ? sign_extend(in->imm, 4) : in->imm & size_mask(a->size);
}

enum exit_action mmio_emulate(struct vcpu *v, u64 gpa)
{
	u8 buf[INSN_MAX];
	struct insn in;
	struct access a;
	unsigned n = vcpu_fetch(v, buf, sizeof(buf));
	u64 val;

	if (!insn_decode(buf, n, vcpu_code_mode(v), &in) || !classify(&in, &a)) {
		vm_stop(v->vm, "unsupported-mmio-instruction gpa 0x%llx vcpu %u rip 0x%llx "
			"bytes %02x %02x %02x %02x", (unsigned long long)gpa, v->id,
			(unsigned long long)vcpu_reg(v, REG_RIP), buf[0], buf[1], buf[2], buf[3]);
		return EXIT_STOP;
	}
	if (a.write) {
		vm_bus_write(v->vm, &v->vm->mmio, gpa, a.size, store_value(v, &in, &a));
	} else {
		vm_bus_read(v->vm, &v->vm->mmio, gpa, a.size, &val);
		if (a.ext == 2)
			val = sign_extend(val, a.size);
		write_gpr(v, a.reg, a.dsize, in.rex, val);
	}
	v->hw.exit.insn_len = in.len;
	return EXIT_ADVANCE;
}
