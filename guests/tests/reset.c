// SPDX-License-Identifier: MIT
//
// The reset guest: resets its machine three times and checks that each
// reset gives a fresh boot. A boot counter lives in CMOS RAM, which a
// reset keeps (battery-backed); everything else must be as at power-on:
// the image's data section as loaded, RAM cleared, the RTC's interrupt
// enables off. Boot 1 resets through the FADT's reset register (found in
// the ACPI tables), boot 2 through the 8042 (command 0xFE), boot 3 through
// port 0x92's fast reset; boot 4 passes.
#include "lib/acpi.h"
#include "lib/hv.h"
#include "lib/io.h"
#include "lib/printf.h"
#include "lib/test.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_COUNTER 0x7e // free bytes at the end of the PC's CMOS RAM
#define CMOS_MAGIC 0x7f
#define MAGIC 0x5a
#define RTC_REG_B 0x0b
#define RTC_B_INTS 0x78 // PIE, AIE, UIE, SQWE

#define RAM_MARK_ADDR 0x2000000u // 32 MiB, plain RAM nobody loads
#define RAM_MARK 0xdeadbeefu

// ACPI 6.5 §5.2.9, Table 5.9: offsets in the FADT.
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_RESET_REG_SUP (1u << 10)
#define GAS_SYSTEM_IO 1

#define KBC_CMD 0x64
#define KBC_PULSE_RESET 0xfe
#define PORT_A 0x92
#define PORT_A_FAST_RESET 0x01

static volatile u32 data_mark = 0x600df00d; // in .data: as loaded each boot

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write(u8 reg, u8 val)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, val);
}

static u32 rd32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

// The FADT's reset register: an I/O port and the value to write.
static bool fadt_reset_reg(u16 *port, u8 *value)
{
	const u8 *f = (const u8 *)acpi_find_table("FACP");

	if (!f || rd32(f + 4) < FADT_RESET_VALUE + 1 ||
	    !(rd32(f + FADT_FLAGS) & FADT_RESET_REG_SUP) || f[FADT_RESET_REG] != GAS_SYSTEM_IO)
		return false;
	*port = (u16)rd32(f + FADT_RESET_REG + 4);
	*value = f[FADT_RESET_VALUE];
	return true;
}

static noreturn void wait_for_reset(void)
{
	// A reset ends this boot at the next instruction; give it time.
	for (volatile u32 i = 0; i < 100000000u; i++)
		;
	test_fail("still running after the reset request");
}

int main(void)
{
	volatile u32 *ram_mark = (volatile u32 *)RAM_MARK_ADDR;
	u16 port = 0;
	u8 boot, value = 0;

	test_start("reset");
	if (!under_hv()) {
		skip_not_hv("resets (a bare machine would restart its firmware)");
		test_finish();
	}
	boot = (u8)(cmos_read(CMOS_MAGIC) == MAGIC ? cmos_read(CMOS_COUNTER) + 1 : 1);
	cmos_write(CMOS_COUNTER, boot);
	cmos_write(CMOS_MAGIC, MAGIC);
	printf("boot %u\n", boot);
	check(data_mark == 0x600df00d, "data section as loaded (boot %u)", boot);
	check(*ram_mark == 0, "RAM cleared (boot %u)", boot);
	if (boot > 1)
		check(!(cmos_read(RTC_REG_B) & RTC_B_INTS),
		      "RTC interrupt enables cleared by the reset (boot %u)", boot);
	data_mark = 0;
	*ram_mark = RAM_MARK;
	cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) | 0x40); // periodic on
	switch (boot) {
	case 1:
		if (!check(fadt_reset_reg(&port, &value), "FADT has a reset register in I/O space"))
			test_finish();
		printf("reset through the FADT reset register: port 0x%x value 0x%x\n", port, value);
		outb(port, value);
		wait_for_reset();
	case 2:
		printf("reset through the 8042\n");
		outb(KBC_CMD, KBC_PULSE_RESET);
		wait_for_reset();
	case 3:
		printf("reset through port 0x92\n");
		outb(PORT_A, inb(PORT_A) | PORT_A_FAST_RESET);
		wait_for_reset();
	default:
		check(boot == 4, "four boots (boot %u)", boot);
		test_finish();
	}
}
