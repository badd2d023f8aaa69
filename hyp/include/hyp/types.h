/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Basic types of the arch-neutral core. Builds freestanding (hypervisor) and
 * hosted (unit tests) alike: only <stdint.h>, <stddef.h>, <stdbool.h>.
 */
#ifndef HYP_TYPES_H
#define HYP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define PAGE_SHIFT 12
#define PAGE_SIZE  ((u64)1 << PAGE_SHIFT)
#define SZ_2M	   ((u64)1 << 21)
#define SZ_1G	   ((u64)1 << 30)

#define BIT(n)		    ((u64)1 << (n))
/* Mask of bits h..l inclusive (h >= l), 64-bit. */
#define GENMASK(h, l)	    ((~(u64)0 >> (63 - (h))) & (~(u64)0 << (l)))
#define FIELD_GET(mask, v)  (((v) & (mask)) >> __builtin_ctzll(mask))
#define FIELD_PREP(mask, v) (((u64)(v) << __builtin_ctzll(mask)) & (mask))

#define IS_ALIGNED(x, a) (((x) & ((a)-1)) == 0)
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a)-1))
#define ALIGN_UP(x, a)	 ALIGN_DOWN((x) + (a)-1, (a))
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

/*
 * Opaque address types, one per address space (STYLE.md): raw host numbers are
 * converted once, at the hypercall boundary.
 */
typedef struct {
	u64 v;
} phys_addr_t; /* physical address (PA) */
typedef struct {
	u64 v;
} ipa_t; /* intermediate physical address (stage-2 input) */
typedef struct {
	u64 v;
} iova_t; /* IO virtual address (IOMMU input) */

static inline phys_addr_t pa_init(u64 v)
{
	return (phys_addr_t){ v };
}
static inline u64 pa_addr(phys_addr_t a)
{
	return a.v;
}
static inline ipa_t ipa_init(u64 v)
{
	return (ipa_t){ v };
}
static inline u64 ipa_addr(ipa_t a)
{
	return a.v;
}
static inline iova_t iova_init(u64 v)
{
	return (iova_t){ v };
}
static inline u64 iova_addr(iova_t a)
{
	return a.v;
}

#endif /* HYP_TYPES_H */
