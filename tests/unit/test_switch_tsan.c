// SPDX-License-Identifier: MIT
/*
 * The virtual switch tests (test_switch.c) once more under ThreadSanitizer:
 * the two-sender case reports any access to a port's mailbox or the MAC
 * table outside the locks switch.h names as a data race, and a report
 * fails the test.
 */
#include "test_switch.c"
