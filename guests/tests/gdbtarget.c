// SPDX-License-Identifier: MIT
//
// A guest for the GDB stub's run control. It prints where gdb_tick() and
// gdb_release are, then calls gdb_mark() in a loop, and gdb_tick() every
// 256 calls, until gdb writes 1 to gdb_release. gdb_mark() counts its
// calls and runs the guest's own INT3,
// which the guest's #BP handler counts: under the debugger (the #BP
// intercepted for the debugger's breakpoints) every one of them must still
// reach the guest, so at the end both counts are equal. gdb breaks on
// gdb_tick, steps, lists threads, deletes the breakpoint, releases the
// guest and detaches; the guest then passes, 3 s later.
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

volatile u32 gdb_release; // gdb writes 1: the loop ends
volatile u32 gdb_marks;   // calls of gdb_mark()
volatile u32 gdb_ticks;   // calls of gdb_tick()
static volatile u32 own_int3; // the guest's own #BP, seen by its handler

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
// times under the debugger between two stops.
__attribute__((noinline)) void gdb_tick(void)
{
	gdb_ticks++;
}

int main(void)
{
	test_start("gdbtarget");
	check(pmtimer_init(), "ACPI PM timer");
	trap_set_handler(VEC_BP, bp_handler);
	gdb_mark();
	check(own_int3 == 1, "the guest's own int3 reaches its handler (%u)", own_int3);
	printf("gdbtarget ready tick %x release %x\n", (u32)(unsigned long)gdb_tick,
	       (u32)(unsigned long)&gdb_release);
	while (!gdb_release) {
		gdb_mark();
		if (!(gdb_marks & 255))
			gdb_tick();
	}
	printf("gdbtarget released after %u marks, own int3 %u\n", gdb_marks, own_int3);
	check(own_int3 == gdb_marks, "every own int3 reached the guest");
	pmtimer_delay_us(3000000); /* gdb's transcript is collected before the end */
	test_finish();
}
