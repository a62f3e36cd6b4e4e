// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the MMIO emulator's ALU (vmm/alu.c), against the
 * host CPU: each operation, on 1-, 2-, 4- and 8-byte operands, for edge
 * values (0, 1, the sign bit, all-ones, 0x0f/0x10 nibble carries) and
 * pseudo-random ones, with CF clear and set on input; the result and
 * every flag the instruction defines (SDM Vol. 2, "Flags Affected") must
 * match what the same instruction gives on this CPU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/alu.h"

/* The host instruction @insn (operands %[x], the result, and %[y]) with
 * flags in and out, below the red zone. */
#define HOST_FN(name, insn, T)                                                      \
	static u64 name(u64 a, u64 b, u64 *fl)                                      \
	{                                                                           \
		T x = (T)a, y = (T)b;                                               \
		u64 f = *fl;                                                        \
		asm volatile("sub $128, %%rsp\n\tpush %[f]\n\tpopf\n\t" insn        \
			     "\n\tpushf\n\tpop %[f]\n\tadd $128, %%rsp"                \
			     : [x] "+r"(x), [f] "+r"(f) : [y] "r"(y) : "cc", "memory"); \
		*fl = f;                                                            \
		return (u64)x;                                                      \
	}
#define BIN(m) m " %[y], %[x]"
#define UN(m) m " %[x]"

/* Every operation once: its enum alu_op, its host function, the host
 * instruction. */
#define ALU_OPS(X)                                                                  \
	X(ALU_ADD, h_add, BIN("add")) X(ALU_OR, h_or, BIN("or"))                    \
	X(ALU_ADC, h_adc, BIN("adc")) X(ALU_SBB, h_sbb, BIN("sbb"))                 \
	X(ALU_AND, h_and, BIN("and")) X(ALU_SUB, h_sub, BIN("sub"))                 \
	X(ALU_XOR, h_xor, BIN("xor")) X(ALU_CMP, h_cmp, BIN("cmp"))                 \
	X(ALU_TEST, h_test, BIN("test")) X(ALU_INC, h_inc, UN("inc"))               \
	X(ALU_DEC, h_dec, UN("dec")) X(ALU_NOT, h_not, UN("not"))                   \
	X(ALU_NEG, h_neg, UN("neg"))

/* The four operand sizes of one operation. */
#define HOST_ALL(op, name, insn)                                                    \
	HOST_FN(name##_1, insn, u8) HOST_FN(name##_2, insn, u16)                    \
	HOST_FN(name##_4, insn, u32) HOST_FN(name##_8, insn, u64)
ALU_OPS(HOST_ALL)

typedef u64 (*host_fn)(u64, u64, u64 *);

#define ROW(op, name, insn) [op] = { name##_1, name##_2, name##_4, name##_8 },
static const host_fn host[][4] = { ALU_OPS(ROW) };

static const u64 edges[] = { 0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
			     0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
			     0x8000000000000000ULL, ~0ULL, 0x0123456789abcdefULL };

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The flags @op defines: AF is undefined after AND/OR/XOR/TEST. */
static u64 defined(enum alu_op op)
{
	if (op == ALU_AND || op == ALU_OR || op == ALU_XOR || op == ALU_TEST)
		return ALU_STATUS & ~ALU_AF;
	return ALU_STATUS;
}

static void compare(enum alu_op op, unsigned si, u64 a, u64 b, u64 cf)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	u64 hf = 0x2 | cf, ef = 0x2 | cf;
	u64 hr = host[op][si](a, b, &hf);
	u64 er = alu_compute(op, a, b, sizes[si], &ef);
	u64 m = sizes[si] == 8 ? ~0ULL : (1ULL << (8 * sizes[si])) - 1;

	if (op == ALU_CMP || op == ALU_TEST)
		hr = (op == ALU_CMP ? a - b : a & b); /* the host leaves x alone */
	if ((hr & m) != er || ((hf ^ ef) & defined(op))) {
		print_error("op %d size %u a 0x%llx b 0x%llx cf %llu: host 0x%llx flags 0x%llx, "
			    "alu 0x%llx flags 0x%llx\n", op, sizes[si], (unsigned long long)a,
			    (unsigned long long)b, (unsigned long long)cf,
			    (unsigned long long)(hr & m), (unsigned long long)hf,
			    (unsigned long long)er, (unsigned long long)ef);
		fail();
	}
}

static void test_edges(void **state)
{
	(void)state;
	for (int op = ALU_ADD; op <= ALU_NEG; op++)
		for (unsigned si = 0; si < 4; si++)
			for (unsigned i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
				for (unsigned j = 0; j < sizeof(edges) / sizeof(edges[0]); j++)
					for (u64 cf = 0; cf < 2; cf++)
						compare(op, si, edges[i], edges[j], cf);
}

static void test_random(void **state)
{
	(void)state;
	for (unsigned n = 0; n < 20000; n++)
		for (int op = ALU_ADD; op <= ALU_NEG; op++)
			compare(op, n % 4, next_random(), next_random(), n & 1);
}

/* NOT changes no flag; INC and DEC keep CF. */
static void test_flags_kept(void **state)
{
	u64 f = ALU_STATUS | 0x2;

	(void)state;
	assert_int_equal(alu_compute(ALU_NOT, 0xf0, 0, 1, &f), 0x0f);
	assert_int_equal(f, ALU_STATUS | 0x2);
	f = ALU_CF;
	assert_int_equal(alu_compute(ALU_INC, 0xff, 0, 1, &f), 0);
	assert_int_equal(f & (ALU_CF | ALU_ZF), ALU_CF | ALU_ZF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_flags_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
