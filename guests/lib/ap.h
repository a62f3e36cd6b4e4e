// SPDX-License-Identifier: MIT
//
// Starting application processors (Intel SDM Vol. 3A §9.4.4, "MP
// Initialization"): the real-mode trampoline of tests/smp_trampoline.asm
// is copied to AP_TRAMP_BASE, each AP started there with INIT-SIPI-SIPI
// through the xAPIC ICR takes the next stack from the block given to
// ap_trampoline_install() and calls its C entry in 32-bit protected mode
// (with the trampoline's flat GDT: the entry reloads the library's GDT
// and IDT first). A guest that uses this links lib/ap.o and
// tests/smp_trampoline_blob.o (guests.mk).
#ifndef GUEST_AP_H
#define GUEST_AP_H

#include "lib/types.h"

#define AP_TRAMP_BASE 0x8000u
#define AP_SIPI_VECTOR (AP_TRAMP_BASE >> 12) // start at vector * 4 KiB

// Copy the trampoline and fill its parameter block: APs call @entry, the
// n-th AP to arrive on the n-th @stack_size bytes from @stacks.
void ap_trampoline_install(void (*entry)(void), void *stacks, u32 stack_size);

// INIT, 10 ms, STARTUP, 200 us, STARTUP to @apic_id (the PM timer times
// the delays); false when the ICR did not accept an IPI.
bool ap_start(u32 apic_id);

#endif
