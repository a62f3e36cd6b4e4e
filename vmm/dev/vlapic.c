// SPDX-License-Identifier: MIT
/*
 * Virtual xAPIC (vlapic.h). Register offsets: SDM Vol. 3A Table 11-1. The
 * interrupt logic follows §11.8: a fixed interrupt sets its IRR bit; the
 * highest IRR vector whose priority class exceeds the PPR is delivered,
 * moving to ISR; EOI clears the highest ISR bit.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/string.h"
#include "vmm/dev/vlapic.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define REG_ID 0x20
#define REG_VER 0x30
#define REG_TPR 0x80
#define REG_APR 0x90
#define REG_PPR 0xa0
#define REG_EOI 0xb0
#define REG_LDR 0xd0
#define REG_DFR 0xe0
#define REG_SVR 0xf0
#define REG_ISR 0x100
#define REG_TMR 0x180
#define REG_IRR 0x200
#define REG_ESR 0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define VERSION 0x00050014 /* version 0x14, 6 LVT entries */
#define LVT_MASK (1u << 16)
#define TIMER_PERIODIC (1u << 17)
#define TIMER_MODE (3u << 17)
#define TIMER_TSC_DEADLINE (2u << 17)
#define REG_SELF_IPI 0x3f0 /* x2APIC only */
#define SVR_ENABLE (1u << 8)

void vlapic_init(struct vlapic *l, u32 id)
{
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->dfr = 0xffffffff;
	l->svr = 0xff;
	for (int i = 0; i < 6; i++)
		l->lvt[i] = LVT_MASK;
}

static void set_bit(u32 *map, int v) { map[v >> 5] |= 1u << (v & 31); }
static void clear_bit(u32 *map, int v) { map[v >> 5] &= ~(1u << (v & 31)); }

static int highest(const u32 *map)
{
	for (int i = 7; i >= 0; i--)
		if (map[i])
			return i * 32 + 31 - __builtin_clz(map[i]);
	return -1;
}

static u32 ppr(const struct vlapic *l)
{
	int isr = highest(l->isr);
	u32 isrv = isr < 0 ? 0 : (u32)isr & 0xf0;

	return (l->tpr & 0xf0) >= isrv ? l->tpr & 0xff : isrv;
}

int vlapic_highest_irr(const struct vlapic *l) { return highest(l->irr); }
int vlapic_highest_isr(const struct vlapic *l) { return highest(l->isr); }

/* ---- timer ---- */

static u32 divisor(const struct vlapic *l)
{
	u32 d = ((l->timer_div & 8) >> 1) | (l->timer_div & 3);

	return d == 7 ? 1 : 2u << d;
}

/* TSC ticks for @count timer counts (bus counts are nanoseconds). */
static u64 counts_to_tsc(const struct vlapic *l, u64 count)
{
	return count * divisor(l) * tsc_khz() / VLAPIC_BUS_KHZ;
}

static bool deadline_mode(const struct vlapic *l)
{
	return (l->lvt[0] & TIMER_MODE) == TIMER_TSC_DEADLINE;
}

static void timer_start(struct vlapic *l)
{
	if (deadline_mode(l))
		return; /* the initial count is ignored (§11.5.4.1) */
	l->timer_start = rdtsc();
	l->timer_deadline = l->timer_init ?
		l->timer_start + MAX(counts_to_tsc(l, l->timer_init), 1) : 0;
}

static u32 timer_current(const struct vlapic *l)
{
	u64 period = counts_to_tsc(l, l->timer_init), elapsed;

	if (!l->timer_init || !period || deadline_mode(l))
		return 0;
	elapsed = rdtsc() - l->timer_start;
	if (!(l->lvt[0] & TIMER_PERIODIC) && elapsed >= period)
		return 0;
	elapsed %= period;
	return (u32)((period - elapsed) * VLAPIC_BUS_KHZ / tsc_khz() / divisor(l));
}

u64 vlapic_timer_poll(struct vlapic *l)
{
	u64 now;

	if (!l->timer_deadline)
		return 0;
	now = rdtsc();
	if (now < l->timer_deadline)
		return l->timer_deadline;
	if (!(l->lvt[0] & LVT_MASK))
		set_bit(l->irr, l->lvt[0] & 0xff);
	if (l->lvt[0] & TIMER_PERIODIC) {
		u64 period = MAX(counts_to_tsc(l, l->timer_init), 1);

		l->timer_start = l->timer_deadline;
		l->timer_deadline += period * ((now - l->timer_deadline) / period + 1);
	} else {
		l->timer_deadline = 0;
	}
	return l->timer_deadline;
}

/* ---- delivery ---- */

int vlapic_pending(struct vlapic *l)
{
	int irr;

	if (!(l->svr & SVR_ENABLE))
		return -1;
	irr = highest(l->irr);
	return irr >= 16 && ((u32)irr & 0xf0) > (ppr(l) & 0xf0) ? irr : -1;
}

void vlapic_accept(struct vlapic *l, int vector)
{
	u64 f = spin_lock_irqsave(&l->lock);

	clear_bit(l->irr, vector);
	set_bit(l->isr, vector);
	spin_unlock_irqrestore(&l->lock, f);
}

void vlapic_raise_level(struct vcpu *v, u8 vector, bool level)
{
	u64 f = spin_lock_irqsave(&v->lapic.lock);

	set_bit(v->lapic.irr, vector);
	if (level)
		set_bit(v->lapic.tmr, vector);
	else
		clear_bit(v->lapic.tmr, vector);
	spin_unlock_irqrestore(&v->lapic.lock, f);
	vcpu_request(v, VCPU_REQ_INTR);
}

void vlapic_raise(struct vcpu *v, u8 vector)
{
	vlapic_raise_level(v, vector, false);
}

/* EOI ends the highest in-service vector; a level-triggered one (TMR set)
 * is broadcast to the I/O APIC so it clears Remote IRR (§11.8.5). */
static void eoi(struct vcpu *v, struct vlapic *l)
{
	int isr = highest(l->isr);
	bool level;
	u64 f;

	if (isr < 0)
		return;
	clear_bit(l->isr, isr);
	f = spin_lock_irqsave(&l->lock);
	level = l->tmr[isr >> 5] & (1u << (isr & 31));
	spin_unlock_irqrestore(&l->lock, f);
	if (level)
		vm_eoi_broadcast(v->vm, (u8)isr);
}

/* ICR (§11.6.1): destination by shorthand or by the destination field;
 * lowest-priority delivery goes to the first match. */
static void send_ipi(struct vcpu *self, u32 lo, u32 dest)
{
	struct vm *vm = self->vm;
	u32 mode = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
	bool logical = lo & (1u << 11);

	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpus[i];
		bool hit = shorthand == 1 ? t == self :
			   shorthand == 2 ? true :
			   shorthand == 3 ? t != self :
			   vlapic_match_dest(&t->lapic, dest, logical);

		if (!hit)
			continue;
		vcpu_deliver_ipi(t, mode, lo & 0xff);
		if (mode == 1 && !shorthand)
			break;
	}
}

/* ---- registers ---- */

static u32 read_reg(struct vlapic *l, u32 reg)
{
	if (reg >= REG_ISR && reg < REG_ISR + 0x80)
		return l->isr[(reg - REG_ISR) >> 4];
	if (reg >= REG_TMR && reg < REG_TMR + 0x80)
		return l->tmr[(reg - REG_TMR) >> 4];
	if (reg >= REG_IRR && reg < REG_IRR + 0x80)
		return l->irr[(reg - REG_IRR) >> 4];
	if (reg >= REG_LVT_TIMER && reg <= REG_LVT_ERROR)
		return l->lvt[(reg - REG_LVT_TIMER) >> 4];
	switch (reg) {
	case REG_ID: return l->x2apic ? l->id : l->id << 24;
	case REG_VER: return VERSION;
	case REG_TPR: return l->tpr;
	case REG_PPR: return ppr(l);
	case REG_LDR: return l->ldr;
	case REG_DFR: return l->dfr;
	case REG_SVR: return l->svr;
	case REG_ESR: return l->esr;
	case REG_ICR_LO: return 0; /* delivery is immediate: never pending */
	case REG_ICR_HI: return l->icr_hi;
	case REG_TIMER_INIT: return l->timer_init;
	case REG_TIMER_CUR: return timer_current(l);
	case REG_TIMER_DIV: return l->timer_div;
	default: return 0;
	}
}

static void write_reg(struct vcpu *v, struct vlapic *l, u32 reg, u32 val)
{
	if (reg == REG_LVT_TIMER && ((val ^ l->lvt[0]) & TIMER_MODE))
		l->timer_deadline = 0; /* a mode change disarms the timer */
	if (reg >= REG_LVT_TIMER && reg <= REG_LVT_ERROR) {
		l->lvt[(reg - REG_LVT_TIMER) >> 4] = val;
		return;
	}
	switch (reg) {
	case REG_TPR: l->tpr = val & 0xff; break;
	case REG_EOI: eoi(v, l); break;
	case REG_LDR: l->ldr = val & 0xff000000; break;
	case REG_DFR: l->dfr = val | 0x0fffffff; break;
	case REG_SVR: l->svr = val & 0x1ff; break;
	case REG_ESR: l->esr = 0; break;
	case REG_ICR_HI: l->icr_hi = val; break;
	case REG_ICR_LO: send_ipi(v, val, l->icr_hi >> 24); break;
	case REG_TIMER_INIT:
		l->timer_init = val;
		timer_start(l);
		break;
	case REG_TIMER_DIV: l->timer_div = val & 0xb; break;
	default: break; /* read-only or reserved: ignored */
	}
}

u64 vlapic_mmio_read(void *dev, u64 offset, unsigned size)
{
	struct vcpu *v = vcpu_current();

	(void)dev, (void)size;
	return read_reg(&v->lapic, (u32)offset & 0xff0);
}

void vlapic_mmio_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct vcpu *v = vcpu_current();

	(void)dev, (void)size;
	write_reg(v, &v->lapic, (u32)offset & 0xff0, (u32)val);
}

/* ---- TSC deadline and x2APIC ---- */

bool vlapic_tsc_deadline_read(struct vlapic *l, u64 *val)
{
	*val = deadline_mode(l) ? l->timer_deadline : 0;
	return true;
}

/* Writes outside TSC-deadline mode are ignored (§11.5.4.1). */
bool vlapic_tsc_deadline_write(struct vlapic *l, u64 val)
{
	if (deadline_mode(l))
		l->timer_deadline = val;
	return true;
}

void vlapic_enable_x2apic(struct vlapic *l)
{
	l->x2apic = true;
}

/* The x2APIC LDR is derived from the ID: cluster in bits 31:16, one bit
 * of 16 in 15:0 (§11.12.10.2). */
static u32 x2apic_ldr(const struct vlapic *l)
{
	return ((l->id >> 4) << 16) | (1u << (l->id & 0xf));
}

bool vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct vlapic *l = &v->lapic;
	u32 reg = (msr & 0xff) << 4;

	if (!l->x2apic || reg == REG_DFR || reg == REG_ICR_HI || reg == REG_EOI ||
	    reg == REG_SELF_IPI)
		return false;
	if (reg == REG_LDR)
		*val = x2apic_ldr(l);
	else if (reg == REG_ICR_LO)
		*val = l->icr;
	else
		*val = read_reg(l, reg);
	return true;
}

bool vlapic_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vlapic *l = &v->lapic;
	u32 reg = (msr & 0xff) << 4;

	if (!l->x2apic || reg == REG_ID || reg == REG_LDR || reg == REG_DFR ||
	    reg == REG_ICR_HI || reg == REG_VER || reg == REG_PPR ||
	    (reg == REG_EOI && val))
		return false;
	if (reg == REG_ICR_LO) {
		l->icr = val;
		send_ipi(v, (u32)val, (u32)(val >> 32));
	} else if (reg == REG_SELF_IPI) {
		vlapic_raise(v, (u8)val);
	} else {
		write_reg(v, l, reg, (u32)val);
	}
	return true;
}
