// SPDX-License-Identifier: MIT
/*
 * Machine power-off and reset through the ACPI fixed hardware that
 * acpi_parse() described (FADT PM1 control blocks, \_S5, RESET_REG), with
 * the legacy PC reset paths as fall-backs. Kernel only: it touches I/O
 * ports and identity-mapped physical memory, and is never built in the
 * host unit tests.
 */
#ifndef DRIVERS_ACPI_POWER_H
#define DRIVERS_ACPI_POWER_H

#include "drivers/acpi.h"

/*
 * Enter S5 (soft off): hand the fixed hardware from SMM to the OS if it
 * is still in legacy mode, then write \_S5's SLP_TYP values with SLP_EN to
 * PM1a_CNT/PM1b_CNT (or SLEEP_CONTROL_REG on HW-reduced platforms).
 * Returns only if the machine is still running afterwards.
 */
void acpi_poweroff(const struct acpi_info *ai);

/*
 * Reset the machine: the FADT reset register when RESET_REG_SUP says it
 * exists, then the keyboard controller (0x64 <- 0xFE), then the PCI reset
 * control port 0xCF9. Returns only if none of them worked.
 */
void acpi_reset(const struct acpi_info *ai);

#endif
