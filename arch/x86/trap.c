// SPDX-License-Identifier: MIT
/*
 * Host exception and interrupt dispatch. An exception taken by the
 * hypervisor is a hypervisor bug (guests run in their own contexts and
 * reach us through VM exits, not through this IDT): it is reported with
 * registers, CR2, a decoded error code and a symbolized backtrace, then the
 * machine panics. The only expected faults are the fixups in safe.asm.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/stacks.h"
#include "arch/x86/trap.h"
#include "kernel/ksyms.h"
#include "kernel/log.h"
#include "kernel/panic.h"

extern const u64 trap_fixups[];
extern const u64 trap_fixups_count;

static irq_handler_t irq_handlers[256];

static const char *const exc_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FP error", "alignment check",
	"machine check", "SIMD FP error", "virtualization",
	"control protection", "reserved", "reserved", "reserved",
	"reserved", "reserved", "reserved", "hypervisor injection",
	"VMM communication", "security", "reserved",
};

void trap_set_handler(u8 vector, irq_handler_t h)
{
	irq_handlers[vector] = h;
}

static bool try_fixup(struct trap_frame *f)
{
	for (u64 i = 0; i < trap_fixups_count; i++) {
		if (trap_fixups[2 * i] == f->rip) {
			f->rip = trap_fixups[2 * i + 1];
			return true;
		}
	}
	return false;
}

static void print_frame(const char *how, u64 addr)
{
	u64 off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		printk(LOG_ERR, "  %s %016llx %s+0x%llx", how, (unsigned long long)addr,
		       name, (unsigned long long)off);
	else
		printk(LOG_ERR, "  %s %016llx (not in kernel text)", how,
		       (unsigned long long)addr);
}

void backtrace_print(u64 rbp, u64 rip)
{
	u64 off, last = 0;
	unsigned repeats = 0;
	const char *name;

	print_frame("at  ", rip);
	for (int depth = 0; depth < 32 && rbp; depth++) {
		/* Only follow frames that lie in mapped kernel memory. */
		if (!stack_addr_valid(rbp, 16) || (rbp & 7))
			break;
		u64 ret = ((u64 *)rbp)[1];
		name = ksym_lookup(ret, &off);
		if (!name)
			break;
		rbp = ((u64 *)rbp)[0];
		if (ret == last && ++repeats) {
			depth--; /* recursion: count it, do not spend depth on it */
			if (repeats < 4096)
				continue;
			break;
		}
		if (repeats)
			printk(LOG_ERR, "  ... the frame above repeats %u more times", repeats);
		repeats = 0;
		last = ret;
		print_frame("from", ret);
	}
	if (repeats)
		printk(LOG_ERR, "  ... the frame above repeats %u more times", repeats);
}

static void dump_frame(const struct trap_frame *f)
{
	printk(LOG_ERR, "rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx",
	       f->rax, f->rbx, f->rcx, f->rdx);
	printk(LOG_ERR, "rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx",
	       f->rsi, f->rdi, f->rbp, f->rsp);
	printk(LOG_ERR, "r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx",
	       f->r8, f->r9, f->r10, f->r11);
	printk(LOG_ERR, "r12=%016lx r13=%016lx r14=%016lx r15=%016lx",
	       f->r12, f->r13, f->r14, f->r15);
	printk(LOG_ERR, "rip=%016lx cs=%lx rflags=%lx ss=%lx cr3=%lx",
	       f->rip, f->cs, f->rflags, f->ss, read_cr3());
}

/* Intel SDM Vol. 3A §4.7: page-fault error code bits. */
static void explain_page_fault(const struct trap_frame *f, u64 cr2)
{
	printk(LOG_ERR, "page fault at %016llx: %s %s%s%s", (unsigned long long)cr2,
	       (f->error & 1) ? "protection violation on" : "not-present page on",
	       (f->error & 16) ? "instruction fetch" : (f->error & 2) ? "write" : "read",
	       (f->error & 8) ? ", reserved bit set" : "",
	       (f->error & 4) ? ", user mode" : "");
	int cpu = stack_guard_owner(cr2);
	if (cpu >= 0)
		printk(LOG_ERR, "the address is a stack guard page of cpu %d: stack overflow", cpu);
}

/* A #DF with RSP or CR2 in a guard page: the stack overflowed and the CPU
 * could not push the first fault's frame (SDM Vol. 3A §6.15, #DF). */
static void explain_double_fault(const struct trap_frame *f, u64 cr2)
{
	int cpu = stack_guard_owner(cr2);

	if (cpu < 0)
		cpu = stack_guard_owner(f->rsp);
	printk(LOG_ERR, "double fault: rsp %016lx cr2 %016lx", f->rsp, cr2);
	if (cpu >= 0)
		printk(LOG_ERR, "the stack reached the guard page of cpu %d: stack overflow", cpu);
}

static __noreturn void exception(struct trap_frame *f)
{
	u64 cr2 = read_cr2();

	panic_begin();
	printk(LOG_ERR, "exception %llu (%s) error %llx on cpu %u",
	       (unsigned long long)f->vector, exc_names[f->vector],
	       (unsigned long long)f->error, this_cpu()->cpu);
	if (f->vector == 14)
		explain_page_fault(f, cr2);
	if (f->vector == 8)
		explain_double_fault(f, cr2);
	dump_frame(f);
	/* A jump or call to a bad address: the caller is at the stack top. */
	if (!ksym_lookup(f->rip, &(u64){ 0 }) && stack_addr_valid(f->rsp, 8))
		print_frame("called from", *(u64 *)f->rsp);
	backtrace_print(f->rbp, f->rip);
	panic_end("unhandled exception %llu (%s) at rip %016llx",
		  (unsigned long long)f->vector, exc_names[f->vector],
		  (unsigned long long)f->rip);
}

/*
 * A #DB in the hypervisor from a guest's breakpoints (an emulator may keep
 * them armed outside the guest: QEMU's TCG restores DR7 as it was before
 * VMRUN). The hypervisor sets none of its own: go on, with RF set so that
 * an instruction breakpoint lets the instruction run (SDM Vol. 3B
 * §18.3.1.1), and DR6 cleared of the hit.
 */
static bool foreign_debug_trap(struct trap_frame *f)
{
	if (f->vector != 1 || !this_cpu()->guest_dr || !(read_dr(6) & 0xf))
		return false;
	write_dr(6, 0xffff0ff0);
	f->rflags |= 1ULL << 16; /* RF */
	return true;
}

static u32 unexpected_irqs; /* racy across CPUs: only rate-limits a log line */

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector >= 32 && irq_handlers[f->vector]) { /* the host's interrupts first */
		irq_handlers[f->vector](f);
		return;
	}
	if (f->vector == 2 && panic_in_progress())
		cpu_halt_forever(); /* another CPU panicked and stopped us */
	if (foreign_debug_trap(f))
		return;
	if (f->vector < 32) {
		if ((f->vector == 13 || f->vector == 6) && try_fixup(f))
			return;
		exception(f);
	}
	if (f->vector == VEC_SPURIOUS)
		return; /* sets no in-service bit: no EOI (SDM Vol. 3A §11.9) */
	/* A stray message (a device that wrote the interrupt window on its
	 * own, say): end it, or its in-service bit would hold off every
	 * vector of its priority class and below on this CPU for good. */
	lapic_eoi();
	if (unexpected_irqs++ < 8 || !(unexpected_irqs & 4095))
		printk(LOG_WARN, "unexpected interrupt vector %llu on cpu %u (%u so far)",
		       (unsigned long long)f->vector, this_cpu()->cpu, unexpected_irqs);
}
