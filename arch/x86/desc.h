/* SPDX-License-Identifier: MIT */
/*
 * Segment and interrupt descriptors (Intel SDM Vol. 3A §3.4.5, §6.14.1,
 * §8.7): each CPU gets its own GDT, 64-bit TSS and IDT.
 */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H

#include "kernel/types.h"

#define GDT_ENTRIES 6
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS 0x18 /* 16-byte system descriptor: entries 3 and 4 */

/* IST slots (1-based in the IDT, 0-based in tss.ist[]). */
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

struct percpu;

/* Build and load this CPU's GDT, TSS and IDT; set GS base to @pc. */
void desc_init_cpu(struct percpu *pc);

#endif
