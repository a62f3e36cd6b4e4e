/* SPDX-License-Identifier: MIT */
/* The hypervisor's C entry, reached from both firmware paths in boot/. */
#ifndef KERNEL_MAIN_H
#define KERNEL_MAIN_H

struct boot_info;

/* Bring the machine up from @bi; never returns. */
__attribute__((noreturn)) void kernel_main(const struct boot_info *bi);

#endif
