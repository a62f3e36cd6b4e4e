/* SPDX-License-Identifier: MIT */
/*
 * Architectural start states for a vCPU: the real-mode state after RESET
 * or INIT (Intel SDM Vol. 3A §10.1.1 Table 10-1, AMD APM Vol. 2 §14.1.3),
 * and the flat 32-bit protected mode that multiboot kernels expect
 * (Multiboot spec 0.6.96 §3.2, Multiboot2 §3.3).
 */
#ifndef VMM_CPU_STATE_H
#define VMM_CPU_STATE_H

#include "arch/x86/virt.h"

/* Real mode at CS:IP = @cs:@ip (segment base @cs << 4). */
void cpu_state_real(struct vcpu_state *s, u16 cs, u16 ip);

/* Flat 32-bit protected mode, paging off, at @eip. */
void cpu_state_prot32(struct vcpu_state *s, u32 eip);

#endif
