// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep.ko is built from several objects (host-driver/Kbuild); Kbuild forbids one of them
 * being named like the module, so the module's core, lockstep.c, is compiled as this object.
 */
#include "lockstep.c"
