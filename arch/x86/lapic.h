/* SPDX-License-Identifier: MIT */
/*
 * The host local APIC, in x2APIC mode (MSRs) when the CPU has it and xAPIC
 * mode (MMIO) otherwise (Intel SDM Vol. 3A §11.4, §11.12). Every CPU runs
 * in the mode the BSP chose.
 */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H

#include "kernel/types.h"

/*
 * Mask both legacy 8259 PICs (OCW1 = 0xff on ports 0x21 and 0xA1, 8259A
 * datasheet): the hypervisor takes interrupts only through its local
 * APIC, and some machines (and Bochs) wire the 8259 output straight to the
 * BSP, whose BIOS vectors (8-15) would collide with exceptions.
 */
void legacy_pic_mask(void);

/* BSP: choose the mode (x2APIC unless @allow_x2apic is false) and note
 * the xAPIC MMIO base from the MADT (0: use IA32_APIC_BASE). */
void lapic_setup(u64 madt_base, bool allow_x2apic);

/* Enable this CPU's LAPIC in the chosen mode; spurious vector 0xff. */
void lapic_cpu_init(void);

bool lapic_is_x2apic(void);
u64 lapic_mmio_base(void);
u32 lapic_id(void);
void lapic_eoi(void);

/* Inter-processor interrupts (SDM Vol. 3A §11.6). */
void lapic_send_init(u32 apic_id);
void lapic_send_sipi(u32 apic_id, u8 page);
void lapic_send_fixed(u32 apic_id, u8 vector);
void lapic_send_nmi_others(void);

/*
 * Host timer: one-shot interrupt (vector VEC_LAPIC_TIMER) at TSC value
 * @deadline, in TSC-deadline mode when the CPU has it, else in one-shot
 * count mode with the rate measured by lapic_timer_calibrate(). Its only
 * purpose is to end a guest run or a host HLT in time. 0 disarms.
 */
void lapic_timer_calibrate(void);
void lapic_timer_arm(u64 deadline);

/* The timer's interrupt handler's work: note it idle, end the interrupt. */
void lapic_timer_expired(void);

/* This CPU's timer for a state dump: the deadline lapic_timer_arm() last
 * set (0 after it fired or when disarmed) and whether the hardware still
 * counts towards one (TSC-deadline MSR non-zero, or a count running). */
u64 lapic_timer_armed(bool *counting);
bool lapic_timer_tsc_deadline(void);

#endif
