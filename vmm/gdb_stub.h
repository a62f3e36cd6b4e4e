/* SPDX-License-Identifier: MIT */
/*
 * A first GDB stub for one guest, on a second serial port (COM2, 0x2f8),
 * chosen on the hypervisor command line with gdb=<guest>. It speaks the
 * remote protocol through the codec of gdb_rsp.h and supports attaching
 * (the guest's vCPUs are paused: a stopped guest never stalls the other
 * guests), '?', 'g' (vCPU 0's general registers, instruction pointer,
 * flags and segment selectors in GDB's i386 or, in long mode, amd64
 * layout), 'm' and 'M' (guest-virtual memory through vCPU 0's
 * page tables), 'c' (resume until Ctrl-C), 'D' (detach and resume), 'k', and
 * answers the queries gdb sends on attach. Breakpoints, single step,
 * register writes, threads and a 64-bit target description
 * are not there yet. Polled on CPU 0 from the console poll.
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
