// SPDX-License-Identifier: MIT
//
// A hostile guest for the MMIO path, run beside a well-behaved neighbour
// (tests/system/configs/hostile-mmio*.cfg). "case=<name>" on the command
// line picks what it does; every case but "main" ends in a stop of this
// guest that the system test names, and prints FAIL if it survives:
//   main      addresses nobody claims read all-ones of every size (MOV,
//             MOVZX, MOVSX, MOVS, STOS) and drop writes, also for locked
//             read-modify-writes (CMPXCHG, XADD, OR, XCHG, INC); MOVS from the
//             LAPIC; REP INSB/OUTSB with ECX = 0xffffffff on an unclaimed
//             port and on the UART, ended after 500 ms by a LAPIC timer
//             interrupt whose handler zeroes ECX (the REP must be
//             interruptible, i.e. done in slices); last, a jump to an
//             address nobody claims: the fetch stops the guest.
//   walk      paging on, a page-directory entry pointing into the LAPIC page,
//             a store through it: the hypervisor must not emulate the
//             store's immediate into the ICR (the walk read 0xfee00300).
//   straddle  a 4-byte read across the end of the LAPIC page.
//   xchg      XCHG on the LAPIC TPR.
//   cmpxchg   LOCK CMPXCHG on the I/O APIC data window.
#include "lib/cpu.h"
#include "lib/fault.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/multiboot.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

#define NOWHERE 0xc0000000u     // PCI hole: nobody there
#define IOAPIC_BASE 0xfec00000u
#define UNCLAIMED_PORT 0x2f0
#define COM1 0x3f8
#define TIMER_VECTOR 0x40
#define REP_BUF 0x400000u       // 4 MiB: REP INS lands here and above
#define STOP_AFTER 50000000u // LAPIC timer counts: 500 ms at the 100 MHz virtual bus

static volatile u32 timer_hits;

// The REP in progress is interrupted here: ECX = 0 ends it on return.
static void timer_handler(struct trap_frame *f)
{
	f->ecx = 0;
	timer_hits++;
	lapic_eoi();
}

// Is "case=<name>" on the command line (no case= at all: "main")?
static bool cmdline_case(const char *name)
{
	const char *s = mb_cmdline();
	size_t n = strlen(name);

	for (; s && *s; s++) {
		if ((s == mb_cmdline() || s[-1] == ' ') && !strncmp(s, "case=", 5))
			return !strncmp(s + 5, name, n) && (s[5 + n] == 0 || s[5 + n] == ' ');
	}
	return !strcmp(name, "main");
}

static void unclaimed_loads(void)
{
	u32 z, sx;

	check(*(volatile u32 *)NOWHERE == 0xffffffffu, "32-bit read of nowhere is all-ones");
	check(*(volatile u16 *)(NOWHERE + 2) == 0xffff, "16-bit read of nowhere is all-ones");
	check(*(volatile u8 *)(NOWHERE + 5) == 0xff, "8-bit read of nowhere is all-ones");
	asm volatile("movzbl (%1), %0" : "=r"(z) : "r"(NOWHERE + 7) : "memory");
	asm volatile("movswl (%1), %0" : "=r"(sx) : "r"(NOWHERE + 8) : "memory");
	check(z == 0xff && sx == 0xffffffffu, "MOVZX 0x%x, MOVSX 0x%x of nowhere", z, sx);
	*(volatile u32 *)NOWHERE = 0x11223344u;
	*(volatile u8 *)(NOWHERE + 1) = 0;
	check(*(volatile u32 *)NOWHERE == 0xffffffffu, "writes to nowhere are dropped");
}

static void string_moves(void)
{
	static u32 buf[8];
	u32 *dst = buf, count = 8, ver = lapic_read(LAPIC_VERSION);
	const void *src = (const void *)NOWHERE;
	volatile u32 *nowhere = (volatile u32 *)(NOWHERE + 0x1000);

	memset(buf, 0, sizeof(buf));
	asm volatile("cld; rep movsl" : "+S"(src), "+D"(dst), "+c"(count) : : "memory");
	check(buf[0] == 0xffffffffu && buf[7] == 0xffffffffu && count == 0 &&
	      dst == buf + 8, "REP MOVSD from nowhere to RAM gives all-ones");
	dst = (u32 *)nowhere;
	count = 16;
	asm volatile("cld; rep stosl" : "+D"(dst), "+c"(count) : "a"(0) : "memory");
	check(nowhere[3] == 0xffffffffu && count == 0, "REP STOSD to nowhere is dropped");
	src = (const void *)(LAPIC_BASE + LAPIC_VERSION);
	dst = buf;
	asm volatile("cld; movsl" : "+S"(src), "+D"(dst) : : "memory");
	check(buf[0] == ver, "MOVSD from the LAPIC version register (0x%x)", buf[0]);
}

// Read-modify-write instructions where nobody is: the read gives
// all-ones, the write is dropped, registers and flags as the instruction
// defines them (a PC's master abort, for locked cycles too).
static void unclaimed_rmw(void)
{
	volatile u32 *p = (volatile u32 *)(NOWHERE + 0x40);
	u32 a = 0, c = 7;
	u8 zf, cf, sf;

	asm volatile("lock cmpxchgl %3, %2; setz %1" : "+a"(a), "=q"(zf), "+m"(*p) : "r"(c) : "cc");
	check(a == 0xffffffffu && !zf, "LOCK CMPXCHG on nowhere: no match, EAX 0x%x", a);
	asm volatile("lock cmpxchgl %3, %2; setz %1" : "+a"(a), "=q"(zf), "+m"(*p) : "r"(c) : "cc");
	check(a == 0xffffffffu && zf, "LOCK CMPXCHG on nowhere with EAX all-ones: ZF %u", zf);
	c = 5;
	asm volatile("lock xaddl %0, %2; setc %1" : "+r"(c), "=q"(cf), "+m"(*p) : : "cc");
	check(c == 0xffffffffu && cf, "LOCK XADD on nowhere: old 0x%x, CF %u", c, cf);
	asm volatile("lock orl $1, %2; sets %0; setz %1" : "=q"(sf), "=q"(zf), "+m"(*p) : : "cc");
	check(sf && !zf, "LOCK OR on nowhere: SF %u ZF %u", sf, zf);
	c = 0x12345678u;
	asm volatile("xchgl %0, %1" : "+r"(c), "+m"(*p));
	check(c == 0xffffffffu, "XCHG with nowhere: 0x%x", c);
	asm volatile("lock incl %1; setz %0" : "=q"(zf), "+m"(*p) : : "cc");
	check(zf && *p == 0xffffffffu, "LOCK INC on nowhere: ZF %u, the write dropped", zf);
}

// One REP string I/O with ECX = 0xffffffff, stopped by the timer.
static void huge_rep(const char *what, bool in, u16 port)
{
	u32 count = 0xffffffffu, hits = timer_hits, start = pmtimer_read(), us;
	void *ptr = (void *)REP_BUF;

	lapic_timer_oneshot(TIMER_VECTOR, STOP_AFTER);
	if (in)
		asm volatile("cld; sti; nop; rep insb; cli"
			     : "+D"(ptr), "+c"(count) : "d"(port) : "memory");
	else
		asm volatile("cld; sti; nop; rep outsb; cli"
			     : "+S"(ptr), "+c"(count) : "d"(port) : "memory");
	us = (u32)pmtimer_ticks_to_us(pmtimer_since(start));
	check(count == 0 && timer_hits == hits + 1 && (u32)ptr > REP_BUF,
	      "REP %s ECX=0xffffffff interrupted after %u bytes in %u us", what,
	      (u32)ptr - REP_BUF, us);
}

static void huge_reps(void)
{
	irq_init();
	trap_set_handler(TIMER_VECTOR, timer_handler);
	huge_rep("INSB from an unclaimed port", true, UNCLAIMED_PORT);
	check(*(volatile u8 *)REP_BUF == 0xff, "unclaimed port reads 0xff");
	huge_rep("OUTSB to an unclaimed port", false, UNCLAIMED_PORT);
	huge_rep("INSB from the UART", true, COM1);
	huge_rep("OUTSB to the UART scratch register", false, COM1 + 7);
}

static noreturn void case_main(void)
{
	unclaimed_loads();
	string_moves();
	unclaimed_rmw();
	huge_reps();
	printf("jumping to 0x%x, where nothing is\n", NOWHERE);
	((void (*)(void))NOWHERE)();
	test_fail("fetch from nowhere returned");
}

// 4 MiB identity pages, except directory entry 0x200 (0x80000000): a
// page table "in" the LAPIC page, whose entry 0xc0 is the ICR (0x300).
static u32 page_dir[1024] __attribute__((__aligned__(4096)));

static noreturn void case_walk(void)
{
	volatile u32 *target = (volatile u32 *)(0x80000000u | (0xc0u << 12));

	for (u32 i = 0; i < 1024; i++)
		page_dir[i] = (i << 22) | 0x83; // P, RW, PS
	page_dir[0x200] = LAPIC_BASE | 0x3;    // P, RW: a "page table"
	write_cr4(read_cr4() | (1u << 4));     // PSE
	asm volatile("mov %0, %%cr3; mov %%cr0, %%eax; or $0x80000000, %%eax; "
		     "mov %%eax, %%cr0" : : "r"(page_dir) : "eax", "memory");
	printf("storing through a page walk into the LAPIC page\n");
	*target = 0x000440f0u; // were it the ICR: fixed IPI to self, vector 0xf0
	test_fail("a store whose page walk reads the LAPIC was emulated (ICR 0x%x)",
		  lapic_read(LAPIC_ICR_LO));
}

static noreturn void case_straddle(void)
{
	u32 v;

	printf("reading 4 bytes across the end of the LAPIC page\n");
	v = *(volatile u32 *)(LAPIC_BASE + 0xffe);
	test_fail("a read across the LAPIC page's end returned 0x%x", v);
}

static noreturn void case_xchg(void)
{
	u32 v = 0x20;

	printf("XCHG on the LAPIC TPR\n");
	asm volatile("xchg %0, (%1)" : "+r"(v) : "r"(LAPIC_BASE + 0x80) : "memory");
	test_fail("XCHG on the LAPIC returned 0x%x", v);
}

static noreturn void case_cmpxchg(void)
{
	u32 old = 0, val = 0x1234;

	printf("LOCK CMPXCHG on the I/O APIC window\n");
	asm volatile("lock cmpxchg %1, (%2)" : "+a"(old) : "r"(val), "r"(IOAPIC_BASE + 0x10)
		     : "memory");
	test_fail("LOCK CMPXCHG on the I/O APIC returned 0x%x", old);
}

int main(void)
{
	test_start("hostile_mmio");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	if (cmdline_case("walk"))
		case_walk();
	if (cmdline_case("straddle"))
		case_straddle();
	if (cmdline_case("xchg"))
		case_xchg();
	if (cmdline_case("cmpxchg"))
		case_cmpxchg();
	if (cmdline_case("main"))
		case_main();
	test_fail("unknown case in \"%s\"", mb_cmdline());
}
