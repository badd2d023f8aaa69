// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device pins (docs/ownership.md "Device pins"): host pages that a DMA master outside every
 * IOMMU reads or writes at an address the host programmed. The GICv3 ITS and redistributors
 * are such masters (their tables: hyp/arch/arm64/gic.c checks every address the host gives
 * them and pins what it accepts). A pin is a DMA mapping without a domain: it raises the
 * pages' DMA map counts, so while it lasts no transition can donate, lend or take a pinned
 * page (own_dma_busy) and the device never reaches a page the host does not own. The pins are
 * recorded here, so that the invariant checker can tell pins from domain mappings.
 *
 * Host lock: the pin table and the counts.
 */
#include <errno.h>

#include "hyp/hdom.h"
#include "own_internal.h"

/* Every page the host's own (not a VM's, not the hypervisor's) and not at the count limit. */
static int own_pin_check(const u16 *e, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++) {
		if (own_e_owner(e[i]) != OWN_OWNER_HOST)
			return -EPERM;
		if (own_dma_maps(&e[i]) >= OWN_DMA_MAX_MAPS)
			return -ENOSPC;
	}
	return 0;
}

int own_host_pin(u64 pa, u64 n)
{
	struct own_pin *free = NULL;
	unsigned int i;
	u16 *e;
	u8 *cnt;
	u64 k;
	int ret;

	if (n > OWN_PIN_MAX_PAGES)
		return -EINVAL;
	ret = own_check_pa(pa, n, &e);
	if (ret)
		return ret;
	cnt = own_dma_of(e);
	hyp_spin_lock(&own.host.lock);
	for (i = 0; i < OWN_MAX_PINS && !free; i++)
		if (!own.pins[i].pages)
			free = &own.pins[i];
	ret = free ? own_pin_check(e, n) : -ENOSPC;
	if (!ret) {
		/* Pins are counted page by page: a block counted whole pushes its count down. */
		own_dma_split(e, n);
		for (k = 0; k < n; k++)
			cnt[k]++;
		own_sum_update(e, n); /* a pinned page makes its block mixed */
		free->pa = pa;
		free->pages = n;
	}
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_host_unpin(u64 pa, u64 n)
{
	unsigned int i;
	int ret = -ENOENT;
	u16 *e;
	u8 *cnt;
	u64 k;

	hyp_spin_lock(&own.host.lock);
	for (i = 0; i < OWN_MAX_PINS; i++) {
		if (own.pins[i].pa != pa || own.pins[i].pages != n || !n)
			continue;
		e = own_db_span(pa, n);
		HYP_CHECK(e);
		cnt = own_dma_of(e);
		own_dma_split(e, n);
		for (k = 0; k < n; k++) {
			HYP_CHECK(cnt[k] > 0);
			cnt[k]--;
		}
		own_sum_update(e, n);
		own.pins[i].pa = 0;
		own.pins[i].pages = 0;
		ret = 0;
		break;
	}
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

const struct own_pin *own_pins(void)
{
	return own.pins;
}
