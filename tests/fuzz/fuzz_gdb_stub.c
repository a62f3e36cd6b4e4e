// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the GDB stub's packet handling (vmm/gdb_stub.c), all
 * that gdb (or whoever is on COM2) can reach: every command's argument
 * parsing, memory reads and writes through a fake translation into fake
 * guest RAM, breakpoints, threads, run control. The stub's neighbours are
 * fakes here: the UART (input from the fuzzer, output checked), the VM of
 * FAKE_VCPUS vCPUs, the monitor's snapshot, pause and commands (output
 * of a length the line decides, to fill the stub's capture or overflow
 * it), the log capture, gdb_target.c.
 *
 * The input is a list of records: a control byte, a 16-bit length (little
 * endian, at most GDB_RSP_MAX) and that many bytes. Control bit 7 sends the bytes raw (line noise, Ctrl-C,
 * acks), else they are framed as one packet by gdb_rsp_encode() (none
 * for length 0); bit 6
 * makes a stop event ready (thread = bits 0-1 + 1, a breakpoint with
 * bit 2, a step with bit 3, hardware breakpoints B0-B3 = bits 0-3 with
 * bit 4), bit 5 stops the VM. After each record the
 * stub is polled. Every byte the stub sends must be an ack or a packet
 * with a good checksum. Each input ends with a detach, which puts the
 * stub back as it was.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/uart.h"
#include "tests/unit/guest_ram.h"
#include "vmm/gdb_rsp.h"
#include "vmm/gdb_stub.h"
#include "vmm/gdb_target.h"
#include "vmm/moncmd.h"
#include "vmm/monitor.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FAKE_VCPUS 3
#define RAM_SIZE (2 * MiB)
#define GVA_LIMIT (4 * MiB) /* mapped (identity) below, RAM or not */

static struct vm vm;
static struct vcpu vcpus[FAKE_VCPUS];
static bool vm_on;
static u32 stop_ready;

static const u8 *in;
static size_t in_len;
static struct gdb_rsp_dec out_dec;

/* ---- the UART ---- */

bool uart_init(struct uart *u, u16 port, u32 baud)
{
	(void)u, (void)port, (void)baud;
	return true;
}

int uart_getc(struct uart *u)
{
	(void)u;
	if (!in_len)
		return -1;
	in_len--;
	return *in++;
}

/* What the stub sends: acks and packets with good checksums only. */
void uart_write(struct uart *u, const char *s, size_t len)
{
	(void)u;
	for (size_t i = 0; i < len; i++) {
		enum gdb_rsp_event e = gdb_rsp_dec_byte(&out_dec, (u8)s[i]);

		if (e == GDB_RSP_BAD_SUM || e == GDB_RSP_OVERFLOW || e == GDB_RSP_INTERRUPT)
			abort();
	}
}

/* ---- the VM, the monitor, gdb_target.c ---- */

void printk(int level, const char *fmt, ...) { (void)level, (void)fmt; }
unsigned vm_count(void) { return 1; }
struct vm *vm_at(unsigned i) { return i ? NULL : &vm; }
bool vm_running(const struct vm *v) { return v == &vm && vm_on; }
void vcpu_request(struct vcpu *v, u32 req) { v->requests |= req; }

bool monitor_snapshot(struct vcpu *v, u64 gva)
{
	if (!vm_on)
		return false;
	memset(&v->snap, 0, sizeof(v->snap));
	for (unsigned i = 0; i < NR_GPRS; i++)
		v->snap.gprs[i] = 0x1000 * v->id + i;
	v->snap.regs[REG_RIP] = 0x100000;
	v->snap.regs[REG_RFLAGS] = 0x202;
	v->snap.regs[REG_EFER] = 0x500;
	v->snap.segs[SEG_CS].sel = 0x10;
	v->snap.segs[SEG_CS].attr = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_L | 0xb;
	v->snap.gva = gva;
	v->snap.gva_ok = gva < GVA_LIMIT;
	v->snap.gpa = gva;
	return true;
}

void monitor_pause(struct vm *m, bool on)
{
	for (u32 i = 0; i < m->nvcpus; i++)
		m->vcpus[i]->paused = on;
}

/* The stub on COM2 never writes past the log's hold. */
void log_through(const char *s, size_t len)
{
	(void)s, (void)len;
	abort();
}

/* The log capture: only around monitor_exec(). */
static char *cap_buf;
static size_t cap_size, cap_len;
static bool cap_cut;

void log_capture_begin(char *buf, size_t size)
{
	if (cap_buf)
		abort();
	cap_buf = buf;
	cap_size = size;
	cap_len = 0;
	cap_cut = false;
}

size_t log_capture_end(bool *cut)
{
	if (!cap_buf)
		abort();
	cap_buf = NULL;
	*cut = cap_cut;
	return cap_len;
}

bool monitor_exec(const char *line)
{
	size_t len = strlen(line), want = len * 211 % 20000;

	if (!cap_buf || len >= MONCMD_LINE_MAX)
		abort();
	for (size_t i = 0; i < want; i++) {
		if (cap_len == cap_size) {
			cap_cut = true;
			break;
		}
		cap_buf[cap_len++] = i % (len + 1) == len ? '\n' : line[i % (len + 1)];
	}
	return len && line[0] != 'x';
}

void gdb_target_attach(struct vm *m) { (void)m; }

static u64 fake_dr7;

void gdb_target_hw(const u64 dr[4], u64 dr7)
{
	(void)dr;
	fake_dr7 = dr7;
}

bool gdb_target_load(struct vcpu *v, const struct vcpu_snap *s)
{
	u64 rip = s->regs[REG_RIP];

	if (v->id >= FAKE_VCPUS || (u64)((s64)(rip << 16) >> 16) != rip)
		abort(); /* the fake vCPU is in 64-bit mode: gdb_regs.c refuses that */
	return vm_on;
}

/* VCPU_DEBUG_HW exactly when a debug register is enabled (G0-G3). */
bool gdb_target_debug(struct vcpu *v, u32 flags)
{
	if (!v || v->id >= FAKE_VCPUS || !(flags & VCPU_DEBUG_HW) != !(fake_dr7 & 0xaa))
		abort();
	return vm_on || !flags;
}

u32 gdb_target_stop_take(void)
{
	u32 s = stop_ready;

	stop_ready = 0;
	return s;
}

/* ---- the harness ---- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	strcpy(vm.name, "g");
	guest_ram_new(&vm.mem, RAM_SIZE);
	vm.nvcpus = FAKE_VCPUS;
	for (u32 i = 0; i < FAKE_VCPUS; i++) {
		vcpus[i].id = i;
		vcpus[i].pcpu = i + 1;
		vcpus[i].vm = &vm;
		vm.vcpus[i] = &vcpus[i];
	}
	gdb_rsp_dec_init(&out_dec);
	return gdb_stub_init("g", false) ? 0 : 1;
}

static void feed(const u8 *bytes, size_t len)
{
	in = bytes;
	in_len = len;
	while (in_len)
		gdb_stub_poll();
	gdb_stub_poll(); /* stop events after the input */
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 frame[2 * GDB_RSP_MAX + 8];
	static const u8 detach[] = "##$D#44";

	vm_on = true;
	stop_ready = 0;
	for (size_t at = 0; at + 3 <= size;) {
		u8 ctl = data[at];
		size_t len = MIN((size_t)(data[at + 1] | data[at + 2] << 8), GDB_RSP_MAX);

		at += 3;
		len = MIN(len, size - at);
		if (ctl & 0x40)
			stop_ready = ((ctl & 3) + 1) | (ctl & 4 ? GDB_STOP_BREAK : 0) |
				     (ctl & 8 ? GDB_STOP_STEP : 0) |
				     (ctl & 0x10 ? GDB_STOP_HW | (ctl & 0xfu) << 20 : 0);
		if (ctl & 0x20)
			vm_on = false;
		if (ctl & 0x80 || !len)
			feed(data + at, len);
		else
			feed(frame, gdb_rsp_encode(data + at, (u32)len, false, frame, sizeof(frame)));
		at += len;
	}
	vm_on = true;
	feed(detach, sizeof(detach) - 1);
	return 0;
}
