/* SPDX-License-Identifier: MIT */
/*
 * printk() for host unit tests of code that logs: the last message is kept
 * in log_msg (for assertions on its text) and logs counts them. Include it
 * in one file per test binary, after <stdarg.h> and <stdio.h>.
 */
#ifndef TESTS_UNIT_FAKE_PRINTK_H
#define TESTS_UNIT_FAKE_PRINTK_H

#include "kernel/log.h"

static char log_msg[256];
static unsigned logs;

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(log_msg, sizeof(log_msg), fmt, ap);
	va_end(ap);
	logs++;
}

#endif
