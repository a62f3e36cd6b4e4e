// SPDX-License-Identifier: MIT
//
// IDT setup and the C side of every interrupt and exception. Gates are
// 32-bit interrupt gates (IF cleared on entry) on code selector 0x08
// (Intel SDM Vol. 3A, 6.11).
#include "lib/trap.h"
#include "lib/fault.h"
#include "lib/printf.h"
#include "lib/test.h"

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 zero;
	u8 type_attr; // P=1, DPL=0, type 0xE: 32-bit interrupt gate
	u16 offset_hi;
} packed;

struct idt_desc {
	u16 limit;
	u32 base;
} packed;

extern const u32 isr_stub_table[256];

static struct idt_gate idt[256] aligned(8);
static trap_handler_t handlers[256];

static const char *const exception_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *trap_name(u32 vector)
{
	return vector < 32 ? exception_names[vector] : "irq";
}

void idt_load(void)
{
	struct idt_desc d = { sizeof(idt) - 1, (u32)idt };

	asm volatile("lidt %0" : : "m"(d));
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		idt[v].offset_lo = isr_stub_table[v] & 0xffff;
		idt[v].selector = 0x08;
		idt[v].zero = 0;
		idt[v].type_attr = 0x8e;
		idt[v].offset_hi = isr_stub_table[v] >> 16;
	}
	idt_load();
}

void trap_set_handler(u8 vector, trap_handler_t handler)
{
	handlers[vector] = handler;
}

void trap_set_gate_dpl(u8 vector, u8 dpl)
{
	idt[vector].type_attr = (idt[vector].type_attr & ~0x60) | ((dpl & 3) << 5);
}

void trap_set_gate_present(u8 vector, bool present)
{
	idt[vector].type_attr = (idt[vector].type_attr & ~0x80) | (present ? 0x80 : 0);
}

static u32 read_cr2(void)
{
	u32 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static noreturn void trap_unexpected(struct trap_frame *f)
{
	printf("unexpected %s vector %u error 0x%x at eip 0x%08x eflags 0x%x\n",
	       f->vector < 32 ? "exception" : "interrupt", f->vector, f->error,
	       f->eip, f->eflags);
	printf("eax %08x ebx %08x ecx %08x edx %08x\n", f->eax, f->ebx, f->ecx, f->edx);
	printf("esi %08x edi %08x ebp %08x cr2 %08x\n", f->esi, f->edi, f->ebp, read_cr2());
	test_fail_code(EXIT_UNEXPECTED_TRAP, "unexpected %s (vector %u) at eip 0x%x",
		       trap_name(f->vector), f->vector, f->eip);
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	if (f->vector < 32 && fault_fixup(f))
		return;
	if (handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	trap_unexpected(f);
}
