// SPDX-License-Identifier: MIT
/*
 * The hypervisor log: formatting (a small vsnprintf), level filtering and
 * fan-out to console sinks. Each message becomes one line starting with
 * "hv: " so a transcript can be grepped; a spinlock keeps lines from
 * different CPUs whole.
 *
 * Raw output (a guest's console passed through, the monitor's prompt) may
 * leave the console in the middle of a line. A log line never lands there:
 * it starts on a line of its own, and the interrupted text (kept here, up
 * to LOG_PARTIAL_MAX bytes) is shown again before the next raw byte, so
 * the guest's line still reads whole on the line after the log's, the way
 * a shell redraws its prompt after an asynchronous message.
 *
 * A capture (log_capture_begin) takes one CPU's output into a buffer.
 */
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

#ifdef HV_HOST_TEST
static unsigned log_cpu(void) { return 0; }
#else
#include "arch/x86/smp.h"
static unsigned log_cpu(void) { return smp_this_cpu(); }
#endif

static struct log_sink *sinks;
static int cur_level = LOG_INFO;
static spinlock_t log_lock;
static bool lock_broken;

/* [log_lock] Whether raw output left the console mid-line; the text
 * since the last line end or carriage return; whether that outgrew the
 * buffer (then it is not shown again, the line is only ended); whether a
 * log line cut into it (it is shown again before the next raw byte). */
static bool mid_line;
static char partial[LOG_PARTIAL_MAX];
static size_t partial_len;
static bool partial_lost;
static bool partial_cut;

/* The capture: on and cpu are set by the capturing CPU before and
 * cleared after; buf, size, len and cut are that CPU's alone. */
static struct {
	volatile bool on;
	unsigned cpu;
	char *buf;
	size_t size, len;
	bool cut;
} cap;

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

/* [log_lock] The hold (log_hold): output kept while the console carries
 * another protocol, shown when it is given back; beyond the buffer only
 * counted. */
static struct {
	bool on;
	bool through; /* log_through() wrote: the line may be mid-way */
	size_t len;
	u64 lost;
	char buf[LOG_HOLD_SIZE];
} hold;

static void sinks_write(const char *s, size_t len)
{
	for (struct log_sink *k = sinks; k; k = k->next)
		k->write(s, len);
}

static void emit(const char *s, size_t len)
{
	size_t n;

	if (!hold.on) {
		sinks_write(s, len);
		return;
	}
	n = MIN(len, sizeof(hold.buf) - hold.len);
	memcpy(hold.buf + hold.len, s, n);
	hold.len += n;
	hold.lost += len - n;
}

/* Show what was held. Under log_lock (or with the lock broken). */
static void hold_release(void)
{
	char line[96];
	int n;

	if (!hold.on)
		return;
	hold.on = false;
	if (hold.through)
		sinks_write("\n", 1);
	hold.through = false;
	sinks_write(hold.buf, hold.len);
	if (hold.lost) {
		n = snprintf(line, sizeof(line), "\nhv: warn: %llu bytes of output lost while held\n",
			     (unsigned long long)hold.lost);
		sinks_write(line, (size_t)n);
	}
	hold.len = 0;
	hold.lost = 0;
}

void log_break_lock(void)
{
	lock_broken = true;
	hold_release(); /* a panic is shown, whoever has the console */
}

void log_hold(bool on)
{
	u64 flags = spin_lock_irqsave(&log_lock);

	if (on)
		hold.on = true;
	else
		hold_release();
	spin_unlock_irqrestore(&log_lock, flags);
}

void log_through(const char *s, size_t len)
{
	u64 flags;

	if (lock_broken)
		return;
	flags = spin_lock_irqsave(&log_lock);
	hold.through |= hold.on;
	sinks_write(s, len);
	spin_unlock_irqrestore(&log_lock, flags);
}

void log_capture_begin(char *buf, size_t size)
{
	cap.buf = buf;
	cap.size = size;
	cap.len = 0;
	cap.cut = false;
	cap.cpu = log_cpu();
	__atomic_store_n(&cap.on, true, __ATOMIC_RELEASE);
}

size_t log_capture_end(bool *cut)
{
	__atomic_store_n(&cap.on, false, __ATOMIC_RELEASE);
	*cut = cap.cut;
	return cap.len;
}

/* Output of the capturing CPU goes into the capture: true when taken.
 * (log_cpu() only while a capture is on: early in boot there is no
 * per-CPU area yet.) */
static bool captured(const char *s, size_t len)
{
	size_t n;

	if (!__atomic_load_n(&cap.on, __ATOMIC_ACQUIRE) || log_cpu() != cap.cpu)
		return false;
	n = MIN(len, cap.size - cap.len);
	memcpy(cap.buf + cap.len, s, n);
	cap.len += n;
	cap.cut |= n < len;
	return true;
}

/* Keep track of the raw text of the current line. Under log_lock. */
static void track_raw(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r') {
			if (s[i] == '\n')
				mid_line = false; /* a CR leaves the line's text shown */
			partial_len = 0;
			partial_lost = false;
		} else if (partial_len < sizeof(partial)) {
			mid_line = true;
			partial[partial_len++] = s[i];
		} else {
			partial_lost = true;
		}
	}
}

void log_write(const char *s, size_t len)
{
	u64 flags;

	if (!len || captured(s, len))
		return;
	if (lock_broken) {
		emit(s, len);
		return;
	}
	flags = spin_lock_irqsave(&log_lock);
	if (partial_cut) {
		partial_cut = false;
		if (!partial_lost)
			emit(partial, partial_len);
	}
	emit(s, len);
	track_raw(s, len);
	spin_unlock_irqrestore(&log_lock, flags);
}

/* End a cut-into line. Under log_lock. */
static void break_line(void)
{
	if (mid_line && !partial_cut)
		emit("\n", 1);
}

void log_line(const char *s, size_t len)
{
	u64 flags;

	if (captured(s, len))
		return;
	if (lock_broken) {
		emit(s, len);
		return;
	}
	flags = spin_lock_irqsave(&log_lock);
	break_line();
	partial_cut = mid_line;
	emit(s, len);
	spin_unlock_irqrestore(&log_lock, flags);
}

/* Where the next log_write() byte shows: the line is ended (or never
 * started), a CR went back to its start, or an "hv:" line cut in after
 * it with nothing of it to show again. */
bool log_at_line_start(void)
{
	u64 flags = spin_lock_irqsave(&log_lock);
	bool start = !mid_line || partial_len == 0 || (partial_cut && partial_lost);

	spin_unlock_irqrestore(&log_lock, flags);
	return start;
}

void log_end_line(void)
{
	u64 flags = spin_lock_irqsave(&log_lock);

	break_line();
	mid_line = partial_cut = partial_lost = false;
	partial_len = 0;
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
	log_line(buf, n);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}
