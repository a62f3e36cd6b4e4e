// SPDX-License-Identifier: MIT
//
// The smallest guest: prints its command line, what the loader told it
// about memory and its boot modules, and passes. Proves loading, the
// multiboot hand-off, the console and the exit port.
#include "lib/hv.h"
#include "lib/multiboot.h"
#include "lib/printf.h"
#include "lib/test.h"

int main(void)
{
	test_start("hello");
	printf("hello from a multiboot guest\n");
	printf("cmdline: \"%s\"\n", mb_cmdline());
	printf("multiboot info at 0x%x flags 0x%x mem_lower %u KiB mem_upper %u KiB\n",
	       mb_info_addr(), mb_flags(), mb_mem_lower(), mb_mem_upper());
	for (u32 i = 0; i < mb_module_count(); i++) {
		const struct mb_module *m = mb_module(i);
		const char *data = (const char *)m->start;

		printf("module %u: \"%s\" at 0x%x, %u bytes, starts \"%c%c%c%c\"\n", i, m->name,
		       m->start, m->end - m->start, data[0], data[1], data[2], data[3]);
	}
	hv_report();
	test_finish();
}
