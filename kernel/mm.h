/* SPDX-License-Identifier: MIT */
/*
 * Address-space conventions. All RAM (and the low 4 GiB) is identity-mapped
 * non-executable, so a physical address is also a pointer; the kernel image
 * runs at KERNEL_VMA (boot/boot_info.h) and is reached by its link
 * addresses.
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include "kernel/types.h"

static inline void *phys_to_virt(u64 phys) { return (void *)phys; }
static inline u64 virt_to_phys_direct(const void *p) { return (u64)p; }

/* Physical address of a kernel-image object (link address). */
u64 kernel_virt_to_phys(const void *p);

#endif
