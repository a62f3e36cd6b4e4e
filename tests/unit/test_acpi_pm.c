// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the ACPI PM block and reset register
 * (vmm/dev/acpi_pm.c), with a fake clock in place of the TSC: the PM timer
 * is exact against a 128-bit reference, monotonic, 32 bits wide and safe
 * from overflow for huge clock values; TMR_STS follows the timer's top
 * bit; status bits are write-1-to-clear; enable bits read back; SCI_EN
 * reads 1; SLP_EN with SLP_TYP 5 powers off (and nothing else does);
 * accesses of every width and offset; RST_CPU resets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/acpi_pm.h"

#define SLP_EN (1u << 13)
#define SLP_TYP(t) ((u32)(t) << 10)
#define TMR_STS 0x0001

struct fake {
	u64 now;
	unsigned poweroffs, resets;
};

static struct fake fk;
static struct acpi_pm pm;

static u64 fake_clock(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static void fake_poweroff(void *ctx)
{
	((struct fake *)ctx)->poweroffs++;
}

static void fake_reset(void *ctx)
{
	((struct fake *)ctx)->resets++;
}

static void init_at(u64 start, u64 khz)
{
	struct acpi_pm_hooks h = {
		.clock = fake_clock, .clock_khz = khz,
		.poweroff = fake_poweroff, .reset = fake_reset, .ctx = &fk,
	};

	memset(&fk, 0, sizeof(fk));
	fk.now = start;
	acpi_pm_init(&pm, &h);
}

static int setup(void **state)
{
	(void)state;
	init_at(1000, 2000000); /* a 2 GHz clock */
	return 0;
}

/* What the timer must read after @elapsed cycles of a @khz clock. */
static u32 reference(u64 elapsed, u64 khz)
{
	unsigned __int128 t = (unsigned __int128)elapsed * ACPI_PM_TIMER_HZ;

	return (u32)(u64)(t / ((unsigned __int128)khz * 1000));
}

static u32 tmr(void)
{
	return (u32)acpi_pm_read(&pm, ACPI_PM_TMR, 4);
}

static u16 rd16(u64 off)
{
	return (u16)acpi_pm_read(&pm, off, 2);
}

static void test_timer_starts_at_zero_and_is_exact(void **state)
{
	(void)state;
	assert_int_equal(tmr(), 0);
	fk.now += 2000000000ULL; /* one second */
	assert_int_equal(tmr(), ACPI_PM_TIMER_HZ);
	fk.now += 1000; /* half a microsecond: one more tick at most */
	assert_int_equal(tmr(), reference(2000001000ULL, 2000000));
	assert_int_equal(acpi_pm_timer(&pm), tmr());
}

static void test_timer_monotonic(void **state)
{
	u32 last = 0;

	(void)state;
	srand(7);
	for (int i = 0; i < 100000; i++) {
		u32 t;

		fk.now += (u64)(rand() % 5000);
		t = tmr();
		assert_true(t >= last);
		assert_int_equal(t, reference(fk.now - 1000, 2000000));
		last = t;
	}
}

/* Huge elapsed counts: the naive elapsed * 3579545 would overflow 64 bits. */
static void test_timer_no_overflow(void **state)
{
	static const u64 khz[] = { 1, 999, 2000000, 3579545, 5000000, 10000000 };
	static const u64 elapsed[] = {
		1ULL << 40, (1ULL << 44) + 12345, 1ULL << 52, (1ULL << 63) + 77,
		~0ULL - 1000,
	};

	(void)state;
	for (unsigned k = 0; k < ARRAY_SIZE(khz); k++)
		for (unsigned e = 0; e < ARRAY_SIZE(elapsed); e++) {
			init_at(1000, khz[k]);
			fk.now += elapsed[e];
			assert_int_equal(tmr(), reference(elapsed[e], khz[k]));
		}
}

/* The TSC may wrap while the guest runs: only the difference counts. */
static void test_timer_clock_wrap(void **state)
{
	(void)state;
	init_at(~0ULL - 999999, 1000000); /* 1 GHz, 1 ms before the wrap */
	fk.now += 2000000; /* 2 ms later, past the wrap */
	assert_int_equal(tmr(), reference(2000000, 1000000));
}

static void test_timer_32bit_wrap_and_tmr_sts(void **state)
{
	u64 cycles_per_tick;

	(void)state;
	init_at(0, 3579545); /* 1000 clock cycles per tick: easy arithmetic */
	cycles_per_tick = 1000;
	assert_int_equal(rd16(ACPI_PM1_EVT) & TMR_STS, 0);
	fk.now = ((1ULL << 31) - 1) * cycles_per_tick;
	assert_int_equal(tmr(), 0x7fffffff);
	assert_int_equal(rd16(ACPI_PM1_EVT) & TMR_STS, 0);
	fk.now += cycles_per_tick;
	assert_int_equal(tmr(), 0x80000000u);
	assert_int_equal(rd16(ACPI_PM1_EVT) & TMR_STS, TMR_STS);
	/* Writing 0 leaves it; writing 1 clears it; it stays clear. */
	acpi_pm_write(&pm, ACPI_PM1_EVT, 2, 0);
	assert_int_equal(rd16(ACPI_PM1_EVT) & TMR_STS, TMR_STS);
	acpi_pm_write(&pm, ACPI_PM1_EVT, 2, TMR_STS);
	assert_int_equal(rd16(ACPI_PM1_EVT) & TMR_STS, 0);
	fk.now += 1000 * cycles_per_tick;
	assert_int_equal(rd16(ACPI_PM1_EVT) & TMR_STS, 0);
	/* Wrap of the 32-bit counter: bit 31 changes again. */
	fk.now = ((1ULL << 32) + 5) * cycles_per_tick;
	assert_int_equal(tmr(), 5);
	assert_int_equal(rd16(ACPI_PM1_EVT) & TMR_STS, TMR_STS);
}

static void test_no_clock(void **state)
{
	struct acpi_pm_hooks h = { 0 };

	(void)state;
	acpi_pm_init(&pm, &h);
	assert_int_equal(tmr(), 0);
	h.clock = fake_clock;
	h.ctx = &fk;
	acpi_pm_init(&pm, &h); /* rate 0 (uncalibrated) */
	fk.now += 123456789;
	assert_int_equal(tmr(), 0);
	/* No callbacks: sleep and reset requests are harmless. */
	acpi_pm_write(&pm, ACPI_PM1_CNT, 2, SLP_EN | SLP_TYP(5));
	acpi_pm_reset_write(&pm, 0, 1, 0x06);
}

static void test_timer_read_only(void **state)
{
	(void)state;
	fk.now += 2000000000ULL;
	acpi_pm_write(&pm, ACPI_PM_TMR, 4, 0);
	assert_int_equal(tmr(), ACPI_PM_TIMER_HZ);
}

static void test_enable_bits(void **state)
{
	(void)state;
	assert_int_equal(rd16(ACPI_PM1_EVT + 2), 0);
	acpi_pm_write(&pm, ACPI_PM1_EVT + 2, 2, 0xffff);
	assert_int_equal(rd16(ACPI_PM1_EVT + 2), 0x4721); /* reserved bits stay 0 */
	acpi_pm_write(&pm, ACPI_PM1_EVT + 2, 2, 0x0101);
	assert_int_equal(rd16(ACPI_PM1_EVT + 2), 0x0101);
	/* A byte write changes only its byte. */
	acpi_pm_write(&pm, ACPI_PM1_EVT + 3, 1, 0x02);
	assert_int_equal(rd16(ACPI_PM1_EVT + 2), 0x0201);
}

/* One dword write at 0x600 clears status and sets enable together. */
static void test_dword_event_block(void **state)
{
	(void)state;
	init_at(0, 3579545);
	fk.now = (1ULL << 31) * 1000;
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1_EVT, 4), TMR_STS);
	acpi_pm_write(&pm, ACPI_PM1_EVT, 4, (0x0020u << 16) | TMR_STS);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1_EVT, 4), 0x0020u << 16);
}

static void test_sci_en_reads_one(void **state)
{
	(void)state;
	assert_int_equal(rd16(ACPI_PM1_CNT), 1);
	acpi_pm_write(&pm, ACPI_PM1_CNT, 2, 0); /* SCI_EN cannot be cleared */
	assert_int_equal(rd16(ACPI_PM1_CNT), 1);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1_CNT, 1), 1);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1_CNT + 2, 2), 0); /* unused */
}

static void test_poweroff_on_s5(void **state)
{
	(void)state;
	acpi_pm_write(&pm, ACPI_PM1_CNT, 2, SLP_TYP(5) | SLP_EN | 1);
	assert_int_equal(fk.poweroffs, 1);
	assert_int_equal(fk.resets, 0);
	/* SLP_EN reads 0, SLP_TYP reads back. */
	assert_int_equal(rd16(ACPI_PM1_CNT), SLP_TYP(5) | 1);
}

static void test_other_sleep_types_ignored(void **state)
{
	(void)state;
	for (u32 t = 0; t < 8; t++) {
		if (t == ACPI_PM_SLP_TYP_S5)
			continue;
		acpi_pm_write(&pm, ACPI_PM1_CNT, 2, SLP_TYP(t) | SLP_EN);
	}
	/* SLP_TYP 5 without SLP_EN only prepares. */
	acpi_pm_write(&pm, ACPI_PM1_CNT, 2, SLP_TYP(5));
	assert_int_equal(fk.poweroffs, 0);
	assert_int_equal(rd16(ACPI_PM1_CNT), SLP_TYP(5) | 1);
}

/* Type, then enable, each as a byte write to the high byte. */
static void test_poweroff_byte_writes(void **state)
{
	(void)state;
	acpi_pm_write(&pm, ACPI_PM1_CNT + 1, 1, SLP_TYP(5) >> 8);
	assert_int_equal(fk.poweroffs, 0);
	acpi_pm_write(&pm, ACPI_PM1_CNT + 1, 1, (SLP_TYP(5) | SLP_EN) >> 8);
	assert_int_equal(fk.poweroffs, 1);
	/* A write to the low byte alone does not touch SLP_EN. */
	acpi_pm_write(&pm, ACPI_PM1_CNT, 1, 0xff);
	assert_int_equal(fk.poweroffs, 1);
}

/* A dword write at 0x604 also reaches the control register. */
static void test_poweroff_dword_write(void **state)
{
	(void)state;
	acpi_pm_write(&pm, ACPI_PM1_CNT, 4, SLP_TYP(5) | SLP_EN);
	assert_int_equal(fk.poweroffs, 1);
}

static void test_reset_register(void **state)
{
	(void)state;
	assert_int_equal(acpi_pm_reset_read(&pm, 0, 1), 0);
	acpi_pm_reset_write(&pm, 0, 1, 0x02); /* SYS_RST alone: no reset yet */
	assert_int_equal(fk.resets, 0);
	assert_int_equal(acpi_pm_reset_read(&pm, 0, 1), 0x02);
	acpi_pm_reset_write(&pm, 0, 1, 0x06);
	assert_int_equal(fk.resets, 1);
	acpi_pm_reset_write(&pm, 0, 1, 0x04);
	assert_int_equal(fk.resets, 2);
	assert_int_equal(fk.poweroffs, 0);
}

/* Reads of any width at any offset agree with the 16/32-bit registers. */
static void test_unaligned_reads(void **state)
{
	(void)state;
	fk.now += 2000000000ULL;
	acpi_pm_write(&pm, ACPI_PM1_EVT + 2, 2, 0x0100);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1_EVT + 3, 1), 0x01);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR + 2, 2), ACPI_PM_TIMER_HZ >> 16);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR + 3, 1), ACPI_PM_TIMER_HZ >> 24);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1_CNT, 8),
			 1 | ((u64)ACPI_PM_TIMER_HZ << 32));
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR, 8), ACPI_PM_TIMER_HZ);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_timer_starts_at_zero_and_is_exact),
		T(test_timer_monotonic),
		T(test_timer_no_overflow),
		T(test_timer_clock_wrap),
		T(test_timer_32bit_wrap_and_tmr_sts),
		T(test_no_clock),
		T(test_timer_read_only),
		T(test_enable_bits),
		T(test_dword_event_block),
		T(test_sci_en_reads_one),
		T(test_poweroff_on_s5),
		T(test_other_sleep_types_ignored),
		T(test_poweroff_byte_writes),
		T(test_poweroff_dword_write),
		T(test_reset_register),
		T(test_unaligned_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
