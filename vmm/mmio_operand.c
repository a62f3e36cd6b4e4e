// SPDX-License-Identifier: MIT
/*
 * Memory-operand addresses of the MOV-family instructions MMIO emulation
 * performs (mmio_operand.h). The decoder (insn.c) gives the operand size,
 * address size, REX and ModR/M; this file finds the ModR/M byte again in
 * the fetched bytes and adds up base, scaled index and displacement.
 */
#include "arch/x86/virt.h"
#include "vmm/mmio_operand.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct operand {
	u64 ea;
	bool ss; /* default segment SS (a rBP or rSP base) */
};

/* Where the ModR/M byte is: after the prefixes, REX and opcode. */
static unsigned modrm_pos(const u8 *b, unsigned n, int mode, const struct insn *in,
			  bool *seg_override)
{
	unsigned i = 0;

	*seg_override = false;
	for (; i < n && i < INSN_MAX; i++) {
		u8 p = b[i];

		if (p == 0x26 || p == 0x2e || p == 0x36 || p == 0x3e || p == 0x64 || p == 0x65)
			*seg_override = true;
		else if (p != 0x66 && p != 0x67 && p != 0xf0 && p != 0xf2 && p != 0xf3)
			break;
	}
	if (mode == 64 && i < n && (b[i] & 0xf0) == 0x40)
		i++;
	return i + (in->two_byte ? 2 : 1);
}

/* A little-endian signed displacement of @len bytes at @b. */
static s64 disp_at(const u8 *b, unsigned len)
{
	u64 v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (u64)b[i] << (8 * i);
	if (len == 1)
		return (s8)v;
	if (len == 2)
		return (s16)v;
	return (s32)v;
}

/* 16-bit forms (Table 2-1): BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX. */
static bool ea16(struct vcpu *v, const u8 *b, unsigned n, struct operand *op)
{
	static const s8 base[8] = { GPR_RBX, GPR_RBX, GPR_RBP, GPR_RBP, -1, -1, GPR_RBP, GPR_RBX };
	static const s8 index[8] = { GPR_RSI, GPR_RDI, GPR_RSI, GPR_RDI, GPR_RSI, GPR_RDI, -1, -1 };
	u8 mod = b[0] >> 6, rm = b[0] & 7;
	unsigned dlen = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;

	if (1 + dlen > n)
		return false;
	op->ea = (u64)disp_at(b + 1, dlen);
	if (mod == 0 && rm == 6) {
		op->ea &= 0xffff;
		return true;
	}
	if (base[rm] >= 0)
		op->ea += vcpu_gpr(v, (unsigned)base[rm]);
	if (index[rm] >= 0)
		op->ea += vcpu_gpr(v, (unsigned)index[rm]);
	op->ea &= 0xffff;
	op->ss = base[rm] == GPR_RBP;
	return true;
}

/* 32- and 64-bit forms (Tables 2-2, 2-3) with SIB; RIP-relative in 64-bit
 * mode. @end is the address of the next instruction. */
static bool ea32(struct vcpu *v, const u8 *b, unsigned n, const struct insn *in, int mode,
		 u64 end, struct operand *op)
{
	u8 mod = b[0] >> 6, rm = b[0] & 7, sib = n > 1 ? b[1] : 0;
	bool has_sib = rm == 4, no_base = mod == 0 && (has_sib ? (sib & 7) == 5 : rm == 5);
	unsigned at = has_sib ? 2 : 1, dlen = mod == 1 ? 1 : (mod == 2 || no_base) ? 4 : 0;
	unsigned base = (has_sib ? sib & 7 : rm) | ((in->rex & 1) ? 8 : 0);
	unsigned index = ((sib >> 3) & 7) | ((in->rex & 2) ? 8 : 0);

	if (at + dlen > n)
		return false;
	op->ea = (u64)disp_at(b + at, dlen);
	if (no_base && !has_sib && mode == 64)
		op->ea += end; /* RIP-relative */
	else if (!no_base)
		op->ea += vcpu_gpr(v, base);
	if (has_sib && index != 4)
		op->ea += vcpu_gpr(v, index) << (sib >> 6);
	op->ss = !no_base && ((base & 7) == 4 || (base & 7) == 5) && !(base & 8);
	return true;
}

bool mmio_operand_linear(struct vcpu *v, const u8 *buf, unsigned n, int mode,
			 const struct insn *in, u64 *lin)
{
	struct operand op = { 0, false };
	u64 amask = in->addrsize >= 8 ? ~0ULL : (1ULL << (in->addrsize * 8)) - 1;
	bool override;
	unsigned p = modrm_pos(buf, n, mode, in, &override), seg;
	struct segment s;

	if (!in->two_byte && in->opcode >= 0xa0 && in->opcode <= 0xa3)
		op.ea = in->imm; /* moffs */
	else if (!in->has_modrm || (in->modrm >> 6) == 3 || p >= n)
		return false;
	else if (!(in->addrsize == 2 ? ea16(v, buf + p, n - p, &op)
				     : ea32(v, buf + p, n - p, in, mode,
					    vcpu_reg(v, REG_RIP) + in->len, &op)))
		return false;
	seg = override ? in->seg : op.ss ? SEG_SS : SEG_DS;
	vm_ops->get_seg(&v->hw, seg, &s);
	if (mode == 64)
		*lin = (seg == SEG_FS || seg == SEG_GS ? s.base : 0) + (op.ea & amask);
	else
		*lin = (s.base + (op.ea & amask)) & 0xffffffffULL;
	return true;
}
