// SPDX-License-Identifier: MIT
//
// The hammer guest: reads every I/O port once (except those whose reads
// would disturb the machine or this guest), counting the ones that read
// 0xff, then RDMSRs every MSR in 0x0-0x1fff and 0xc0000000-0xc0001fff,
// counting #GPs. The hypervisor must survive all of it and the guest must
// stay alive; the counts are informational.
#include "lib/fault.h"
#include "lib/io.h"
#include "lib/printf.h"
#include "lib/test.h"

struct port_range {
	u16 first, last;
	const char *why;
};

static const struct port_range skipped_ports[] = {
	{ 0x0020, 0x0021, "master 8259 PIC" },
	{ 0x0040, 0x0043, "8254 PIT" },
	{ 0x0060, 0x0064, "keyboard controller" },
	{ 0x0070, 0x0071, "RTC/CMOS index" },
	{ 0x0092, 0x0092, "fast A20/reset" },
	{ 0x00a0, 0x00a1, "slave 8259 PIC" },
	{ 0x00f4, 0x00f7, "debug exit" },
	{ 0x03f8, 0x03ff, "console UART" },
	{ 0x0cf8, 0x0cff, "PCI config, reset control" },
};

struct msr_range {
	u32 first, count;
};

static const struct msr_range msr_ranges[] = {
	{ 0x00000000, 0x2000 },
	{ 0xc0000000, 0x2000 },
};

static bool port_skipped(u32 port)
{
	for (u32 i = 0; i < ARRAY_SIZE(skipped_ports); i++)
		if (port >= skipped_ports[i].first && port <= skipped_ports[i].last)
			return true;
	return false;
}

static void hammer_ports(void)
{
	u32 read = 0, ff = 0;

	for (u32 port = 0; port <= 0xffff; port++) {
		if (port_skipped(port))
			continue;
		read++;
		ff += inb((u16)port) == 0xff;
	}
	printf("ports: %u read, %u returned 0xff, %u returned something else, %u skipped\n",
	       read, ff, read - ff, 0x10000 - read);
}

static void hammer_msrs(void)
{
	u32 total = 0, gp = 0, other = 0;
	u64 v;

	for (u32 r = 0; r < ARRAY_SIZE(msr_ranges); r++) {
		for (u32 i = 0; i < msr_ranges[r].count; i++) {
			u32 vec = rdmsr_safe(msr_ranges[r].first + i, &v);

			total++;
			gp += vec == VEC_GP;
			other += vec != VEC_GP && vec != FAULT_NONE;
		}
	}
	printf("msrs: %u read, %u raised #GP, %u read fine, %u other faults\n",
	       total, gp, total - gp - other, other);
	check(other == 0, "rdmsr faults are #GP only");
}

int main(void)
{
	test_start("hammer");
	hammer_ports();
	hammer_msrs();
	test_finish();
}
