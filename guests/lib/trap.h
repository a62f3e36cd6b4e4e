// SPDX-License-Identifier: MIT
//
// The guest's 32-bit IDT: every vector enters through lib/isr.asm and lands
// in trap_dispatch(). An exception first looks for a fixup (lib/fault.h);
// otherwise a registered handler runs; otherwise the guest reports the
// unexpected event (vector, error code, EIP, registers) and fails.
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include "lib/types.h"

// The stack as isr_common leaves it: PUSHAD image, vector, error code,
// then what the CPU pushed (same privilege level: no ESP/SS).
struct trap_frame {
	u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
};

typedef void (*trap_handler_t)(struct trap_frame *f);

#define VEC_DE 0
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_NP 11
#define VEC_GP 13
#define VEC_PF 14

// Fill the IDT (all 256 vectors) and load it on this CPU.
void idt_init(void);
// Load the already-filled IDT on another CPU.
void idt_load(void);
// Run handler for vector (NULL: back to "unexpected").
void trap_set_handler(u8 vector, trap_handler_t handler);
// Let code at privilege dpl (0-3) raise vector with INT n (gate DPL).
void trap_set_gate_dpl(u8 vector, u8 dpl);
// Mark vector's gate present or not (a not-present one raises #NP).
void trap_set_gate_present(u8 vector, bool present);
// Flat GDT from lib/boot.asm, for application processors.
void gdt_reload(void);
// Mnemonic of an exception vector ("#GP"), or "irq".
const char *trap_name(u32 vector);

#endif
