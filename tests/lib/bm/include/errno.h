/* SPDX-License-Identifier: GPL-2.0-only */
/* errno values for the bare-metal tests (Linux's), instead of a libc's (tests/lib/bm). */
#ifndef TESTS_BM_ERRNO_H
#define TESTS_BM_ERRNO_H

#define EPERM	  1
#define ENOENT	  2
#define EIO	  5
#define EAGAIN	  11
#define ENOMEM	  12
#define EBUSY	  16
#define EEXIST	  17
#define ENODEV	  19
#define EINVAL	  22
#define ENOSPC	  28
#define ERANGE	  34
#define ENOTSUP	  95
#define ETIMEDOUT 110

#endif /* TESTS_BM_ERRNO_H */
