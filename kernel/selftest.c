// SPDX-License-Identifier: MIT
/* Deliberate hypervisor faults for the system tests (selftest.h). */
#include "boot/boot_info.h"
#include "drivers/iommu/iommu.h"
#include "kernel/cmdline.h"
#include "kernel/log.h"
#include "kernel/selftest.h"
#include "kernel/string.h"

/* The page below the kernel image is never mapped. */
static __attribute__((noinline)) u64 selftest_read_unmapped(void)
{
	volatile u64 *p = (volatile u64 *)(KERNEL_VMA - 2 * PAGE_SIZE);

	return *p;
}

/* Recursion bounded only by a limit far beyond any stack (the compiler
 * must not see it as infinite, nor turn it into a loop). */
static __attribute__((noinline)) u64 selftest_recurse(u64 depth, u64 limit)
{
	volatile u8 frame[256];

	frame[0] = (u8)depth;
	if (depth >= limit)
		return frame[0];
	return selftest_recurse(depth + 1, limit) + frame[0];
}

/* W^X: kernel text is mapped read-only, both at its link address and in
 * the identity map. */
static __attribute__((noinline)) void selftest_write_text(void)
{
	*(volatile u8 *)selftest_write_text = 0xc3;
}

/* W^X: data is mapped non-executable; this buffer holds a RET. */
static u8 selftest_code[16] = { 0xc3 };

static __attribute__((noinline)) void selftest_exec_data(void)
{
	((void (*)(void))selftest_code)();
	asm volatile("" ::: "memory"); /* keep the call a call, not a jump */
}

void selftest_run(const char *cmdline)
{
	char what[32];

	if (!cmdline_get(cmdline, "selftest", what, sizeof(what)))
		return;
	if (!strcmp(what, "iommu")) { /* no fault: DMA through the IOMMU */
		iommu_selftest();
		return;
	}
	printk(LOG_WARN, "selftest %s: the hypervisor faults on purpose now", what);
	if (!strcmp(what, "pagefault"))
		selftest_read_unmapped();
	else if (!strcmp(what, "stackoverflow"))
		selftest_recurse(0, ~0ULL);
	else if (!strcmp(what, "writetext"))
		selftest_write_text();
	else if (!strcmp(what, "execdata"))
		selftest_exec_data();
	else
		printk(LOG_ERR, "selftest=%s is not a self-test (pagefault, stackoverflow, writetext, execdata, iommu)", what);
	printk(LOG_ERR, "selftest %s did not fault", what);
}
