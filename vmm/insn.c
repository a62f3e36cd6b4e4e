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
#include "vmm/code_fetch.h"
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

/* Two-byte (0F xx) opcodes without ModR/M (Table A-3): FEMMS (0F 0E,
 * AMD APM Vol. 5) and GETSEC (0F 37, SDM Vol. 2D ch. 7) among them. */
static bool no_modrm_2byte(u8 op)
{
	return op == 0x05 || op == 0x06 || op == 0x07 || op == 0x08 ||
	       op == 0x09 || op == 0x0b || op == 0x0e || op == 0x30 ||
	       op == 0x31 || op == 0x32 || op == 0x33 || op == 0x34 ||
	       op == 0x35 || op == 0x37 || op == 0x77 || op == 0xa0 ||
	       op == 0xa1 || op == 0xa2 || op == 0xa8 || op == 0xa9 ||
	       op == 0xaa || (op >= 0x80 && op <= 0x8f) || (op >= 0xc8 && op <= 0xcf);
}

/*
 * Two-byte opcodes the decoder takes: not the three-byte escapes (0F 38,
 * 0F 3A, not needed) and not the ones no current CPU defines (Table A-3:
 * 0F 04, 0A, 0C, 24-27 (the 386's MOV to/from test registers), 36, 39,
 * 3B-3F, 7A, 7B), which raise #UD and so never exit.
 */
static bool known_2byte(u8 op)
{
	return op != 0x38 && op != 0x3a && op != 0x04 && op != 0x0a && op != 0x0c &&
	       (op < 0x24 || op > 0x27) && op != 0x36 && op != 0x39 &&
	       (op < 0x3b || op > 0x3f) && op != 0x7a && op != 0x7b;
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
 * CMPPS, PINSRW, PEXTRW, SHUFPS); 3DNow! (0F 0F /r ib: the imm8 selects
 * the operation, AMD APM Vol. 3 §1.2.7); EXTRQ (66 0F 78 /0 ib ib) and
 * INSERTQ (F2 0F 78 /r ib ib), AMD APM Vol. 4, whose two imm8 are the
 * field length and index (without 66/F2, 0F 78 is VMREAD: none). */
static unsigned imm_2byte(u8 op, unsigned opsize, u8 mprefix)
{
	if (op >= 0x80 && op <= 0x8f)
		return opsize == 2 ? 2 : 4;
	if ((op >= 0x70 && op <= 0x73) || op == 0xa4 || op == 0xac || op == 0xba ||
	    op == 0xc2 || op == 0xc4 || op == 0xc5 || op == 0xc6 || op == 0x0f)
		return 1;
	if (op == 0x78 && (mprefix == 0x66 || mprefix == 0xf2))
		return 2;
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

/* XOP (AMD APM Vol. 3 §1.9, Vol. 4 §1.1): 8F is the XOP escape, not POP
 * r/m (8F /0), when the next byte's ModR/M.reg bits (its map_select,
 * 8 or more for XOP) are not 0, in every mode. */
static bool is_xop(const u8 *b, unsigned n)
{
	return b[0] == 0x8f && n > 1 && ((b[1] >> 3) & 7) != 0;
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

/* The segment after an override prefix for @seg: 64-bit mode ignores
 * ES/CS/SS/DS overrides (SDM Vol. 1 §3.3.7.1), so they do not replace an
 * FS/GS one there. */
static u8 seg_override(u8 cur, u8 seg, int mode)
{
	return mode == 64 && seg < SEG_FS && cur >= SEG_FS ? cur : seg;
}

static unsigned parse_prefixes(const u8 *b, unsigned n, int mode, struct insn *in)
{
	static const struct { u8 prefix, seg; } segs[] = {
		{ 0x26, SEG_ES }, { 0x2e, SEG_CS }, { 0x36, SEG_SS },
		{ 0x3e, SEG_DS }, { 0x64, SEG_FS }, { 0x65, SEG_GS },
	};
	unsigned i = 0;
	bool opsz = false, adsz = false;
	u8 last_rep = 0;

	in->seg = SEG_DS;
	for (; i < n && i < INSN_MAX; i++) {
		u8 p = b[i];
		unsigned k = 0;

		if (mode == 64 && (p & 0xf0) == 0x40) {
			in->rex = p; /* the last REX counts, if right before the opcode */
			continue;
		}
		while (k < ARRAY_SIZE(segs) && segs[k].prefix != p)
			k++;
		if (k < ARRAY_SIZE(segs))
			in->seg = seg_override(in->seg, segs[k].seg, mode);
		else if (p == 0x66)
			opsz = true;
		else if (p == 0x67)
			adsz = true;
		else if (p == 0xf3 || p == 0xf2)
			last_rep = p;
		else if (p != 0xf0)
			break;
		in->rep |= p == 0xf3;
		in->rex = 0; /* SDM Vol. 2A §2.2.1: a REX before a legacy prefix is ignored */
	}
	/* SDM Vol. 2A §2.1.2 (mandatory prefixes): F2/F3, the last one
	 * given, select the instruction before 66 does. */
	in->mprefix = last_rep ? last_rep : opsz ? 0x66 : 0;
	in->opsize = mode == 16 ? (opsz ? 4 : 2) : (opsz ? 2 : 4);
	if (in->rex & 8)
		in->opsize = 8;
	in->addrsize = mode == 64 ? (adsz ? 4 : 8) : mode == 32 ? (adsz ? 2 : 4) : (adsz ? 4 : 2);
	return i;
}

/*
 * A near branch (Jcc rel16/32) with 66 in 64-bit mode takes rel32 on
 * Intel CPUs (SDM Vol. 2A §2.2.1.3: operand size forced to 64 bits) and
 * rel16 on AMD ones (APM Vol. 3 §1.2.2): its length depends on the vendor.
 * It never exits, so it is refused rather than guessed.
 */
static bool vendor_dependent(const struct insn *in, int mode)
{
	return mode == 64 && in->two_byte && in->opcode >= 0x80 && in->opcode <= 0x8f &&
	       in->opsize == 2;
}

/* ModR/M, SIB and displacement bytes at @b; 0 when @n is too short. */
static unsigned modrm_len(const struct insn *in, const u8 *b, unsigned n)
{
	bool ok = true;
	unsigned len;

	/* MOV to/from CR and DR (0F 20-23): always a register operand,
	 * whatever ModR/M.mod says (SDM Vol. 2B MOV-Control/Debug Registers):
	 * no SIB, no displacement. */
	if (in->two_byte && (in->opcode & 0xfc) == 0x20)
		return 1;
	len = modrm_extra(b, n, in->addrsize, &ok);
	return ok ? len : 0;
}

/*
 * The usual MMIO access, MOV between a register and memory (89, 8B) in
 * 32- or 64-bit code with no prefix but a REX: what the general path
 * below makes of it, without its prefix loop and opcode tables (a third
 * of an MMIO exit). False when the bytes are anything else.
 */
static bool decode_plain_mov(const u8 *b, unsigned n, int mode, struct insn *in)
{
	unsigned i = mode == 64 && n && (b[0] & 0xf0) == 0x40, extra;
	bool ok = true;

	if (mode == 16 || i + 1 >= n || (b[i] != 0x89 && b[i] != 0x8b))
		return false;
	memset(in, 0, sizeof(*in)); /* padding included: decodes compare whole */
	in->opcode = b[i];
	in->has_modrm = true;
	in->modrm = b[i + 1];
	in->rex = i ? b[0] : 0;
	in->opsize = i && (b[0] & 8) ? 8 : 4;
	in->addrsize = mode == 64 ? 8 : 4;
	in->seg = SEG_DS;
	in->mode = (u8)mode;
	extra = modrm_extra(b + i + 1, n - i - 1, in->addrsize, &ok);
	if (!ok || i + 1 + extra > n || i + 1 + extra > INSN_MAX)
		return false;
	in->len = (u8)(i + 1 + extra);
	return true;
}

bool insn_decode(const u8 *b, unsigned n, int mode, struct insn *in)
{
	unsigned i, imm;

	if (decode_plain_mov(b, n, mode, in))
		return true;
	memset(in, 0, sizeof(*in));
	in->mode = (u8)mode;
	i = parse_prefixes(b, n, mode, in);
	if (i >= n || is_vex(b + i, n - i, mode) || is_xop(b + i, n - i))
		return false; /* VEX/EVEX/XOP-encoded instructions never exit to us */
	if (b[i] == 0x0f) {
		in->two_byte = true;
		if (++i >= n || !known_2byte(b[i]))
			return false;
	}
	in->opcode = b[i++];
	in->has_modrm = in->two_byte ? !no_modrm_2byte(in->opcode) : modrm_1byte(in->opcode);
	if ((!in->two_byte && !known_1byte(in->opcode)) || vendor_dependent(in, mode))
		return false;
	if (in->has_modrm) {
		unsigned extra = i < n ? modrm_len(in, b + i, n - i) : 0;

		if (!extra)
			return false;
		in->modrm = b[i];
		i += extra;
	}
	imm = in->two_byte ? imm_2byte(in->opcode, in->opsize, in->mprefix) :
	      imm_1byte(in->opcode, in->opsize, in) + moffs_1byte(in->opcode, in->addrsize);
	if (i + imm > n)
		return false;
	for (unsigned k = 0; k < imm && k < 8; k++)
		in->imm |= (u64)b[i + k] << (8 * k);
	i += imm;
	if (i > INSN_MAX)
		return false;
	in->len = (u8)i;
	return true;
}

/* The linear address of CS:RIP in @mode (no CS base in 64-bit code). */
static u64 code_lin(const struct vcpu_code_view *cv, int mode)
{
	return (mode == 64 ? 0 : cv->cs_base) + cv->rip;
}

/*
 * A page fetched from stays in its v->code_tlb entry with the
 * translation's memo: when CS, the paging registers and the guest's table
 * entries are those it was made under, the same page is found without a
 * walk (every exit without a hardware instruction length reads the
 * instruction; the hit is code_tlb_hit, inline in code_fetch.h). On a
 * miss the page is walked to and remembered in the entry of its RIP.
 */
const u8 *vcpu_code_bytes_miss(struct vcpu *v, const struct vcpu_code_view *cv, unsigned len,
			       int *mode)
{
	struct code_tlb *t = code_tlb_entry(v, cv);
	const u8 *page;
	u64 lin, gpa, off;

	*mode = vcpu_code_mode_view(cv);
	lin = code_lin(cv, *mode);
	off = lin & (PAGE_SIZE - 1);
	t->host = NULL;
	if (off + len > PAGE_SIZE || !gwalk_translate_memo(v, cv, lin, &gpa, &t->tr))
		return NULL;
	page = gmem_ptr(&v->vm->mem, gpa - off, PAGE_SIZE);
	if (!page) /* not a whole page of RAM: not remembered */
		return gmem_ptr(&v->vm->mem, gpa, len);
	*t = (struct code_tlb){ page, lin - off, cv->cs_base, cv->cs_attr, *mode, t->tr };
	return page + off;
}

unsigned vcpu_fetch_code(struct vcpu *v, u8 *buf, unsigned len, int *mode)
{
	struct vcpu_code_view cv;
	const u8 *p;
	u64 lin;
	unsigned got = 0;

	vcpu_code_view(v, &cv);
	p = vcpu_code_bytes_view(v, &cv, len, mode);
	if (p) { /* one page: the usual case */
		memcpy(buf, p, len);
		return len;
	}
	lin = code_lin(&cv, *mode);
	while (got < len) {
		u64 gpa, chunk = MIN(len - got, PAGE_SIZE - ((lin + got) & (PAGE_SIZE - 1)));

		if (!gwalk_translate_view(v, &cv, lin + got, &gpa) ||
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
	int mode;
	unsigned n = vcpu_fetch_code(v, buf, sizeof(buf), &mode);

	if (!insn_decode(buf, n, mode, &in))
		return -1;
	return in.len;
}
