/* SPDX-License-Identifier: MIT */
/*
 * The monitor's command line parser: pure, so the host unit tests and the
 * fuzzer run it as is. One line, words separated by spaces or tabs:
 *   help | guests | vcpus [guest] | platform
 *   regs [guest] [vcpu]
 *   exits [guest] | exits reset [guest]
 *   trace [guest] [vcpu] [n] | trace on | trace off
 *   mem guest gva|gpa ADDR LEN
 *   translate guest GVA
 *   pause|resume|reset|stop guest
 *   loglevel N|error|warn|info|debug
 * ADDR and GVA are hexadecimal (an optional 0x); vcpu, n and LEN are
 * decimal or 0x-hexadecimal. An optional guest is a word that is not a
 * number, so a guest named like a number cannot be given where a number
 * may stand. The monitor (monitor.c) resolves the guest name.
 */
#ifndef VMM_MONCMD_H
#define VMM_MONCMD_H

#include "kernel/types.h"

#define MONCMD_LINE_MAX 128
#define MONCMD_NAME_MAX 32
#define MONCMD_MEM_MAX 4096 /* longest mem dump */
#define MONCMD_TRACE_DEFAULT 16

enum mon_op {
	MON_EMPTY, MON_HELP, MON_GUESTS, MON_VCPUS, MON_REGS, MON_EXITS, MON_EXITS_RESET,
	MON_TRACE, MON_TRACE_ON, MON_TRACE_OFF, MON_MEM, MON_TRANSLATE, MON_PAUSE,
	MON_RESUME, MON_RESET, MON_STOP, MON_LOGLEVEL, MON_PLATFORM,
};

struct moncmd {
	enum mon_op op;
	char guest[MONCMD_NAME_MAX]; /* "" when not given */
	bool has_vcpu;
	u32 vcpu;
	bool gva;   /* mem: through the guest's page tables */
	u64 addr;   /* mem, translate */
	u32 len;    /* mem: 1..MONCMD_MEM_MAX */
	u32 n;      /* trace: entries (default MONCMD_TRACE_DEFAULT) */
	int level;  /* loglevel: 0-3 */
};

/* Parse @line into @c. False, with *err a fixed message, when the line is
 * not a command. */
bool moncmd_parse(const char *line, struct moncmd *c, const char **err);

#endif
