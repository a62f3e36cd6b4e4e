/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks. The _irqsave variants also disable interrupts so an
 * interrupt handler on the same CPU cannot deadlock against the holder.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "kernel/types.h"

typedef struct {
	volatile u32 next;
	volatile u32 owner;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	u32 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		asm volatile("pause");
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#ifdef HV_HOST_TEST
static inline u64 spin_lock_irqsave(spinlock_t *l) { spin_lock(l); return 0; }
static inline void spin_unlock_irqrestore(spinlock_t *l, u64 f) { (void)f; spin_unlock(l); }
#else
static inline u64 spin_lock_irqsave(spinlock_t *l)
{
	u64 flags;

	asm volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, u64 flags)
{
	spin_unlock(l);
	if (flags & (1 << 9))
		asm volatile("sti" : : : "memory");
}
#endif

#endif
