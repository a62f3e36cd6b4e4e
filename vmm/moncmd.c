// SPDX-License-Identifier: MIT
/*
 * The monitor's command parser (moncmd.h): split into words, look the
 * command up in a table, then read its arguments by the table's shape.
 */
#include "kernel/string.h"
#include "vmm/moncmd.h"

#define WORDS_MAX 8
#define WORD_MAX 40

struct words {
	unsigned n;
	char w[WORDS_MAX][WORD_MAX];
};

/* False when there are too many words or one is too long. */
static bool split(const char *line, struct words *ws)
{
	unsigned len = 0;

	ws->n = 0;
	for (const char *p = line;; p++) {
		bool sep = !*p || *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';

		if (sep && len) {
			ws->w[ws->n++][len] = 0;
			len = 0;
		} else if (!sep) {
			if ((ws->n == WORDS_MAX) || len + 1 >= WORD_MAX)
				return false;
			ws->w[ws->n][len++] = *p;
		}
		if (!*p)
			return true;
	}
}

static int digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9' ? c - '0' :
		c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return d < (int)base ? d : -1;
}

/* A number in @base (a leading 0x always means 16); false on junk or
 * overflow. */
static bool number(const char *s, unsigned base, u64 *out)
{
	u64 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		int d = digit(*s, base);

		if (d < 0 || v > (~0ull - (u64)d) / base)
			return false;
		v = v * base + (u64)d;
	}
	*out = v;
	return true;
}

static bool is_number(const char *s)
{
	u64 v;

	return number(s, 10, &v);
}

static bool small(const char *s, u32 max, u32 *out)
{
	u64 v;

	if (!number(s, 10, &v) || v > max)
		return false;
	*out = (u32)v;
	return true;
}

static void set_guest(struct moncmd *c, const char *w)
{
	size_t n = strlen(w);

	n = MIN(n, sizeof(c->guest) - 1);
	memcpy(c->guest, w, n);
	c->guest[n] = 0;
}

/* [guest] [vcpu] [n]: the leading optional guest, then up to @nums
 * numbers (vcpu, then n). */
static bool guest_nums(const struct words *ws, struct moncmd *c, unsigned nums,
		       const char **err)
{
	unsigned i = 1;

	if (i < ws->n && !is_number(ws->w[i]))
		set_guest(c, ws->w[i++]);
	if (i < ws->n && nums >= 1) {
		if (!small(ws->w[i++], 0xffff, &c->vcpu))
			return *err = "bad vcpu number", false;
		c->has_vcpu = true;
	}
	if (i < ws->n && nums >= 2) {
		if (!small(ws->w[i++], 1u << 20, &c->n) || !c->n)
			return *err = "bad entry count", false;
	}
	if (i < ws->n)
		return *err = "too many words", false;
	return true;
}

static bool need_guest(const struct words *ws, struct moncmd *c, unsigned words,
		       const char **err)
{
	if (ws->n != words)
		return *err = words == 2 ? "usage: <command> guest" : "wrong number of words", false;
	set_guest(c, ws->w[1]);
	return true;
}

static bool parse_mem(const struct words *ws, struct moncmd *c, const char **err)
{
	u64 len;

	if (ws->n != 5)
		return *err = "usage: mem guest gva|gpa ADDR LEN", false;
	set_guest(c, ws->w[1]);
	if (!strcmp(ws->w[2], "gva"))
		c->gva = true;
	else if (strcmp(ws->w[2], "gpa"))
		return *err = "mem: say gva or gpa", false;
	if (!number(ws->w[3], 16, &c->addr))
		return *err = "mem: bad address", false;
	if (!number(ws->w[4], 10, &len) || !len || len > MONCMD_MEM_MAX)
		return *err = "mem: length 1..4096", false;
	c->len = (u32)len;
	return true;
}

static bool parse_level(const struct words *ws, struct moncmd *c, const char **err)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	u32 v;

	if (ws->n != 2)
		return *err = "usage: loglevel 0-3|error|warn|info|debug", false;
	for (int i = 0; i < 4; i++)
		if (!strcmp(ws->w[1], names[i]))
			return c->level = i, true;
	if (!small(ws->w[1], 3, &v))
		return *err = "loglevel: 0-3|error|warn|info|debug", false;
	c->level = (int)v;
	return true;
}

static bool parse_rest(const struct words *ws, struct moncmd *c, const char **err)
{
	const char *w1 = ws->n > 1 ? ws->w[1] : "";

	switch (c->op) {
	case MON_HELP: case MON_GUESTS: case MON_PLATFORM:
		return ws->n == 1 || (*err = "takes no arguments", false);
	case MON_VCPUS: return guest_nums(ws, c, 0, err);
	case MON_REGS: return guest_nums(ws, c, 1, err);
	case MON_EXITS:
		if (strcmp(w1, "reset"))
			return guest_nums(ws, c, 0, err);
		c->op = MON_EXITS_RESET;
		if (ws->n > 3)
			return *err = "usage: exits reset [guest]", false;
		if (ws->n == 3)
			set_guest(c, ws->w[2]);
		return true;
	case MON_TRACE:
		if (ws->n == 2 && (!strcmp(w1, "on") || !strcmp(w1, "off"))) {
			c->op = !strcmp(w1, "on") ? MON_TRACE_ON : MON_TRACE_OFF;
			return true;
		}
		return guest_nums(ws, c, 2, err);
	case MON_MEM: return parse_mem(ws, c, err);
	case MON_TRANSLATE:
		if (!need_guest(ws, c, 3, err))
			return false;
		return number(ws->w[2], 16, &c->addr) || (*err = "translate: bad address", false);
	case MON_LOGLEVEL: return parse_level(ws, c, err);
	default:
		return need_guest(ws, c, 2, err);
	}
}

bool moncmd_parse(const char *line, struct moncmd *c, const char **err)
{
	static const struct { const char *name; enum mon_op op; } cmds[] = {
		{ "help", MON_HELP }, { "guests", MON_GUESTS }, { "vcpus", MON_VCPUS },
		{ "regs", MON_REGS }, { "exits", MON_EXITS }, { "trace", MON_TRACE },
		{ "mem", MON_MEM }, { "translate", MON_TRANSLATE }, { "pause", MON_PAUSE },
		{ "resume", MON_RESUME }, { "reset", MON_RESET }, { "stop", MON_STOP },
		{ "loglevel", MON_LOGLEVEL }, { "platform", MON_PLATFORM },
	};
	struct words ws;

	memset(c, 0, sizeof(*c));
	c->n = MONCMD_TRACE_DEFAULT;
	*err = "";
	if (!split(line, &ws))
		return *err = "line too long", false;
	if (!ws.n)
		return true; /* MON_EMPTY */
	for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(ws.w[0], cmds[i].name)) {
			c->op = cmds[i].op;
			return parse_rest(&ws, c, err);
		}
	}
	return *err = "unknown command (try help)", false;
}
