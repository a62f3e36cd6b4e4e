// SPDX-License-Identifier: MIT
//
// A guest for the GDB stub's run control. It prints where gdb_tick() and
// gdb_release are, then calls gdb_mark() in a loop, and gdb_tick() every
// 256 calls, until gdb writes 1 to gdb_release. gdb_mark() counts its
// calls and runs the guest's own INT3,
// which the guest's #BP handler counts: under the debugger (the #BP
// intercepted for the debugger's breakpoints) every one of them must still
// reach the guest, so at the end both counts are equal. gdb breaks on
// gdb_tick, steps (a PUSHF), lists threads, deletes the breakpoint,
// releases the guest and detaches; the guest then passes, 3 s later.
#include "lib/cpu.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

volatile u32 gdb_release; // gdb writes 1: the loop ends
volatile u32 gdb_magic;   // gdb sets it (by name); the guest prints it at the end
u32 gdb_sum;              // gdb_work()'s result: gdb watches it
volatile u32 gdb_marks;   // calls of gdb_mark()
volatile u32 gdb_ticks;   // calls of gdb_tick()
static volatile u32 own_int3; // the guest's own #BP, seen by its handler
volatile u32 gdb_unused;      // the guest's own DR3 breakpoint
static u32 dr_reads, dr_wrong; // checks of its own debug registers

#define GUEST_DR0 0x0dead000u
/* R/W3 01 (write), LEN3 11 (4 bytes), bit 10 (SDM Vol. 3B §18.2.4); not
 * enabled (see above) */
#define GUEST_DR7 (0x400u | (1u << 28) | (3u << 30))

#define DR_READ(n)                                                  \
	({                                                          \
		u32 v_;                                             \
		asm volatile("mov %%dr" #n ", %0" : "=r"(v_));      \
		v_;                                                 \
	})
#define DR_WRITE(n, v) asm volatile("mov %0, %%dr" #n : : "r"((u32)(v)))

static volatile u32 own_steps, own_steps_bs; // its own TF traps, with DR6.BS

static void db_handler(struct trap_frame *f)
{
	own_steps++;
	if (DR_READ(6) & (1u << 14))
		own_steps_bs++;
	DR_WRITE(6, 0xffff0ff0);
	f->eflags &= ~(1u << 8); // TF
}

// TF set by POPF traps after the next instruction (SDM Vol. 3B §18.3.1.4).
static void own_step(void)
{
	asm volatile("pushfl; orl $0x100, (%%esp); popfl; nop" ::: "memory", "cc");
}

static void own_drs_set(void)
{
	DR_WRITE(0, GUEST_DR0);
	DR_WRITE(3, (u32)(unsigned long)&gdb_unused);
	DR_WRITE(7, GUEST_DR7);
}

// The guest's own values, whatever gdb has in the debug registers.
static void own_drs_check(void)
{
	DR_WRITE(1, gdb_marks);
	dr_reads++;
	if (DR_READ(0) != GUEST_DR0 || DR_READ(3) != (u32)(unsigned long)&gdb_unused ||
	    (DR_READ(7) & 0xffff27ff) != GUEST_DR7 || DR_READ(1) != gdb_marks)
		dr_wrong++;
}

// A periodic LAPIC timer keeps an interrupt pending whenever gdb steps:
// the step must run its one instruction without it (the interrupt comes
// after), so no interrupt frame shows the debugger's TF. The guest's own
// TF steps run with interrupts off.
#define VEC_TICK 0x40
#define TICK_COUNT 20000u // 200 us of the 100 MHz bus clock
static volatile u32 ticks_irq, ticks_irq_tf;

static void tick_handler(struct trap_frame *f)
{
	ticks_irq++;
	if (f->eflags & (1u << 8))
		ticks_irq_tf++;
	lapic_eoi();
}

static void bp_handler(struct trap_frame *f)
{
	(void)f;
	own_int3++;
}

__attribute__((noinline)) void gdb_mark(void)
{
	gdb_marks++;
	asm volatile("int3" ::: "memory");
}

// Every 256 marks: where gdb breaks, so the guest's own INT3 runs 256
// times under the debugger between two stops. Its first instruction, the
// one gdb steps, is a PUSHF with the guest's TF clear: the image it
// pushes must not show the TF of the debugger's step.
volatile u32 tf_leaks; // PUSHF images with TF set
void gdb_tick(void);
asm(".text\n"
    ".globl gdb_tick\n"
    ".type gdb_tick, @function\n"
    "gdb_tick:\n"
    "	pushfl\n"
    "	testl $0x100, (%esp)\n"
    "	jz 1f\n"
    "	incl tf_leaks\n"
    "1:	addl $4, %esp\n"
    "	incl gdb_ticks\n"
    "	ret\n"
    ".size gdb_tick, . - gdb_tick\n");

// For gdb's source-level session (gdb-sym): a break by name, step into
// gdb_add, next over it, a watchpoint on gdb_sum.
__attribute__((noinline)) u32 gdb_add(u32 a, u32 b)
{
	return a + b;
}

__attribute__((noinline)) void gdb_work(u32 i)
{
	u32 x = gdb_add(i, 1);

	gdb_sum += x;
	gdb_sum ^= i;
}

int main(void)
{
	test_start("gdbtarget");
	check(pmtimer_init(), "ACPI PM timer");
	trap_set_handler(VEC_BP, bp_handler);
	trap_set_handler(1, db_handler);
	irq_init();
	trap_set_handler(VEC_TICK, tick_handler);
	lapic_write(LAPIC_TIMER_DIV, 0xb);
	lapic_write(LAPIC_LVT_TIMER, (1u << 17) | VEC_TICK); // periodic
	lapic_write(LAPIC_TIMER_INIT, TICK_COUNT);
	sti();
	gdb_mark();
	check(own_int3 == 1, "the guest's own int3 reaches its handler (%u)", own_int3);
	own_drs_set();
	printf("gdbtarget ready tick %x release %x ticks %x\n", (u32)(unsigned long)gdb_tick,
	       (u32)(unsigned long)&gdb_release, (u32)(unsigned long)&gdb_ticks);
	while (!gdb_release) {
		gdb_mark();
		own_drs_check();
		cli();
		own_step();
		sti();
		if (!(gdb_marks & 255)) {
			gdb_tick();
			gdb_work(gdb_ticks);
		}
	}
	printf("gdbtarget released after %u marks, own int3 %u, own dr checks %u, magic %x\n",
	       gdb_marks, own_int3, dr_reads, gdb_magic);
	check(own_int3 == gdb_marks, "every own int3 reached the guest");
	check(dr_wrong == 0, "the guest's own debug registers read back (%u of %u wrong)",
	      dr_wrong, dr_reads);
	check(own_steps == dr_reads && own_steps_bs == own_steps,
	      "the guest's own single steps trapped with DR6.BS (%u of %u, %u steps)", own_steps_bs,
	      own_steps, dr_reads);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	check(tf_leaks == 0, "no PUSHF image showed the debugger's TF (%u of %u ticks)", tf_leaks,
	      gdb_ticks);
	check(ticks_irq > 0 && ticks_irq_tf == 0,
	      "no interrupt frame showed the debugger's TF (%u of %u interrupts)", ticks_irq_tf,
	      ticks_irq);
	pmtimer_delay_us(3000000); /* gdb's transcript is collected before the end */
	test_finish();
}
