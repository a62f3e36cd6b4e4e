// SPDX-License-Identifier: MIT
/*
 * A compact x86 decoder: legacy prefixes, REX, one- and two-byte opcode
 * maps with ModR/M, SIB, displacement and immediate sizes (SDM Vol. 2A
 * §2.1, Tables 2-1/2-2, Appendix A). It knows the instructions that exit
 * and the memory-access instructions guests use on MMIO; anything else is
 * refused, and the caller stops the guest with a clear line.
 */
#include "arch/x86/virt.h"
#include "kernel/string.h"
#include "vmm/gwalk.h"
#include "vmm/insn.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* One-byte opcodes with a ModR/M byte (SDM Vol. 2D Table A-2). */
static bool modrm_1byte(u8 op)
{
	return (op < 0x40 && (op & 7) < 4) || op == 0x62 || op == 0x63 ||
	       op == 0x69 || op == 0x6b || (op >= 0x80 && op <= 0x8f) ||
	       op == 0xc0 || op == 0xc1 || op == 0xc4 || op == 0xc5 ||
	       op == 0xc6 || op == 0xc7 || (op >= 0xd0 && op <= 0xd3) ||
	       (op >= 0xd8 && op <= 0xdf) || op == 0xf6 || op == 0xf7 ||
	       op == 0xfe || op == 0xff;
}

/* Two-byte (0F xx) opcodes without ModR/M (Table A-3). */
static bool no_modrm_2byte(u8 op)
{
	return op == 0x05 || op == 0x06 || op == 0x07 || op == 0x08 ||
	       op == 0x09 || op == 0x0b || op == 0x30 || op == 0x31 ||
	       op == 0x32 || op == 0x33 || op == 0x34 || op == 0x35 ||
	       op == 0x77 || op == 0xa0 || op == 0xa1 || op == 0xa2 ||
	       op == 0xa8 || op == 0xa9 || op == 0xaa || (op >= 0x80 && op <= 0x8f) ||
	       (op >= 0xc8 && op <= 0xcf);
}

/* Immediate bytes of a one-byte opcode (0 when none). */
static unsigned imm_1byte(u8 op, unsigned opsize, const struct insn *in)
{
	unsigned z = opsize == 2 ? 2 : 4; /* Iz */

	if ((op < 0x40 && (op & 7) == 4) || (op >= 0x70 && op <= 0x7f) ||
	    op == 0x6a || op == 0x6b || op == 0x80 || op == 0x82 || op == 0x83 ||
	    op == 0xa8 || (op >= 0xb0 && op <= 0xb7) || op == 0xc0 || op == 0xc1 ||
	    op == 0xc6 || op == 0xcd || (op >= 0xe0 && op <= 0xe7) || op == 0xeb)
		return 1;
	if ((op < 0x40 && (op & 7) == 5) || op == 0x68 || op == 0x69 ||
	    op == 0x81 || op == 0xa9 || op == 0xc7 || op == 0xe8 || op == 0xe9)
		return z;
	if (op >= 0xb8 && op <= 0xbf)
		return opsize; /* MOV r, imm: 8 bytes with REX.W */
	if (op == 0xc2 || op == 0xca)
		return 2;
	if (op == 0xf6 || op == 0xf7) /* TEST has an immediate, /0 and /1 */
		return ((in->modrm >> 3) & 7) < 2 ? (op == 0xf6 ? 1 : z) : 0;
	return 0;
}

/* Immediate bytes of a two-byte opcode (Table A-3): Jcc rel16/32, and
 * the imm8 forms (PSHUFx, shift groups 12-14, SHLD/SHRD, BT group 8,
 * CMPPS, PINSRW, PEXTRW, SHUFPS). */
static unsigned imm_2byte(u8 op, unsigned opsize)
{
	if (op >= 0x80 && op <= 0x8f)
		return opsize == 2 ? 2 : 4;
	if ((op >= 0x70 && op <= 0x73) || op == 0xa4 || op == 0xac || op == 0xba ||
	    op == 0xc2 || op == 0xc4 || op == 0xc5 || op == 0xc6)
		return 1;
	return 0;
}

/* VEX (C4, C5) and EVEX (62): always in 64-bit mode; elsewhere when the
 * next byte's top bits are 11, where LES/LDS/BOUND cannot have them. */
static bool is_vex(const u8 *b, unsigned n, int mode)
{
	if (b[0] != 0xc4 && b[0] != 0xc5 && b[0] != 0x62)
		return false;
	return mode == 64 || (n > 1 && (b[1] & 0xc0) == 0xc0);
}

/* moffs forms (A0-A3) carry an address-size displacement. */
static unsigned moffs_1byte(u8 op, unsigned addrsize)
{
	return (op >= 0xa0 && op <= 0xa3) ? addrsize : 0;
}

/* ModR/M + SIB + displacement bytes (Tables 2-1, 2-2, 2-3). */
static unsigned modrm_extra(const u8 *b, unsigned n, unsigned addrsize, bool *ok)
{
	u8 modrm = b[0], mod = modrm >> 6, rm = modrm & 7;
	unsigned len = 1;

	if (mod == 3)
		return 1;
	if (addrsize == 2)
		return 1 + (mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0);
	if (rm == 4) {
		if (n < 2) {
			*ok = false;
			return 0;
		}
		len++;
		if (mod == 0 && (b[1] & 7) == 5)
			return len + 4;
	}
	if (mod == 1)
		return len + 1;
	if (mod == 2 || (mod == 0 && rm == 5))
		return len + 4;
	return len;
}

static bool known_1byte(u8 op)
{
	/* Exiting instructions and MMIO-style memory moves. */
	return op == 0xf4 || op == 0x90 || (op >= 0xe4 && op <= 0xe7) ||
	       (op >= 0xec && op <= 0xef) || (op >= 0x6c && op <= 0x6f) ||
	       (op >= 0x88 && op <= 0x8b) || (op >= 0xa0 && op <= 0xa5) ||
	       op == 0xaa || op == 0xab || op == 0xc6 || op == 0xc7 ||
	       modrm_1byte(op);
}

static unsigned parse_prefixes(const u8 *b, unsigned n, int mode, struct insn *in)
{
	static const struct { u8 prefix, seg; } segs[] = {
		{ 0x26, SEG_ES }, { 0x2e, SEG_CS }, { 0x36, SEG_SS },
		{ 0x3e, SEG_DS }, { 0x64, SEG_FS }, { 0x65, SEG_GS },
	};
	unsigned i = 0;
	bool opsz = false, adsz = false;

	in->seg = SEG_DS;
	for (; i < n && i < INSN_MAX; i++) {
		u8 p = b[i];
		unsigned k = 0;

		while (k < ARRAY_SIZE(segs) && segs[k].prefix != p)
			k++;
		if (k < ARRAY_SIZE(segs))
			in->seg = segs[k].seg;
		else if (p == 0x66)
			opsz = true;
		else if (p == 0x67)
			adsz = true;
		else if (p == 0xf3)
			in->rep = true;
		else if (p != 0xf0 && p != 0xf2)
			break;
	}
	if (mode == 64 && i < n && (b[i] & 0xf0) == 0x40)
		in->rex = b[i++];
	in->opsize = mode == 16 ? (opsz ? 4 : 2) : (opsz ? 2 : 4);
	if (in->rex & 8)
		in->opsize = 8;
	in->addrsize = mode == 64 ? (adsz ? 4 : 8) : mode == 32 ? (adsz ? 2 : 4) : (adsz ? 4 : 2);
	return i;
}

bool insn_decode(const u8 *b, unsigned n, int mode, struct insn *in)
{
	unsigned i, extra = 0;
	bool ok = true;

	memset(in, 0, sizeof(*in));
	i = parse_prefixes(b, n, mode, in);
	if (i >= n || is_vex(b + i, n - i, mode))
		return false; /* VEX/EVEX-encoded instructions never exit to us */
	if (b[i] == 0x0f) {
		in->two_byte = true;
		if (++i >= n || b[i] == 0x38 || b[i] == 0x3a)
			return false; /* three-byte opcode maps: not needed */
	}
	in->opcode = b[i++];
	in->has_modrm = in->two_byte ? !no_modrm_2byte(in->opcode) : modrm_1byte(in->opcode);
	if (!in->two_byte && !known_1byte(in->opcode))
		return false;
	if (in->has_modrm) {
		if (i >= n)
			return false;
		in->modrm = b[i];
		extra = modrm_extra(b + i, n - i, in->addrsize, &ok);
		if (!ok)
			return false;
		i += extra;
	}
	{
		unsigned imm = in->two_byte ? imm_2byte(in->opcode, in->opsize) :
			       imm_1byte(in->opcode, in->opsize, in) +
			       moffs_1byte(in->opcode, in->addrsize);

		if (i + imm > n)
			return false;
		for (unsigned k = 0; k < imm && k < 8; k++)
			in->imm |= (u64)b[i + k] << (8 * k);
		i += imm;
	}
	if (i > INSN_MAX || i > n)
		return false;
	in->len = (u8)i;
	return true;
}

int vcpu_code_mode(struct vcpu *v)
{
	struct segment cs;

	if (!(vcpu_reg(v, REG_CR0) & 1))
		return 16;
	vm_ops->get_seg(&v->hw, SEG_CS, &cs);
	if ((vcpu_reg(v, REG_EFER) & (1ULL << 10)) && (cs.attr & SEG_ATTR_L))
		return 64;
	return (cs.attr & SEG_ATTR_DB) ? 32 : 16;
}

unsigned vcpu_fetch(struct vcpu *v, u8 *buf, unsigned len)
{
	struct segment cs;
	u64 lin;
	unsigned got = 0;

	vm_ops->get_seg(&v->hw, SEG_CS, &cs);
	lin = (vcpu_code_mode(v) == 64 ? 0 : cs.base) + vcpu_reg(v, REG_RIP);
	while (got < len) {
		u64 gpa, chunk = MIN(len - got, PAGE_SIZE - ((lin + got) & (PAGE_SIZE - 1)));

		if (!gwalk_translate(v, lin + got, GWALK_FETCH, &gpa) ||
		    !gmem_read(&v->vm->mem, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

int insn_length_at_rip(struct vcpu *v)
{
	u8 buf[INSN_MAX];
	struct insn in;
	unsigned n = vcpu_fetch(v, buf, sizeof(buf));

	if (!insn_decode(buf, n, vcpu_code_mode(v), &in))
		return -1;
	return in.len;
}
