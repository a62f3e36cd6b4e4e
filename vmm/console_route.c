// SPDX-License-Identifier: MIT
/*
 * The console multiplexer applied (console_route.h): input from the
 * physical console, flow-controlled into the focused guest, focus
 * switches with the replay of a guest's ring, the key list, the register
 * dump and the monitor's keys.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/console.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "vmm/conmux.h"
#include "vmm/console_route.h"
#include "vmm/gdb_stub.h"
#include "vmm/monitor.h"
#include "vmm/vm.h"

static spinlock_t mux_lock;
static struct conmux mux = { .focus = CONMUX_ALL }; /* [mux_lock] */

/* Is @vm's output shown unprefixed? Under mux_lock. */
static bool raw_for(const struct vm *vm)
{
	return vm->console_owner || mux.focus == (int)vm->id;
}

bool console_route_raw(const struct vm *vm)
{
	u64 f = spin_lock_irqsave(&mux_lock);
	bool raw = raw_for(vm);

	spin_unlock_irqrestore(&mux_lock, f);
	return raw;
}

void console_route_out(struct vm *vm, char c)
{
	u64 f = spin_lock_irqsave(&mux_lock);

	if (vm->con_out && (!conmux_shows(&mux, vm->id) || vm->con_out->count))
		con_ring_put(vm->con_out, (u8)c);
	else
		vm_console_emit(vm, c, raw_for(vm));
	spin_unlock_irqrestore(&mux_lock, f);
}

void console_route_notice(const char *fmt, ...)
{
	char line[164] = "hv: ";
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = 4 + vsnprintf(line + 4, sizeof(line) - 5, fmt, ap);
	va_end(ap);
	n = MIN(n, (int)sizeof(line) - 2);
	line[n++] = '\n';
	log_line(line, (size_t)n);
}

/* Show what guest @vm printed out of focus, as it would have been shown
 * then (vm_console_emit: a line it starts with "hv:" is marked as the
 * guest's). A line left half-way goes on with the guest's next output.
 * Under mux_lock. */
static void replay(struct vm *vm)
{
	struct con_ring *r = vm->con_out;
	bool raw = raw_for(vm);
	u8 buf[256];
	u32 n;

	if (!r || (!r->count && !r->lost))
		return;
	console_route_notice("console replay guest %s %u bytes, %llu lost", vm->name, r->count,
			     (unsigned long long)r->lost);
	r->lost = 0;
	while ((n = con_ring_take(r, buf, sizeof(buf))))
		for (u32 i = 0; i < n; i++)
			vm_console_emit(vm, (char)buf[i], raw);
}

static int applied = CONMUX_ALL; /* [mux_lock] the focus focus_changed applied */

static void focus_changed(int target)
{
	u64 f = spin_lock_irqsave(&mux_lock);

	if (applied == CONMUX_GDB && target != CONMUX_GDB)
		log_hold(false); /* gdb is done with the line: what was held */
	applied = target;
	log_end_line(); /* the guest losing focus may be mid-line */
	if (target == CONMUX_GDB) {
		console_route_notice("console focus gdb for guest %s: the line is gdb's until "
				     "Ctrl-T a (the log is held meanwhile)", gdb_stub_guest());
		log_hold(true);
	} else if (target == CONMUX_MONITOR) {
		console_route_notice("console focus monitor (Ctrl-T h: keys)");
	} else if (target == CONMUX_ALL) {
		console_route_notice("console focus all guests (Ctrl-T h: keys)");
		for (unsigned i = 0; i < vm_count(); i++)
			replay(vm_at(i));
	} else {
		console_route_notice("console focus guest %s (Ctrl-T h: keys)", vm_at((u32)target)->name);
		replay(vm_at((u32)target));
	}
	spin_unlock_irqrestore(&mux_lock, f);
	if (target == CONMUX_MONITOR)
		monitor_enter();
}

void console_route_finish(void)
{
	u64 f = spin_lock_irqsave(&mux_lock);
	bool moved = mux.focus != CONMUX_ALL;

	mux.focus = CONMUX_ALL;
	mux.esc = false;
	spin_unlock_irqrestore(&mux_lock, f);
	if (moved)
		focus_changed(CONMUX_ALL);
}

static void help(void)
{
	char guests[120] = "";
	size_t len = 0;

	for (unsigned i = 0; i < vm_count() && i < 9; i++)
		len += (size_t)snprintf(guests + len, sizeof(guests) - len, " %u %s,", i + 1,
					vm_at(i)->name);
	console_route_notice("console keys: Ctrl-T then:%s a all guests, m monitor,%s r registers, "
			     "Ctrl-T a literal Ctrl-T", guests,
			     gdb_stub_on_console() ? " g gdb," : "");
}

static struct conmux_ev route_key(u8 c)
{
	u64 f = spin_lock_irqsave(&mux_lock);
	struct conmux_ev e;

	mux.nguests = vm_count();
	if (gdb_stub_on_console())
		conmux_allow_gdb(&mux);
	e = conmux_key(&mux, c);
	spin_unlock_irqrestore(&mux_lock, f);
	return e;
}

static void route_event(struct conmux_ev e)
{
	switch (e.act) {
	case MUX_FOCUS: focus_changed(e.target); break;
	case MUX_DUMP: vm_dump_all(); break;
	case MUX_HELP: help(); break;
	case MUX_MONITOR_KEY: monitor_key(e.byte); break;
	case MUX_GDB_KEY: gdb_stub_input(e.byte); break;
	default: break; /* MUX_NONE; MUX_GUEST is the caller's */
	}
}

/* The guest plain input goes to now, or NULL (the monitor, no guests). */
static struct vm *input_target(void)
{
	u64 f = spin_lock_irqsave(&mux_lock);
	int focus = mux.focus;

	spin_unlock_irqrestore(&mux_lock, f);
	if (focus == CONMUX_ALL)
		return vm_count() ? vm_at(0) : NULL;
	return focus >= 0 ? vm_at((u32)focus) : NULL;
}

/* A byte read while its guest's buffer was full, delivered first. */
static int stash = -1;
static bool input_seen; /* (CPU 0) a byte was read by this poll */

static int next_byte(void)
{
	int c = stash;

	if (c < 0)
		return console_getc();
	stash = -1;
	return c;
}

/*
 * Read one batch of input for the current target; true when more may be
 * waiting. The physical console is read only while the target guest's
 * buffer has room, so nothing read is dropped (input for a guest that is
 * not running is read and dropped). No lock is taken while nobody types.
 */
static bool route_batch(void)
{
	int c = next_byte();
	struct vm *vm;
	u8 buf[64];
	u32 room, n = 0;

	if (c < 0)
		return false;
	input_seen = true;
	vm = input_target();
	room = vm && vm_running(vm) ? vm_console_input_room(vm) : sizeof(buf);
	if (!room) {
		stash = c;
		return false;
	}
	for (; c >= 0; c = n < MIN(room, (u32)sizeof(buf)) ? console_getc() : -1) {
		struct conmux_ev e = route_key((u8)c);

		if (e.act == MUX_GUEST && vm && vm == vm_at((u32)e.target)) {
			buf[n++] = e.byte;
			continue;
		}
		if (n && vm)
			vm_console_input(vm, buf, n);
		route_event(e);
		return true;
	}
	if (n && vm)
		vm_console_input(vm, buf, n);
	return n == sizeof(buf);
}

static u64 console_next; /* (CPU 0) TSC of the next poll */
static u64 input_until;  /* (CPU 0) poll fast until then: input flows */

/*
 * Fast while the UART would not interrupt for what waits: no interrupt
 * at all, a byte held for a full guest buffer (the UART keeps its line
 * up), input in the last 50 ms (a paste: the 16-byte FIFO must not
 * overrun between interrupts that an edge may have merged), or the GDB
 * stub's own port and stop reports to serve.
 */
static bool poll_fast(u64 now)
{
	return !console_rx_irq() || stash >= 0 || now < input_until || gdb_stub_ready();
}

/* The poll itself, out of line: the check before it runs on every exit
 * of CPU 0 and needs no saved registers. */
static __attribute__((noinline)) void console_poll_now(u64 now)
{
	input_seen = false;
	while (route_batch())
		;
	gdb_stub_poll();
	if (input_seen)
		input_until = now + 50 * tsc_khz();
	console_next = now + (poll_fast(now) ? VM_CONSOLE_POLL_US : VM_CONSOLE_IDLE_POLL_US) *
			     tsc_khz() / 1000;
}

u64 vm_console_poll(void)
{
	u64 now = rdtsc();

	if (now >= console_next || console_rx_take())
		console_poll_now(now);
	return console_next;
}
