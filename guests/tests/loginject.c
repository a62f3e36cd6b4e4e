// SPDX-License-Identifier: MIT
//
// A guest that tries to forge the hypervisor's log: alone on the console
// (so its output is passed through unprefixed), it prints lines that start
// like the hypervisor's own ("hv: panic: ...", "hv: guest x stop ..."),
// also after a carriage return and split over several writes. The system
// test asserts that every such line reaches the transcript marked with the
// guest's name and that no unmarked "hv: panic:" line appears; ordinary
// lines, and "hv:" inside a line, stay unprefixed.
#include "lib/printf.h"
#include "lib/test.h"

int main(void)
{
	test_start("loginject");
	printf("hv: panic: fake\n");
	printf("hv: guest x stop fake\n");
	printf("partial line\rhv: panic: after a carriage return\n");
	printf("h");
	printf("v");
	printf(": panic: split over writes\n");
	printf("hv\n");
	printf("hv-linux: check lookalike ok\n");
	printf("not at the start hv: panic: inside a line\n");
	test_finish();
}
