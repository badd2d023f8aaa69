/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The invariant walk (hyp/mem/check.c, docs/ownership.md "Invariant walk"): the ownership
 * database against every table that enforces it. One implementation, two users: the
 * debug hypercall LS_HVC_DEBUG_CHECK (images built with LS_DEBUG_CHECK=1) reads the tables
 * through the page-table engine; the host-native tests (tests/unit/lib/invariant.c) read
 * them through independent decoders, so a bug shared by the engine's encoder and decoder
 * cannot pass both.
 */
#ifndef HYP_CHECK_H
#define HYP_CHECK_H

#include "hyp/pgtable.h"
#include "hyp/types.h"

/* What the first violation is (LS_CHECK_* in include/lockstep/abi.h, same values). */
enum own_check_code {
	OWN_CHK_OK = 0,
	OWN_CHK_DEAD_OWNER, /* addr pa, a entry: a page owned by a VM that is not live */
	OWN_CHK_BAD_ENTRY,  /* addr pa, a entry: a flag combination no state has */
	/*
	 * addr block pa, a summary, b want, who 0 2 MiB / 1 1 GiB; for a 2 MiB block a and b
	 * also carry its DMA map count (<< 16) and a its first page's own count (<< 24)
	 */
	OWN_CHK_SUMMARY,
	OWN_CHK_SUMMARY_COUNT,	/* a summaries, b blocks of RAM, who as above */
	OWN_CHK_VM_DEVICE,	/* addr ia, a pa: a VM view maps device memory it did not take */
	OWN_CHK_NON_RAM,	/* addr pa, a ia: a view maps normal memory outside RAM */
	OWN_CHK_RAM_DEVICE,	/* addr pa: a view maps RAM as device memory */
	OWN_CHK_HYP_PAGE,	/* addr pa, a entry: a view reaches a hypervisor page */
	OWN_CHK_NOT_IDENTITY,	/* addr ia, a pa: the host's view is not IPA == PA */
	OWN_CHK_HOST_PRIVATE,	/* addr pa, a entry: the host reaches a VM's private page */
	OWN_CHK_VM_FOREIGN,	/* addr pa, a entry: a VM reaches a page it does not own */
	OWN_CHK_VM_TWICE,	/* addr pa, a ia: a VM maps one page at two IPAs */
	OWN_CHK_MIRROR,		/* addr ia, a IOMMU pa, b CPU pa (~0: none) */
	OWN_CHK_ATTR,		/* addr pa, a attr, b the state's attr */
	OWN_CHK_BAD_DESC,	/* a table the walker cannot decode */
	OWN_CHK_REACH_COUNT,	/* a pages reached, b pages the DB gives */
	OWN_CHK_VM_COUNTER,	/* a the VM's page counter, b the DB's count */
	OWN_CHK_DMA_ATTR,	/* addr iova, a attr: a DMA domain leaf with bad attributes */
	OWN_CHK_DMA_RAM_DEVICE, /* addr pa: a DMA domain maps RAM as device */
	OWN_CHK_DMA_MMIO,	/* addr pa, a attr: MMIO the host stage-2 does not map so */
	OWN_CHK_DMA_NON_RAM,	/* addr pa: a DMA domain maps normal memory outside RAM */
	OWN_CHK_DMA_FOREIGN,	/* addr pa, a entry: neither the host's nor lent to it */
	OWN_CHK_DMA_MAPPED,	/* a pages mapped, b the domain's counter */
	OWN_CHK_PIN,		/* addr pa, a entry, who pin slot: not a host RAM page */
	OWN_CHK_DMA_COUNT,	/* addr pa, a count no mapping explains; b ~0: a mapping no count */
	OWN_CHK_TABLE_PAGE,	/* addr pa, a entry: a table or free page not a table page */
	OWN_CHK_TABLE_NOT_DONATED, /* addr pa: a table page outside its pool's donations */
	OWN_CHK_TABLE_TWICE,	   /* addr pa: a table page used twice */
	OWN_CHK_TABLE_COUNT,	   /* a the table's count, b table pages walked */
	OWN_CHK_POOL,		   /* a pool total, b free-list length */
	OWN_CHK_HOST_TAKEN,	   /* addr pa, a vm: the host view maps MMIO a VM took */
	OWN_CHK_NR,
};

/*
 * Who a violation is about: OWN_HOST, a VM id, OWN_CHK_WHO_DOM(n) for host DMA domain n,
 * or (summaries) 0 / 1.
 */
#define OWN_CHK_WHO_DOM(n) (0x10000U | (n))

struct own_check_res {
	u32 code;	/* enum own_check_code */
	u32 who;	/* see OWN_CHK_WHO_DOM */
	bool iommu;	/* in an IOMMU table of that view */
	u64 addr, a, b; /* per code, above */
	u64 pages;	/* RAM pages the DB describes (the walk's size) */
};

/* One valid leaf of a table: [ia, ia + size) -> [pa, ...), PT_R/W/X/DEVICE. */
struct own_check_leaf {
	u64 ia, pa, size;
	pt_attr_t attr;
};

/*
 * How the walk reads a table. walk(): @leaf for every valid leaf, @table for every table
 * page (root included); either may be NULL; a non-zero callback value stops the walk and
 * is returned; a descriptor the walker cannot decode returns -EINVAL. lookup(): 0 and the
 * leaf translating @ia (pa of @ia itself), or -ENOENT.
 */
struct own_check_walker {
	int (*walk)(const struct pt *pt, int (*leaf)(const struct own_check_leaf *l, void *arg),
		    int (*table)(u64 table_pa, unsigned int level, void *arg), void *arg);
	int (*lookup)(const struct pt *pt, u64 ia, struct own_check_leaf *out);
};

/* The page-table engine's walker (pt_walk, pt_for_each_table, pt_lookup). */
extern const struct own_check_walker own_check_engine;

/*
 * Check everything, holding the host lock and every live VM's lock: 0 and res->code 0, or
 * -EFAULT and the first violation in @res. The database and the DMA map counts are used
 * as marks during the walk and are exactly as before when it returns.
 */
int own_check(const struct own_check_walker *w, struct own_check_res *res);

#endif /* HYP_CHECK_H */
