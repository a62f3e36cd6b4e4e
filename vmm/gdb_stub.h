/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub for one guest, on a second serial port (COM2, 0x2f8),
 * chosen on the hypervisor command line with gdb=<guest>. It speaks the
 * remote protocol through the codec of gdb_rsp.h: attaching pauses the
 * guest's vCPUs (a stopped guest never stalls the other guests); '?';
 * qSupported with qXfer:features:read of an x86-64 target description
 * (gdb_regs.h: general registers, RIP, EFLAGS, selectors, FS/GS base, and
 * the control registers as a feature of their own); 'g', 'G', 'p', 'P'
 * (writes checked, loaded by the vCPU, gdb_target.h); 'm' and 'M' on guest
 * virtual addresses through the selected vCPU's page tables; each vCPU a
 * thread (ids 1..n: qfThreadInfo, qC, Hg, Hc, T, qThreadExtraInfo, stop
 * replies "T<sig>thread:<id>;"); 'c', Ctrl-C (stops every vCPU of the
 * guest), 'D' (detach and resume), 'k'. Polled on CPU 0 from the console
 * poll.
 *
 * Locking: the stub's state is CPU 0's (the console poll).
 */
#ifndef VMM_GDB_STUB_H
#define VMM_GDB_STUB_H

#include "kernel/types.h"

/* Serve gdb for guest @name on COM2; false (logged) without a COM2. */
bool gdb_stub_init(const char *name);

/* Read and answer what gdb sent (from vm_console_poll). */
void gdb_stub_poll(void);

#endif
