// SPDX-License-Identifier: MIT
//
// The C entry of every multiboot guest, called by lib/boot.asm with the
// loader's EAX and EBX: console, IDT, multiboot information, then the
// guest's main(); what main() returns is the exit code.
#include "lib/multiboot.h"
#include "lib/printf.h"
#include "lib/serial.h"
#include "lib/test.h"
#include "lib/trap.h"

int main(void);
noreturn void guest_start(u32 magic, u32 info);

noreturn void guest_start(u32 magic, u32 info)
{
	serial_init();
	idt_init();
	if (!mb_init(magic, info))
		test_fail_code(EXIT_BAD_BOOT, "bad multiboot magic 0x%x", magic);
	guest_exit((u32)main());
}
