/* SPDX-License-Identifier: MIT */
/*
 * Differential check of the hypervisor's instruction decoder (vmm/insn.c)
 * and MMIO emulation (vmm/mmio.c) against Zydis, the reference decoder
 * Debian ships (libzydis-dev 4.0). Used by the bounded run in `make check`
 * (insn_diff.c) and the libFuzzer harness (fuzz_insn_zydis.c).
 *
 * The rule, for @n bytes decoded in a @mode-bit code segment:
 *  - both decode: the lengths are equal (else a length mismatch);
 *  - ours decodes, Zydis reports the encoding invalid (decoding error, bad
 *    register, illegal LOCK/legacy prefix/REX, invalid map or mask): the
 *    CPU raises #UD on it, so it never exits with RIP at it and its length
 *    is never used; counted, not compared. Zydis "too long" or "no more
 *    data" while ours decodes is a length mismatch;
 *  - ours refuses, Zydis decodes: fine (the hypervisor stops the guest
 *    with a clear line), except for the MOV family the MMIO path emulates
 *    (MOV, MOVZX, MOVSX with a memory operand): these must be emulated;
 *  - MOV family, both decode: mmio_emulate() on a fake vCPU does what
 *    Zydis's operands say: a memory operand exists, the bus access has its
 *    size, a store writes the source register's (or the immediate's)
 *    value, a load writes the destination register with the bus value
 *    (zero-/sign-extended or merged by the architecture's rules) and
 *    touches no other register, and RIP advances by the length.
 */
#ifndef TESTS_FUZZ_INSN_REF_H
#define TESTS_FUZZ_INSN_REF_H

#include <stdbool.h>

#include "kernel/types.h"

struct insn_ref_stats {
	unsigned long total;      /* byte strings checked */
	unsigned long both;       /* decoded by both */
	unsigned long len_bad;    /* length mismatches (must be 0) */
	unsigned long ours_ud;    /* ours decodes, the CPU raises #UD */
	/* ... of which Zydis says: illegal LOCK, illegal 66/F2/F3 or REX,
	 * bad register (e.g. CR1), other decoding errors */
	unsigned long ud_lock, ud_prefix, ud_reg, ud_other;
	unsigned long zydis_only; /* Zydis decodes, ours refuses */
	unsigned long mov_ok;     /* MOV family emulated as Zydis says */
	unsigned long mov_bad;    /* MOV family mismatches (must be 0) */
	unsigned long mov_ud;     /* MOV family emulated, the CPU #UDs */
};

/* Set up Zydis once. */
void insn_ref_init(void);

/*
 * Check the @n bytes at @b (n <= 32) in @mode; returns false on a
 * mismatch (printed when @verbose).
 */
bool insn_ref_check(const u8 *b, unsigned n, int mode, struct insn_ref_stats *st,
		    bool verbose);

#endif
