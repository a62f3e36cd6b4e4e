// SPDX-License-Identifier: MIT
/*
 * RDSEED/RDRAND (rng.h). Intel's DRNG guide and SDM Vol. 1 §7.3.17.1 say
 * RDRAND may return CF=0 under heavy load and should be retried (10
 * tries); RDSEED fails more often when the conditioner is drained, so it
 * gets more tries with a PAUSE between them, then RDRAND takes over.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/rng.h"

#define RDRAND_TRIES 10
#define RDSEED_TRIES 64

static bool rdrand64(u64 *v)
{
	u8 ok;

	asm volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool rdseed64(u64 *v)
{
	u8 ok;

	asm volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool has_rdrand(void) { return cpuid(1, 0).ecx & (1u << 30); }

static bool has_rdseed(void)
{
	return cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & (1u << 18));
}

static int cached = -1; /* enum arch_rng_source, written once at probe */
static bool rdrand_too;  /* the RDSEED CPU also has RDRAND */

enum arch_rng_source arch_rng_probe(void)
{
	if (cached < 0) {
		rdrand_too = has_rdrand();
		cached = has_rdseed() ? ARCH_RNG_RDSEED : rdrand_too ? ARCH_RNG_RDRAND
								  : ARCH_RNG_NONE;
	}
	return (enum arch_rng_source)cached;
}

static bool try_rdrand(u64 *out)
{
	for (int i = 0; i < RDRAND_TRIES; i++)
		if (rdrand64(out))
			return true;
	return false;
}

bool arch_rng_read(enum arch_rng_source src, u64 *out)
{
	if (src == ARCH_RNG_RDSEED) {
		for (int i = 0; i < RDSEED_TRIES; i++) {
			if (rdseed64(out))
				return true;
			asm volatile("pause");
		}
		return rdrand_too && try_rdrand(out);
	}
	return src == ARCH_RNG_RDRAND && try_rdrand(out);
}

const char *arch_rng_name(enum arch_rng_source src)
{
	return src == ARCH_RNG_RDSEED ? "rdseed" : src == ARCH_RNG_RDRAND ? "rdrand" : "none";
}
