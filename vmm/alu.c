// SPDX-License-Identifier: MIT
/*
 * The ALU of alu.h. Carry and overflow come from the operands' and the
 * result's top bits, so 8-byte operands need no wider type: an add carries
 * out of the top bit when both operands have it, or either has it and the
 * result does not; a subtract borrows when the subtrahend's bit is set and
 * the minuend's is not, or they are equal and the result's is set.
 */
#include "vmm/alu.h"

static u64 mask_of(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* PF: the low byte has an even number of set bits. */
static u64 parity_flag(u64 r)
{
	u8 x = (u8)r;

	x ^= x >> 4;
	x ^= x >> 2;
	x ^= x >> 1;
	return (x & 1) ? 0 : ALU_PF;
}

/* ZF, SF, PF of a result. */
static u64 result_flags(u64 r, unsigned size)
{
	u64 top = 1ULL << (size * 8 - 1);

	return (r ? 0 : ALU_ZF) | ((r & top) ? ALU_SF : 0) | parity_flag(r);
}

static u64 add_flags(u64 a, u64 b, u64 r, unsigned size)
{
	unsigned top = size * 8 - 1;
	u64 carry = ((a & b) | ((a | b) & ~r)) >> top;
	u64 over = ((a ^ r) & (b ^ r)) >> top;

	return ((carry & 1) ? ALU_CF : 0) | ((over & 1) ? ALU_OF : 0) |
	       (((a ^ b ^ r) & 0x10) ? ALU_AF : 0) | result_flags(r, size);
}

static u64 sub_flags(u64 a, u64 b, u64 r, unsigned size)
{
	unsigned top = size * 8 - 1;
	u64 borrow = ((~a & b) | (~(a ^ b) & r)) >> top;
	u64 over = ((a ^ b) & (a ^ r)) >> top;

	return ((borrow & 1) ? ALU_CF : 0) | ((over & 1) ? ALU_OF : 0) |
	       (((a ^ b ^ r) & 0x10) ? ALU_AF : 0) | result_flags(r, size);
}

u64 alu_compute(enum alu_op op, u64 a, u64 b, unsigned size, u64 *rflags)
{
	u64 m = mask_of(size), cf = *rflags & ALU_CF, r, f;

	a &= m;
	b &= m;
	switch (op) {
	case ALU_ADD: case ALU_ADC:
		r = (a + b + (op == ALU_ADC && cf)) & m;
		f = add_flags(a, b, r, size);
		break;
	case ALU_SUB: case ALU_SBB: case ALU_CMP:
		r = (a - b - (op == ALU_SBB && cf)) & m;
		f = sub_flags(a, b, r, size);
		break;
	case ALU_INC: case ALU_DEC:
		r = (op == ALU_INC ? a + 1 : a - 1) & m;
		f = (op == ALU_INC ? add_flags(a, 1, r, size) : sub_flags(a, 1, r, size));
		f = (f & ~ALU_CF) | cf;
		break;
	case ALU_NEG:
		r = (0 - a) & m;
		f = sub_flags(0, a, r, size);
		break;
	case ALU_NOT:
		return ~a & m;
	default: /* AND, OR, XOR, TEST */
		r = op == ALU_OR ? a | b : op == ALU_XOR ? a ^ b : a & b;
		f = result_flags(r, size);
		break;
	}
	*rflags = (*rflags & ~ALU_STATUS) | f;
	return r;
}
