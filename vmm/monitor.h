/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor monitor, a focus of the console multiplexer (Ctrl-T m):
 * a line editor with the prompt "hv> " and the commands of moncmd.h, each
 * printing plain lines that start with the command's name. It runs on
 * CPU 0 from the console poll; it reads other CPUs' vCPUs through
 * requests (VCPU_REQ_SNAP) with a bounded wait, and pausing a guest only
 * keeps that guest's vCPUs from entering it, so no other guest waits.
 *
 * Locking: the line buffer is CPU 0's (the console poll).
 */
#ifndef VMM_MONITOR_H
#define VMM_MONITOR_H

#include "kernel/types.h"

/* The monitor got the focus: print the prompt. */
void monitor_enter(void);

/* One input byte while the monitor has the focus. */
void monitor_key(u8 c);

/* Run one command line (what Enter does); false (and an "error" line)
 * when it is not a command or names no guest. */
bool monitor_exec(const char *line);

struct vm;
struct vcpu;

/* Fresh registers of @v in v->snap and the translation of @gva through
 * its page tables (v->snap.gva_ok, .gpa); false (and an error line) when
 * @v does not answer within a second or is not running. */
bool monitor_snapshot(struct vcpu *v, u64 gva);

/* Keep every vCPU of @vm from entering it (@on), or let them go on. */
void monitor_pause(struct vm *vm, bool on);

#endif
