// SPDX-License-Identifier: MIT
/*
 * The virtual LAPIC tests (test_vlapic.c) once more under ThreadSanitizer
 * instead of AddressSanitizer: a plain read-modify-write of IRR or TMR
 * racing another CPU's update (the lost-IPI bug) is reported as a data
 * race even in a run where no IPI happens to be lost, and a report fails
 * the test (TSan's exit status).
 */
#define RESET_ROUNDS 5000 /* TSan makes each contended lock much slower */
#include "test_vlapic.c"
