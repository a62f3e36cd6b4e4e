/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub's register files for x86-64 and i386 guests (GDB manual, "Target
 * Descriptions" and "Standard Target Features", i386 features): the
 * target description the stub serves as target.xml, the register numbers
 * it defines (the order of the XML), and the conversion between a vCPU
 * snapshot and the hex GDB reads ('g', 'p') and writes ('G', 'P'). Every
 * value GDB writes is checked here: RIP and the FS/GS bases canonical (or
 * 32-bit outside 64-bit mode), only RFLAGS' flags a debugger may change,
 * segment selectors, control registers and x87 state read-only (a write
 * of the value they have is accepted, so 'G' works). Pure code, no
 * locking: the caller owns the snapshot.
 */
#ifndef VMM_GDB_REGS_H
#define VMM_GDB_REGS_H

#include "kernel/types.h"
#include "vmm/vcpu.h"

/* Register numbers in the order of the x86-64 target description; the
 * i386 one has the same order without r8-r15. */
enum gdb_regno {
	GDB_RAX, GDB_RBX, GDB_RCX, GDB_RDX, GDB_RSI, GDB_RDI, GDB_RBP, GDB_RSP,
	GDB_R8, GDB_R15 = GDB_R8 + 7,
	GDB_RIP, GDB_EFLAGS,
	GDB_CS, GDB_SS, GDB_DS, GDB_ES, GDB_FS, GDB_GS,
	GDB_ST0, GDB_FCTRL = GDB_ST0 + 8, GDB_FOP = GDB_FCTRL + 7,
	GDB_FS_BASE, GDB_GS_BASE,
	GDB_CR0, GDB_CR2, GDB_CR3, GDB_CR4, GDB_CR8, GDB_EFER,
	GDB_NREGS
};

/* The largest 'g' reply: every register in hex. */
#define GDB_REGS_HEX_MAX (2 * (25 * 8 + 15 * 4 + 8 * 10))

/* A register file: the x86-64 one for a guest in long mode, the i386 one
 * otherwise (gdb_arch_for), fixed for a debugging session because gdb
 * reads the target description once. */
struct gdb_arch {
	const char *xml; /* the target description (target.xml) */
	unsigned nregs;  /* registers 0..nregs-1 */
	bool wide;       /* 64-bit general registers, RIP and bases */
};

extern const struct gdb_arch gdb_arch_amd64, gdb_arch_i386;

/* The register file for a vCPU in the mode of @s (EFER.LMA). */
const struct gdb_arch *gdb_arch_for(const struct vcpu_snap *s);

/* Bytes of register @n in @a's layout, 0 for no such register. */
unsigned gdb_regs_size(const struct gdb_arch *a, unsigned n);

/* Register @n of @s as little-endian hex into @out ("xx" per byte for
 * state the stub does not have, the x87 registers); returns the number
 * of characters, 0 for no such register. No NUL. */
unsigned gdb_regs_read(const struct gdb_arch *a, const struct vcpu_snap *s, unsigned n,
		       char *out);

/* All registers ('g'); returns the length, no NUL. */
unsigned gdb_regs_read_all(const struct gdb_arch *a, const struct vcpu_snap *s, char *out);

/* Write register @n of @s from @hex (2 * size digits, little endian; a
 * 32-bit general register or base keeps the upper half, EIP is
 * zero-extended); false when the value is
 * refused (see above) or @hex is malformed. */
bool gdb_regs_write(const struct gdb_arch *a, struct vcpu_snap *s, unsigned n, const char *hex);

/* 'G': all registers from @hex (@len characters); false, leaving @s
 * unchanged, when any is refused. */
bool gdb_regs_write_all(const struct gdb_arch *a, struct vcpu_snap *s, const char *hex, u32 len);

/* A qXfer read of @doc at "offset,length" (@args): 'm' or 'l' and the
 * slice into @out (at most @max bytes, NUL-terminated); false when @args
 * does not parse. */
bool gdb_regs_xfer(const char *doc, const char *args, char *out, u32 max);

#endif
