// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fake platform backend (see fake.h): the services of hyp/plat.h over a host
 * buffer standing in for physical memory.
 */
#include <errno.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "hyp/plat.h"

static u8 *fake_mem;  /* FAKE_MEM_SIZE bytes, page aligned */
static u8 *fake_poc;  /* what a non-coherent walker sees (cleaned lines only) */
static u64 fake_next; /* offset of the first never-allocated byte */
static u64 fake_cleans, fake_clean_bytes;

static u8 *fake_mem_get(void)
{
	if (!fake_mem) {
		fake_mem = aligned_alloc(PAGE_SIZE, FAKE_MEM_SIZE);
		if (!fake_mem) {
			fprintf(stderr, "fake: cannot allocate %llu bytes of simulated memory\n",
				(unsigned long long)FAKE_MEM_SIZE);
			abort();
		}
		fake_poc = aligned_alloc(PAGE_SIZE, FAKE_MEM_SIZE);
		if (!fake_poc) {
			fprintf(stderr, "fake: cannot allocate the PoC copy\n");
			abort();
		}
		memset(fake_mem, 0, FAKE_MEM_SIZE);
		memset(fake_poc, 0, FAKE_MEM_SIZE);
	}
	return fake_mem;
}

void fake_mem_reset(void)
{
	memset(fake_mem_get(), 0, fake_next);
	memset(fake_poc, 0, fake_next);
	fake_next = 0;
	fake_cleans = 0;
	fake_clean_bytes = 0;
}

u64 fake_alloc_pages(u64 n, u64 align)
{
	u64 off;

	fake_mem_get();
	if (align < PAGE_SIZE || (align & (align - 1)))
		plat_panic("fake_alloc_pages: bad alignment %#llx", (unsigned long long)align);
	/* FAKE_MEM_BASE is 1 GiB aligned: aligning the offset aligns the PA. */
	off = ALIGN_UP(fake_next, align);
	if (off > FAKE_MEM_SIZE || n > (FAKE_MEM_SIZE - off) / PAGE_SIZE)
		plat_panic("fake_alloc_pages: out of simulated memory (%llu pages)",
			   (unsigned long long)n);
	fake_next = off + n * PAGE_SIZE;
	memset(fake_mem + off, 0, n * PAGE_SIZE);
	return FAKE_MEM_BASE + off;
}

u64 fake_pages_left(void)
{
	return (FAKE_MEM_SIZE - fake_next) / PAGE_SIZE;
}

bool fake_pa_valid(u64 pa, u64 size)
{
	return pa >= FAKE_MEM_BASE && size <= FAKE_MEM_SIZE &&
	       pa - FAKE_MEM_BASE <= FAKE_MEM_SIZE - size;
}

u64 fake_dcache_clean_calls(void)
{
	return fake_cleans;
}

u64 fake_dcache_clean_bytes(void)
{
	return fake_clean_bytes;
}

void *plat_phys_to_virt(u64 pa)
{
	if (!fake_pa_valid(pa, 1))
		plat_panic("fake: PA %#llx outside simulated memory [%#llx, %#llx)",
			   (unsigned long long)pa, FAKE_MEM_BASE, FAKE_MEM_BASE + FAKE_MEM_SIZE);
	return fake_mem_get() + (pa - FAKE_MEM_BASE);
}

/*
 * RAM past the backed part (the 1 GiB blocks tests donate without touching) reads as
 * zeros: the launch measurement hashes every page donated before a VM's first run.
 */
const void *plat_page_read(u64 pa)
{
	static const u8 zero_page[PAGE_SIZE];

	return fake_pa_valid(pa, PAGE_SIZE) ? plat_phys_to_virt(pa) : zero_page;
}

u64 plat_virt_to_phys(const void *va)
{
	const u8 *p = va;
	u8 *base = fake_mem_get();

	if (p < base || p >= base + FAKE_MEM_SIZE)
		plat_panic("fake: VA %p outside simulated memory", va);
	return FAKE_MEM_BASE + (u64)(p - base);
}

bool fake_poc_equal(u64 pa, u64 size)
{
	if (!fake_pa_valid(pa, size))
		plat_panic("fake_poc_equal: bad range %#llx+%#llx", (unsigned long long)pa,
			   (unsigned long long)size);
	return !memcmp(fake_mem_get() + (pa - FAKE_MEM_BASE), fake_poc + (pa - FAKE_MEM_BASE),
		       size);
}

#define FAKE_LINE 64ULL

void plat_dcache_clean(const void *va, size_t size)
{
	/* Cleaning anything but simulated memory is a bug. */
	u64 pa = plat_virt_to_phys(va);
	u64 lo = ALIGN_DOWN(pa, FAKE_LINE) - FAKE_MEM_BASE;
	u64 hi = ALIGN_UP(pa + size, FAKE_LINE) - FAKE_MEM_BASE;

	if (size && hi <= FAKE_MEM_SIZE)
		memcpy(fake_poc + lo, fake_mem + lo, hi - lo);
	fake_cleans++;
	fake_clean_bytes += size;
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("LOCKSTEP_LOG"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void plat_panic(const char *fmt, ...)
{
	va_list ap;

	fputs("PANIC: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* The simulated platform has no IOMMU of its own (hyp/iommu tests drive theirs directly). */
int plat_iommu_stat(u64 id, u64 *val)
{
	(void)id;
	*val = 0;
	return -ENOENT;
}

/* The simulated platform keeps no per-CPU counters. */
int plat_cpu_stat(u64 cpu, u64 id, u64 *val, u64 *nr_cpus)
{
	(void)cpu;
	(void)id;
	*val = 0;
	*nr_cpus = 0;
	return -EOPNOTSUPP;
}

void plat_spin_relax(unsigned int spins)
{
	if ((spins & 0xff) == 0xff)
		sched_yield();
}
