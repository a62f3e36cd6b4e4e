// SPDX-License-Identifier: MIT
/*
 * Per-CPU GDT, TSS and IDT set-up. The GDT holds a 64-bit code segment, a
 * data segment and the TSS; the TSS gives #DF, NMI and #MC their own
 * stacks (IST) so a kernel stack overflow into its guard page still ends
 * in a readable report (Intel SDM Vol. 3A §6.14.5).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/trap.h"
#include "kernel/string.h"

struct percpu percpu_area[MAX_CPUS];

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static void gdt_build(struct percpu *pc)
{
	u64 tss = (u64)&pc->tss;
	u64 limit = sizeof(pc->tss) - 1;

	pc->gdt[0] = 0;
	pc->gdt[1] = 0x00af9a000000ffffULL; /* code: L=1, P, DPL0 */
	pc->gdt[2] = 0x00cf92000000ffffULL; /* data: P, writable */
	/* 64-bit available TSS (type 9), SDM Vol. 3A §8.2.3 */
	pc->gdt[3] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
		     (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		     (((tss >> 24) & 0xff) << 56);
	pc->gdt[4] = tss >> 32;
	pc->gdt[5] = 0;
}

static void idt_set(struct idt_entry *e, u64 handler, u8 ist)
{
	e->offset_lo = handler & 0xffff;
	e->selector = SEL_KCODE;
	e->ist = ist;
	e->type_attr = 0x8e; /* present, DPL0, 64-bit interrupt gate */
	e->offset_mid = (handler >> 16) & 0xffff;
	e->offset_hi = handler >> 32;
	e->reserved = 0;
}

static void idt_build(struct percpu *pc)
{
	for (int v = 0; v < 256; v++) {
		u8 ist = v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : 0;

		idt_set(&pc->idt[v], trap_stub_table[v], ist);
	}
}

static void load_segments(void)
{
	/* Reload CS with a far return, then the data segments. */
	asm volatile("pushq %0\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %1, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "movl %%eax, %%fs\n\t"
		     "movl %%eax, %%gs\n\t"
		     :
		     : "i"((u64)SEL_KCODE), "i"(SEL_KDATA)
		     : "rax", "memory");
}

void desc_init_cpu(struct percpu *pc)
{
	struct desc_ptr gdtr = { sizeof(pc->gdt) - 1, (u64)pc->gdt };
	struct desc_ptr idtr = { sizeof(pc->idt) - 1, (u64)pc->idt };

	pc->self = pc;
	gdt_build(pc);
	idt_build(pc);
	pc->tss.iomap_base = sizeof(pc->tss);
	asm volatile("lgdt %0" : : "m"(gdtr) : "memory");
	load_segments();
	asm volatile("ltr %w0" : : "r"(SEL_TSS));
	asm volatile("lidt %0" : : "m"(idtr) : "memory");
	/* GS is zero now; its base comes from the MSR (after the reload). */
	wrmsr(MSR_GS_BASE, (u64)pc);
}
