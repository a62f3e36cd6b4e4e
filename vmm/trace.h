/* SPDX-License-Identifier: MIT */
/*
 * The exit trace: every vCPU keeps its last TRACE_ENTRIES exits in a ring
 * from its first entry on (time stamp, the exit record as the back-end
 * decoded it: exit code, the vendor's raw reason, guest RIP, the exit's
 * detail; what the handler did), so that an abnormal stop can print what
 * led to it. Recording copies the exit record into one cache-line entry
 * and stores the TSC that exit_dispatch reads anyway; the detail word is
 * decoded from the copy when the ring is printed. Nothing is allocated.
 *
 * Ownership: a ring belongs to its vCPU (vcpu.trace) and only the physical
 * CPU running that vCPU writes it, without a lock. A dump from that CPU
 * (a stop) is exact; a dump from another CPU may show an entry being
 * written, which is acceptable for a debugging aid.
 */
#ifndef VMM_TRACE_H
#define VMM_TRACE_H

#include "arch/x86/virt.h"
#include "kernel/types.h"

#define TRACE_ENTRIES 64

/* Recording on or off for every vCPU (the monitor's "trace on|off"); on
 * from boot. */
extern volatile bool trace_on;

/* One exit, one cache line. */
struct trace_entry {
	u64 tsc;
	union {
		struct {
			u8 action;  /* enum exit_action + 1; 0 while the handler runs */
			u8 unused;
			u16 inject; /* the event given to the guest before its next
				       run: TRACE_INJECTED | type << 8 | vector, 0 none */
		};
		u32 fresh;          /* both cleared by one store when recorded */
	};
	struct vm_exit x; /* the exit as the back-end decoded it */
} __attribute__((aligned(64)));

#define TRACE_INJECTED 0x8000

struct exit_trace {
	u32 next; /* total recorded; next slot is next % TRACE_ENTRIES */
	struct trace_entry e[TRACE_ENTRIES];
};

_Static_assert((TRACE_ENTRIES & (TRACE_ENTRIES - 1)) == 0, "TRACE_ENTRIES: a power of 2");

/* The one number that says most about exit @x: the port with size and
 * direction, the MSR index, the faulting guest-physical address, the
 * vector with its error code, the control register. */
u64 trace_detail(const struct vm_exit *x);

/* Record exit @x, at TSC @tsc; returns its entry for trace_done(). Inline:
 * it runs on every exit. */
static inline struct trace_entry *trace_record(struct exit_trace *t, const struct vm_exit *x,
					       u64 tsc)
{
	u32 n = t->next;
	struct trace_entry *e = t->e + (n & (TRACE_ENTRIES - 1));

	t->next = n + 1;
	e->tsc = tsc;
	e->fresh = 0;
	e->x = *x;
	return e;
}

static inline void trace_done(struct trace_entry *e, unsigned action)
{
	e->action = (u8)(action + 1);
}

/* An injected event for trace_inject: enum vcpu_event_type @type, @vector. */
#define TRACE_EVENT(type, vector) ((u16)(TRACE_INJECTED | ((type) & 7) << 8 | (vector)))

/* An event injected (TRACE_EVENT) after the last recorded exit: noted in
 * its entry, the last one injected winning. One store, unconditional:
 * before the first exit, or with recording off, it lands in an entry the
 * next record clears or that is not shown. */
static inline void trace_inject(struct exit_trace *t, u16 event)
{
	t->e[(t->next - 1) & (TRACE_ENTRIES - 1)].inject = event;
}

/* Print the last @n entries, oldest first, one line each:
 * "trace <vm> vcpu <id> -<age> <tsc delta> <exit name> raw <r> rip <rip>
 *  detail <d> <action>[ inject <type> <vector>]". */
void trace_dump(const struct exit_trace *t, const char *vm, u32 vcpu, unsigned n);

#endif
