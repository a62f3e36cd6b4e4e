/* SPDX-License-Identifier: MIT */
/*
 * Guest instruction fetch and decode. Used for the length of an exiting
 * instruction when the hardware does not report it (SVM without
 * nrip-save), and for MMIO emulation. Encoding rules: Intel SDM Vol. 2A
 * ch. 2 (prefixes, ModR/M, SIB, displacement, immediate) and Appendix A.
 */
#ifndef VMM_INSN_H
#define VMM_INSN_H

#include "arch/x86/virt.h"
#include "kernel/types.h"

#define INSN_MAX 15

struct vcpu;

struct insn {
	u8 len;
	u8 opcode;        /* last opcode byte */
	bool two_byte;    /* 0F escape */
	bool has_modrm;
	u8 modrm;
	u8 rex;
	u8 opsize;        /* operand size in bytes: 1, 2, 4 or 8 */
	u8 addrsize;      /* 2, 4 or 8 */
	bool rep;         /* F3 */
	u8 mprefix;       /* mandatory prefix: F2/F3 (the last), else 66, else 0 */
	u8 seg;           /* segment override (enum vcpu_seg), SEG_DS if none */
	u8 mode;          /* the code-segment mode it was decoded in: 16, 32, 64 */
	u64 imm;
};

/*
 * Decode the instruction at @bytes (@n valid) in a code segment of
 * @mode bits (16, 32 or 64). Returns false for opcodes the decoder does
 * not know (VEX/EVEX/XOP, three-byte maps, undefined ones), for encodings
 * whose length depends on the CPU vendor, or when @n is too short.
 * tests/fuzz/insn_ref.h compares it with a reference decoder.
 */
bool insn_decode(const u8 *bytes, unsigned n, int mode, struct insn *out);

/* Code-segment mode of @v: 16, 32 or 64 (vmm/vcpu_mode.c). */
int vcpu_code_mode(struct vcpu *v);

/* @v's RIP, CS and paging registers: vcpu_code_view() in code_fetch.h. */
/* The code-segment mode they give: 16, 32 or 64. */
int vcpu_code_mode_view(const struct vcpu_code_view *cv);

/* Read up to @len bytes at the guest's CS:RIP; returns how many; *@mode
 * gets the code-segment mode they are in (for the decoder). */
unsigned vcpu_fetch_code(struct vcpu *v, u8 *buf, unsigned len, int *mode);

/* The bytes at CS:RIP in place: vcpu_code_bytes() in code_fetch.h. */

static inline unsigned vcpu_fetch(struct vcpu *v, u8 *buf, unsigned len)
{
	int mode;

	return vcpu_fetch_code(v, buf, len, &mode);
}

/* Length of the instruction at the guest's RIP, or -1. */
int insn_length_at_rip(struct vcpu *v);

#endif
