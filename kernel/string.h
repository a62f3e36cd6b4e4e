/* SPDX-License-Identifier: MIT */
/*
 * The few C library string and memory functions the hypervisor needs.
 * Host unit tests use the C library's instead (same names, same meaning).
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include "kernel/types.h"

#ifdef HV_HOST_TEST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copy at most size-1 bytes and NUL-terminate; returns strlen(src). */
size_t hv_strlcpy(char *dst, const char *src, size_t size);

#endif
