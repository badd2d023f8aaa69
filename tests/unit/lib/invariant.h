/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Invariant checker for the ownership DB and every table that enforces it
 * (tests only): the hypervisor's walk (hyp/mem/check.c) over the independent
 * decoders of ptdec.c.
 */
#ifndef TEST_INVARIANT_H
#define TEST_INVARIANT_H

#include <stddef.h>

#include "hyp/check.h"

/* 0 if every invariant holds; else -1 and a description of the first failure in @msg. */
int inv_check(char *msg, size_t len);

/* The violation @r as a sentence. */
void inv_describe(const struct own_check_res *r, char *msg, size_t len);

/* cmocka helper: fail the test with the checker's message. */
#define INV_ASSERT()                                                \
	do {                                                        \
		char inv_msg_[256];                                 \
		if (inv_check(inv_msg_, sizeof(inv_msg_)))          \
			fail_msg("invariant broken: %s", inv_msg_); \
	} while (0)

#endif /* TEST_INVARIANT_H */
