// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the GDB stub's register-write parsers and the
 * protocol's number parsers (vmm/gdb_regs.c, gdb_rsp_num/unhex), what gdb
 * sends in 'G', 'P' and qXfer. The input is a vCPU snapshot (general,
 * control registers and segments, raw bytes) followed by commands, each a
 * kind byte, a number byte and a NUL- or end-terminated string:
 *   'P' n hex    gdb_regs_write of register n
 *   'G' - hex    gdb_regs_write_all
 *   'X' max args gdb_regs_xfer of the target description into max bytes
 *   'N' - text   gdb_rsp_num and gdb_rsp_unhex
 * Checks: a refused write leaves the snapshot as it was; an accepted one
 * reads back as written (EFLAGS: only the flags a debugger may change,
 * the rest as before); a RIP written is canonical or 32-bit; 'g' fits
 * GDB_REGS_HEX_MAX; a qXfer slice stays within its buffer.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/gdb_regs.h"
#include "vmm/gdb_rsp.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define RFLAGS_DEBUGGER 0x240fd5ULL /* as gdb_regs.c */

static struct vcpu_snap snap;
static const struct gdb_arch *arch; /* the snapshot's mode picks it */
static char text[GDB_RSP_MAX + 1];

/* Register @n of the arch as the x86-64 number (i386: no r8-r15). */
static unsigned role(unsigned n) { return arch->wide || n < GDB_R8 ? n : n + 8; }

static bool x87(unsigned n) { return role(n) >= GDB_ST0 && role(n) <= GDB_FOP; }

/* The registers a write may change (the rest of a snapshot has padding). */
static bool same(const struct vcpu_snap *a, const struct vcpu_snap *b)
{
	return !memcmp(a->gprs, b->gprs, sizeof(a->gprs)) &&
	       !memcmp(a->regs, b->regs, sizeof(a->regs)) &&
	       !memcmp(a->segs, b->segs, sizeof(a->segs)) && a->tpr == b->tpr;
}

/* Does register @n of @s read as @hex (case aside)? */
static bool reads_as(const struct vcpu_snap *s, unsigned n, const char *hex)
{
	char out[24];
	unsigned len = gdb_regs_read(arch, s, n, out);

	for (unsigned i = 0; i < len; i++)
		if (tolower((unsigned char)hex[i]) != out[i])
			return false;
	return true;
}

/* A RIP gdb changed is canonical or 32-bit. */
static void check_rip(const struct vcpu_snap *before, const struct vcpu_snap *s)
{
	u64 rip = s->regs[REG_RIP];
	bool canon = (u64)((s64)(rip << 16) >> 16) == rip;

	if (rip != before->regs[REG_RIP] && !canon && rip > 0xffffffffULL)
		abort();
}

/* @before -> @after by an accepted write of register @n from @hex. */
static void check_written(const struct vcpu_snap *before, const struct vcpu_snap *after,
			  unsigned n, const char *hex)
{
	if (x87(n))
		return;
	if (role(n) == GDB_EFLAGS) {
		u64 want = 0;
		u8 b[4];

		if (!gdb_rsp_unhex(hex, 4, b))
			abort();
		memcpy(&want, b, 4);
		if ((after->regs[REG_RFLAGS] ^ before->regs[REG_RFLAGS]) & ~RFLAGS_DEBUGGER ||
		    (after->regs[REG_RFLAGS] ^ want) & RFLAGS_DEBUGGER)
			abort();
		return;
	}
	if (!reads_as(after, n, hex))
		abort();
}

static void do_write(unsigned n, const char *hex)
{
	struct vcpu_snap before = snap;

	if (!gdb_regs_write(arch, &snap, n, hex)) {
		if (!same(&before, &snap))
			abort();
		return;
	}
	check_written(&before, &snap, n, hex);
	check_rip(&before, &snap);
}

static void do_write_all(const char *hex)
{
	struct vcpu_snap before = snap;
	u32 len = (u32)strlen(hex), at = 0;

	if (!gdb_regs_write_all(arch, &snap, hex, len)) {
		if (!same(&before, &snap))
			abort();
		return;
	}
	for (unsigned n = 0; n < arch->nregs && at < len; n++) {
		check_written(&before, &snap, n, hex + at);
		at += 2 * gdb_regs_size(arch, n);
	}
	check_rip(&before, &snap);
}

static void do_xfer(unsigned max, const char *args)
{
	static char out[GDB_RSP_MAX + 64];

	max = max % (sizeof(out) - 32);
	memset(out + max, 0x5a, 32);
	if (gdb_regs_xfer(arch->xml, args, out, max)) {
		if (max < 2 || (out[0] != 'm' && out[0] != 'l') || strnlen(out, max) >= max)
			abort();
	}
	for (unsigned i = 0; i < 32; i++)
		if (out[max + i] != 0x5a)
			abort();
}

static void do_numbers(const char *s)
{
	static u8 bytes[GDB_RSP_MAX / 2];
	const char *p = s;
	size_t len = strlen(s);
	u64 v;

	if (gdb_rsp_num(&p, &v) && (p <= s || p > s + 16))
		abort();
	if (!gdb_rsp_num(&p, &v) && p > s + len)
		abort();
	gdb_rsp_unhex(s, (u32)(len / 2), bytes);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char out[GDB_REGS_HEX_MAX + 1];
	size_t pre = sizeof(snap.gprs) + sizeof(snap.regs) + sizeof(snap.segs);
	size_t at;

	memset(&snap, 0, sizeof(snap));
	memcpy(&snap, data, size < pre ? size : pre); /* gprs, regs, segs come first */
	at = size < pre ? size : pre;
	arch = gdb_arch_for(&snap);
	while (at + 2 <= size) {
		u8 kind = data[at], arg = data[at + 1];
		size_t n = 0;

		at += 2;
		while (at < size && data[at] && n < sizeof(text) - 1)
			text[n++] = (char)data[at++];
		text[n] = 0;
		at++; /* the NUL */
		switch (kind) {
		case 'P': do_write(arg % (arch->nregs + 2), text); break;
		case 'G': do_write_all(text); break;
		case 'X': do_xfer((unsigned)arg * 17, text); break;
		default: do_numbers(text); break;
		}
		if (gdb_regs_read_all(arch, &snap, out) > GDB_REGS_HEX_MAX)
			abort();
	}
	return 0;
}
