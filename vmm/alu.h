/* SPDX-License-Identifier: MIT */
/*
 * Integer ALU of the instructions the MMIO emulator performs on a memory
 * operand (vmm/mmio.c): result and status flags (CF, PF, AF, ZF, SF, OF;
 * Intel SDM Vol. 1 §3.4.3.1 and each instruction's "Flags Affected" in
 * Vol. 2) for operands of 1, 2, 4 or 8 bytes. Pure: host unit tests
 * compare it with the host CPU.
 */
#ifndef VMM_ALU_H
#define VMM_ALU_H

#include "kernel/types.h"

/* The first eight in the order of the group-1 /reg field and of opcodes
 * 00-3F (bits 5:3). */
enum alu_op {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
	ALU_TEST, ALU_INC, ALU_DEC, ALU_NOT, ALU_NEG,
};

#define ALU_CF (1ULL << 0)
#define ALU_PF (1ULL << 2)
#define ALU_AF (1ULL << 4)
#define ALU_ZF (1ULL << 6)
#define ALU_SF (1ULL << 7)
#define ALU_OF (1ULL << 11)
#define ALU_STATUS (ALU_CF | ALU_PF | ALU_AF | ALU_ZF | ALU_SF | ALU_OF)

/*
 * @a op @b on @size bytes (@b unused by INC, DEC, NOT, NEG); *@rflags
 * supplies CF for ADC/SBB and gets the flags the instruction defines
 * (INC/DEC keep CF, NOT changes none; AF, which AND/OR/XOR/TEST leave
 * undefined, is cleared). Returns the result masked to @size; CMP and
 * TEST return it too, the caller does not store it.
 */
u64 alu_compute(enum alu_op op, u64 a, u64 b, unsigned size, u64 *rflags);

#endif
