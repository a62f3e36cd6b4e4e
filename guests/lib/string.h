// SPDX-License-Identifier: MIT
//
// The memory and string functions guests use. GCC may also emit calls to
// memcpy, memmove, memset and memcmp on its own, so these names are fixed.
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include "lib/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

// Copy at most size-1 bytes and NUL-terminate; returns strlen(src).
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
