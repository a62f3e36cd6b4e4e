// SPDX-License-Identifier: MIT
/*
 * The hypervisor log: formatting (a small vsnprintf), level filtering and
 * fan-out to console sinks. Each message becomes one line starting with
 * "hv: " so a transcript can be grepped; a spinlock keeps lines from
 * different CPUs whole.
 */
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

static struct log_sink *sinks;
static int cur_level = LOG_INFO;
static spinlock_t log_lock;
static bool lock_broken;

static const char *const level_tag[] = { "error: ", "warn: ", "", "" };

int log_level_parse(const char *s, size_t len)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	if (len == 1 && s[0] >= '0' && s[0] <= '3')
		return s[0] - '0';
	for (int i = 0; i < 4; i++)
		if (strlen(names[i]) == len && !strncmp(s, names[i], len))
			return i;
	return -1;
}

void log_add_sink(struct log_sink *sink)
{
	sink->next = sinks;
	sinks = sink;
}

void log_set_level(int level) { cur_level = level; }
int log_get_level(void) { return cur_level; }

static void emit(const char *s, size_t len)
{
	for (struct log_sink *k = sinks; k; k = k->next)
		k->write(s, len);
}

void log_break_lock(void) { lock_broken = true; }

void log_write(const char *s, size_t len)
{
	u64 flags;

	if (lock_broken) {
		emit(s, len);
		return;
	}
	flags = spin_lock_irqsave(&log_lock);

	emit(s, len);
	spin_unlock_irqrestore(&log_lock, flags);
}

void vprintk(int level, const char *fmt, va_list ap)
{
	char buf[512];
	int n;

	if (level > cur_level)
		return;
	n = snprintf(buf, sizeof(buf), "hv: %s", level_tag[level & 3]);
	vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	n = strlen(buf);
	if (n == 0 || buf[n - 1] != '\n')
		buf[n++] = '\n';
	log_write(buf, n);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}
