// SPDX-License-Identifier: MIT
/*
 * The exit trace ring (trace.h): the dump an abnormal stop prints, and
 * the detail word it decodes from each recorded exit, packing what the
 * exit's own log lines would say, so one line per exit is enough to
 * follow a guest. Recording is inline in trace.h.
 */
#include "kernel/format.h"
#include "kernel/log.h"
#include "vmm/exit.h"
#include "vmm/trace.h"

volatile bool trace_on = true;

u64 trace_detail(const struct vm_exit *x)
{
	switch (x->code) {
	case EXIT_IO: /* port, size, 'i'n / 'o'ut, string, rep */
		return x->io.port | (u64)x->io.size << 16 | (u64)(x->io.in ? 'i' : 'o') << 24 |
		       (u64)x->io.string << 32 | (u64)x->io.rep << 36;
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		return x->msr.index;
	case EXIT_STAGE2_FAULT: /* gpa; bits 60-63: walk, fetch, write, read */
		return x->stage2.gpa | (u64)x->stage2.walk << 63 | (u64)x->stage2.fetch << 62 |
		       (u64)x->stage2.write << 61 | (u64)x->stage2.read << 60;
	case EXIT_EXCEPTION:
		return x->exc.vector | (u64)x->exc.error << 32;
	case EXIT_CR_ACCESS:
		return x->cr.cr | (u64)x->cr.write << 8 | (u64)x->cr.gpr << 16;
	case EXIT_SIPI:
		return x->sipi.vector;
	case EXIT_ENTRY_FAILED:
	case EXIT_UNKNOWN:
		return x->fail.info;
	default:
		return 0;
	}
}

void trace_dump(const struct exit_trace *t, const char *vm, u32 vcpu, unsigned n)
{
	static const char *const actions[] = { "in-handler", "resume", "advance", "stop" };
	static const char *const events[8] = { "intr", "?", "nmi", "exception", "soft-intr",
					       "?", "?", "?" };
	u32 have = t->next < TRACE_ENTRIES ? t->next : TRACE_ENTRIES;
	u64 last;

	if (n > have)
		n = have;
	if (!n)
		return;
	last = t->e[(t->next - 1) % TRACE_ENTRIES].tsc;
	printk(LOG_INFO, "trace %s vcpu %u: last %u of %u exits (tsc ticks before the last)", vm,
	       vcpu, n, t->next);
	for (u32 i = t->next - n; i != t->next; i++) {
		const struct trace_entry *e = &t->e[i % TRACE_ENTRIES];
		char inj[32] = "";

		if (e->inject & TRACE_INJECTED)
			snprintf(inj, sizeof(inj), " inject %s %u", events[(e->inject >> 8) & 7],
				 e->inject & 0xff);
		printk(LOG_INFO, "trace %s vcpu %u: -%llu %s raw 0x%x rip 0x%llx detail 0x%llx %s%s",
		       vm, vcpu, (unsigned long long)(last - e->tsc), exit_name(e->x.code), e->x.raw,
		       (unsigned long long)e->x.rip, (unsigned long long)trace_detail(&e->x),
		       actions[e->action < 4 ? e->action : 0], inj);
	}
}
