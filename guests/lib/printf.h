// SPDX-License-Identifier: MIT
//
// printf for guests: formats into a buffer, then writes it to the console
// in one locked piece. Conversions: %d %i %u %x %X %s %c %p %%, the length
// modifiers l and ll (so %lld %llu %llx), a field width (or *) and the
// flags '-' (left-justify) and '0' (zero-pad).
#ifndef GUEST_PRINTF_H
#define GUEST_PRINTF_H

#include "lib/types.h"

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) printf_like(3, 4);
// At most 255 characters per call reach the console.
int printf(const char *fmt, ...) printf_like(1, 2);
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);

#endif
