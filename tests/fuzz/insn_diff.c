// SPDX-License-Identifier: MIT
/*
 * Differential decoder test (a cmocka test counted by `make check`): the
 * hypervisor's decoder and MMIO emulation against Zydis (insn_ref.h has
 * the rule) on pseudo-random byte strings from a fixed seed, in 16-, 32-
 * and 64-bit code. The strings are built to reach what the decoder knows:
 * random legacy prefixes and REX, then a one-byte opcode, a two-byte
 * (0F xx) opcode or a MOV-family opcode, then random ModR/M, SIB,
 * displacement and immediate bytes; one in eight is wholly random.
 * INSN_DIFF_COUNT (per mode and test, default 250000) and INSN_DIFF_SEED
 * make a longer run (`make fuzz` does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tests/fuzz/insn_ref.h"

static u64 rng_state;

static u64 rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned long env_num(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : dflt;
}

static const u8 legacy[] = { 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65 };
static const u8 movs[] = { 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0xa0, 0xa1, 0xa2, 0xa3 };
static const u8 movx[] = { 0xb6, 0xb7, 0xbe, 0xbf };

/* Prefixes and REX at @b; returns how many bytes. */
static unsigned gen_prefixes(u8 *b, int mode)
{
	unsigned n = 0, np = rnd() % 4;

	if (rnd() % 4 == 0)
		np = rnd() % 15; /* long runs too: the 15-byte limit */
	for (unsigned i = 0; i < np; i++)
		b[n++] = legacy[rnd() % sizeof(legacy)];
	if (mode == 64 && rnd() % 2)
		b[n++] = 0x40 | (rnd() % 16);
	return n;
}

/* One byte string of 16 bytes; @mov: MOV family only. */
static void gen(u8 *b, int mode, bool mov)
{
	unsigned n, kind = rnd() % 8;

	for (unsigned i = 0; i < 16; i += 8) {
		u64 r = rnd();

		for (unsigned k = 0; k < 8; k++)
			b[i + k] = (u8)(r >> (8 * k));
	}
	if (!mov && kind == 0)
		return;
	n = gen_prefixes(b, mode);
	if (n > 12)
		n = 12;
	if (mov && kind < 6) {
		b[n++] = movs[rnd() % sizeof(movs)];
	} else if (mov) {
		b[n++] = 0x0f;
		b[n++] = movx[rnd() % sizeof(movx)];
	} else if (kind < 5) {
		b[n++] = 0x0f;
		n++; /* random two-byte opcode */
	} else {
		n++; /* random one-byte opcode */
	}
	if (mov && rnd() % 8 && (b[n] >> 6) == 3)
		b[n] &= 0x3f; /* mostly memory operands */
}

static void run(int mode, bool mov)
{
	unsigned long count = env_num("INSN_DIFF_COUNT", 250000);
	struct insn_ref_stats st = { 0 };
	unsigned long bad = 0;
	u8 b[16];

	rng_state = env_num("INSN_DIFF_SEED", 0x9e3779b97f4a7c15ULL) ^ (u64)mode << 32 ^ mov;
	insn_ref_init();
	for (unsigned long i = 0; i < count; i++) {
		gen(b, mode, mov);
		if (!insn_ref_check(b, sizeof(b), mode, &st, bad < 20))
			bad++;
	}
	print_message("    %d-bit%s: %lu strings, both decode %lu, length mismatches %lu, "
		      "only Zydis decodes %lu, MOV family ok %lu bad %lu\n", mode,
		      mov ? " MOV family" : "", st.total, st.both, st.len_bad, st.zydis_only,
		      st.mov_ok, st.mov_bad);
	print_message("      ours decodes, CPU #UDs %lu (MOV family %lu): illegal LOCK %lu, "
		      "prefix/REX %lu, register %lu, other %lu\n", st.ours_ud, st.mov_ud,
		      st.ud_lock, st.ud_prefix, st.ud_reg, st.ud_other);
	assert_int_equal(st.len_bad, 0);
	assert_int_equal(st.mov_bad, 0);
	assert_int_equal(bad, 0);
	if (mov)
		assert_true(st.mov_ok > count / 4); /* the test did check moves */
	else
		assert_true(st.both > count / 10);
}

static void test_length_16(void **state) { (void)state; run(16, false); }
static void test_length_32(void **state) { (void)state; run(32, false); }
static void test_length_64(void **state) { (void)state; run(64, false); }
static void test_mov_16(void **state) { (void)state; run(16, true); }
static void test_mov_32(void **state) { (void)state; run(32, true); }
static void test_mov_64(void **state) { (void)state; run(64, true); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length_16), cmocka_unit_test(test_length_32),
		cmocka_unit_test(test_length_64), cmocka_unit_test(test_mov_16),
		cmocka_unit_test(test_mov_32),    cmocka_unit_test(test_mov_64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
