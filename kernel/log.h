/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor log. Every line goes to the console(s) registered with
 * log_add_sink() and starts with "hv: "; errors and warnings say so after
 * the prefix ("hv: error: ..."). The lines listed in DESIGN.md's log
 * contract are stable; everything else may change.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stdarg.h>

#include "kernel/format.h"
#include "kernel/types.h"

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* A console that takes raw bytes. */
struct log_sink {
	void (*write)(const char *s, size_t len);
	struct log_sink *next;
};

/* Parse "error|warn|info|debug" or a digit 0-3; -1 if neither. */
int log_level_parse(const char *s, size_t len);

void log_add_sink(struct log_sink *sink);
void log_set_level(int level);
int log_get_level(void);

/* Print one message at @level; "hv: " and the level tag are added. */
void printk(int level, const char *fmt, ...) __printf(2, 3);
void vprintk(int level, const char *fmt, va_list ap);

/* Raw output, no prefix (guest console pass-through, report blocks). */
void log_write(const char *s, size_t len);

/* Panic only: stop taking the log lock (its holder may be dead). */
void log_break_lock(void);


#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

#endif
