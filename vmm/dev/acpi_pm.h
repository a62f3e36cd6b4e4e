/* SPDX-License-Identifier: MIT */
/*
 * The ACPI fixed-hardware power-management registers of an emulated PC
 * (ACPI 6.5 §4.8.4): a 12-byte block with the PM1a event registers (status
 * and enable), the PM1a control register and the 32-bit PM timer, plus the
 * PC reset control register (the one at port 0xCF9 on Intel chipsets). The
 * system is always in ACPI mode (no SMI_CMD), so SCI_EN reads as 1. Sleep
 * state S5 (SLP_TYP 5 with SLP_EN) and a CPU reset are handed to the
 * owner's callbacks. The timer counts at 3.579545 MHz from a clock the
 * owner gives (the host TSC, or a fake one in tests). Like every model
 * here it knows its registers, not its ports; the SCI is not raised yet
 * (no interrupt line is modeled), so status bits are polled.
 */
#ifndef VMM_DEV_ACPI_PM_H
#define VMM_DEV_ACPI_PM_H

#include "kernel/types.h"

/* Layout of the PM block (offsets); the FADT describes the same. */
#define ACPI_PM1_EVT 0x0   /* PM1a_STS (16 bits), then PM1a_EN at 0x2 */
#define ACPI_PM1_EVT_LEN 4
#define ACPI_PM1_CNT 0x4   /* PM1a_CNT, 16 bits; 0x6-0x7 unused */
#define ACPI_PM1_CNT_LEN 2
#define ACPI_PM_TMR 0x8    /* PM_TMR, 32 bits */
#define ACPI_PM_TMR_LEN 4
#define ACPI_PM_BLOCK_LEN 12

#define ACPI_PM_TIMER_HZ 3579545u /* PM_TMR rate, §4.8 */
#define ACPI_PM_SLP_TYP_S5 5      /* the \_S5 value the DSDT announces */
#define ACPI_PM_RESET_CPU (1u << 2) /* reset control register: RST_CPU */

struct acpi_pm_hooks {
	u64 (*clock)(void *ctx);     /* free-running counter, @clock_khz kHz */
	u64 clock_khz;
	void (*poweroff)(void *ctx); /* SLP_EN with SLP_TYP = S5 */
	void (*reset)(void *ctx);    /* RST_CPU written to the reset register */
	void *ctx;
};

struct acpi_pm {
	u16 sts;       /* PM1a_STS */
	u16 en;        /* PM1a_EN */
	u16 cnt;       /* PM1a_CNT: the bits that read back */
	u8 reset_cnt;  /* reset control register */
	u64 clock_base; /* clock value at timer 0 */
	u64 tmr_epoch; /* timer ticks >> 31 when TMR_STS was last updated */
	struct acpi_pm_hooks hooks;
};

/* Reset state; the timer starts at 0 now. */
void acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_hooks *hooks);

/* The PM timer value now (what a read of PM_TMR returns). */
u32 acpi_pm_timer(struct acpi_pm *pm);

/* PM block access at offset 0-11, any width (bus callbacks). */
u64 acpi_pm_read(void *dev, u64 offset, unsigned size);
void acpi_pm_write(void *dev, u64 offset, unsigned size, u64 val);

/* Reset control register access, one byte (bus callbacks). */
u64 acpi_pm_reset_read(void *dev, u64 offset, unsigned size);
void acpi_pm_reset_write(void *dev, u64 offset, unsigned size, u64 val);

#endif
