// SPDX-License-Identifier: MIT
//
// A console guest for the multiplexer test: "name=<n>" on the command line
// names it. It prints "<n> ready", then "<n> tick <k>" every 100 ms (so it
// has output while another guest has the console), echoes each line it
// receives as "<n> echo <line>", and on the line "quit" prints
// "<n> got <count> lines: <lines>" and passes. Input that reached the
// wrong guest shows in its echo lines and its count. For the replay of
// what it printed out of focus: "quiet" stops the ticks; "defer" prints,
// a second later, a line starting "hv:" (which the console must mark as
// this guest's) and then half a line, "<n> half"; "finish" ends it with
// "-way" before its echo, so the console shows "<n> half-way" whole if the
// replay left the line open for it.
#include "lib/multiboot.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/serial.h"
#include "lib/string.h"
#include "lib/test.h"

#define TICK_US 100000u
#define MAX_TICKS 1200u

static char name[16] = "echo";

static void read_name(void)
{
	const char *p = mb_cmdline();
	unsigned n = 0;

	for (; p && *p; p++)
		if (!strncmp(p, "name=", 5))
			break;
	if (!p || !*p)
		return;
	for (p += 5; *p && *p != ' ' && n + 1 < sizeof(name); p++)
		name[n++] = *p;
	name[n] = 0;
}

// Append ",<line>" (or "<line>" first) to all[size] while it fits.
static void note_line(char *all, size_t size, const char *line)
{
	size_t a = strlen(all), l = strlen(line);

	if (a + l + 2 > size)
		return;
	if (a)
		all[a++] = ',';
	memcpy(all + a, line, l + 1);
}

int main(void)
{
	char line[64], all[256] = "";
	unsigned len = 0, lines = 0, ticks = 0, deferred = 0;
	bool quiet = false;
	u32 t0;

	read_name();
	test_start(name);
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	printf("%s ready\n", name);
	t0 = pmtimer_read();
	while (ticks < MAX_TICKS) {
		int c = serial_getc();

		if (pmtimer_ticks_to_us(pmtimer_since(t0)) >= TICK_US) {
			t0 = pmtimer_read();
			++ticks;
			if (!quiet)
				printf("%s tick %u\n", name, ticks);
			if (deferred && ticks == deferred)
				printf("hv: %s is not the hypervisor\n%s half", name, name);
		}
		if (c < 0)
			continue;
		if (c != '\n' && c != '\r') {
			if (len + 1 < sizeof(line))
				line[len++] = (char)c;
			continue;
		}
		if (!len)
			continue;
		line[len] = 0;
		len = 0;
		lines++;
		if (!strcmp(line, "quiet"))
			quiet = true;
		if (!strcmp(line, "defer"))
			deferred = ticks + 10;
		if (!strcmp(line, "finish"))
			printf("-way\n");
		printf("%s echo %s\n", name, line);
		note_line(all, sizeof(all), line);
		if (!strcmp(line, "quit")) {
			printf("%s got %u lines: %s\n", name, lines, all);
			check(true, "%s quit", name);
			test_finish();
		}
	}
	test_fail("no quit line after %u ticks", ticks);
}
