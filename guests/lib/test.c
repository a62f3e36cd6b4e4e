// SPDX-License-Identifier: MIT
//
// Test bookkeeping and guest exit for lib/test.h.
#include "lib/test.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/printf.h"

static const char *current_name = "guest";
static char first_failure[160];
static u32 failures;

void test_start(const char *name)
{
	current_name = name;
}

const char *test_name(void)
{
	return current_name;
}

bool check(bool cond, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	printf("%s %s\n", cond ? "ok" : "FAIL", what);
	if (!cond && !failures++)
		snprintf(first_failure, sizeof(first_failure), "%s", what);
	return cond;
}

void skip_not_hv(const char *what)
{
	printf("SKIP %s (not under hv)\n", what);
}

noreturn void guest_exit(u32 code)
{
	outl(DEBUG_EXIT_PORT, code);
	cpu_halt_forever();
}

noreturn void test_finish(void)
{
	if (!failures) {
		printf("TEST %s PASS\n", current_name);
		guest_exit(EXIT_PASS);
	}
	printf("TEST %s FAIL: %s (%u failed checks)\n", current_name,
	       first_failure, failures);
	guest_exit(EXIT_FAIL);
}

noreturn void test_fail_code(u32 code, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("TEST %s FAIL: %s\n", current_name, why);
	guest_exit(code);
}
