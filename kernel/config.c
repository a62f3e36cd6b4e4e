// SPDX-License-Identifier: MIT
/*
 * Parser for the hypervisor configuration file hv.cfg (format described in
 * kernel/config.h). The kernel, the UEFI loader and the host unit tests all
 * compile this file, so it uses no outside function at all: the few string
 * helpers it needs are static here. The text is read in place, line by
 * line, and parsed straight into the caller's struct config; the first
 * error stops the parse, is described in struct cfg_error and resets the
 * config to the built-in defaults.
 *
 * Grammar, one construct per line:
 *   blank or "# comment"       ignored (only whole-line comments)
 *   [guest NAME]               opens a guest section
 *   key = value                a setting; spaces around '=' and at both
 *                              ends of the line are dropped
 * Lines end in LF or CR LF; the last one may have no end. A UTF-8 byte
 * order mark at the very start is skipped.
 */
#include "kernel/config.h"

/* Longest line accepted, without its line end. */
#define CFG_LINE_MAX 1024
/* Longest piece of offending text quoted in an error message. */
#define CFG_QUOTE_MAX 48
/* Largest guest memory size. */
#define CFG_MEM_MAX (64ULL * GiB)

/* A piece of the input text; not NUL-terminated. */
struct span {
	const char *s;
	size_t len;
};

struct cfg_parser {
	struct config *cfg;
	struct cfg_error *err;
	size_t errlen;		 /* bytes used in err->msg */
	u32 line;		 /* current line, 1-based */
	struct cfg_guest *guest; /* open section; NULL before the first */
	u32 seen;		 /* keys seen in the open section */
	u32 global_seen;	 /* global keys seen */
};

/* ---- small string helpers ---- */

static struct span span_make(const char *s, size_t len)
{
	struct span t = { s, len };

	return t;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct span span_trim(struct span t)
{
	while (t.len && is_blank(t.s[0]))
		t.s++, t.len--;
	while (t.len && is_blank(t.s[t.len - 1]))
		t.len--;
	return t;
}

/* True when @t holds exactly the C string @word. */
static struct span span_str(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return span_make(s, n);
}

static bool span_is(struct span t, const char *word)
{
	size_t i;

	for (i = 0; i < t.len; i++)
		if (word[i] != t.s[i])
			return false;
	return word[i] == 0;
}

static bool span_has_blank(struct span t)
{
	for (size_t i = 0; i < t.len; i++)
		if (is_blank(t.s[i]))
			return true;
	return false;
}

static bool str_equal(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Copy @t into @dst (capacity checked by the caller) and NUL-terminate. */
static void span_copy(char *dst, struct span t)
{
	for (size_t i = 0; i < t.len; i++)
		dst[i] = t.s[i];
	dst[t.len] = 0;
}

static void bytes_zero(void *p, size_t n)
{
	u8 *b = p;

	while (n--)
		*b++ = 0;
}

/* ---- error messages ---- */

static void err_put(struct cfg_parser *p, const char *s, size_t len)
{
	while (len-- && p->errlen + 1 < CFG_ERR_MAX)
		p->err->msg[p->errlen++] = *s++;
	p->err->msg[p->errlen] = 0;
}

static void err_str(struct cfg_parser *p, const char *s)
{
	struct span t = span_str(s);

	err_put(p, t.s, t.len);
}

/* Append 'text', shortened to CFG_QUOTE_MAX bytes with "..." if longer. */
static void err_quote(struct cfg_parser *p, struct span t)
{
	err_put(p, "'", 1);
	if (t.len > CFG_QUOTE_MAX) {
		err_put(p, t.s, CFG_QUOTE_MAX - 3);
		err_put(p, "...", 3);
	} else {
		err_put(p, t.s, t.len);
	}
	err_put(p, "'", 1);
}

static void err_num(struct cfg_parser *p, u64 v)
{
	char buf[20];
	size_t n = sizeof(buf);

	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	err_put(p, buf + n, sizeof(buf) - n);
}

static void err_begin(struct cfg_parser *p, u32 line)
{
	p->err->line = line;
	p->errlen = 0;
	p->err->msg[0] = 0;
}

/* Report "<pre>'<text>'<post>" on the current line; returns -1. */
static int fail(struct cfg_parser *p, const char *pre, struct span t,
		const char *post)
{
	err_begin(p, p->line);
	err_str(p, pre);
	err_quote(p, t);
	err_str(p, post);
	return -1;
}

/* Report a message without quoted text on the current line; returns -1. */
static int fail_plain(struct cfg_parser *p, const char *msg)
{
	err_begin(p, p->line);
	err_str(p, msg);
	return -1;
}

/* ---- values ---- */

static int parse_console(struct cfg_parser *p, struct span v)
{
	if (v.len >= sizeof(p->cfg->console))
		return fail(p, "console name ", v, " too long (max 31 chars)");
	if (span_has_blank(v))
		return fail(p, "bad console name ", v, "");
	span_copy(p->cfg->console, v);
	return 0;
}

static int parse_loglevel(struct cfg_parser *p, struct span v)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i < (int)ARRAY_SIZE(names); i++) {
		if (span_is(v, names[i]) ||
		    (v.len == 1 && v.s[0] == '0' + i)) {
			p->cfg->loglevel = i;
			return 0;
		}
	}
	return fail(p, "bad loglevel ", v,
		    " (use error, warn, info, debug or 0-3)");
}

/*
 * Read a decimal number at v.s[*i]. Values that do not fit are clamped to
 * @cap + 1 so the caller reports them as too large. Returns false when
 * there is no digit.
 */
static bool read_number(struct span v, size_t *i, u64 cap, u64 *out)
{
	size_t start = *i;
	u64 n = 0;

	for (; *i < v.len && is_digit(v.s[*i]); (*i)++) {
		n = n * 10 + (u64)(v.s[*i] - '0');
		if (n > cap)
			n = cap + 1;
	}
	*out = n;
	return *i > start;
}

static void skip_blanks(struct span v, size_t *i)
{
	while (*i < v.len && is_blank(v.s[*i]))
		(*i)++;
}

/* One "N" or "N-M" item of a CPU list, added to *mask. */
static int parse_cpu_item(struct cfg_parser *p, struct span v, size_t *i,
			  u64 *mask)
{
	u64 lo, hi;

	if (!read_number(v, i, CFG_MAX_CPUS, &lo))
		return fail(p, "bad cpu list ", v, "");
	skip_blanks(v, i);
	hi = lo;
	if (*i < v.len && v.s[*i] == '-') {
		(*i)++;
		skip_blanks(v, i);
		if (!read_number(v, i, CFG_MAX_CPUS, &hi))
			return fail(p, "bad cpu list ", v, "");
		skip_blanks(v, i);
	}
	if (hi >= CFG_MAX_CPUS)
		return fail(p, "cpu number out of range in ", v, " (max 63)");
	if (lo > hi)
		return fail(p, "bad cpu range in ", v, "");
	for (u64 c = lo; c <= hi; c++) {
		if (*mask & (1ULL << c)) {
			err_begin(p, p->line);
			err_str(p, "cpu ");
			err_num(p, c);
			err_str(p, " listed twice in ");
			err_quote(p, v);
			return -1;
		}
		*mask |= 1ULL << c;
	}
	return 0;
}

/* A CPU may belong to one guest only. */
static int check_cpus_free(struct cfg_parser *p, u64 mask)
{
	for (u32 g = 0; g < p->cfg->nguests; g++) {
		struct cfg_guest *other = &p->cfg->guests[g];
		u64 both = other->cpus & mask;

		if (other == p->guest || !both)
			continue;
		err_begin(p, p->line);
		err_str(p, "cpu ");
		err_num(p, (u64)__builtin_ctzll(both));
		err_str(p, " already used by guest ");
		err_quote(p, span_str(other->name));
		return -1;
	}
	return 0;
}

/* "0", "1-3", "0,2,5-6": physical CPU indices below CFG_MAX_CPUS. */
static int parse_cpus(struct cfg_parser *p, struct span v)
{
	u64 mask = 0;
	size_t i = 0;

	for (;;) {
		if (parse_cpu_item(p, v, &i, &mask))
			return -1;
		if (i == v.len)
			break;
		if (v.s[i] != ',')
			return fail(p, "bad cpu list ", v, "");
		i++;
		skip_blanks(v, &i);
	}
	if (check_cpus_free(p, mask))
		return -1;
	p->guest->cpus = mask;
	return 0;
}

static int mem_suffix_shift(char c)
{
	switch (c) {
	case 'K': case 'k':
		return 10;
	case 'M': case 'm':
		return 20;
	case 'G': case 'g':
		return 30;
	}
	return -1;
}

/* Decimal bytes with an optional K, M or G suffix (powers of 1024). */
static int parse_memory(struct cfg_parser *p, struct span v)
{
	size_t i = 0;
	int shift = 0;
	u64 n;

	if (!read_number(v, &i, CFG_MEM_MAX, &n))
		return fail(p, "bad memory size ", v, "");
	if (i + 1 == v.len)
		shift = mem_suffix_shift(v.s[i++]);
	if (shift < 0 || i != v.len)
		return fail(p, "bad memory size ", v, " (use e.g. 256M)");
	if (n > CFG_MEM_MAX >> shift)
		return fail(p, "memory size ", v, " is more than 64G");
	n <<= shift;
	if (n == 0)
		return fail(p, "memory size ", v, " is zero");
	if (!IS_ALIGNED(n, PAGE_SIZE))
		return fail(p, "memory size ", v, " is not a multiple of 4K");
	p->guest->memory = n;
	return 0;
}

/* A boot-module file name: one path component, no blanks. */
static int parse_file(struct cfg_parser *p, struct span v, char *dst)
{
	if (v.len >= CFG_FILE_MAX)
		return fail(p, "file name ", v, " too long (max 63 chars)");
	for (size_t i = 0; i < v.len; i++)
		if (is_blank(v.s[i]) || v.s[i] == '/' || v.s[i] == '\\')
			return fail(p, "bad file name ", v,
				    " (no spaces or slashes)");
	span_copy(dst, v);
	return 0;
}

static int parse_kernel(struct cfg_parser *p, struct span v)
{
	return parse_file(p, v, p->guest->kernel);
}

static int parse_initrd(struct cfg_parser *p, struct span v)
{
	return parse_file(p, v, p->guest->initrd);
}

static int parse_cmdline(struct cfg_parser *p, struct span v)
{
	if (v.len >= CFG_CMDLINE_MAX)
		return fail_plain(p, "cmdline too long (max 511 chars)");
	span_copy(p->guest->cmdline, v);
	return 0;
}

/* What happens when the guest stops: "stop" (stays stopped) or "restart". */
static int parse_on_stop(struct cfg_parser *p, struct span v)
{
	if (span_is(v, "stop") || span_is(v, "restart")) {
		p->guest->restart = span_is(v, "restart");
		return 0;
	}
	return fail(p, "bad on_stop ", v, " (use stop or restart)");
}

static int parse_restarts(struct cfg_parser *p, struct span v)
{
	size_t i = 0;
	u64 n;

	if (!read_number(v, &i, CFG_RESTARTS_MAX, &n) || i != v.len)
		return fail(p, "bad restarts ", v, " (use a number)");
	if (n > CFG_RESTARTS_MAX)
		return fail(p, "restarts ", v, " is more than 1000000");
	p->guest->max_restarts = (u32)n;
	return 0;
}

/* The PCI test device (tests only): "yes" or "no". */
static int parse_pci_testdev(struct cfg_parser *p, struct span v)
{
	if (span_is(v, "yes") || span_is(v, "no")) {
		p->guest->pci_testdev = span_is(v, "yes");
		return 0;
	}
	return fail(p, "bad pci_testdev ", v, " (use yes or no)");
}

/* ---- devices ---- */

static bool valid_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_' || c == '-';
}

/*
 * Cut the text of *@rest up to the first @sep into *@head (trimmed) and
 * leave what follows the separator in *@rest. Returns true when a
 * separator was found, so another item follows (possibly empty).
 */
static bool span_cut(struct span *rest, char sep, struct span *head)
{
	size_t i = 0;

	while (i < rest->len && rest->s[i] != sep)
		i++;
	*head = span_trim(span_make(rest->s, i));
	if (i == rest->len) {
		*rest = span_make(rest->s + i, 0);
		return false;
	}
	*rest = span_make(rest->s + i + 1, rest->len - i - 1);
	return true;
}

/* A disk file may be named once per guest; across guests only read-only. */
static int check_disk_free(struct cfg_parser *p, const char *file, bool ro)
{
	for (u32 i = 0; i < p->cfg->nguests; i++) {
		const struct cfg_guest *g = &p->cfg->guests[i];

		for (u32 d = 0; d < g->ndisks; d++) {
			if (!str_equal(g->disks[d].file, file))
				continue;
			if (g == p->guest)
				return fail(p, "disk ", span_str(file),
					    " given twice in this guest");
			if (ro && g->disks[d].readonly)
				continue;
			err_begin(p, p->line);
			err_str(p, "disk ");
			err_quote(p, span_str(file));
			err_str(p, " already used by guest ");
			err_quote(p, span_str(g->name));
			err_str(p, " (share it only with ,ro on every use)");
			return -1;
		}
	}
	return 0;
}

/* "FILE" or "FILE,ro" (",rw" is the default, said explicitly). */
static int parse_disk(struct cfg_parser *p, struct span v)
{
	struct cfg_guest *g = p->guest;
	struct cfg_disk d = { .line = p->line };
	struct span file, opt, rest = v;
	bool more = span_cut(&rest, ',', &file);

	if (g->ndisks == CFG_MAX_DISKS)
		return fail(p, "too many disks in guest ", span_str(g->name),
			    " (max 4)");
	while (more) {
		more = span_cut(&rest, ',', &opt);
		if (!span_is(opt, "ro") && !span_is(opt, "rw"))
			return fail(p, "unknown disk option ", opt,
				    " (use ro or rw)");
		d.readonly = span_is(opt, "ro");
	}
	if (file.len == 0)
		return fail(p, "missing disk file name in ", v, "");
	if (parse_file(p, file, d.file) ||
	    check_disk_free(p, d.file, d.readonly))
		return -1;
	g->disks[g->ndisks++] = d;
	return 0;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "xx:xx:xx:xx:xx:xx", hex; a unicast address that is not all zeros. */
static int parse_mac(struct cfg_parser *p, struct span v, u8 *mac)
{
	u8 any = 0;

	if (v.len != 3 * CFG_MAC_LEN - 1)
		return fail(p, "bad mac ", v, " (use xx:xx:xx:xx:xx:xx, hex)");
	for (unsigned i = 0; i < CFG_MAC_LEN; i++) {
		int hi = hex_value(v.s[3 * i]), lo = hex_value(v.s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i > 0 && v.s[3 * i - 1] != ':'))
			return fail(p, "bad mac ", v,
				    " (use xx:xx:xx:xx:xx:xx, hex)");
		mac[i] = (u8)(hi << 4 | lo);
		any |= mac[i];
	}
	/* IEEE 802 §8.2.2: bit 0 of the first byte set = group address. */
	if (mac[0] & 1)
		return fail(p, "mac ", v,
			    " is a multicast address (the first byte must be even)");
	if (!any)
		return fail(p, "mac ", v, " is all zeros");
	return 0;
}

static void err_mac(struct cfg_parser *p, const u8 *mac)
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < CFG_MAC_LEN; i++) {
		char b[3] = { ':', hex[mac[i] >> 4], hex[mac[i] & 15] };

		err_put(p, i ? b : b + 1, i ? 3 : 2);
	}
}

static bool mac_equal(const u8 *a, const u8 *b)
{
	for (unsigned i = 0; i < CFG_MAC_LEN; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* No two NICs of any guests may have the same MAC. */
static int check_mac_unique(struct cfg_parser *p, const struct cfg_nic *n)
{
	for (u32 i = 0; i < p->cfg->nguests; i++) {
		const struct cfg_guest *g = &p->cfg->guests[i];

		for (u32 k = 0; k < g->nnics; k++) {
			if (!mac_equal(g->nics[k].mac, n->mac))
				continue;
			err_begin(p, p->line);
			err_str(p, "mac ");
			err_mac(p, n->mac);
			err_str(p, n->mac_given ? "" : " (derived from the name)");
			err_str(p, " given twice: also guest ");
			err_quote(p, span_str(g->name));
			err_str(p, " line ");
			err_num(p, g->nics[k].line);
			return -1;
		}
	}
	return 0;
}

static int check_switch_name(struct cfg_parser *p, struct span sw,
			     struct span v)
{
	if (sw.len == 0)
		return fail(p, "missing switch name in ", v, "");
	if (sw.len >= CFG_SWITCH_MAX)
		return fail(p, "switch name ", sw, " too long (max 15 chars)");
	for (size_t i = 0; i < sw.len; i++)
		if (!valid_name_char(sw.s[i]))
			return fail(p, "bad switch name ", sw,
				    " (use A-Z a-z 0-9 _ -)");
	return 0;
}

void config_derive_mac(const char *name, unsigned index, u8 mac[CFG_MAC_LEN])
{
	u64 h = 0xcbf29ce484222325ULL; /* FNV-1a 64-bit offset basis */

	for (const char *c = name; *c; c++)
		h = (h ^ (u8)*c) * 0x100000001b3ULL;
	h = (h ^ (u8)index) * 0x100000001b3ULL;
	mac[0] = 0x02;
	for (unsigned i = 1; i < CFG_MAC_LEN; i++)
		mac[i] = (u8)(h >> (8 * (CFG_MAC_LEN - 1 - i)));
}

/* "SWITCH" or "SWITCH,mac=xx:xx:xx:xx:xx:xx". */
static int parse_net(struct cfg_parser *p, struct span v)
{
	struct cfg_guest *g = p->guest;
	struct cfg_nic n = { .line = p->line };
	struct span sw, opt, rest = v;
	bool more = span_cut(&rest, ',', &sw);

	if (g->nnics == CFG_MAX_NICS)
		return fail(p, "too many NICs in guest ", span_str(g->name),
			    " (max 2)");
	if (check_switch_name(p, sw, v))
		return -1;
	span_copy(n.sw, sw);
	while (more) {
		more = span_cut(&rest, ',', &opt);
		if (opt.len < 4 || !span_is(span_make(opt.s, 4), "mac="))
			return fail(p, "unknown net option ", opt,
				    " (use mac=xx:xx:xx:xx:xx:xx)");
		if (n.mac_given)
			return fail(p, "mac given twice in ", v, "");
		if (parse_mac(p, span_trim(span_make(opt.s + 4, opt.len - 4)),
			      n.mac))
			return -1;
		n.mac_given = true;
	}
	if (!n.mac_given)
		config_derive_mac(g->name, g->nnics, n.mac);
	if (check_mac_unique(p, &n))
		return -1;
	g->nics[g->nnics++] = n;
	return 0;
}

static int parse_rng(struct cfg_parser *p, struct span v)
{
	if (span_is(v, "yes") || span_is(v, "no")) {
		p->guest->rng = span_is(v, "yes");
		return 0;
	}
	return fail(p, "bad rng ", v, " (use yes or no)");
}

/* @v as a hex number of at most @digits digits (at least one) below @max. */
static bool hex_field(struct span v, unsigned digits, u32 max, u32 *out)
{
	u32 n = 0;

	if (!v.len || v.len > digits)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		int h = hex_value(v.s[i]);

		if (h < 0)
			return false;
		n = n << 4 | (u32)h;
	}
	*out = n;
	return n <= max;
}

/* "[SSSS:]BB:DD.F": a host PCI function, named once among all guests. */
static int parse_pci(struct cfg_parser *p, struct span v)
{
	struct cfg_guest *g = p->guest;
	struct cfg_pci f = { .line = p->line };
	struct span parts[3], rest = v, devfn, fn;
	unsigned n = 0;
	u32 seg = 0, bus, dev, func;

	if (g->npci == CFG_MAX_PCI)
		return fail(p, "too many pci devices in guest ", span_str(g->name), " (max 4)");
	for (bool more = true; more; n++) {
		if (n == 3)
			return fail(p, "bad pci device ", v, " (use [SSSS:]BB:DD.F, hex)");
		more = span_cut(&rest, ':', &parts[n]);
	}
	if (n < 2 || (n == 3 && !hex_field(parts[0], 4, 0xffff, &seg)))
		return fail(p, "bad pci device ", v, " (use [SSSS:]BB:DD.F, hex)");
	rest = parts[n - 1];
	if (!span_cut(&rest, '.', &devfn) || !hex_field(parts[n - 2], 2, 0xff, &bus) ||
	    !hex_field(devfn, 2, 0x1f, &dev))
		return fail(p, "bad pci device ", v, " (use [SSSS:]BB:DD.F, hex)");
	fn = rest;
	if (!hex_field(fn, 1, 7, &func))
		return fail(p, "bad pci device ", v, " (use [SSSS:]BB:DD.F, hex)");
	f.seg = (u16)seg;
	f.bus = (u8)bus;
	f.dev = (u8)dev;
	f.fn = (u8)func;
	for (u32 i = 0; i < p->cfg->nguests; i++) {
		const struct cfg_guest *o = &p->cfg->guests[i];

		for (u32 k = 0; k < o->npci; k++)
			if (o->pci[k].seg == f.seg && o->pci[k].bus == f.bus &&
			    o->pci[k].dev == f.dev && o->pci[k].fn == f.fn)
				return fail(p, "pci device ", v,
					    o == g ? " named twice in this guest"
						   : " already given to another guest");
	}
	g->pci[g->npci++] = f;
	return 0;
}

/* The guest's console: "uart" (COM1, default) or "hvc" (virtio console). */
static int parse_guest_console(struct cfg_parser *p, struct span v)
{
	if (span_is(v, "uart") || span_is(v, "hvc")) {
		p->guest->console = span_is(v, "hvc") ? CFG_CONSOLE_HVC
						      : CFG_CONSOLE_UART;
		return 0;
	}
	return fail(p, "bad console ", v, " (use uart or hvc)");
}

/* The guest's COM1: "emulated" (a 16550, default) or "passthrough" (the
 * hypervisor console's UART itself; one guest at most). */
static int parse_uart(struct cfg_parser *p, struct span v)
{
	if (span_is(v, "emulated")) {
		p->guest->uart_passthrough = false;
		return 0;
	}
	if (!span_is(v, "passthrough"))
		return fail(p, "bad uart ", v, " (use emulated or passthrough)");
	for (u32 g = 0; g < p->cfg->nguests; g++) {
		struct cfg_guest *other = &p->cfg->guests[g];

		if (other != p->guest && other->uart_passthrough) {
			err_begin(p, p->line);
			err_str(p, "uart = passthrough already given to guest ");
			err_quote(p, span_str(other->name));
			return -1;
		}
	}
	p->guest->uart_passthrough = true;
	p->guest->uart_line = p->line;
	return 0;
}

/* ---- keys ---- */

enum cfg_key_id {
	KEY_CONSOLE,
	KEY_LOGLEVEL,
	KEY_CPUS,
	KEY_MEMORY,
	KEY_KERNEL,
	KEY_INITRD,
	KEY_CMDLINE,
	KEY_ON_STOP,
	KEY_RESTARTS,
	KEY_PCI_TESTDEV,
	KEY_DISK,
	KEY_NET,
	KEY_RNG,
	KEY_PCI,
	KEY_GUEST_CONSOLE,
	KEY_UART,
	KEY_COUNT,
};

struct cfg_key {
	const char *name;
	bool global;	/* before the first section, else inside a guest */
	bool required;	/* every guest must set it */
	bool may_be_empty;
	int (*parse)(struct cfg_parser *p, struct span value);
	bool repeatable; /* may appear more than once (the parser bounds it) */
};

static const struct cfg_key cfg_keys[KEY_COUNT] = {
	[KEY_CONSOLE] = { "console", true, false, false, parse_console, false },
	[KEY_LOGLEVEL] = { "loglevel", true, false, false, parse_loglevel, false },
	[KEY_CPUS] = { "cpus", false, true, false, parse_cpus, false },
	[KEY_MEMORY] = { "memory", false, true, false, parse_memory, false },
	[KEY_KERNEL] = { "kernel", false, true, false, parse_kernel, false },
	[KEY_INITRD] = { "initrd", false, false, false, parse_initrd, false },
	[KEY_CMDLINE] = { "cmdline", false, false, true, parse_cmdline, false },
	[KEY_ON_STOP] = { "on_stop", false, false, false, parse_on_stop, false },
	[KEY_RESTARTS] = { "restarts", false, false, false, parse_restarts, false },
	[KEY_PCI_TESTDEV] = { "pci_testdev", false, false, false, parse_pci_testdev, false },
	[KEY_DISK] = { "disk", false, false, false, parse_disk, true },
	[KEY_NET] = { "net", false, false, false, parse_net, true },
	[KEY_RNG] = { "rng", false, false, false, parse_rng, false },
	[KEY_PCI] = { "pci", false, false, false, parse_pci, true },
	[KEY_GUEST_CONSOLE] = { "console", false, false, false,
				parse_guest_console, false },
	[KEY_UART] = { "uart", false, false, false, parse_uart, false },
};

/*
 * The key called @name; a name used both globally and in guests
 * ("console") gives the row for where the parser is (@in_guest).
 */
static int find_key(struct span name, bool in_guest)
{
	int found = -1;

	for (int k = 0; k < KEY_COUNT; k++) {
		if (!span_is(name, cfg_keys[k].name))
			continue;
		if (cfg_keys[k].global != in_guest)
			return k;
		if (found < 0)
			found = k;
	}
	return found;
}

/* "key = value" */
static int parse_assignment(struct cfg_parser *p, struct span l)
{
	size_t eq = 0;
	struct span key, val;
	const struct cfg_key *k;
	u32 *seen;
	int id;

	while (eq < l.len && l.s[eq] != '=')
		eq++;
	key = span_trim(span_make(l.s, eq));
	if (eq == l.len || key.len == 0)
		return fail(p, "text is not a key = value line: ", l, "");
	val = span_trim(span_make(l.s + eq + 1, l.len - eq - 1));
	id = find_key(key, p->guest != NULL);
	if (id < 0)
		return fail(p, "unknown key ", key, "");
	k = &cfg_keys[id];
	if (k->global && p->guest)
		return fail(p, "key ", key,
			    " must come before the first [guest] section");
	if (!k->global && !p->guest)
		return fail(p, "key ", key, " outside a [guest] section");
	seen = k->global ? &p->global_seen : &p->seen;
	if ((*seen & (1u << id)) && !k->repeatable)
		return fail(p, "duplicate key ", key, "");
	*seen |= 1u << id;
	if (val.len == 0 && !k->may_be_empty)
		return fail(p, "missing value for key ", key, "");
	return k->parse(p, val);
}

/* ---- sections ---- */

/* Check the section that just ended has every required key. */
static int finish_guest(struct cfg_parser *p)
{
	struct cfg_guest *g = p->guest;

	if (!g)
		return 0;
	for (int k = 0; k < KEY_COUNT; k++) {
		if (!cfg_keys[k].required || (p->seen & (1u << k)))
			continue;
		err_begin(p, g->line);
		err_str(p, "missing '");
		err_str(p, cfg_keys[k].name);
		err_str(p, "' in guest ");
		err_quote(p, span_str(g->name));
		return -1;
	}
	return 0;
}

static int check_guest_name(struct cfg_parser *p, struct span name,
			    struct span header)
{
	if (name.len == 0)
		return fail(p, "missing guest name in ", header, "");
	if (name.len >= CFG_NAME_MAX)
		return fail(p, "guest name ", name, " too long (max 31 chars)");
	for (size_t i = 0; i < name.len; i++)
		if (!valid_name_char(name.s[i]))
			return fail(p, "bad guest name ", name,
				    " (use A-Z a-z 0-9 _ -)");
	for (u32 g = 0; g < p->cfg->nguests; g++)
		if (span_is(name, p->cfg->guests[g].name))
			return fail(p, "duplicate guest ", name, "");
	if (p->cfg->nguests == CFG_MAX_GUESTS)
		return fail_plain(p, "too many guests (max 8)");
	return 0;
}

/* "[guest NAME]" */
static int parse_section(struct cfg_parser *p, struct span l)
{
	struct span in, name;
	struct cfg_guest *g;

	if (finish_guest(p))
		return -1;
	if (l.len < 2 || l.s[l.len - 1] != ']')
		return fail(p, "bad section header ", l, "");
	in = span_trim(span_make(l.s + 1, l.len - 2));
	if (in.len < 5 || !span_is(span_make(in.s, 5), "guest") ||
	    (in.len > 5 && !is_blank(in.s[5])))
		return fail(p, "unknown section ", l,
			    " (expected [guest NAME])");
	name = span_trim(span_make(in.s + 5, in.len - 5));
	if (check_guest_name(p, name, l))
		return -1;
	g = &p->cfg->guests[p->cfg->nguests++];
	span_copy(g->name, name);
	g->max_restarts = CFG_RESTARTS_DEFAULT;
	g->line = p->line;
	p->guest = g;
	p->seen = 0;
	return 0;
}

/* ---- lines ---- */

/* Tabs are the only control characters allowed inside a line. */
static int check_text(struct cfg_parser *p, struct span l)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < l.len; i++) {
		u8 c = (u8)l.s[i];
		char b[2] = { hex[c >> 4], hex[c & 15] };

		if ((c >= 0x20 && c != 0x7f) || c == '\t')
			continue;
		err_begin(p, p->line);
		err_str(p, "binary data (byte 0x");
		err_put(p, b, 2);
		err_str(p, ")");
		return -1;
	}
	return 0;
}

static int parse_line(struct cfg_parser *p, struct span l)
{
	if (l.len > CFG_LINE_MAX)
		return fail_plain(p, "line too long (max 1024 bytes)");
	if (check_text(p, l))
		return -1;
	l = span_trim(l);
	if (l.len == 0 || l.s[0] == '#')
		return 0;
	if (l.s[0] == '[')
		return parse_section(p, l);
	return parse_assignment(p, l);
}

/* The line starting at *pos, without its LF or CR LF; advances *pos. */
static struct span next_line(const char *text, size_t len, size_t *pos)
{
	size_t start = *pos, end = start;

	while (end < len && text[end] != '\n')
		end++;
	*pos = end < len ? end + 1 : end;
	if (end > start && text[end - 1] == '\r')
		end--;
	return span_make(text + start, end - start);
}

void config_defaults(struct config *cfg)
{
	bytes_zero(cfg, sizeof(*cfg));
	cfg->loglevel = -1;
}

int config_parse(const char *text, size_t len, struct config *cfg,
		 struct cfg_error *err)
{
	struct cfg_error scratch;
	struct cfg_parser p = { .cfg = cfg, .err = err ? err : &scratch };
	size_t pos = 0;
	int rc = 0;

	config_defaults(cfg);
	err_begin(&p, 0);
	if (len >= 3 && (u8)text[0] == 0xef && (u8)text[1] == 0xbb &&
	    (u8)text[2] == 0xbf)
		pos = 3;
	while (rc == 0 && pos < len) {
		struct span l = next_line(text, len, &pos);

		p.line++;
		rc = parse_line(&p, l);
	}
	if (rc == 0)
		rc = finish_guest(&p);
	if (rc)
		config_defaults(cfg);
	return rc;
}

/* Append @name to @names unless empty, already there or @names is full. */
static unsigned add_file(const char **names, unsigned n, unsigned max,
			 const char *name)
{
	if (!name[0] || n >= max)
		return n;
	for (unsigned i = 0; i < n; i++)
		if (str_equal(names[i], name))
			return n;
	names[n] = name;
	return n + 1;
}

unsigned config_files(const struct config *cfg, const char **names,
		      unsigned max)
{
	unsigned n = 0;

	for (u32 g = 0; g < cfg->nguests; g++) {
		n = add_file(names, n, max, cfg->guests[g].kernel);
		n = add_file(names, n, max, cfg->guests[g].initrd);
		for (u32 d = 0; d < cfg->guests[g].ndisks; d++)
			n = add_file(names, n, max, cfg->guests[g].disks[d].file);
	}
	return n;
}
