// SPDX-License-Identifier: MIT
/*
 * The differential check of insn_ref.h: vmm/insn.c's insn_decode() and
 * vmm/mmio.c's mmio_emulate() (on the fake vCPU of fake_vcpu.h) against
 * Zydis's ZydisDecoderDecodeFull(). Zydis runs with its default decoder
 * modes (Intel branch semantics; MPX, CET, LZCNT, TZCNT, WBNOINVD and
 * CLDEMOTE on).
 */
#include <stdio.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "tests/fuzz/fake_vcpu.h"
#include "tests/fuzz/insn_ref.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"

static ZydisDecoder zy[3]; /* 16, 32, 64 */

void insn_ref_init(void)
{
	ZydisDecoderInit(&zy[0], ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
	ZydisDecoderInit(&zy[1], ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
	ZydisDecoderInit(&zy[2], ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
}

static const ZydisDecoder *decoder(int mode)
{
	return &zy[mode == 16 ? 0 : mode == 32 ? 1 : 2];
}

/* Zydis statuses for encodings the CPU refuses with #UD. */
static bool status_is_ud(ZyanStatus s)
{
	return s == ZYDIS_STATUS_DECODING_ERROR || s == ZYDIS_STATUS_BAD_REGISTER ||
	       s == ZYDIS_STATUS_ILLEGAL_LOCK || s == ZYDIS_STATUS_ILLEGAL_LEGACY_PFX ||
	       s == ZYDIS_STATUS_ILLEGAL_REX || s == ZYDIS_STATUS_INVALID_MAP ||
	       s == ZYDIS_STATUS_MALFORMED_EVEX || s == ZYDIS_STATUS_MALFORMED_MVEX ||
	       s == ZYDIS_STATUS_INVALID_MASK;
}

static void dump(const char *why, const u8 *b, unsigned n, int mode)
{
	fprintf(stderr, "insn_ref: %s (%d-bit):", why, mode);
	for (unsigned i = 0; i < n && i < 16; i++)
		fprintf(stderr, " %02x", b[i]);
	fprintf(stderr, "\n");
}

/* A general register of Zydis as (index, width in bytes, AH-BH). */
static bool zy_gpr(ZydisRegister r, unsigned *idx, unsigned *width, bool *high)
{
	*high = false;
	if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BL) {
		*idx = r - ZYDIS_REGISTER_AL, *width = 1;
	} else if (r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH) {
		*idx = r - ZYDIS_REGISTER_AH, *width = 1, *high = true;
	} else if (r >= ZYDIS_REGISTER_SPL && r <= ZYDIS_REGISTER_R15B) {
		*idx = 4 + (r - ZYDIS_REGISTER_SPL), *width = 1;
	} else if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_R15W) {
		*idx = r - ZYDIS_REGISTER_AX, *width = 2;
	} else if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_R15D) {
		*idx = r - ZYDIS_REGISTER_EAX, *width = 4;
	} else if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15) {
		*idx = r - ZYDIS_REGISTER_RAX, *width = 8;
	} else {
		return false;
	}
	return true;
}

static u64 mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* A register's value as the CPU reads it. */
static u64 gpr_read(const u64 *gpr, ZydisRegister r)
{
	unsigned idx, w;
	bool high;

	if (!zy_gpr(r, &idx, &w, &high))
		return 0;
	return high ? (gpr[idx] >> 8) & 0xff : gpr[idx] & mask(w);
}

/* @gpr after the CPU writes @val to @r (SDM Vol. 1 §3.4.1.1). */
static void gpr_write(u64 *gpr, ZydisRegister r, u64 val)
{
	unsigned idx, w;
	bool high;

	if (!zy_gpr(r, &idx, &w, &high))
		return;
	if (high)
		gpr[idx] = (gpr[idx] & ~0xff00ULL) | ((val & 0xff) << 8);
	else if (w >= 4)
		gpr[idx] = val & mask(w);
	else
		gpr[idx] = (gpr[idx] & ~mask(w)) | (val & mask(w));
}

static u64 sext(u64 v, unsigned size)
{
	u64 bit = 1ULL << (size * 8 - 1);

	return ((v & mask(size)) ^ bit) - bit;
}

/* Is this an instruction of the MOV family the MMIO path emulates? */
static bool mov_family(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *op,
		       int *mem)
{
	*mem = -1;
	if (zi->mnemonic != ZYDIS_MNEMONIC_MOV && zi->mnemonic != ZYDIS_MNEMONIC_MOVZX &&
	    zi->mnemonic != ZYDIS_MNEMONIC_MOVSX)
		return false;
	for (int i = 0; i < zi->operand_count_visible; i++) {
		if (op[i].type == ZYDIS_OPERAND_TYPE_MEMORY)
			*mem = i;
		if (op[i].type == ZYDIS_OPERAND_TYPE_REGISTER &&
		    ZydisRegisterGetClass(op[i].reg.value) == ZYDIS_REGCLASS_SEGMENT)
			return false; /* MOV Sreg: not an MMIO move */
	}
	return *mem >= 0 && op[*mem].mem.type == ZYDIS_MEMOP_TYPE_MEM;
}

/* Expected bus value of a store, or the destination after a load. */
static void mov_expect(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *op,
		       int mem, const u64 *before, u64 *after, u64 *stored)
{
	unsigned size = op[mem].size / 8;
	const ZydisDecodedOperand *src = &op[1];

	memcpy(after, before, sizeof(u64) * NR_GPRS);
	if (mem == 0) {
		if (src->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
			*stored = (src->imm.is_signed ? (u64)src->imm.value.s : src->imm.value.u) &
				  mask(size);
		else
			*stored = gpr_read(before, src->reg.value) & mask(size);
		return;
	}
	{
		u64 v = fake.bus_val & mask(size);

		if (zi->mnemonic == ZYDIS_MNEMONIC_MOVSX)
			v = sext(v, size);
		gpr_write(after, op[0].reg.value, v);
	}
}

static struct vm vm;
static struct vcpu v;

/* Run mmio_emulate() on the bytes (n <= sizeof(fake.code)). */
static enum exit_action mmio_run(const u8 *b, unsigned n, int mode)
{
	fake_cpu_setup(&v, &vm, mode);
	fake.data_unmapped = true; /* one access at @gpa, never split at a page */
	memcpy(fake.code, b, n);
	fake.code_len = n;
	for (unsigned i = 0; i < NR_GPRS; i++)
		fake.gpr[i] = 0x8070605040302010ULL + 0x0101010101010101ULL * i;
	fake.bus_val = 0xf1e2d3c4b5a69788ULL ^ ((u64)b[0] << 3);
	return mmio_emulate(&v, 0xfee00000);
}

/* Run mmio_emulate() on the bytes; compare with what Zydis says. */
static bool mov_check(const u8 *b, unsigned n, int mode, const ZydisDecodedInstruction *zi,
		      const ZydisDecodedOperand *op, int mem, bool verbose)
{
	u64 before[NR_GPRS], after[NR_GPRS], stored = 0;
	enum exit_action act = mmio_run(b, n, mode);
	bool ok;

	for (unsigned i = 0; i < NR_GPRS; i++)
		before[i] = 0x8070605040302010ULL + 0x0101010101010101ULL * i;
	if (act != EXIT_ADVANCE) {
		if (verbose)
			dump("MOV family refused by the MMIO path", b, n, mode);
		return false;
	}
	mov_expect(zi, op, mem, before, after, &stored);
	ok = v.hw.exit.insn_len == zi->length && fake.bus_size == op[mem].size / 8;
	if (mem == 0)
		ok = ok && fake.bus_writes == 1 && fake.bus_reads == 0 && fake.bus_written == stored &&
		     !memcmp(fake.gpr, before, sizeof(before));
	else
		ok = ok && fake.bus_reads == 1 && fake.bus_writes == 0 &&
		     !memcmp(fake.gpr, after, sizeof(after));
	if (!ok && verbose) {
		dump("MOV family emulated wrongly", b, n, mode);
		fprintf(stderr, "  len %u/%u size %u/%u writes %u reads %u value 0x%llx/0x%llx\n",
			v.hw.exit.insn_len, zi->length, fake.bus_size, op[mem].size / 8,
			fake.bus_writes, fake.bus_reads, (unsigned long long)fake.bus_written,
			(unsigned long long)stored);
		for (unsigned i = 0; i < NR_GPRS; i++)
			if (fake.gpr[i] != (mem == 0 ? before : after)[i])
				fprintf(stderr, "  gpr %u: 0x%llx, want 0x%llx\n", i,
					(unsigned long long)fake.gpr[i],
					(unsigned long long)(mem == 0 ? before : after)[i]);
	}
	return ok;
}

/*
 * String I/O (INS/OUTS, 6C-6F): exit_io.c takes the address size, the
 * REP prefix and, for OUTS, the source segment from the decoder. In
 * 64-bit mode ES, CS, SS and DS all mean base 0, and Zydis reports DS.
 * REP is compared only without an F2 prefix: REPNE is defined for CMPS
 * and SCAS only (SDM Vol. 2B, REP), the decoder's rep means "F3 present"
 * and Zydis's "F3 is the last of F2/F3".
 */
static bool string_io_check(const struct insn *in, const ZydisDecodedInstruction *zi,
			    const ZydisDecodedOperand *op, int mode, bool f2)
{
	static const ZydisRegister segs[] = {
		[SEG_ES] = ZYDIS_REGISTER_ES, [SEG_CS] = ZYDIS_REGISTER_CS,
		[SEG_SS] = ZYDIS_REGISTER_SS, [SEG_DS] = ZYDIS_REGISTER_DS,
		[SEG_FS] = ZYDIS_REGISTER_FS, [SEG_GS] = ZYDIS_REGISTER_GS,
	};
	ZydisRegister seg = ZYDIS_REGISTER_NONE, ours = segs[in->seg];

	for (int i = 0; i < zi->operand_count; i++) /* INS/OUTS: all hidden */
		if (op[i].type == ZYDIS_OPERAND_TYPE_MEMORY)
			seg = op[i].mem.segment;
	if (mode == 64 && ours != ZYDIS_REGISTER_FS && ours != ZYDIS_REGISTER_GS)
		ours = ZYDIS_REGISTER_DS;
	if (zi->address_width != in->addrsize * 8 ||
	    (!f2 && !!(zi->attributes & ZYDIS_ATTRIB_HAS_REP) != in->rep))
		return false;
	return in->opcode < 0x6e || seg == ours; /* INS always writes ES:[rDI] */
}

/* An instruction the MMIO path emulates (mmio.c's classify()). */
static bool ours_is_mmio_move(const struct insn *in)
{
	if (in->two_byte)
		return (in->opcode & 0xf6) == 0xb6;
	return (in->opcode >= 0x88 && in->opcode <= 0x8b) || in->opcode == 0xc6 ||
	       in->opcode == 0xc7 || (in->opcode >= 0xa0 && in->opcode <= 0xa3);
}

bool insn_ref_check(const u8 *b, unsigned n, int mode, struct insn_ref_stats *st, bool verbose)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
	struct insn in;
	bool ours = insn_decode(b, n, mode, &in);
	ZyanStatus s = ZydisDecoderDecodeFull(decoder(mode), b, n, &zi, op);
	int mem;

	st->total++;
	if (!ZYAN_SUCCESS(s)) {
		if (!ours)
			return true;
		if (status_is_ud(s)) {
			st->ours_ud++;
			if (s == ZYDIS_STATUS_ILLEGAL_LOCK)
				st->ud_lock++;
			else if (s == ZYDIS_STATUS_ILLEGAL_LEGACY_PFX || s == ZYDIS_STATUS_ILLEGAL_REX)
				st->ud_prefix++;
			else if (s == ZYDIS_STATUS_BAD_REGISTER)
				st->ud_reg++;
			else
				st->ud_other++;
			if (ours_is_mmio_move(&in))
				st->mov_ud++;
			return true;
		}
		st->len_bad++;
		if (verbose)
			dump("ours decodes, Zydis: too long / no data", b, n, mode);
		return false;
	}
	if (!ours) {
		st->zydis_only++;
		if (mov_family(&zi, op, &mem)) {
			st->mov_bad++;
			if (verbose)
				dump("MOV family refused by the decoder", b, n, mode);
			return false;
		}
		return true;
	}
	st->both++;
	if (in.len != zi.length) {
		st->len_bad++;
		if (verbose) {
			dump("length mismatch", b, n, mode);
			fprintf(stderr, "  ours %u, zydis %u\n", in.len, zi.length);
		}
		return false;
	}
	if (!in.two_byte && in.opcode >= 0x6c && in.opcode <= 0x6f &&
	    !string_io_check(&in, &zi, op, mode, memchr(b, 0xf2, in.len) != NULL)) {
		st->len_bad++;
		if (verbose)
			dump("string I/O: address size, REP or segment differ", b, n, mode);
		return false;
	}
	if (!mov_family(&zi, op, &mem)) {
		if (!ours_is_mmio_move(&in))
			return true;
		/* the MMIO path must refuse what is no MOV with memory */
		if (mmio_run(b, n, mode) != EXIT_STOP || !fake.stopped) {
			st->mov_bad++;
			if (verbose)
				dump("emulated as an MMIO move, Zydis: no memory MOV", b, n, mode);
			return false;
		}
		return true;
	}
	if (!mov_check(b, n, mode, &zi, op, mem, verbose)) {
		st->mov_bad++;
		return false;
	}
	st->mov_ok++;
	return true;
}
