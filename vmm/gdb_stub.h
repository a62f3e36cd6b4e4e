/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub for one guest, on a second serial port (COM2, 0x2f8) or
 * on the multiplexed console, chosen on the hypervisor command line with
 * gdb=<guest>[,console]. It speaks the
 * remote protocol through the codec of gdb_rsp.h: attaching pauses the
 * guest's vCPUs (a stopped guest never stalls the other guests); '?';
 * qSupported with qXfer:features:read of an x86-64 target description
 * (gdb_regs.h: general registers, RIP, EFLAGS, selectors, FS/GS base, and
 * the control registers as a feature of their own); 'g', 'G', 'p', 'P'
 * (writes checked, loaded by the vCPU, gdb_target.h); 'm' and 'M' on guest
 * virtual addresses through the selected vCPU's page tables; software
 * breakpoints 'Z0', hardware breakpoints and watchpoints 'Z1'-'Z4' in the
 * debug registers (gdb_hw.h); each vCPU a
 * thread (ids 1..n: qfThreadInfo, qC, Hg, Hc, T, qThreadExtraInfo, stop
 * replies "T<sig>thread:<id>;"); 'c', Ctrl-C (stops every vCPU of the
 * guest), 'D' (detach and resume), 'k'; qRcmd (gdb's `monitor`: a
 * monitor command, its output captured and sent as 'O' packets). Polled
 * on CPU 0 from the console poll.
 *
 * Locking: the stub's state is CPU 0's (the console poll).
 */
#ifndef VMM_GDB_STUB_H
#define VMM_GDB_STUB_H

#include "kernel/types.h"

/* Serve gdb for guest @name on COM2, or on the multiplexed console when
 * @console or without a COM2 (its focus is Ctrl-T g, vmm/conmux.h). */
bool gdb_stub_init(const char *name, bool console);

/* Whether the stub was set up (gdb= on the command line). */
bool gdb_stub_ready(void);

/* Whether the stub serves the console, and for which guest. */
bool gdb_stub_on_console(void);
const char *gdb_stub_guest(void);

/* A byte gdb sent on the console (its focus, vmm/console_route.c). */
void gdb_stub_input(u8 c);

/* Read and answer what gdb sent on COM2, and report stops (from
 * vm_console_poll). */
void gdb_stub_poll(void);

#endif
