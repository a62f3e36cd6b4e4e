// SPDX-License-Identifier: MIT
//
// A test-and-set spinlock for the few places where several guest CPUs share
// something (the console). Interrupts are not touched: lock holders must not
// be interrupted by code that takes the same lock.
#ifndef GUEST_SPINLOCK_H
#define GUEST_SPINLOCK_H

#include "lib/cpu.h"

struct spinlock {
	volatile u32 locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_pause();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
