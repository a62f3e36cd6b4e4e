// SPDX-License-Identifier: MIT
//
// How a test guest reports. Each check prints one line ("ok <what>" or
// "FAIL <what>"); the first failure is remembered and test_finish() prints
// the verdict line the harness greps for, "TEST <name> PASS" or
// "TEST <name> FAIL: <reason>", then exits through the debug-exit port
// 0xf4 with 0 (pass) or an EXIT_* code.
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include "lib/types.h"

#define DEBUG_EXIT_PORT 0xf4

#define EXIT_PASS 0
#define EXIT_FAIL 1
#define EXIT_UNEXPECTED_TRAP 2
#define EXIT_BAD_BOOT 3

// Name used in the verdict line (set before anything can fail).
void test_start(const char *name);
const char *test_name(void);
// Record a check: prints "ok ..." or "FAIL ..."; returns cond.
bool check(bool cond, const char *fmt, ...) printf_like(2, 3);
// Print "SKIP <what> (not under hv)".
void skip_not_hv(const char *what);
// Print the verdict for all checks so far and exit.
noreturn void test_finish(void);
// Fail at once with a reason and exit with code.
noreturn void test_fail_code(u32 code, const char *fmt, ...) printf_like(2, 3);
#define test_fail(...) test_fail_code(EXIT_FAIL, __VA_ARGS__)
// Write code to the debug-exit port; halts if nobody is listening.
noreturn void guest_exit(u32 code);

#endif
