// SPDX-License-Identifier: MIT
/*
 * Panic: the end of the machine, for hypervisor bugs only. The first CPU to
 * panic wins; a CPU that panics while another is already doing so halts
 * quietly so the report stays readable.
 */
#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "kernel/log.h"
#include "kernel/panic.h"

static volatile u32 panicking;
static enum panic_action action = PANIC_HALT;

void (*panic_reboot_hook)(void);
void (*panic_poweroff_hook)(void);
void (*panic_stop_others_hook)(void);

bool panic_in_progress(void) { return panicking != 0; }
void panic_set_action(enum panic_action a) { action = a; }

void panic_begin(void)
{
	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		cpu_halt_forever();
	log_break_lock(); /* this CPU may have faulted inside the log */
	if (panic_stop_others_hook)
		panic_stop_others_hook();
}

static __noreturn void panic_finish(const char *fmt, va_list ap)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg) - 1, "hv: panic: ");

	n += vsnprintf(msg + n, sizeof(msg) - 1 - n, fmt, ap);
	if (n > (int)sizeof(msg) - 2)
		n = sizeof(msg) - 2;
	msg[n++] = '\n';
	log_write(msg, n);
	if (action == PANIC_REBOOT && panic_reboot_hook)
		panic_reboot_hook();
	if (action == PANIC_POWEROFF && panic_poweroff_hook)
		panic_poweroff_hook();
	cpu_halt_forever();
}

__noreturn void panic_end(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_finish(fmt, ap);
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	u64 rbp;

	panic_begin();
	asm volatile("mov %%rbp, %0" : "=r"(rbp));
	backtrace_print(rbp, (u64)__builtin_return_address(0));
	va_start(ap, fmt);
	panic_finish(fmt, ap);
}
