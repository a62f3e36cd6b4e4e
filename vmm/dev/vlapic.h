/* SPDX-License-Identifier: MIT */
/*
 * The virtual local APIC of one vCPU, in xAPIC mode (Intel SDM Vol. 3A
 * ch. 11): ID, version, TPR/PPR, EOI, SVR, ISR/IRR/TMR, ICR (fixed, NMI,
 * INIT and STARTUP IPIs), LVT and the timer (one-shot and periodic). The
 * timer counts at a virtual bus clock of VLAPIC_BUS_KHZ. Registers are
 * reached through MMIO at 0xFEE00000; delivery to other vCPUs goes
 * through request bits (vcpu_request).
 */
#ifndef VMM_DEV_VLAPIC_H
#define VMM_DEV_VLAPIC_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

#define VLAPIC_BASE 0xfee00000ULL
#define VLAPIC_BUS_KHZ 100000 /* 100 MHz: one count per 10 ns */

struct vcpu;

struct vlapic {
	spinlock_t lock;     /* IRR is set by other vCPUs */
	u32 id;
	u32 tpr, svr, ldr, dfr, esr;
	u32 icr_hi;
	u32 lvt[6];          /* timer, thermal, perf, LINT0, LINT1, error */
	u32 timer_init, timer_div;
	u64 timer_start;     /* TSC when the count was loaded */
	u64 timer_deadline;  /* TSC at which it fires next, 0 = idle */
	u32 irr[8], isr[8], tmr[8];
	bool x2apic;         /* x2APIC mode (IA32_APIC_BASE.EXTD) */
	u64 icr;             /* x2APIC: the last ICR written */
};

void vlapic_init(struct vlapic *l, u32 id);

/*
 * x2APIC MSRs 0x800-0x8FF (SDM Vol. 3A §11.12.1, Table 11-6) and
 * IA32_TSC_DEADLINE (0x6E0, §11.5.4.1). False: the access raises #GP (not
 * in x2APIC mode, a read-only or absent register, a reserved value).
 */
bool vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val);
bool vlapic_msr_write(struct vcpu *v, u32 msr, u64 val);
bool vlapic_tsc_deadline_read(struct vlapic *l, u64 *val);
bool vlapic_tsc_deadline_write(struct vlapic *l, u64 val);

/* Switch to x2APIC mode (the guest set IA32_APIC_BASE.EXTD). */
void vlapic_enable_x2apic(struct vlapic *l);

/* MMIO callbacks; @dev is the struct vm, the vCPU is the current one. */
u64 vlapic_mmio_read(void *dev, u64 offset, unsigned size);
void vlapic_mmio_write(void *dev, u64 offset, unsigned size, u64 val);

/* Is @dest (ICR or I/O APIC destination field) this APIC, in physical
 * or logical (@logical) destination mode? */
bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical);

/* Raise @vector in @v's IRR and make it look (any CPU may call this). */
void vlapic_raise(struct vcpu *v, u8 vector);

/*
 * The same for an interrupt of a given trigger mode: the vector's TMR bit
 * is set for a level-triggered one and cleared for an edge (SDM Vol. 3A
 * §11.8.4). When the guest EOIs a vector whose TMR bit is set, the local
 * APIC broadcasts the EOI to the I/O APICs (§11.8.5) by calling
 * vm_eoi_broadcast(), which the VM's interrupt wiring (vmm/irq.c) defines.
 */
void vlapic_raise_level(struct vcpu *v, u8 vector, bool level);

struct vm;
void vm_eoi_broadcast(struct vm *vm, u8 vector);

/* Before entry: fire an expired timer. Returns the TSC deadline of the
 * next timer event or 0. */
u64 vlapic_timer_poll(struct vlapic *l);

/* The vector to deliver now (IRR above PPR), or -1. */
int vlapic_pending(struct vlapic *l);

/* Highest vector set in IRR / ISR, or -1 (for state dumps). */
int vlapic_highest_irr(const struct vlapic *l);
int vlapic_highest_isr(const struct vlapic *l);

/* The CPU took @vector: move it from IRR to ISR. */
void vlapic_accept(struct vlapic *l, int vector);

#endif
