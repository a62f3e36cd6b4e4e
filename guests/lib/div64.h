// SPDX-License-Identifier: MIT
//
// 64-bit by 32-bit unsigned division for 32-bit guests. GCC turns a plain
// u64 division into a call to libgcc's __udivdi3, which freestanding guests
// do not link; this uses two 32-bit DIV instructions instead.
#ifndef GUEST_DIV64_H
#define GUEST_DIV64_H

#include "lib/types.h"

// Divide *n by d in place and return the remainder. d must not be 0.
static inline u32 div64_32(u64 *n, u32 d)
{
	u32 hi = (u32)(*n >> 32), lo = (u32)*n, qhi = hi / d, qlo, rem;

	// (hi % d):lo / d cannot overflow 32 bits since hi % d < d.
	asm("divl %4" : "=a"(qlo), "=d"(rem) : "a"(lo), "d"(hi % d), "rm"(d));
	*n = (u64)qhi << 32 | qlo;
	return rem;
}

// n / d rounded down.
static inline u64 udiv64(u64 n, u32 d)
{
	div64_32(&n, d);
	return n;
}

#endif
