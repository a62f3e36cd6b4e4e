// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the kvm-clock scale and records (vmm/pvclock.c):
 * for TSC rates from 1 MHz to 10 GHz the scale keeps mul in [2^31, 2^32)
 * and turns ticks into ns within 1 ns per second of tick*10^6/kHz over
 * an hour; the TSC frequency a guest derives back from the scale (Linux's
 * pvclock_tsc_khz: 10^6 * 2^32 / mul, shifted) is the rate given within
 * 2 ppm; the time-info and wall-clock records lay their fields out at the
 * ABI's offsets; and the MSR writes refuse misaligned areas and areas
 * outside RAM, fill a registered area with an even version, and store
 * the value read back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/fake_vcpu_stubs.h"
#include "vmm/pvclock.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

static u8 ram[0x2000];
static const u64 fake_khz = 2500000;

static bool in_ram(u64 gpa, u64 len)
{
	return gpa < sizeof(ram) && len <= sizeof(ram) - gpa;
}

FAKE_GMEM(ram, in_ram)

u64 tsc_khz(void) { return fake_khz; }

void wallclock_ref(u64 *epoch, u64 *tsc)
{
	*epoch = 1764892800; /* 2025-12-05 00:00:00 UTC */
	*tsc = 0;
}

static u32 get32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 get64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

/* Linux's pvclock_tsc_khz(). */
static u64 khz_back(struct pvclock_scale s)
{
	u64 k = (1000000ULL << 32) / s.mul;

	return s.shift < 0 ? k << -s.shift : k >> s.shift;
}

static void test_scale(void **state)
{
	static const u64 rates[] = { 1000, 14318, 999971, 1000000, 2100000, 2500000,
				     3579545, 4000000, 10000000 };

	(void)state;
	for (unsigned i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct pvclock_scale s = pvclock_scale_of(rates[i]);
		u64 hour = rates[i] * 1000 * 3600; /* ticks */
		unsigned __int128 want = (unsigned __int128)hour * 1000000 / rates[i];
		u64 got = pvclock_ns(s, hour);
		u64 err = got > want ? got - (u64)want : (u64)want - got;

		assert_true(s.mul >= (1ULL << 31));
		assert_true(err <= 3600); /* 1 ns per second */
		assert_in_range(khz_back(s), rates[i] - rates[i] / 500000 - 1,
				rates[i] + rates[i] / 500000 + 1); /* 2 ppm */
		assert_int_equal(pvclock_ns(s, 0), 0);
	}
	/* 1 GHz: one tick, one ns */
	assert_int_equal(pvclock_ns(pvclock_scale_of(1000000), 123456789), 123456789);
}

static void test_records(void **state)
{
	struct pvclock_scale s = { 0x87654321, -2 };
	u8 t[32], w[12];

	(void)state;
	memset(t, 0xaa, sizeof(t));
	pvclock_time_info(t, 6, 0x1122334455667788ULL, 0x99aabbccddeeff00ULL, s,
			  PVCLOCK_TSC_STABLE_BIT);
	assert_int_equal(get32(t), 6);
	assert_int_equal(get32(t + 4), 0);
	assert_int_equal(get64(t + 8), 0x1122334455667788ULL);
	assert_int_equal(get64(t + 16), 0x99aabbccddeeff00ULL);
	assert_int_equal(get32(t + 24), 0x87654321);
	assert_int_equal((s8)t[28], -2);
	assert_int_equal(t[29], 1);
	assert_int_equal(t[30] | t[31], 0);
	pvclock_wall_clock(w, 8, 1764892800, 999999999);
	assert_int_equal(get32(w), 8);
	assert_int_equal(get32(w + 4), 1764892800);
	assert_int_equal(get32(w + 8), 999999999);
}

static void test_msr_writes(void **state)
{
	static struct vm vm;
	static struct vcpu v;
	u64 delta_ns;

	(void)state;
	memset(ram, 0, sizeof(ram));
	v.vm = &vm;
	vm.boot_tsc = 1; /* guest time 0 at TSC 1 (the host's real TSC is now) */
	assert_false(pvclock_system_time_write(&v, 0x1002 | 1)); /* not 4-byte aligned */
	assert_false(pvclock_system_time_write(&v, sizeof(ram) - 16 + 1)); /* runs out of RAM */
	assert_int_equal(v.pvclock_msr, 0);
	assert_true(pvclock_system_time_write(&v, 0x1000)); /* disabled: nothing written */
	assert_int_equal(get32(ram + 0x1000), 0);
	assert_true(pvclock_system_time_write(&v, 0x1000 | 1));
	assert_int_equal(v.pvclock_msr, 0x1001);
	assert_int_equal(get32(ram + 0x1000) % 2, 0);
	assert_true(get32(ram + 0x1000) != 0);
	assert_int_equal(get32(ram + 0x1000 + 24), pvclock_scale_of(fake_khz).mul);
	assert_int_equal(ram[0x1000 + 29], PVCLOCK_TSC_STABLE_BIT);
	/* system_time is the ns since boot at tsc_timestamp */
	delta_ns = pvclock_ns(pvclock_scale_of(fake_khz), get64(ram + 0x1008) - 1);
	assert_int_equal(get64(ram + 0x1010), delta_ns);
	assert_false(pvclock_wall_clock_write(&v, 0x1801)); /* misaligned */
	assert_true(pvclock_wall_clock_write(&v, 0x1800));
	assert_int_equal(v.pvclock_wall_msr, 0x1800);
	assert_int_equal(get32(ram + 0x1800) % 2, 0);
	assert_int_equal(get32(ram + 0x1804), 1764892800); /* boot at TSC 1 of 2.5 GHz */
	assert_true(get32(ram + 0x1808) < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_msr_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
