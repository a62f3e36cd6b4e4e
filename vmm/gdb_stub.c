// SPDX-License-Identifier: MIT
/*
 * The GDB stub (gdb_stub.h): packets in through gdb_rsp's decoder, the
 * commands carried out with the monitor's vCPU snapshot and pause, replies
 * framed by gdb_rsp_encode() on COM2.
 */
#include "drivers/uart.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/string.h"
#include "vmm/gdb_hw.h"
#include "vmm/gdb_regs.h"
#include "vmm/gdb_rsp.h"
#include "vmm/gdb_stub.h"
#include "vmm/gdb_target.h"
#include "vmm/gmem.h"
#include "vmm/moncmd.h"
#include "vmm/monitor.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define GDB_PORT 0x2f8 /* COM2 */
#define GDB_BAUD 115200

static struct uart port;  /* COM2, unless on_console */
static bool on_console;   /* gdb's line is the multiplexed console */
static char guest[32];
static bool ready, attached, running;
static const struct gdb_arch *arch = &gdb_arch_amd64; /* chosen at attach */
static struct gdb_rsp_dec dec;
static u8 frame[2 * GDB_RSP_MAX + 8];
static char reply[GDB_RSP_MAX];

bool gdb_stub_init(const char *name, bool console)
{
	hv_strlcpy(guest, name, sizeof(guest));
	gdb_rsp_dec_init(&dec);
	if (!console && !uart_init(&port, GDB_PORT, GDB_BAUD)) {
		printk(LOG_WARN, "gdb: no UART at COM2 (0x%x): the stub for guest %s is on the console",
		       GDB_PORT, guest);
		console = true;
	}
	on_console = console;
	ready = true;
	if (console)
		printk(LOG_INFO, "gdb: stub for guest %s on the console: Ctrl-T g gives gdb the line",
		       guest);
	else
		printk(LOG_INFO, "gdb: stub for guest %s on COM2 (0x%x)", guest, GDB_PORT);
	return true;
}

bool gdb_stub_ready(void) { return ready; }

bool gdb_stub_on_console(void)
{
	return ready && on_console;
}

const char *gdb_stub_guest(void)
{
	return guest;
}

/* Bytes to gdb: COM2, or the console past the log's hold. */
static void link_write(const char *s, u32 n)
{
	if (on_console)
		log_through(s, n);
	else
		uart_write(&port, s, n);
}

static struct vm *target(void)
{
	for (unsigned i = 0; i < vm_count(); i++)
		if (!strcmp(vm_at(i)->name, guest))
			return vm_at(i);
	return NULL;
}

static void send(const char *s)
{
	u32 n = gdb_rsp_encode((const u8 *)s, (u32)strlen(s), true, frame, sizeof(frame));

	link_write((const char *)frame, n);
}

/* Thread ids are vCPU ids + 1; 'g' and memory use thread gthread. */
static u32 gthread = 1;
static u32 last_stop = 5; /* the signal of the last stop reply */
static u32 stop_thread = 1;

static struct vcpu *thread_vcpu(struct vm *vm, u64 tid)
{
	return tid >= 1 && tid <= vm->nvcpus ? vm->vcpus[tid - 1] : NULL;
}

/* "T<sig><reason>thread:<id>;" (GDB manual, "Stop Reply Packets"); the
 * reason is "" or "<name>:<value>;". */
static void send_stop(u32 sig, u32 tid, const char *reason)
{
	char r[80];

	last_stop = sig;
	stop_thread = tid;
	snprintf(r, sizeof(r), "T%02x%sthread:%x;", sig, reason, tid);
	send(r);
}

/* 'g': every register of the target description (gdb_regs.h). */
static void reply_regs(struct vcpu *v)
{
	if (!monitor_snapshot(v, 0)) {
		send("E01");
		return;
	}
	reply[gdb_regs_read_all(arch, &v->snap, reply)] = 0;
	send(reply);
}

/* "p n": one register. */
static void reply_reg(struct vcpu *v, const char *args)
{
	u64 n;
	unsigned len;

	if (!gdb_rsp_num(&args, &n) || *args || n >= arch->nregs || !monitor_snapshot(v, 0)) {
		send("E01");
		return;
	}
	len = gdb_regs_read(arch, &v->snap, (unsigned)n, reply);
	reply[len] = 0;
	send(reply);
}

/* "P n=value" and "G values": checked by gdb_regs, loaded by the vCPU. */
static void write_regs(struct vcpu *v, const char *args, bool all)
{
	static struct vcpu_snap s;
	u64 n = 0;
	bool ok;

	if (!all && (!gdb_rsp_num(&args, &n) || *args++ != '=')) {
		send("E01");
		return;
	}
	if (!monitor_snapshot(v, 0)) {
		send("E01");
		return;
	}
	s = v->snap;
	ok = all ? gdb_regs_write_all(arch, &s, args, (u32)strlen(args)) :
		   n < arch->nregs && gdb_regs_write(arch, &s, (unsigned)n, args);
	send(ok && gdb_target_load(v, &s) ? "OK" : "E01");
}

/* "Hg<id>" / "Hc<id>": 0 (any) and -1 (all) mean the first vCPU. */
static void set_thread(struct vm *vm, const char *args)
{
	char op = *args++;
	u64 tid = 1;

	if (strcmp(args, "0") && strcmp(args, "-1") &&
	    (!gdb_rsp_num(&args, &tid) || *args || !thread_vcpu(vm, tid))) {
		send("E01");
		return;
	}
	if (op == 'g')
		gthread = (u32)tid;
	send(op == 'g' || op == 'c' ? "OK" : "E01");
}

/* "T<id>": is the thread alive. */
static void thread_alive(struct vm *vm, const char *args)
{
	u64 tid;

	send(gdb_rsp_num(&args, &tid) && !*args && thread_vcpu(vm, tid) ? "OK" : "E01");
}

static void reply_threads(struct vm *vm)
{
	u32 len = 0;

	for (u32 i = 0; i < vm->nvcpus; i++)
		len += (u32)snprintf(reply + len, sizeof(reply) - len, "%c%x", i ? ',' : 'm', i + 1);
	send(reply);
}

/* "qThreadExtraInfo,<id>": what `info threads` shows beside the id. */
static void reply_thread_info(struct vm *vm, const char *args)
{
	struct vcpu *v;
	char text[64];
	u64 tid;

	if (!gdb_rsp_num(&args, &tid) || *args || !(v = thread_vcpu(vm, tid))) {
		send("E01");
		return;
	}
	snprintf(text, sizeof(text), "vcpu %u on cpu %u%s", v->id, v->pcpu,
		 v->halted ? " halted" : v->wait_sipi ? " waiting for sipi" : "");
	gdb_rsp_hex((const u8 *)text, (u32)strlen(text), reply);
	reply[2 * strlen(text)] = 0;
	send(reply);
}

/* "qXfer:features:read:target.xml:offset,length". */
static void reply_xfer(const char *args)
{
	static const char annex[] = "target.xml:";

	if (strncmp(args, annex, sizeof(annex) - 1) ||
	    !gdb_regs_xfer(arch->xml, args + sizeof(annex) - 1, reply, sizeof(reply)))
		send("E00");
	else
		send(reply);
}

/* "addr,len" then @stop: false unless exactly that. */
static bool addr_len(const char **p, char stop, u64 *addr, u64 *len)
{
	return gdb_rsp_num(p, addr) && *(*p)++ == ',' && gdb_rsp_num(p, len) &&
	       *(*p)++ == stop;
}

/* Copy between @buf and guest-virtual [addr, addr + len) page by page,
 * through @v's page tables; false when a page is not mapped RAM. */
static bool guest_copy(struct vcpu *v, u64 addr, u8 *buf, u64 len, bool write)
{
	struct vm *vm = v->vm;

	for (u64 done = 0; done < len;) {
		u64 a = addr + done, chunk = MIN(len - done, 4096 - (a & 4095));

		if (!monitor_snapshot(v, a) || !v->snap.gva_ok)
			return false;
		if (write ? !gmem_write(&vm->mem, v->snap.gpa, buf + done, chunk) :
			    !gmem_read(&vm->mem, v->snap.gpa, buf + done, chunk))
			return false;
		done += chunk;
	}
	return true;
}

/* "m addr,len": read guest-virtual memory. */
static void reply_mem(struct vcpu *v, const char *args)
{
	static u8 buf[GDB_RSP_MAX / 2 - 1];
	u64 addr, len;

	if (!addr_len(&args, 0, &addr, &len)) {
		send("E01");
		return;
	}
	len = MIN(len, sizeof(buf));
	if (!guest_copy(v, addr, buf, len, false)) {
		send("E14");
		return;
	}
	gdb_rsp_hex(buf, (u32)len, reply);
	reply[2 * len] = 0;
	send(reply);
}

/* "M addr,len:hex": write guest-virtual memory. */
static void write_mem(struct vcpu *v, const char *args)
{
	static u8 buf[GDB_RSP_MAX / 2];
	u64 addr, len;

	if (!addr_len(&args, ':', &addr, &len) || len > sizeof(buf) ||
	    strlen(args) != 2 * len || !gdb_rsp_unhex(args, (u32)len, buf) ||
	    !guest_copy(v, addr, buf, len, true)) {
		send("E14");
		return;
	}
	send("OK");
}

static void stop_guest(struct vm *vm, bool on)
{
	monitor_pause(vm, on);
	running = !on;
}

/*
 * Software breakpoints (Z0): an INT3 (0xcc) written over the first byte
 * of the instruction, through the page tables of the thread selected at
 * the time; the original byte kept. They are in guest memory only while
 * the guest runs: lifted at every stop (gdb reads the real code) and on
 * detach, put back when it continues. Only the stub on CPU 0 changes the
 * table; vCPUs read addr/used (gdb_stub_is_breakpoint) without a lock: a
 * vCPU that sees an entry go away finds the original byte and re-runs it.
 */
#define GDB_BREAKPOINTS 32

struct breakpoint {
	u64 addr;  /* guest virtual (RIP) */
	u64 gpa;
	u8 orig;
	bool in_mem;
	volatile bool used;
};

static struct breakpoint bps[GDB_BREAKPOINTS];

bool gdb_stub_is_breakpoint(struct vm *vm, u64 gva)
{
	(void)vm;
	for (unsigned i = 0; i < GDB_BREAKPOINTS; i++)
		if (bps[i].used && bps[i].addr == gva)
			return true;
	return false;
}

static void bp_lift(struct vm *vm, struct breakpoint *b)
{
	u8 now;

	if (b->in_mem && gmem_read(&vm->mem, b->gpa, &now, 1) && now == 0xcc)
		gmem_write(&vm->mem, b->gpa, &b->orig, 1);
	b->in_mem = false;
}

static void bps_lift(struct vm *vm)
{
	for (unsigned i = 0; i < GDB_BREAKPOINTS; i++)
		if (bps[i].used)
			bp_lift(vm, &bps[i]);
}

static void bps_insert(struct vm *vm)
{
	static const u8 int3 = 0xcc;

	for (unsigned i = 0; i < GDB_BREAKPOINTS; i++) {
		struct breakpoint *b = &bps[i];

		if (b->used && !b->in_mem && gmem_read(&vm->mem, b->gpa, &b->orig, 1))
			b->in_mem = gmem_write(&vm->mem, b->gpa, &int3, 1);
	}
}

/* "Z0,addr,kind" / "z0,addr,kind" (kind 1: INT3 is one byte). */
static void breakpoint(struct vcpu *v, const char *args, bool insert)
{
	struct breakpoint *b = NULL;
	u64 addr, kind;

	if (!addr_len(&args, 0, &addr, &kind) || kind != 1) {
		send("E01");
		return;
	}
	for (unsigned i = 0; i < GDB_BREAKPOINTS; i++)
		if (bps[i].used ? bps[i].addr == addr : !b)
			b = &bps[i];
	if (!insert) {
		if (b && b->used) {
			bp_lift(v->vm, b);
			b->used = false;
		}
		send("OK");
		return;
	}
	if (b && !b->used) {
		if (!monitor_snapshot(v, addr) || !v->snap.gva_ok ||
		    !gmem_read(&v->vm->mem, v->snap.gpa, &b->orig, 1)) {
			send("E14");
			return;
		}
		b->addr = addr;
		b->gpa = v->snap.gpa;
		b->in_mem = false;
		b->used = true;
	}
	send(b ? "OK" : "E0c"); /* E0c: the table is full */
}

static void set_debug_all(struct vm *vm, u32 flags)
{
	for (u32 i = 0; i < vm->nvcpus; i++)
		gdb_target_debug(vm->vcpus[i], flags);
}

/*
 * Hardware breakpoints and watchpoints ("Z1"-"Z4", "z1"-"z4"; gdb_hw.h)
 * in the debug registers of every vCPU, which the back-end keeps apart
 * from the guest's own (VCPU_DEBUG_HW). Pieces of 8 bytes only when the
 * selected thread's vCPU runs in 64-bit mode. "E0c": not enough free
 * registers (four in all), "E0e": a vCPU did not take them.
 */
#define EFER_LMA (1ULL << 10)

static struct gdb_hw hw;

static u32 debug_flags(void)
{
	return VCPU_DEBUG_BP | (gdb_hw_used(&hw) ? VCPU_DEBUG_HW : 0);
}

/* No hardware breakpoints (attach, detach). */
static void hw_clear(void)
{
	gdb_hw_init(&hw);
	gdb_target_hw(hw.addr, 0);
}

static bool hw_apply(struct vm *vm)
{
	bool ok = true;

	gdb_target_hw(hw.addr, gdb_hw_dr7(&hw));
	for (u32 i = 0; i < vm->nvcpus; i++)
		ok &= gdb_target_debug(vm->vcpus[i], debug_flags());
	return ok;
}

static void hw_point(struct vm *vm, struct vcpu *v, unsigned type, const char *args, bool insert)
{
	struct gdb_hw before = hw;
	u64 addr, len;
	bool wide;

	if (!addr_len(&args, 0, &addr, &len)) {
		send("E01");
		return;
	}
	if (insert) {
		wide = monitor_snapshot(v, 0) && (v->snap.regs[REG_EFER] & EFER_LMA);
		if (!gdb_hw_insert(&hw, type, addr, len, wide)) {
			send("E0c");
			return;
		}
	} else {
		gdb_hw_remove(&hw, type, addr, len);
	}
	if (!hw_apply(vm)) {
		hw = before;
		hw_apply(vm);
		send("E0e");
		return;
	}
	send("OK");
}

/* The stop reply's reason for a stop event (GDB manual, "Stop Reply
 * Packets": swbreak, hwbreak, watch, rwatch, awatch). */
static const char *stop_reason(u32 stop, char *buf, u32 size)
{
	static const char *const watch[] = { "", "", "watch", "rwatch", "awatch" };
	unsigned type;
	u64 addr;

	if (stop & GDB_STOP_BREAK)
		return "swbreak:;";
	if (!(stop & GDB_STOP_HW) || !gdb_hw_hit(&hw, GDB_STOP_HITS(stop), &type, &addr))
		return "";
	if (type == GDB_HW_EXEC)
		return "hwbreak:;";
	snprintf(buf, size, "%s:%llx;", watch[type], (unsigned long long)addr);
	return buf;
}

/* 'c': breakpoints in, every vCPU runs. */
static void resume(struct vm *vm)
{
	bps_insert(vm);
	stop_guest(vm, false);
}

/* 's' of thread @tid: that vCPU alone runs one instruction. */
static void step(struct vm *vm, u64 tid)
{
	struct vcpu *v = thread_vcpu(vm, tid);

	if (!v || !gdb_target_debug(v, debug_flags() | VCPU_DEBUG_STEP)) {
		gdb_target_debug(v ?: vm->vcpus[0], debug_flags());
		send("E01");
		return;
	}
	running = true;
	v->paused = false;
	vcpu_request(v, VCPU_REQ_INTR);
}

/*
 * "vCont;<action>[:<thread>]..." (GDB manual, "Packets"): a step action
 * steps its thread (the others stay stopped), else any continue action
 * continues the guest. Signals (C, S) are not delivered: a guest has none.
 */
static void vcont(struct vm *vm, const char *p)
{
	u64 step_tid = 0, tid, sig;
	bool cont = false;

	while (*p == ';') {
		char a = *++p;

		p++;
		if ((a == 'C' || a == 'S') && !gdb_rsp_num(&p, &sig))
			break;
		tid = 0;
		if (*p == ':' && (p++, !gdb_rsp_num(&p, &tid)))
			break;
		if ((a == 's' || a == 'S') && !step_tid)
			step_tid = tid ?: gthread;
		else if (a == 'c' || a == 'C')
			cont = true;
		else if (a != 's' && a != 'S')
			break;
	}
	if (*p || (!step_tid && !cont))
		send("E01");
	else if (step_tid)
		step(vm, step_tid);
	else
		resume(vm);
}

/*
 * "qRcmd,<hex>" (gdb's `monitor CMD`): a monitor command (moncmd.h), its
 * output captured from the log (up to GDB_RCMD_OUT bytes) and sent as 'O'
 * packets of hex, then "OK", or "E01" when the line is not a command. The
 * guest under the debugger is not paused, resumed or reset behind gdb's
 * back: continue, Ctrl-C and detach do that.
 */
#define GDB_RCMD_OUT 16384

static void send_output(const char *s, u32 len)
{
	const u32 chunk = (GDB_RSP_MAX - 2) / 2;

	for (u32 at = 0; at < len; at += chunk) {
		u32 n = MIN(chunk, len - at);

		reply[0] = 'O';
		gdb_rsp_hex((const u8 *)s + at, n, reply + 1);
		reply[1 + 2 * n] = 0;
		send(reply);
	}
}

static bool rcmd_allowed(struct vm *vm, const char *line)
{
	struct moncmd c;
	const char *err;

	if (!moncmd_parse(line, &c, &err) || strcmp(c.guest, vm->name))
		return true; /* the monitor says what is wrong */
	return c.op != MON_PAUSE && c.op != MON_RESUME && c.op != MON_RESET;
}

static void monitor_cmd(struct vm *vm, const char *hex)
{
	static char out[GDB_RCMD_OUT];
	static const char refused[] = "error the guest is under gdb: use continue, Ctrl-C or detach\n";
	char line[MONCMD_LINE_MAX], note[64];
	u32 n = (u32)strlen(hex) / 2, len;
	bool ok, cut;

	if (strlen(hex) % 2 || n >= sizeof(line) || !gdb_rsp_unhex(hex, n, (u8 *)line)) {
		send("E01");
		return;
	}
	line[n] = 0;
	if (strlen(line) != n) {
		send("E01");
		return;
	}
	if (!rcmd_allowed(vm, line)) {
		send_output(refused, sizeof(refused) - 1);
		send("E01");
		return;
	}
	log_capture_begin(out, sizeof(out));
	ok = monitor_exec(line);
	len = (u32)log_capture_end(&cut);
	send_output(out, len);
	if (cut)
		send_output(note, (u32)snprintf(note, sizeof(note), "(output cut at %u bytes)\n", len));
	send(ok ? "OK" : "E01");
}

static void query(struct vm *vm, const char *p)
{
	if (!strncmp(p, "qSupported", 10))
		send("PacketSize=1000;qXfer:features:read+;swbreak+;hwbreak+");
	else if (!strncmp(p, "qXfer:features:read:", 20))
		reply_xfer(p + 20);
	else if (!strcmp(p, "qAttached"))
		send("1");
	else if (!strcmp(p, "qC"))
		snprintf(reply, sizeof(reply), "QC%x", gthread), send(reply);
	else if (!strcmp(p, "qfThreadInfo"))
		reply_threads(vm);
	else if (!strcmp(p, "qsThreadInfo"))
		send("l");
	else if (!strncmp(p, "qThreadExtraInfo,", 17))
		reply_thread_info(vm, p + 17);
	else if (!strncmp(p, "qRcmd,", 6))
		monitor_cmd(vm, p + 6);
	else
		send("");
}

static void attach(struct vm *vm)
{
	attached = true;
	gthread = stop_thread = 1;
	last_stop = 5;
	gdb_target_attach(vm);
	stop_guest(vm, true);
	hw_clear();
	set_debug_all(vm, VCPU_DEBUG_BP);
	/* The register file of the mode vCPU 0 is in now, for the session. */
	arch = monitor_snapshot(vm->vcpus[0], 0) ? gdb_arch_for(&vm->vcpus[0]->snap) :
						   &gdb_arch_amd64;
	printk(LOG_INFO, "gdb: attached to guest %s (%s registers)", vm->name,
	       arch->wide ? "x86-64" : "i386");
}

static void detach(struct vm *vm)
{
	stop_guest(vm, true);
	bps_lift(vm);
	for (unsigned i = 0; i < GDB_BREAKPOINTS; i++)
		bps[i].used = false;
	hw_clear();
	set_debug_all(vm, 0);
	attached = false;
	gdb_target_attach(NULL);
	printk(LOG_INFO, "gdb: detached from guest %s", vm->name); /* before it runs */
	stop_guest(vm, false);
}

static void packet(struct vm *vm, const char *p)
{
	struct vcpu *v;

	if (!attached)
		attach(vm);
	v = thread_vcpu(vm, gthread) ?: vm->vcpus[0];
	switch (p[0]) {
	case '?': send_stop(last_stop, stop_thread, ""); return;
	case 'g': reply_regs(v); return;
	case 'G': write_regs(v, p + 1, true); return;
	case 'p': reply_reg(v, p + 1); return;
	case 'P': write_regs(v, p + 1, false); return;
	case 'm': reply_mem(v, p + 1); return;
	case 'M': write_mem(v, p + 1); return;
	case 'c': resume(vm); return; /* the reply comes at the stop */
	case 's': step(vm, gthread); return;
	case 'Z': case 'z':
		if (p[1] == '0' && p[2] == ',')
			breakpoint(v, p + 3, p[0] == 'Z');
		else if (p[1] >= '1' && p[1] <= '4' && p[2] == ',')
			hw_point(vm, v, (unsigned)(p[1] - '0'), p + 3, p[0] == 'Z');
		else
			send(""); /* other kinds: not supported */
		return;
	case 'v':
		if (!strcmp(p, "vCont?"))
			send("vCont;c;C;s;S");
		else if (!strncmp(p, "vCont;", 6))
			vcont(vm, p + 5);
		else
			send("");
		return;
	case 'H': set_thread(vm, p + 1); return;
	case 'T': thread_alive(vm, p + 1); return;
	case 'D': send("OK"); detach(vm); return;
	case 'k': detach(vm); return;
	case 'q': query(vm, p); return;
	default: send(""); return; /* not supported */
	}
}

static void on_event(struct vm *vm, enum gdb_rsp_event e)
{
	switch (e) {
	case GDB_RSP_PACKET:
		link_write("+", 1);
		dec.data[dec.len < GDB_RSP_MAX ? dec.len : GDB_RSP_MAX - 1] = 0;
		packet(vm, (const char *)dec.data);
		break;
	case GDB_RSP_BAD_SUM:
	case GDB_RSP_OVERFLOW: link_write("-", 1); break;
	case GDB_RSP_INTERRUPT:
		if (attached && running) {
			stop_guest(vm, true);
			bps_lift(vm);
			send_stop(2, gthread, "");
		}
		break;
	default: break;
	}
}

void gdb_stub_poll(void)
{
	struct vm *vm;
	u32 stop;
	int c;

	if (!ready || !(vm = target()))
		return;
	if (attached && running && (stop = gdb_target_stop_take())) {
		char why[40];

		running = false;
		bps_lift(vm);
		gthread = stop & 0xffff;
		send_stop(5, gthread, stop_reason(stop, why, sizeof(why)));
	}
	if (attached && running && !vm_running(vm)) {
		send("W00"); /* the guest stopped: gdb sees it exit */
		attached = running = false;
	}
	for (int i = 0; !on_console && i < 256 && (c = uart_getc(&port)) >= 0; i++)
		on_event(vm, gdb_rsp_dec_byte(&dec, (u8)c));
}

void gdb_stub_input(u8 c)
{
	struct vm *vm;

	if (ready && on_console && (vm = target()))
		on_event(vm, gdb_rsp_dec_byte(&dec, c));
}
