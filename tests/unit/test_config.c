// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the hv.cfg parser (kernel/config.c): well-formed
 * configs and their parsed values, every error with its line number and
 * message, line ends (LF, CR LF, none at the end), and config_files().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/config.h"

static struct config cfg;
static struct cfg_error err;

static int parse(const char *text)
{
	return config_parse(text, strlen(text), &cfg, &err);
}

static void assert_defaults(const struct config *c)
{
	struct config d;

	config_defaults(&d);
	assert_memory_equal(c, &d, sizeof(d));
}

/* Parse @text, expect it to fail at @line with exactly @msg. */
static void expect_error(const char *text, unsigned line, const char *msg)
{
	memset(&err, 0x55, sizeof(err));
	assert_int_equal(parse(text), -1);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, line);
	assert_defaults(&cfg);
}

static void test_defaults(void **state)
{
	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.loglevel, -1);
	assert_int_equal(cfg.nguests, 0);
	assert_string_equal(cfg.console, "");
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(config_parse("", 0, &cfg, &err), 0);
	assert_defaults(&cfg);
	assert_int_equal(parse("\n\n# only a comment\n   \t\n"), 0);
	assert_defaults(&cfg);
	assert_int_equal(config_parse(NULL, 0, &cfg, NULL), 0);
}

static const char full_cfg[] =
	"# hypervisor settings\n"
	"console = com1\n"
	"  loglevel=debug  \n"
	"\n"
	"[guest linux]\n"
	"cpus = 1-2\n"
	"memory = 256M\n"
	"kernel = bzImage\n"
	"initrd = initrd.cpio\n"
	"cmdline =   console=ttyS0 root=/dev/vda  quiet # not a comment  \n"
	"\t[ guest  test_2-b ]\t\n"
	"\tcpus=0, 3 ,5 - 6,63\n"
	"memory=4096\n"
	"kernel\t=\ttest.elf\n";

static void test_full(void **state)
{
	const struct cfg_guest *a = &cfg.guests[0], *b = &cfg.guests[1];

	(void)state;
	assert_int_equal(parse(full_cfg), 0);
	assert_string_equal(cfg.console, "com1");
	assert_int_equal(cfg.loglevel, 3);
	assert_int_equal(cfg.nguests, 2);

	assert_string_equal(a->name, "linux");
	assert_int_equal(a->line, 5);
	assert_int_equal(a->cpus, 0x6);
	assert_int_equal(a->memory, 256ULL << 20);
	assert_string_equal(a->kernel, "bzImage");
	assert_string_equal(a->initrd, "initrd.cpio");
	assert_string_equal(a->cmdline,
			    "console=ttyS0 root=/dev/vda  quiet # not a comment");

	assert_string_equal(b->name, "test_2-b");
	assert_int_equal(b->line, 11);
	assert_int_equal(b->cpus, (1ULL << 63) | 0x69);
	assert_int_equal(b->memory, 4096);
	assert_string_equal(b->kernel, "test.elf");
	assert_string_equal(b->initrd, "");
	assert_string_equal(b->cmdline, "");
}

static void test_loglevels(void **state)
{
	static const char *const words[] = { "error", "warn", "info", "debug",
					     "0", "1", "2", "3" };
	char text[64];

	(void)state;
	for (int i = 0; i < 8; i++) {
		snprintf(text, sizeof(text), "loglevel = %s", words[i]);
		assert_int_equal(parse(text), 0);
		assert_int_equal(cfg.loglevel, i % 4);
	}
}

static void test_memory_sizes(void **state)
{
	static const struct {
		const char *text;
		unsigned long long bytes;
	} cases[] = {
		{ "4K", 4096 },	      { "8k", 8192 },
		{ "1m", 1 << 20 },    { "3G", 3ULL << 30 },
		{ "64G", 64ULL << 30 }, { "68719476736", 64ULL << 30 },
		{ "0004096", 4096 },
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "[guest g]\ncpus=0\nkernel=k\nmemory = %s\n",
			 cases[i].text);
		assert_int_equal(parse(text), 0);
		assert_int_equal(cfg.guests[0].memory, cases[i].bytes);
	}
}

#define GUEST_R "[guest r]\ncpus = 1\nmemory = 8M\nkernel = k\n"

static void test_restart_keys(void **state)
{
	(void)state;
	assert_int_equal(parse(GUEST_R), 0);
	assert_false(cfg.guests[0].restart);
	assert_int_equal(cfg.guests[0].max_restarts, CFG_RESTARTS_DEFAULT);
	assert_int_equal(parse(GUEST_R "on_stop = restart\nrestarts = 100\n"), 0);
	assert_true(cfg.guests[0].restart);
	assert_int_equal(cfg.guests[0].max_restarts, 100);
	assert_int_equal(parse(GUEST_R "on_stop = stop\nrestarts = 0\n"), 0);
	assert_false(cfg.guests[0].restart);
	assert_int_equal(cfg.guests[0].max_restarts, 0);
	expect_error(GUEST_R "on_stop = reboot\n", 5,
		     "bad on_stop 'reboot' (use stop or restart)");
	expect_error(GUEST_R "on_stop =\n", 5, "missing value for key 'on_stop'");
	expect_error(GUEST_R "restarts = many\n", 5, "bad restarts 'many' (use a number)");
	expect_error(GUEST_R "restarts = 3x\n", 5, "bad restarts '3x' (use a number)");
	expect_error(GUEST_R "restarts = 1000001\n", 5,
		     "restarts '1000001' is more than 1000000");
	expect_error(GUEST_R "on_stop = stop\non_stop = stop\n", 6,
		     "duplicate key 'on_stop'");
	expect_error("on_stop = restart\n", 1, "key 'on_stop' outside a [guest] section");
}

static void test_pci_testdev_key(void **state)
{
	(void)state;
	assert_int_equal(parse(GUEST_R), 0);
	assert_false(cfg.guests[0].pci_testdev);
	assert_int_equal(parse(GUEST_R "pci_testdev = yes\n"), 0);
	assert_true(cfg.guests[0].pci_testdev);
	assert_int_equal(parse(GUEST_R "pci_testdev = no\n"), 0);
	assert_false(cfg.guests[0].pci_testdev);
	expect_error(GUEST_R "pci_testdev = maybe\n", 5,
		     "bad pci_testdev 'maybe' (use yes or no)");
	expect_error("pci_testdev = yes\n", 1, "key 'pci_testdev' outside a [guest] section");
}

static void test_crlf(void **state)
{
	(void)state;
	assert_int_equal(parse("console = com2\r\n[guest a]\r\ncpus = 0\r\n"
			       "memory = 1M\r\nkernel = k\r\ncmdline = x y\r\n"),
			 0);
	assert_string_equal(cfg.console, "com2");
	assert_string_equal(cfg.guests[0].kernel, "k");
	assert_string_equal(cfg.guests[0].cmdline, "x y");
	/* error line numbers count CR LF lines too */
	expect_error("\r\n\r\n[guest a]\r\nfoo = 1\r\n", 4,
		     "unknown key 'foo'");
}

static void test_no_final_newline(void **state)
{
	(void)state;
	assert_int_equal(parse("[guest a]\ncpus=0\nmemory=1M\nkernel=vmlinuz"),
			 0);
	assert_string_equal(cfg.guests[0].kernel, "vmlinuz");
	assert_int_equal(parse("[guest a]\ncpus=0\nmemory=1M\nkernel=k\r"), 0);
	assert_string_equal(cfg.guests[0].kernel, "k");
	expect_error("[guest a]\ncpus=0\nkernel=k\nmemory=1Q", 4,
		     "bad memory size '1Q' (use e.g. 256M)");
}

/* Only @len bytes are parsed; the rest of the buffer is never read. */
static void test_length_bound(void **state)
{
	static const char text[] = "console = com1\nconsole = com2\n";

	(void)state;
	assert_int_equal(config_parse(text, 15, &cfg, &err), 0);
	assert_string_equal(cfg.console, "com1");
	assert_int_equal(config_parse(text, 18, &cfg, &err), -1);
	assert_string_equal(err.msg, "text is not a key = value line: 'con'");
}

static void test_bom(void **state)
{
	(void)state;
	assert_int_equal(parse("\xef\xbb\xbf" "console = com1\n"), 0);
	assert_string_equal(cfg.console, "com1");
}

#define GUEST_A "[guest a]\ncpus = 0\nmemory = 1M\nkernel = k\n"

static void test_error_keys(void **state)
{
	(void)state;
	expect_error("console = x\nfoo = 1\n", 2, "unknown key 'foo'");
	expect_error(GUEST_A "memory = 2M\n", 5, "duplicate key 'memory'");
	expect_error("console = a\nconsole = b\n", 2,
		     "duplicate key 'console'");
	expect_error("cpus = 0\n", 1, "key 'cpus' outside a [guest] section");
	expect_error(GUEST_A "loglevel = info\n", 5,
		     "key 'loglevel' must come before the first [guest] "
		     "section");
	expect_error("console\n", 1,
		     "text is not a key = value line: 'console'");
	expect_error("\n = com1\n", 2,
		     "text is not a key = value line: '= com1'");
	expect_error("[guest a]\nkernel = \n", 2,
		     "missing value for key 'kernel'");
	expect_error("loglevel = verbose\n", 1,
		     "bad loglevel 'verbose' (use error, warn, info, debug or "
		     "0-3)");
	expect_error("loglevel = 4\n", 1,
		     "bad loglevel '4' (use error, warn, info, debug or 0-3)");
	expect_error("console = 0123456789abcdef0123456789abcdef\n", 1,
		     "console name '0123456789abcdef0123456789abcdef' too long"
		     " (max 31 chars)");
	expect_error("console = com 1\n", 1, "bad console name 'com 1'");
}

static void test_error_sections(void **state)
{
	(void)state;
	expect_error("[guest a]\ncpus = 0\nmemory = 1M\n[guest b]\n", 1,
		     "missing 'kernel' in guest 'a'");
	expect_error(GUEST_A "\n[guest b]\nkernel = k\ncpus = 1\n", 6,
		     "missing 'memory' in guest 'b'");
	expect_error(GUEST_A "[guest b]\n", 5, "missing 'cpus' in guest 'b'");
	expect_error(GUEST_A "[guest a]\n", 5, "duplicate guest 'a'");
	expect_error("[guest a b]\n", 1,
		     "bad guest name 'a b' (use A-Z a-z 0-9 _ -)");
	expect_error("[guest a.b]\n", 1,
		     "bad guest name 'a.b' (use A-Z a-z 0-9 _ -)");
	expect_error("[guest]\n", 1, "missing guest name in '[guest]'");
	expect_error("[guest  ]\n", 1, "missing guest name in '[guest  ]'");
	expect_error("[guest 0123456789abcdef0123456789abcdef]\n", 1,
		     "guest name '0123456789abcdef0123456789abcdef' too long "
		     "(max 31 chars)");
	expect_error("[guests a]\n", 1,
		     "unknown section '[guests a]' (expected [guest NAME])");
	expect_error("[vm a]\n", 1,
		     "unknown section '[vm a]' (expected [guest NAME])");
	expect_error("[guest a\n", 1, "bad section header '[guest a'");
	expect_error("[\n", 1, "bad section header '['");
}

static void test_too_many_guests(void **state)
{
	char text[2048];
	size_t n = 0;

	(void)state;
	for (int g = 0; g < CFG_MAX_GUESTS; g++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[guest g%d]\ncpus=%d\nmemory=1M\n"
				      "kernel=k\n",
				      g, g);
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.nguests, CFG_MAX_GUESTS);
	snprintf(text + n, sizeof(text) - n, "[guest g8]\n");
	expect_error(text, 33, "too many guests (max 8)");
}

static void test_error_cpus(void **state)
{
	(void)state;
	expect_error(GUEST_A "[guest b]\ncpus = 2-4,0\n", 6,
		     "cpu 0 already used by guest 'a'");
	expect_error("[guest a]\ncpus = 0-3\nmemory = 1M\nkernel = k\n"
		     "[guest b]\ncpus = 5,3\n", 6,
		     "cpu 3 already used by guest 'a'");
	expect_error("[guest a]\ncpus = 64\n", 2,
		     "cpu number out of range in '64' (max 63)");
	expect_error("[guest a]\ncpus = 1-99999999999999999999\n", 2,
		     "cpu number out of range in '1-99999999999999999999' "
		     "(max 63)");
	expect_error("[guest a]\ncpus = 3-1\n", 2,
		     "bad cpu range in '3-1'");
	expect_error("[guest a]\ncpus = 1,2-3,2\n", 2,
		     "cpu 2 listed twice in '1,2-3,2'");
	expect_error("[guest a]\ncpus = one\n", 2, "bad cpu list 'one'");
	expect_error("[guest a]\ncpus = 1,\n", 2, "bad cpu list '1,'");
	expect_error("[guest a]\ncpus = 1-\n", 2, "bad cpu list '1-'");
	expect_error("[guest a]\ncpus = 1 2\n", 2, "bad cpu list '1 2'");
	expect_error("[guest a]\ncpus = -1\n", 2, "bad cpu list '-1'");
}

static void test_error_memory(void **state)
{
	(void)state;
	expect_error("[guest a]\nmemory = 12Q\n", 2,
		     "bad memory size '12Q' (use e.g. 256M)");
	expect_error("[guest a]\nmemory = 1MB\n", 2,
		     "bad memory size '1MB' (use e.g. 256M)");
	expect_error("[guest a]\nmemory = M\n", 2, "bad memory size 'M'");
	expect_error("[guest a]\nmemory = -1\n", 2, "bad memory size '-1'");
	expect_error("[guest a]\nmemory = 1 M\n", 2,
		     "bad memory size '1 M' (use e.g. 256M)");
	expect_error("[guest a]\nmemory = 0\n", 2, "memory size '0' is zero");
	expect_error("[guest a]\nmemory = 0G\n", 2,
		     "memory size '0G' is zero");
	expect_error("[guest a]\nmemory = 5000\n", 2,
		     "memory size '5000' is not a multiple of 4K");
	expect_error("[guest a]\nmemory = 1K\n", 2,
		     "memory size '1K' is not a multiple of 4K");
	expect_error("[guest a]\nmemory = 65G\n", 2,
		     "memory size '65G' is more than 64G");
	expect_error("[guest a]\nmemory = 68719480832\n", 2,
		     "memory size '68719480832' is more than 64G");
	expect_error("[guest a]\nmemory = 99999999999999999999999G\n", 2,
		     "memory size '99999999999999999999999G' is more than "
		     "64G");
}

static void test_error_files(void **state)
{
	char text[256];

	(void)state;
	expect_error("[guest a]\nkernel = my kernel\n", 2,
		     "bad file name 'my kernel' (no spaces or slashes)");
	expect_error("[guest a]\ninitrd = boot/initrd\n", 2,
		     "bad file name 'boot/initrd' (no spaces or slashes)");
	expect_error("[guest a]\nkernel = a\\b\n", 2,
		     "bad file name 'a\\b' (no spaces or slashes)");
	snprintf(text, sizeof(text), "[guest a]\nkernel = %064d\n", 0);
	expect_error(text, 2,
		     "file name '000000000000000000000000000000000000000000000"
		     "...' too long (max 63 chars)");
	snprintf(text, sizeof(text), GUEST_A "initrd = %063d\n", 0);
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(cfg.guests[0].initrd), 63);
}

static void test_cmdline_length(void **state)
{
	char text[1200];

	(void)state;
	snprintf(text, sizeof(text), GUEST_A "cmdline = %0511d\n", 7);
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(cfg.guests[0].cmdline), 511);
	snprintf(text, sizeof(text), GUEST_A "cmdline = %0512d\n", 7);
	expect_error(text, 5, "cmdline too long (max 511 chars)");
}

static void test_error_lines(void **state)
{
	char text[2100];

	(void)state;
	memset(text, '#', 1024);
	strcpy(text + 1024, "\n");
	assert_int_equal(parse(text), 0);
	strcpy(text, "\n");
	memset(text + 1, '#', 1025);
	strcpy(text + 1026, "\r\n");
	expect_error(text, 2, "line too long (max 1024 bytes)");
	expect_error("console = com1\n\x01\x02\n", 2,
		     "binary data (byte 0x01)");
	expect_error("# comment\x7f\n", 1, "binary data (byte 0x7f)");
	expect_error("a\rb = c\n", 1, "binary data (byte 0x0d)");
	assert_int_equal(config_parse("# x\n\0\n", 6, &cfg, &err), -1);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg, "binary data (byte 0x00)");
	/* UTF-8 is fine in comments and command lines */
	assert_int_equal(parse("# caf\xc3\xa9\n"), 0);
}

/* Long offending text is shortened in the message, which stays bounded. */
static void test_long_quote(void **state)
{
	char text[1100];

	(void)state;
	memset(text, 'k', 1000);
	strcpy(text + 1000, " = 1\n");
	expect_error(text, 1,
		     "unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		     "...'");
	assert_true(strlen(err.msg) < CFG_ERR_MAX);
	assert_int_equal(config_parse(text, strlen(text), &cfg, NULL), -1);
}

static void test_files(void **state)
{
	const char *names[8];

	(void)state;
	assert_int_equal(parse("[guest a]\ncpus=0\nmemory=1M\nkernel=vmlinuz\n"
			       "initrd=rd\n"
			       "[guest b]\ncpus=1\nmemory=1M\nkernel=vmlinuz\n"
			       "initrd=rd2\n"
			       "[guest c]\ncpus=2\nmemory=1M\nkernel=rd\n"),
			 0);
	assert_int_equal(config_files(&cfg, names, 8), 3);
	assert_string_equal(names[0], "vmlinuz");
	assert_string_equal(names[1], "rd");
	assert_string_equal(names[2], "rd2");
	assert_int_equal(config_files(&cfg, names, 2), 2);
	assert_string_equal(names[1], "rd");
	assert_int_equal(config_files(&cfg, names, 0), 0);
	config_defaults(&cfg);
	assert_int_equal(config_files(&cfg, names, 8), 0);
}

/* ---- devices: disk, net, rng, console ---- */

static void test_devices(void **state)
{
	const struct cfg_guest *g = &cfg.guests[0];
	static const u8 mac[6] = { 0x02, 0x00, 0x5e, 0xaa, 0xbb, 0xcc };

	(void)state;
	assert_int_equal(parse(GUEST_A), 0);
	assert_int_equal(g->ndisks, 0);
	assert_int_equal(g->nnics, 0);
	assert_false(g->rng);
	assert_int_equal(g->console, CFG_CONSOLE_UART);
	assert_int_equal(parse(GUEST_A "disk = root.img\ndisk = data.img , ro\n"
			       "disk = d3,rw\ndisk = d4,rw,ro\n"
			       "net = lan0\nnet = dmz_1-b,mac=02:00:5E:aa:bb:cc\n"
			       "rng = yes\nconsole = hvc\n"), 0);
	assert_int_equal(g->ndisks, 4);
	assert_string_equal(g->disks[0].file, "root.img");
	assert_false(g->disks[0].readonly);
	assert_int_equal(g->disks[0].line, 5);
	assert_string_equal(g->disks[1].file, "data.img");
	assert_true(g->disks[1].readonly);
	assert_false(g->disks[2].readonly);
	assert_true(g->disks[3].readonly);
	assert_int_equal(g->nnics, 2);
	assert_string_equal(g->nics[0].sw, "lan0");
	assert_false(g->nics[0].mac_given);
	assert_int_equal(g->nics[0].line, 9);
	assert_string_equal(g->nics[1].sw, "dmz_1-b");
	assert_true(g->nics[1].mac_given);
	assert_memory_equal(g->nics[1].mac, mac, 6);
	assert_true(g->rng);
	assert_int_equal(g->console, CFG_CONSOLE_HVC);
	assert_int_equal(parse(GUEST_A "rng = no\nconsole = uart\n"), 0);
	assert_false(g->rng);
	assert_int_equal(g->console, CFG_CONSOLE_UART);
	/* the global console key is still the host's */
	assert_int_equal(parse("console = com1\n" GUEST_A "console = hvc\n"), 0);
	assert_string_equal(cfg.console, "com1");
	assert_int_equal(g->console, CFG_CONSOLE_HVC);
	/* uart = passthrough: one guest, its line kept for messages */
	assert_int_equal(parse(GUEST_A "uart = passthrough\n"), 0);
	assert_true(g->uart_passthrough);
	assert_int_equal(g->uart_line, 5);
	assert_int_equal(parse(GUEST_A "uart = emulated\n"), 0);
	assert_false(g->uart_passthrough);
	assert_int_equal(parse(GUEST_A "[guest b]\ncpus = 1\nmemory = 1M\nkernel = k\n"
			       "uart = passthrough\n"), 0);
	assert_false(g->uart_passthrough);
	assert_true(cfg.guests[1].uart_passthrough);
}

/* pci = [SSSS:]BB:DD.F: parsed, bounded, and a function given once. */
static void test_pci(void **state)
{
	const struct cfg_guest *g = &cfg.guests[0];

	(void)state;
	assert_int_equal(parse(GUEST_A "pci = 0000:00:03.0\npci = 3:1f.7\npci = 00A1:fe:00.2\n"), 0);
	assert_int_equal(g->npci, 3);
	assert_int_equal(g->pci[0].seg, 0);
	assert_int_equal(g->pci[0].bus, 0);
	assert_int_equal(g->pci[0].dev, 3);
	assert_int_equal(g->pci[0].fn, 0);
	assert_int_equal(g->pci[0].line, 5);
	assert_int_equal(g->pci[1].bus, 3);
	assert_int_equal(g->pci[1].dev, 0x1f);
	assert_int_equal(g->pci[1].fn, 7);
	assert_int_equal(g->pci[2].seg, 0xa1);
	assert_int_equal(g->pci[2].bus, 0xfe);
	assert_int_equal(g->pci[2].fn, 2);

	expect_error(GUEST_A "pci = 00:20.0\n", 5, "bad pci device '00:20.0' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 00:03.8\n", 5, "bad pci device '00:03.8' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 00:03\n", 5, "bad pci device '00:03' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 03.0\n", 5, "bad pci device '03.0' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 100:03.0\n", 5, "bad pci device '100:03.0' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 10000:00:03.0\n", 5,
		     "bad pci device '10000:00:03.0' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 0:0:00:03.0\n", 5,
		     "bad pci device '0:0:00:03.0' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 00:0g.0\n", 5, "bad pci device '00:0g.0' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 00:03.0x\n", 5, "bad pci device '00:03.0x' (use [SSSS:]BB:DD.F, hex)");
	expect_error(GUEST_A "pci = 00:03.0\npci = 0000:00:03.0\n", 6,
		     "pci device '0000:00:03.0' named twice in this guest");
	expect_error(GUEST_A "pci = 00:03.0\n[guest b]\ncpus = 1\nmemory = 1M\nkernel = k\n"
			     "pci = 00:03.0\n",
		     10, "pci device '00:03.0' already given to another guest");
	expect_error(GUEST_A "pci = 0:0.0\npci = 0:0.1\npci = 0:0.2\npci = 0:0.3\npci = 0:0.4\n", 9,
		     "too many pci devices in guest 'a' (max 4)");
}

/* Derived MACs: 02 + FNV-1a bits, stable, unicast, one per NIC index. */
static void test_derived_mac(void **state)
{
	u8 a0[6], a1[6], b0[6];
	/* FNV-1a 64 of "a" then byte 0 is 0x089be207b544f1e4 */
	static const u8 want[6] = { 0x02, 0x07, 0xb5, 0x44, 0xf1, 0xe4 };
	static const u8 linux0[6] = { 0x02, 0xc5, 0x9c, 0xc1, 0x0e, 0x07 };

	(void)state;
	config_derive_mac("a", 0, a0);
	config_derive_mac("a", 1, a1);
	config_derive_mac("b", 0, b0);
	assert_int_equal(a0[0], 0x02);
	assert_memory_not_equal(a0, a1, 6);
	assert_memory_not_equal(a0, b0, 6);
	assert_memory_equal(a0, want, 6);
	/* tools/linux-bare.sh gives QEMU's NIC the default guest's MAC */
	config_derive_mac("linux", 0, a1);
	assert_memory_equal(a1, linux0, 6);
	config_derive_mac("a", 1, a1);
	assert_int_equal(parse(GUEST_A "net = x\nnet = y\n"), 0);
	assert_memory_equal(cfg.guests[0].nics[0].mac, a0, 6);
	assert_memory_equal(cfg.guests[0].nics[1].mac, a1, 6);
}

static void test_error_disks(void **state)
{
	(void)state;
	expect_error(GUEST_A "disk = a\ndisk = b\ndisk = c\ndisk = d\ndisk = e\n",
		     9, "too many disks in guest 'a' (max 4)");
	expect_error(GUEST_A "disk = root.img,readonly\n", 5,
		     "unknown disk option 'readonly' (use ro or rw)");
	expect_error(GUEST_A "disk = root.img,\n", 5,
		     "unknown disk option '' (use ro or rw)");
	expect_error(GUEST_A "disk = ,ro\n", 5,
		     "missing disk file name in ',ro'");
	expect_error(GUEST_A "disk =\n", 5, "missing value for key 'disk'");
	expect_error(GUEST_A "disk = img/root.img\n", 5,
		     "bad file name 'img/root.img' (no spaces or slashes)");
	expect_error(GUEST_A "disk = x\ndisk = x,ro\n", 6,
		     "disk 'x' given twice in this guest");
	expect_error(GUEST_A "disk = x\n[guest b]\ncpus=1\ndisk = x\n", 8,
		     "disk 'x' already used by guest 'a' (share it only with "
		     ",ro on every use)");
	expect_error(GUEST_A "disk = x,ro\n[guest b]\ncpus=1\ndisk = x\n", 8,
		     "disk 'x' already used by guest 'a' (share it only with "
		     ",ro on every use)");
	expect_error("disk = x\n", 1, "key 'disk' outside a [guest] section");
	assert_int_equal(parse(GUEST_A "disk = x,ro\n[guest b]\ncpus=1\n"
			       "memory=1M\nkernel=k\ndisk = x,ro\n"), 0);
	assert_int_equal(cfg.guests[1].ndisks, 1);
}

static void test_error_nets(void **state)
{
	(void)state;
	expect_error(GUEST_A "net = a\nnet = b\nnet = c\n", 7,
		     "too many NICs in guest 'a' (max 2)");
	expect_error(GUEST_A "net = lan.0\n", 5,
		     "bad switch name 'lan.0' (use A-Z a-z 0-9 _ -)");
	expect_error(GUEST_A "net = my lan\n", 5,
		     "bad switch name 'my lan' (use A-Z a-z 0-9 _ -)");
	expect_error(GUEST_A "net = 0123456789abcdef\n", 5,
		     "switch name '0123456789abcdef' too long (max 15 chars)");
	expect_error(GUEST_A "net = ,mac=02:00:00:00:00:01\n", 5,
		     "missing switch name in ',mac=02:00:00:00:00:01'");
	expect_error(GUEST_A "net = lan0,vlan=3\n", 5,
		     "unknown net option 'vlan=3' (use mac=xx:xx:xx:xx:xx:xx)");
	expect_error(GUEST_A "net = lan0,mac=02:00:00:00:00\n", 5,
		     "bad mac '02:00:00:00:00' (use xx:xx:xx:xx:xx:xx, hex)");
	expect_error(GUEST_A "net = lan0,mac=02-00-00-00-00-01\n", 5,
		     "bad mac '02-00-00-00-00-01' (use xx:xx:xx:xx:xx:xx, hex)");
	expect_error(GUEST_A "net = lan0,mac=02:00:00:00:00:0g\n", 5,
		     "bad mac '02:00:00:00:00:0g' (use xx:xx:xx:xx:xx:xx, hex)");
	expect_error(GUEST_A "net = lan0,mac=\n", 5,
		     "bad mac '' (use xx:xx:xx:xx:xx:xx, hex)");
	expect_error(GUEST_A "net = lan0,mac=01:00:5e:00:00:01\n", 5,
		     "mac '01:00:5e:00:00:01' is a multicast address (the "
		     "first byte must be even)");
	expect_error(GUEST_A "net = lan0,mac=ff:ff:ff:ff:ff:ff\n", 5,
		     "mac 'ff:ff:ff:ff:ff:ff' is a multicast address (the "
		     "first byte must be even)");
	expect_error(GUEST_A "net = lan0,mac=00:00:00:00:00:00\n", 5,
		     "mac '00:00:00:00:00:00' is all zeros");
	expect_error(GUEST_A "net = lan0,mac=02:00:00:00:00:01,"
		     "mac=02:00:00:00:00:02\n", 5,
		     "mac given twice in 'lan0,mac=02:00:00:00:00:01,mac=02:00:"
		     "00:00:00:02'");
	expect_error(GUEST_A "net = lan0,mac=02:00:00:00:00:01\nnet = lan1,"
		     "mac=02:00:00:00:00:01\n", 6,
		     "mac 02:00:00:00:00:01 given twice: also guest 'a' line 5");
	expect_error(GUEST_A "net = lan0,mac=02:00:00:00:00:AB\n[guest b]\n"
		     "cpus = 1\nnet = lan0,mac=02:00:00:00:00:ab\n", 8,
		     "mac 02:00:00:00:00:ab given twice: also guest 'a' line 5");
	/* a given MAC that equals another guest's derived one */
	expect_error(GUEST_A "net = lan0\n[guest b]\ncpus = 1\n"
		     "net = lan0,mac=02:07:b5:44:f1:e4\n", 8,
		     "mac 02:07:b5:44:f1:e4 given twice: also guest 'a' line 5");
	expect_error(GUEST_A "rng = maybe\n", 5, "bad rng 'maybe' (use yes or no)");
	expect_error(GUEST_A "rng = yes\nrng = no\n", 6, "duplicate key 'rng'");
	expect_error(GUEST_A "console = virtio\n", 5,
		     "bad console 'virtio' (use uart or hvc)");
	expect_error(GUEST_A "console = hvc\nconsole = uart\n", 6,
		     "duplicate key 'console'");
	expect_error(GUEST_A "uart = real\n", 5, "bad uart 'real' (use emulated or passthrough)");
	expect_error(GUEST_A "uart = passthrough\n[guest b]\ncpus = 1\nmemory = 1M\nkernel = k\n"
		     "uart = passthrough\n", 10,
		     "uart = passthrough already given to guest 'a'");
	expect_error("uart = passthrough\n", 1, "key 'uart' outside a [guest] section");
	expect_error("rng = yes\n", 1, "key 'rng' outside a [guest] section");
	expect_error("net = lan0\n", 1, "key 'net' outside a [guest] section");
}

static void test_files_disks(void **state)
{
	const char *names[CFG_MAX_FILES];

	(void)state;
	assert_int_equal(parse("[guest a]\ncpus=0\nmemory=1M\nkernel=vmlinuz\n"
			       "initrd=rd\ndisk=root.img\ndisk=shared.img,ro\n"
			       "[guest b]\ncpus=1\nmemory=1M\nkernel=vmlinuz\n"
			       "disk=shared.img,ro\ndisk=b.img\n"), 0);
	assert_int_equal(config_files(&cfg, names, CFG_MAX_FILES), 5);
	assert_string_equal(names[0], "vmlinuz");
	assert_string_equal(names[1], "rd");
	assert_string_equal(names[2], "root.img");
	assert_string_equal(names[3], "shared.img");
	assert_string_equal(names[4], "b.img");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_loglevels),
		cmocka_unit_test(test_memory_sizes),
		cmocka_unit_test(test_restart_keys),
		cmocka_unit_test(test_pci_testdev_key),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_error_keys),
		cmocka_unit_test(test_error_sections),
		cmocka_unit_test(test_too_many_guests),
		cmocka_unit_test(test_error_cpus),
		cmocka_unit_test(test_error_memory),
		cmocka_unit_test(test_error_files),
		cmocka_unit_test(test_cmdline_length),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_long_quote),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_pci),
		cmocka_unit_test(test_derived_mac),
		cmocka_unit_test(test_error_disks),
		cmocka_unit_test(test_error_nets),
		cmocka_unit_test(test_files_disks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
