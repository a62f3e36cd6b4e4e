// SPDX-License-Identifier: MIT
//
// The triple-fault guest: loads an IDT with limit 0 and executes INT3. The
// breakpoint cannot be delivered (#GP), nor can the #GP (#DF), nor the #DF:
// a triple fault, which resets a bare machine (QEMU -no-reboot then quits)
// and must make the hypervisor stop this guest. It never passes; if
// anything returns, it fails.
#include "lib/printf.h"
#include "lib/test.h"

struct idt_desc {
	u16 limit;
	u32 base;
} packed;

int main(void)
{
	static const struct idt_desc empty = { 0, 0 };

	test_start("triplefault");
	printf("about to triple fault\n");
	asm volatile("lidt %0; int3" : : "m"(empty) : "memory");
	test_fail("still running after the triple fault");
}
