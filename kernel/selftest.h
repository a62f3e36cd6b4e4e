/* SPDX-License-Identifier: MIT */
/*
 * Deliberate faults for testing the hypervisor's own failure reporting,
 * chosen on the command line: selftest=pagefault (read of an unmapped
 * address), selftest=stackoverflow (unbounded recursion into the stack's
 * guard page), selftest=writetext (a write to kernel code) or
 * selftest=execdata (a call into kernel data). Each must end in a fault
 * report and "hv: panic: ...". One is not a fault: selftest=iommu DMAs
 * through the IOMMU with QEMU's edu device (iommu.h), then boot goes on.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/* Run the self-test named on @cmdline, if any (a fault one does not
 * return). */
void selftest_run(const char *cmdline);

#endif
