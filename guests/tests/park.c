// SPDX-License-Identifier: MIT
//
// A guest with known state for the monitor test: it writes
// "PARKED-DATA-0123" at guest-physical 0x380000 (paging stays off, so that
// is also its linear address), says "park ready", then spins with known
// values in its general registers (eax aaaa0001, ebx bbbb0002, ecx
// cccc0003, edx dddd0004, esi 5151e51e, edi d1d1ed1e) and interrupts off,
// until the monitor stops it. The test reads all of it back through the
// monitor's regs, mem and translate commands.
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"

#define PARK_ADDR 0x380000u

int main(void)
{
	test_start("park");
	memcpy((void *)PARK_ADDR, "PARKED-DATA-0123", 16);
	printf("park ready\n");
	asm volatile("cli\n"
		     "mov $0xaaaa0001, %%eax\n"
		     "mov $0xbbbb0002, %%ebx\n"
		     "mov $0xcccc0003, %%ecx\n"
		     "mov $0xdddd0004, %%edx\n"
		     "mov $0x5151e51e, %%esi\n"
		     "mov $0xd1d1ed1e, %%edi\n"
		     "1: jmp 1b"
		     ::: "eax", "ebx", "ecx", "edx", "esi", "edi", "memory");
	__builtin_unreachable();
}
