/* SPDX-License-Identifier: MIT */
/*
 * Deliberate faults for testing the hypervisor's own failure reporting,
 * chosen on the command line: selftest=pagefault (read of an unmapped
 * address) or selftest=stackoverflow (unbounded recursion into the stack's
 * guard page). Both must end in a report and "hv: panic: ...".
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/* Run the self-test named on @cmdline, if any (it does not return). */
void selftest_run(const char *cmdline);

#endif
