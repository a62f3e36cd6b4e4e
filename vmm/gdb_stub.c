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
#include "vmm/gdb_rsp.h"
#include "vmm/gdb_stub.h"
#include "vmm/gmem.h"
#include "vmm/monitor.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define GDB_PORT 0x2f8 /* COM2 */
#define GDB_BAUD 115200

static struct uart port;
static char guest[32];
static bool ready, attached, running;
static struct gdb_rsp_dec dec;
static u8 frame[2 * GDB_RSP_MAX + 8];
static char reply[GDB_RSP_MAX];

bool gdb_stub_init(const char *name)
{
	hv_strlcpy(guest, name, sizeof(guest));
	if (!uart_init(&port, GDB_PORT, GDB_BAUD)) {
		printk(LOG_ERR, "gdb: no UART at COM2 (0x%x): no stub for guest %s", GDB_PORT, guest);
		return false;
	}
	gdb_rsp_dec_init(&dec);
	ready = true;
	printk(LOG_INFO, "gdb: stub for guest %s on COM2 (0x%x)", guest, GDB_PORT);
	return true;
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

	uart_write(&port, (const char *)frame, n);
}

#define EFER_LMA (1ULL << 10)

/* Append @n little-endian bytes of @v as hex at reply[*len]. */
static void put_reg(u32 *len, u64 v, unsigned n)
{
	gdb_rsp_hex((const u8 *)&v, n, reply + *len);
	*len += 2 * n;
}

/*
 * 'g' in GDB's layout for the guest's mode: i386 (eax ecx edx ebx esp ebp
 * esi edi eip eflags cs ss ds es fs gs, 4 bytes each) or, in long mode,
 * amd64 (rax rbx rcx rdx rsi rdi rbp rsp r8-r15 rip, 8 bytes each, then
 * eflags cs ss ds es fs gs, 4 bytes each). The floating-point registers
 * that follow in GDB's layout are left out: GDB shows them unavailable.
 */
static void reply_regs(struct vcpu *v)
{
	static const u8 i386[8] = { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP,
				    GPR_RSI, GPR_RDI };
	static const u8 amd64[16] = { GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI,
				      GPR_RBP, GPR_RSP, GPR_R8, GPR_R9, GPR_R10, GPR_R11,
				      GPR_R12, GPR_R13, GPR_R14, GPR_R15 };
	static const u8 seg[6] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };
	const struct vcpu_snap *s = &v->snap;
	bool lm;
	u32 len = 0;

	if (!monitor_snapshot(v, 0)) {
		send("E01");
		return;
	}
	lm = s->regs[REG_EFER] & EFER_LMA;
	for (unsigned i = 0; i < (lm ? 16u : 8u); i++) {
		u8 r = lm ? amd64[i] : i386[i];

		put_reg(&len, r == GPR_RSP ? s->regs[REG_RSP] : s->gprs[r], lm ? 8 : 4);
	}
	put_reg(&len, s->regs[REG_RIP], lm ? 8 : 4);
	put_reg(&len, s->regs[REG_RFLAGS], 4);
	for (unsigned i = 0; i < 6; i++)
		put_reg(&len, s->segs[seg[i]].sel, 4);
	reply[len] = 0;
	send(reply);
}

/* A hex number up to @stop (or the end); *p moves past it. */
static u64 hexnum(const char **p, char stop)
{
	u64 v = 0;

	for (; **p && **p != stop; (*p)++) {
		char c = **p | 0x20;

		v = v << 4 | (u64)(c >= '0' && c <= '9' ? c - '0' : c - 'a' + 10);
	}
	if (stop && **p == stop)
		(*p)++;
	return v;
}

/* Copy between @buf and guest-virtual [addr, addr + len) page by page,
 * through vCPU 0's tables; false when a page is not mapped RAM. */
static bool guest_copy(struct vm *vm, u64 addr, u8 *buf, u64 len, bool write)
{
	struct vcpu *v = vm->vcpus[0];

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
static void reply_mem(struct vm *vm, const char *args)
{
	static u8 buf[GDB_RSP_MAX / 2 - 1];
	u64 addr = hexnum(&args, ','), len = hexnum(&args, 0);

	len = MIN(len, sizeof(buf));
	if (!guest_copy(vm, addr, buf, len, false)) {
		send("E14");
		return;
	}
	gdb_rsp_hex(buf, (u32)len, reply);
	reply[2 * len] = 0;
	send(reply);
}

/* "M addr,len:hex": write guest-virtual memory. */
static void write_mem(struct vm *vm, const char *args)
{
	static u8 buf[GDB_RSP_MAX / 2];
	u64 addr = hexnum(&args, ','), len = hexnum(&args, ':');

	if (len > sizeof(buf) || strlen(args) != 2 * len ||
	    !gdb_rsp_unhex(args, (u32)len, buf) || !guest_copy(vm, addr, buf, len, true)) {
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

static void packet(struct vm *vm, const char *p)
{
	if (!attached) {
		attached = true;
		stop_guest(vm, true);
		printk(LOG_INFO, "gdb: attached to guest %s", vm->name);
	}
	switch (p[0]) {
	case '?': send("S05"); return;
	case 'g': reply_regs(vm->vcpus[0]); return;
	case 'm': reply_mem(vm, p + 1); return;
	case 'M': write_mem(vm, p + 1); return;
	case 'c': stop_guest(vm, false); return; /* the reply comes at the stop */
	case 'H': case 'T': send("OK"); return;
	case 'D':
		send("OK");
		stop_guest(vm, false);
		attached = false;
		printk(LOG_INFO, "gdb: detached from guest %s", vm->name);
		return;
	case 'k': stop_guest(vm, false); attached = false; return;
	case 'q':
		if (!strncmp(p, "qSupported", 10))
			send("PacketSize=1000");
		else if (!strcmp(p, "qAttached"))
			send("1");
		else if (!strcmp(p, "qC"))
			send("QC1");
		else if (!strcmp(p, "qfThreadInfo"))
			send("m1");
		else if (!strcmp(p, "qsThreadInfo"))
			send("l");
		else
			send("");
		return;
	default: send(""); return; /* not supported */
	}
}

static void on_event(struct vm *vm, enum gdb_rsp_event e)
{
	switch (e) {
	case GDB_RSP_PACKET:
		uart_write(&port, "+", 1);
		dec.data[dec.len < GDB_RSP_MAX ? dec.len : GDB_RSP_MAX - 1] = 0;
		packet(vm, (const char *)dec.data);
		break;
	case GDB_RSP_BAD_SUM:
	case GDB_RSP_OVERFLOW: uart_write(&port, "-", 1); break;
	case GDB_RSP_INTERRUPT:
		if (attached && running) {
			stop_guest(vm, true);
			send("S02");
		}
		break;
	default: break;
	}
}

void gdb_stub_poll(void)
{
	struct vm *vm;
	int c;

	if (!ready || !(vm = target()))
		return;
	if (attached && running && !vm_running(vm)) {
		send("W00"); /* the guest stopped: gdb sees it exit */
		attached = running = false;
	}
	for (int i = 0; i < 256 && (c = uart_getc(&port)) >= 0; i++)
		on_event(vm, gdb_rsp_dec_byte(&dec, (u8)c));
}
