/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arch-neutral ticket spinlock built on the compiler's __atomic builtins, so
 * the core needs no arch header. Fair (FIFO): each locker takes a ticket and
 * spins until the owner counter reaches it. Acquire on lock, release on unlock:
 * everything written inside the critical section is visible to the next owner.
 * On arm64 the builtins become LDADDA/LDAPR (LSE) or LDAXR/STLXR loops.
 */
#ifndef HYP_SPINLOCK_H
#define HYP_SPINLOCK_H

#include "hyp/plat.h"
#include "hyp/types.h"

struct hyp_spinlock {
	u32 next;  /* next ticket to hand out */
	u32 owner; /* ticket now holding the lock */
};

#define HYP_SPINLOCK_INIT \
	{                 \
		0, 0      \
	}

static inline void hyp_spin_init(struct hyp_spinlock *l)
{
	__atomic_store_n(&l->next, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELEASE);
}

static inline void hyp_spin_lock(struct hyp_spinlock *l)
{
	u32 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	unsigned int spins = 0;

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		plat_spin_relax(spins++);
}

static inline void hyp_spin_unlock(struct hyp_spinlock *l)
{
	/* Only the holder writes owner: a plain increment with release order. */
	u32 o = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);

	__atomic_store_n(&l->owner, o + 1, __ATOMIC_RELEASE);
}

static inline bool hyp_spin_is_locked(struct hyp_spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

#endif /* HYP_SPINLOCK_H */
