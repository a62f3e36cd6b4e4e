/* SPDX-License-Identifier: MIT */
/*
 * What the GDB stub does to the guest under the debugger, on the vCPUs'
 * own CPUs: register writes (a staged snapshot loaded by the vCPU before
 * its next entry, VCPU_REQ_DEBUG), the back-end's debug controls (the
 * #BP intercept, single step), and the exits those produce (a breakpoint
 * hit, a finished step), which stop every vCPU of that guest and leave a
 * stop event for the stub on CPU 0. Only that guest's vCPUs wait.
 *
 * Locking: staged state (gdb_vcpu.load, .want_load, .debug) is written by
 * the stub on CPU 0 before it requests VCPU_REQ_DEBUG and read by the
 * vCPU when it takes the request; the stop event is one atomic word.
 */
#ifndef VMM_GDB_TARGET_H
#define VMM_GDB_TARGET_H

#include "kernel/types.h"
#include "vmm/exit.h"

struct vm;
struct vcpu;
struct vcpu_snap;

/* The guest under the debugger (NULL: none); set by the stub. */
void gdb_target_attach(struct vm *vm);

/* On CPU 0: load @s's writable registers into @v and refresh v->snap;
 * false when @v does not answer within a second. */
bool gdb_target_load(struct vcpu *v, const struct vcpu_snap *s);

/* On CPU 0: set @v's debug controls (VCPU_DEBUG_*) for its next entry;
 * with VCPU_DEBUG_HW, the debug registers of gdb_target_hw(). */
bool gdb_target_debug(struct vcpu *v, u32 flags);

/* On CPU 0, while the guest is stopped: the debugger's DR0-DR3 and DR7
 * (gdb_hw.h) for the vCPUs' next gdb_target_debug(). */
void gdb_target_hw(const u64 dr[4], u64 dr7);

/* On @v's CPU, for VCPU_REQ_DEBUG: what the stub staged for it. */
void gdb_target_vcpu(struct vcpu *v);

/* Take the stop event (thread id = vCPU id + 1, with its kind), 0 if
 * there is none. */
#define GDB_STOP_BREAK (1u << 16) /* a software breakpoint of ours */
#define GDB_STOP_STEP (1u << 17)  /* a single step finished */
#define GDB_STOP_HW (1u << 18)    /* hardware breakpoints hit: ... */
#define GDB_STOP_HITS(s) (((s) >> 20) & 0xf) /* ... these (DR6 B0-B3) */
u32 gdb_target_stop_take(void);

/* Is @gva one of the stub's software breakpoints? (gdb_stub.c) */
bool gdb_stub_is_breakpoint(struct vm *vm, u64 gva);

/* An intercepted exception: a #BP at one of our breakpoints or the end
 * of our single step stops the guest for the debugger; the guest's own
 * #BP and #DB go back to it unchanged. */
enum exit_action gdb_target_exception(struct vcpu *v, const struct vm_exit *x);

/* EXIT_STEP: the debugger's single step ended or its hardware breakpoints
 * hit; the guest stops. */
enum exit_action gdb_target_step(struct vcpu *v, const struct vm_exit *x);

#endif
