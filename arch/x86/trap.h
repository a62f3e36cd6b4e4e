/* SPDX-License-Identifier: MIT */
/*
 * Interrupts and exceptions on the host. The stubs in isr.asm push a
 * struct trap_frame and call trap_dispatch(). Exceptions in the hypervisor
 * are hypervisor bugs: they print the registers, the faulting address and a
 * symbolized backtrace, then panic. Interrupt vectors can be given handlers.
 */
#ifndef ARCH_X86_TRAP_H
#define ARCH_X86_TRAP_H

#include "kernel/types.h"

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Addresses of the 256 entry stubs (isr.asm). */
extern const u64 trap_stub_table[256];

/* Vectors used by the hypervisor itself. */
#define VEC_IPI_CALL 0xf0
#define VEC_KICK 0xf2 /* wake a CPU to look at its requests */
#define VEC_LAPIC_TIMER 0xf1
#define VEC_IOMMU_FAULT 0xe0 /* the IOMMU units' fault events, to the BSP */
#define VEC_CONSOLE_RX 0xe1  /* the console UART received, to the BSP */
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_t)(struct trap_frame *f);

/* Route interrupt @vector (>= 32) to @h; it must send EOI itself. */
void trap_set_handler(u8 vector, irq_handler_t h);

/* Called from isr.asm. */
void trap_dispatch(struct trap_frame *f);

/* Print "frame N: addr symbol+off" lines walking the RBP chain. */
void backtrace_print(u64 rbp, u64 rip);

#endif
