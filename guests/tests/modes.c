// SPDX-License-Identifier: MIT
//
// The modes guest: starts like every multiboot guest in 32-bit protected
// mode, prints there, then hands over to the low blob (modes_low.asm),
// copied to 0x7000 because real-mode code must sit below 1 MiB. The blob
// goes to real mode, back to protected mode and on to long mode, printing
// in each, and ends the test itself.
#include "lib/cpu.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"

#define MODES_LOW_BASE 0x7000

extern const u8 modes_low_start[], modes_low_end[];

int main(void)
{
	u32 cr0 = read_cr0();
	u32 size = modes_low_end - modes_low_start;

	test_start("modes");
	printf("modes: protected mode (32-bit, multiboot entry, CR0=0x%x)\n", cr0);
	if (!(cr0 & CR0_PE) || (cr0 & CR0_PG))
		test_fail("expected CR0.PE=1 and CR0.PG=0 at entry, CR0=0x%x", cr0);
	if (size > 0x1000)
		test_fail("low blob of %u bytes does not fit below 0x8000", size);
	cli();
	memcpy((void *)MODES_LOW_BASE, modes_low_start, size);
	((void (*)(void))MODES_LOW_BASE)();
	test_fail("returned from the mode-switching blob");
}
