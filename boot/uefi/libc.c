// SPDX-License-Identifier: MIT
/*
 * The memory functions the UEFI loader needs: memcpy and memset for its
 * own code and for struct copies the compiler turns into calls, memmove
 * and memcmp for the shared kernel files (kernel/string.h declares them).
 * Only the loader links this file; the kernel has kernel/string.c. They
 * are plain byte loops: the loader handles a few megabytes at most.
 */
#include "kernel/string.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;

	while (n--)
		*d++ = (u8)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}
