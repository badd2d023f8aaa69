/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The error numbers the hypervisor uses internally (negative errno, docs/development.md
 * "Errors"). The x86 image links no C library: these values never leave the hypervisor
 * (hyp/hvc maps them to LS_E* codes), they only have to be distinct. Linux's numbers.
 */
#ifndef X86_LIBC_ERRNO_H
#define X86_LIBC_ERRNO_H

#define EPERM	   1
#define ENOENT	   2
#define E2BIG	   7
#define EIO	   5
#define ENOEXEC	   8
#define EAGAIN	   11
#define ENOMEM	   12
#define EFAULT	   14
#define EBUSY	   16
#define EEXIST	   17
#define ENODEV	   19
#define EINVAL	   22
#define ENOSPC	   28
#define ERANGE	   34
#define ENOSYS	   38
#define EOPNOTSUPP 95
#define ETIMEDOUT  110
#define ENOTSUP	   EOPNOTSUPP
#define ENOTSUPP   524

#endif /* X86_LIBC_ERRNO_H */
