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

/* Raw output, no prefix (guest console pass-through, the monitor). */
void log_write(const char *s, size_t len);

/* One whole line (ending in '\n') of the log's own. If raw output left
 * the console mid-line, the line starts on a line of its own and that
 * raw text is shown again before the next raw byte (kernel/log.c). */
void log_line(const char *s, size_t len);

/* End the raw line in progress, if any, and forget it (the console's
 * focus moves to another guest: its half line is not shown again). */
void log_end_line(void);

/* Would the next raw byte (log_write) show at the start of a line? */
bool log_at_line_start(void);

#define LOG_PARTIAL_MAX 160

/*
 * Divert what the calling CPU logs (printk, log_line, log_write) into
 * @buf of @size bytes instead of the consoles, until log_capture_end();
 * the other CPUs' output still goes to the consoles. One capture at a
 * time, begun and ended on the same CPU (the GDB stub's qRcmd runs a
 * monitor command so, vmm/gdb_stub.c). Output beyond @size is dropped.
 */
void log_capture_begin(char *buf, size_t size);

/* End the capture: the bytes captured, and whether any were dropped. */
size_t log_capture_end(bool *cut);

/*
 * Hold all output (every CPU's log lines and raw output) while the
 * console carries another protocol (the GDB stub on the multiplexed
 * console): the first LOG_HOLD_SIZE bytes are kept and shown by
 * log_hold(false), the rest counted and reported then. A panic ends the
 * hold. log_through() writes to the consoles past the hold: the bytes of
 * that protocol.
 */
#define LOG_HOLD_SIZE (16u * 1024)
void log_hold(bool on);
void log_through(const char *s, size_t len);
/* Panic only: stop taking the log lock (its holder may be dead). */
void log_break_lock(void);


#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

#endif
