// SPDX-License-Identifier: MIT
//
// A guest with known state for the monitor test. It turns on 32-bit
// paging (SDM Vol. 3A §4.3): a 4 MiB page maps its first 4 MiB to
// themselves (CR4.PSE) and a page table at 0x391000 maps linear 0xc0000000
// to guest-physical 0x380000; it writes "PARKED-DATA-0123" through that
// mapping, says "park ready", then spins with known values in its general
// registers (eax aaaa0001, ebx bbbb0002, ecx cccc0003, edx dddd0004, esi
// 5151e51e, edi d1d1ed1e) and interrupts off until the monitor stops it.
// The test reads all of it back with the monitor's regs, mem and
// translate commands.
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"

#define PARK_GPA 0x380000u
#define PARK_LIN 0xc0000000u
#define PD_GPA 0x390000u
#define PT_GPA 0x391000u
#define PTE_P 0x001u
#define PTE_RW 0x002u
#define PDE_PS 0x080u
#define CR0_PG 0x80000000u
#define CR4_PSE 0x10u

static void paging_on(void)
{
	u32 *pd = (u32 *)PD_GPA, *pt = (u32 *)PT_GPA, r;

	memset(pd, 0, 4096);
	memset(pt, 0, 4096);
	pd[0] = 0 | PDE_PS | PTE_RW | PTE_P;             /* 0-4 MiB, itself */
	pd[PARK_LIN >> 22] = PT_GPA | PTE_RW | PTE_P;
	pt[(PARK_LIN >> 12) & 0x3ff] = PARK_GPA | PTE_RW | PTE_P;
	asm volatile("mov %%cr4, %0; or %1, %0; mov %0, %%cr4" : "=&r"(r) : "i"(CR4_PSE));
	asm volatile("mov %0, %%cr3" :: "r"(PD_GPA) : "memory");
	asm volatile("mov %%cr0, %0; or %1, %0; mov %0, %%cr0" : "=&r"(r) : "i"(CR0_PG) : "memory");
}

int main(void)
{
	test_start("park");
	paging_on();
	memcpy((void *)PARK_LIN, "PARKED-DATA-0123", 16);
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
