// SPDX-License-Identifier: MIT
/* Command-line parsing (see cmdline.h). Pure logic, unit-tested on host. */
#include "kernel/cmdline.h"
#include "kernel/string.h"

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Copy one possibly quoted value starting at @p; return where it ends. */
static const char *copy_value(const char *p, char *buf, size_t size)
{
	size_t n = 0;
	bool quoted = *p == '"';

	if (quoted)
		p++;
	for (; *p && (quoted ? *p != '"' : (*p != ' ' && *p != '\t')); p++)
		if (n + 1 < size)
			buf[n++] = *p;
	if (size)
		buf[n] = 0;
	return quoted && *p == '"' ? p + 1 : p;
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

/* Skip one word; a value after '=' may be quoted and contain spaces. */
static const char *skip_word(const char *p)
{
	char scratch[2];

	while (*p && !is_space(*p) && *p != '=')
		p++;
	return *p == '=' ? copy_value(p + 1, scratch, sizeof(scratch)) : p;
}

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	bool found = false;

	for (const char *p = skip_spaces(cmdline); *p; p = skip_spaces(p)) {
		bool match = !strncmp(p, key, klen) &&
			     (p[klen] == '=' || is_space(p[klen]) || p[klen] == 0);

		if (match && p[klen] == '=') {
			p = copy_value(p + klen + 1, buf, size);
			found = true;
			continue;
		}
		if (match && size)
			buf[0] = 0;
		found |= match;
		p = skip_word(p);
	}
	return found;
}

bool parse_u64(const char *s, u64 *out)
{
	unsigned base = 10;
	u64 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v > (~0ULL - d) / base)
			return false; /* overflow */
		v = v * base + d;
	}
	*out = v;
	return true;
}

int console_port_parse(const char *name)
{
	static const u16 com[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
	u64 port;

	if (!strcmp(name, "none") || !strcmp(name, "spcr"))
		return 0;
	if (!strncmp(name, "com", 3) && name[3] >= '1' && name[3] <= '4' && !name[4])
		return com[name[3] - '1'];
	if (name[0] == '0' && name[1] == 'x' && parse_u64(name, &port) &&
	    port && port <= 0xfff8)
		return (int)port;
	return -1;
}
