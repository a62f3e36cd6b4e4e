/* SPDX-License-Identifier: MIT */
/*
 * Panics: only for hypervisor bugs and broken hardware (a misbehaving guest
 * is stopped, never the machine). A panic prints "hv: panic: <message>"
 * (log contract), a backtrace, stops the other CPUs with an NMI and then
 * halts, reboots or powers off as the command line's panic= says.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "kernel/types.h"

enum panic_action { PANIC_HALT, PANIC_REBOOT, PANIC_POWEROFF };

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* For the exception path: stop other CPUs and take the log first, print
 * details, then panic_end() with the one-line reason. */
void panic_begin(void);
__noreturn void panic_end(const char *fmt, ...) __printf(1, 2);

bool panic_in_progress(void);
void panic_set_action(enum panic_action a);

/* What to do at the end of a panic (set up by kernel/main.c). */
extern void (*panic_reboot_hook)(void);
extern void (*panic_poweroff_hook)(void);
extern void (*panic_stop_others_hook)(void);

#endif
