/* SPDX-License-Identifier: MIT */
/*
 * The host CPU's random number instructions (Intel SDM Vol. 1 §7.3.17,
 * Vol. 2 RDRAND/RDSEED; AMD APM Vol. 3): which one the CPU has, and one
 * 64-bit value with the bounded retry the manuals recommend when the
 * instruction returns CF=0 (no entropy ready). Used by virtio-rng; host
 * unit tests link a stub instead of this file.
 */
#ifndef ARCH_X86_RNG_H
#define ARCH_X86_RNG_H

#include "kernel/types.h"

enum arch_rng_source {
	ARCH_RNG_NONE,
	ARCH_RNG_RDRAND, /* CPUID.01H:ECX[30] */
	ARCH_RNG_RDSEED, /* CPUID.(EAX=07H,ECX=0):EBX[18], RDRAND as fallback */
};

/* The best source this CPU has (CPUID, read once and cached). */
enum arch_rng_source arch_rng_probe(void);

/* One random value from @src: RDSEED (then RDRAND if RDSEED keeps failing
 * and the CPU has it), else RDRAND, each retried a bounded number of
 * times. False if no value came. */
bool arch_rng_read(enum arch_rng_source src, u64 *out);

const char *arch_rng_name(enum arch_rng_source src);

#endif
