/* SPDX-License-Identifier: MIT */
/*
 * MMIO emulation: a second-level data access outside the VM's RAM is
 * served by decoding the faulting instruction (a MOV-family load or
 * store, MOVS or STOS) and performing it against the device model that
 * claims the address on the VM's MMIO bus, or against nothing (all-ones,
 * writes dropped) when no device does. vmm/mmio.c says the rules.
 */
#ifndef VMM_MMIO_H
#define VMM_MMIO_H

#include "vmm/exit.h"
#include "vmm/insn.h"

struct vcpu;
struct vm;

/* The access a MOV-family instruction makes (mmio.c classify()). */
struct mmio_access {
	bool write;
	u8 size;  /* bytes on the bus */
	u8 reg;   /* register operand (loads and register stores) */
	u8 dsize; /* destination register width for loads */
	u8 ext;   /* loads: 0 plain, 1 zero-extend, 2 sign-extend */
	bool imm; /* stores of an immediate */
};

/* The last MMIO instruction decoded, per vCPU (vcpu.h, owned by the vCPU):
 * while the bytes at its RIP are the same, in the same code mode, its
 * decode and its access hold. */
struct mmio_memo {
	u64 rip;
	u8 bytes[INSN_MAX];       /* as fetched; the first in.len are the instruction */
	bool plain;               /* a MOV-family access: @acc holds */
	struct insn in;           /* in.len 0: nothing remembered */
	struct mmio_access acc;
};

/*
 * Emulate the data access at @gpa (not RAM). Returns EXIT_ADVANCE when
 * done (RIP is advanced by the caller's rules), EXIT_RESUME when a long
 * REP string instruction has more to do, or EXIT_STOP after stopping the
 * guest with a reason (an instruction it cannot emulate, an access across
 * a device region's edge).
 */
enum exit_action mmio_emulate(struct vcpu *v, u64 gpa);

/*
 * A memory operand the hypervisor performs for the guest (string
 * instructions) at @gpa, @size bytes: RAM, a device, or nothing (as
 * above). False when the guest was stopped (an access across an edge).
 */
bool mmio_mem_access(struct vcpu *v, u64 gpa, unsigned size, bool write, u64 *val);

/*
 * Long REP string instructions (here and port I/O) run in slices: a slice
 * ends after MMIO_SLICE_MAX elements or MMIO_SLICE_US of host time,
 * whichever comes first (time checked every 64 elements), and the guest is
 * re-entered at the unfinished instruction, so a huge rCX never keeps the
 * CPU from its host work or the guest's interrupts, however slow the
 * elements are. True when element number @n (from 0) must not start.
 */
#define MMIO_SLICE_MAX 4096
#define MMIO_SLICE_US 1000
bool mmio_slice_over(unsigned n, u64 start_tsc);

/* "hv: guest <name> unclaimed-mmio <count>" when the VM touched any
 * address nobody claims (logged with the exit statistics at a stop). */
void mmio_stats_log(const struct vm *vm);

#endif
