// SPDX-License-Identifier: MIT
/*
 * ACPI PM register block and reset register (acpi_pm.h). Register bits are
 * those of ACPI 6.5 §4.8.4: PM1 status (Table 4.11), PM1 enable (Table
 * 4.12), PM1 control (Table 4.13). An access may have any width and span
 * several registers (ACPICA reads the event block a word at a time, other
 * guests a dword at a time), so a read is cut from a byte image of the
 * whole block and a write is split into the bytes it covers of each
 * register.
 */
#include "kernel/string.h"
#include "vmm/dev/acpi_pm.h"

/* PM1 status and enable bits (the enable bit sits at its status bit). */
#define PM1_TMR (1u << 0)
#define PM1_BM_STS (1u << 4)
#define PM1_GBL (1u << 5)
#define PM1_PWRBTN (1u << 8)
#define PM1_SLPBTN (1u << 9)
#define PM1_RTC (1u << 10)
#define PM1_PCIEXP_WAKE (1u << 14) /* PCIEXP_WAKE_STS; PCIEXP_WAKE_DIS in EN */
#define PM1_WAK_STS (1u << 15)
#define PM1_EN_BITS (PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_SLPBTN | PM1_RTC | \
		     PM1_PCIEXP_WAKE)
#define PM1_STS_BITS (PM1_EN_BITS | PM1_BM_STS | PM1_WAK_STS)

/* PM1 control bits. GBL_RLS and SLP_EN are write-only and read as 0. */
#define PM1_SCI_EN (1u << 0)
#define PM1_BM_RLD (1u << 1)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)
#define PM1_CNT_KEPT (PM1_BM_RLD | PM1_SLP_TYP_MASK)

/* The PC reset control register keeps SYS_RST (bit 1) and FULL_RST (bit 3). */
#define RESET_CNT_KEPT 0x0a

void acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_hooks *hooks)
{
	memset(pm, 0, sizeof(*pm));
	pm->hooks = *hooks;
	if (pm->hooks.clock)
		pm->clock_base = pm->hooks.clock(pm->hooks.ctx);
}

/*
 * Timer ticks since init: elapsed * 3579545 / clock_hz, exactly, without a
 * 128-bit product: with elapsed = q * hz + r, it is q * 3579545 plus
 * r * 3579545 / hz, and r < hz keeps that product below 2^64 for any clock
 * under 5 THz. The 64-bit count wraps after thousands of years.
 */
static u64 pm_ticks(const struct acpi_pm *pm)
{
	u64 hz = pm->hooks.clock_khz * 1000;
	u64 elapsed;

	if (!hz || !pm->hooks.clock)
		return 0;
	elapsed = pm->hooks.clock(pm->hooks.ctx) - pm->clock_base;
	return elapsed / hz * ACPI_PM_TIMER_HZ +
	       elapsed % hz * ACPI_PM_TIMER_HZ / hz;
}

/*
 * The timer value now. TMR_STS is set whenever the timer's top bit (bit 31
 * with TMR_VAL_EXT) has changed since the last look; counting changes of
 * ticks >> 31 catches every one however rarely the guest looks.
 */
u32 acpi_pm_timer(struct acpi_pm *pm)
{
	u64 t = pm_ticks(pm);

	if (t >> 31 != pm->tmr_epoch) {
		pm->tmr_epoch = t >> 31;
		pm->sts |= PM1_TMR;
	}
	return (u32)t;
}

static void pm_put(u8 *p, u64 v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* The block as the guest sees it now, little-endian. */
static void pm_image(struct acpi_pm *pm, u8 img[ACPI_PM_BLOCK_LEN])
{
	u32 tmr = acpi_pm_timer(pm);

	memset(img, 0, ACPI_PM_BLOCK_LEN);
	pm_put(img + ACPI_PM1_EVT, pm->sts, 2);
	pm_put(img + ACPI_PM1_EVT + 2, pm->en, 2);
	/* No SMI_CMD in the FADT: always in ACPI mode, SCI_EN reads 1 (§4.8.4.2.1). */
	pm_put(img + ACPI_PM1_CNT, (pm->cnt & PM1_CNT_KEPT) | PM1_SCI_EN, 2);
	pm_put(img + ACPI_PM_TMR, tmr, 4);
}

u64 acpi_pm_read(void *dev, u64 offset, unsigned size)
{
	u8 img[ACPI_PM_BLOCK_LEN];
	u64 v = 0;

	pm_image(dev, img);
	for (unsigned i = 0; i < size && i < 8 && offset + i < ACPI_PM_BLOCK_LEN; i++)
		v |= (u64)img[offset + i] << (8 * i);
	return v;
}

/*
 * The part of a write (@val, @size bytes at @offset) that falls in the
 * 16-bit register at @reg: its bits in *@v, and a mask of the register
 * bytes written as the return value (0: the write misses the register).
 */
static u16 pm_slice(u64 offset, unsigned size, u64 val, u64 reg, u16 *v)
{
	u16 mask = 0;

	*v = 0;
	for (unsigned i = 0; i < 2; i++) {
		u64 b = reg + i;

		if (b < offset || b - offset >= MIN(size, 8u))
			continue;
		*v |= (u16)(((val >> (8 * (b - offset))) & 0xff) << (8 * i));
		mask |= (u16)(0xff << (8 * i));
	}
	return mask;
}

static u8 pm_slp_typ(u16 cnt)
{
	return (cnt & PM1_SLP_TYP_MASK) >> PM1_SLP_TYP_SHIFT;
}

/*
 * PM1 control: setting SLP_EN enters the sleep state SLP_TYP names. Only
 * S5 (the value \_S5 gives, §7.4.2) is supported: soft off. Requests for
 * other states are ignored and the guest simply keeps running.
 */
static void pm_cnt_write(struct acpi_pm *pm, u16 v, u16 mask)
{
	u16 cnt = (pm->cnt & ~mask) | (v & mask);

	pm->cnt = cnt & PM1_CNT_KEPT;
	if (!(v & PM1_SLP_EN))
		return;
	if (pm_slp_typ(cnt) == ACPI_PM_SLP_TYP_S5 && pm->hooks.poweroff)
		pm->hooks.poweroff(pm->hooks.ctx);
}

void acpi_pm_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct acpi_pm *pm = dev;
	u16 v, mask;

	/* Status bits are cleared by writing 1 to them. */
	if (pm_slice(offset, size, val, ACPI_PM1_EVT, &v))
		pm->sts &= ~(v & PM1_STS_BITS);
	mask = pm_slice(offset, size, val, ACPI_PM1_EVT + 2, &v);
	pm->en = (pm->en & ~mask) | (v & mask & PM1_EN_BITS);
	mask = pm_slice(offset, size, val, ACPI_PM1_CNT, &v);
	if (mask)
		pm_cnt_write(pm, v, mask);
	/* PM_TMR is read-only: writes to it are dropped. */
}

u64 acpi_pm_reset_read(void *dev, u64 offset, unsigned size)
{
	const struct acpi_pm *pm = dev;

	(void)offset, (void)size;
	return pm->reset_cnt;
}

/* RST_CPU (bit 2) resets the machine; the FADT's RESET_VALUE 0x06 sets it. */
void acpi_pm_reset_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct acpi_pm *pm = dev;

	(void)offset, (void)size;
	pm->reset_cnt = (u8)val & RESET_CNT_KEPT;
	if ((val & ACPI_PM_RESET_CPU) && pm->hooks.reset)
		pm->hooks.reset(pm->hooks.ctx);
}
