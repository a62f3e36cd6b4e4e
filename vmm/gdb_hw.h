/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub's hardware breakpoints and watchpoints ('Z1'-'Z4', GDB
 * manual, "Packets") in the four debug registers (Intel SDM Vol. 3B
 * §18.2; AMD APM Vol. 2 §13.1). An execute breakpoint ('Z1') takes one
 * register (R/W 00, LEN 00). A watchpoint of LEN bytes at ADDR takes one
 * register per naturally aligned piece of 1, 2, 4 or 8 bytes (8 only when
 * @wide: LEN 10b is defined in 64-bit mode, §18.2.5): 'Z2' watches writes
 * (R/W 01), 'Z3' and 'Z4' reads and writes (R/W 11: x86 has no read-only
 * breakpoint; gdb tells a read from a write by the value). Four registers
 * in all: a request that does not fit is refused whole. Pure code, no
 * locking: the stub owns the table.
 */
#ifndef VMM_GDB_HW_H
#define VMM_GDB_HW_H

#include "kernel/types.h"

#define GDB_HW_SLOTS 4
#define GDB_HW_LEN_MAX 32 /* the longest watchpoint (all four registers) */

enum gdb_hw_type { GDB_HW_EXEC = 1, GDB_HW_WRITE, GDB_HW_READ, GDB_HW_ACCESS };

struct gdb_hw {
	u8 type[GDB_HW_SLOTS];     /* 0: free, else enum gdb_hw_type */
	u8 len[GDB_HW_SLOTS];      /* the piece: 1, 2, 4 or 8 bytes */
	u64 addr[GDB_HW_SLOTS];    /* DR0-DR3 */
	u64 req_addr[GDB_HW_SLOTS]; /* the request the piece belongs to */
	u64 req_len[GDB_HW_SLOTS];
};

void gdb_hw_init(struct gdb_hw *h);

/* "Z<type>,<addr>,<len>" (for 'Z1' len is gdb's kind): take the
 * registers; true also when the same request is in already. False,
 * nothing taken, when they are not free or the request is malformed
 * (type, a length of 0 or above GDB_HW_LEN_MAX, a range that wraps). */
bool gdb_hw_insert(struct gdb_hw *h, unsigned type, u64 addr, u64 len, bool wide);

/* "z<type>,<addr>,<len>": free what that request took; false if none. */
bool gdb_hw_remove(struct gdb_hw *h, unsigned type, u64 addr, u64 len);

/* Registers in use. */
unsigned gdb_hw_used(const struct gdb_hw *h);

/* DR7 for the table: G0-G3 (global: a task switch keeps them), GE, and
 * each register's R/W and LEN; bit 10 (reads as 1) is the caller's. */
u64 gdb_hw_dr7(const struct gdb_hw *h);

/* A hit of the registers in @hits (DR6 B0-B3): the request's type and the
 * address of the first piece that hit, for the stop reply; false when
 * none of @hits is in use. */
bool gdb_hw_hit(const struct gdb_hw *h, unsigned hits, unsigned *type, u64 *addr);

#endif
