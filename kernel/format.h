/* SPDX-License-Identifier: MIT */
/*
 * vsnprintf/snprintf for the hypervisor and the UEFI loader: %d %i %u %x
 * %X %p %s %c %%, with l/ll/z, width, precision for %s, zero padding and
 * '-' justification. Always NUL-terminates; returns the length the full
 * output would have had.
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>

#include "kernel/types.h"

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
