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

#endif /* HYP_TYPES_H */
