// SPDX-License-Identifier: MIT
/*
 * Virtual xAPIC (vlapic.h). Register offsets: SDM Vol. 3A Table 11-1. The
 * interrupt logic follows §11.8: a fixed interrupt sets its IRR bit; the
 * highest IRR vector whose priority class exceeds the PPR is delivered,
 * moving to ISR; EOI clears the highest ISR bit. TMR and the posted map
 * are shared with other CPUs and change only by atomic read-modify-writes
 * (the field rules are in vlapic.h): a plain "word |= bit" would lose a
 * bit another CPU set in the same word between its load and its store
 * (Linux's timer vector and its IPI vectors share a word). Other CPUs
 * raise into the posted map, never into IRR, which the owner (and under
 * APIC virtualization its CPU) updates.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/virt.h"
#include "kernel/string.h"
#include "vmm/dev/vlapic.h"
#include "vmm/gmem.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define VERSION 0x00050014 /* version 0x14, 6 LVT entries */
#define LVT_MASK (1u << 16)
#define TIMER_PERIODIC (1u << 17)
#define TIMER_MODE (3u << 17)
#define TIMER_TSC_DEADLINE (2u << 17)
#define SVR_ENABLE (1u << 8)

#define APIC_BASE_BSP (1ULL << 8)
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN (1ULL << 11)

/* A register by its offset in the page; the bitmaps (ISR, TMR, IRR) are
 * 8 such registers, their words one 16-byte slot apart. */
#define R(l, off) ((l)->page[(off) >> 2])
#define MAP(l, base) (&R(l, base))
#define MAP_WORD(v) (((v) >> 5) << 2)

/* ISR: the owner's alone. */
static void set_bit(u32 *map, int v) { map[MAP_WORD(v)] |= 1u << (v & 31); }
static void clear_bit(u32 *map, int v) { map[MAP_WORD(v)] &= ~(1u << (v & 31)); }

/* IRR and TMR: lock-prefixed OR / AND on the 32-bit word (IRR: the
 * owner's timer and acceptance beside its taking in the posted map). */
static void set_bit_atomic(u32 *map, int v)
{
	__atomic_fetch_or(&map[MAP_WORD(v)], 1u << (v & 31), __ATOMIC_RELEASE);
}

static void clear_bit_atomic(u32 *map, int v)
{
	__atomic_fetch_and(&map[MAP_WORD(v)], ~(1u << (v & 31)), __ATOMIC_ACQ_REL);
}

/* Word @i (vectors 32i..32i+31) of a bitmap. */
static u32 word(const u32 *map, int i)
{
	return __atomic_load_n(&map[i << 2], __ATOMIC_ACQUIRE);
}

/* Unrolled: the scans sit on the path of every interrupt delivery; a
 * word costs a load, a test and a branch. */
static int highest(const u32 *map)
{
#pragma GCC unroll 8
	for (int i = 7; i >= 0; i--) {
		u32 w = word(map, i);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* The power-up register state (§11.4.7.1), ID and mode kept. IRR and TMR
 * are stored atomically: a raiser may be reading them under the lock. */
static void reset_regs(struct vlapic *l)
{
	__atomic_store_n(&l->posted_words, 0, __ATOMIC_RELEASE);
	for (int i = 0; i < 8; i++) {
		__atomic_store_n(&l->posted[i], 0, __ATOMIC_RELEASE);
		__atomic_store_n(&MAP(l, VLAPIC_IRR)[i << 2], 0, __ATOMIC_RELEASE);
		__atomic_store_n(&MAP(l, VLAPIC_TMR)[i << 2], 0, __ATOMIC_RELEASE);
		MAP(l, VLAPIC_ISR)[i << 2] = 0;
	}
	R(l, VLAPIC_TPR) = R(l, VLAPIC_LDR) = R(l, VLAPIC_ESR) = R(l, VLAPIC_ICR_HI) = 0;
	R(l, VLAPIC_ID) = R(l, VLAPIC_VER) = R(l, VLAPIC_PPR) = 0;
	R(l, VLAPIC_ICR_LO) = R(l, VLAPIC_ICR_LO + 4) = 0;
	R(l, VLAPIC_DFR) = 0xffffffff;
	R(l, VLAPIC_SVR) = 0xff;
	for (int i = 0; i < 6; i++)
		R(l, VLAPIC_LVT_TIMER + 16 * i) = LVT_MASK;
	R(l, VLAPIC_TIMER_INIT) = R(l, VLAPIC_TIMER_DIV) = 0;
	l->timer_start = l->timer_deadline = 0;
}

/* The x2APIC LDR is derived from the ID: cluster in bits 31:16, one bit
 * of 16 in 15:0 (§11.12.10.2). */
static u32 x2apic_ldr(const struct vlapic *l)
{
	return ((l->id >> 4) << 16) | (1u << (l->id & 0xf));
}

/* Entering x2APIC mode (or INIT in it): the page holds ID, version and
 * LDR as x2APIC reads see them (vlapic.h); the xAPIC LDR is gone
 * (§11.12.5.1: the transition initializes the logical ID). */
static void x2apic_page(struct vlapic *l)
{
	R(l, VLAPIC_ID) = l->id;
	R(l, VLAPIC_VER) = VERSION;
	R(l, VLAPIC_LDR) = x2apic_ldr(l);
}

void vlapic_init(struct vlapic *l, u32 id)
{
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->enabled = true;
	reset_regs(l);
}

void vlapic_reset(struct vlapic *l, bool power_on)
{
	u64 f = spin_lock_irqsave(&l->lock);

	reset_regs(l);
	if (l->pv_eoi_armed) /* the answer is moot: nothing is in service now */
		__atomic_fetch_and(l->pv_eoi, ~1u, __ATOMIC_ACQ_REL);
	l->pv_eoi = NULL; /* the guest enables it again (an INIT'ed CPU's OS may be a new one) */
	l->pv_eoi_msr = 0;
	l->pv_eoi_armed = false;
	if (power_on) {
		__atomic_store_n(&l->enabled, true, __ATOMIC_RELEASE);
		l->x2apic = false;
	}
	if (l->x2apic)
		x2apic_page(l);
	spin_unlock_irqrestore(&l->lock, f);
}

/* PPR (§11.8.3.1) with @isr the highest vector in service or -1. */
static u32 ppr_with(const struct vlapic *l, int isr)
{
	u32 isrv = isr < 0 ? 0 : (u32)isr & 0xf0;

	return (R(l, VLAPIC_TPR) & 0xf0) >= isrv ? R(l, VLAPIC_TPR) & 0xff : isrv;
}

static u32 ppr(const struct vlapic *l)
{
	return ppr_with(l, highest(MAP(l, VLAPIC_ISR)));
}

/* IRR with the posted vectors not yet taken in (any CPU, for dumps). */
int vlapic_highest_irr(const struct vlapic *l)
{
	for (int i = 7; i >= 0; i--) {
		u32 w = word(MAP(l, VLAPIC_IRR), i) | __atomic_load_n(&l->posted[i], __ATOMIC_ACQUIRE);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

int vlapic_highest_isr(const struct vlapic *l) { return highest(MAP(l, VLAPIC_ISR)); }

/* ---- timer ---- */

static u32 divisor(const struct vlapic *l)
{
	u32 d = ((R(l, VLAPIC_TIMER_DIV) & 8) >> 1) | (R(l, VLAPIC_TIMER_DIV) & 3);

	return d == 7 ? 1 : 2u << d;
}

/* TSC ticks for @count timer counts (bus counts are nanoseconds). */
static u64 counts_to_tsc(const struct vlapic *l, u64 count)
{
	return count * divisor(l) * tsc_khz() / VLAPIC_BUS_KHZ;
}

static bool deadline_mode(const struct vlapic *l)
{
	return (R(l, VLAPIC_LVT_TIMER) & TIMER_MODE) == TIMER_TSC_DEADLINE;
}

static void timer_start(struct vlapic *l)
{
	if (deadline_mode(l))
		return; /* the initial count is ignored (§11.5.4.1) */
	l->timer_start = rdtsc();
	l->timer_deadline = R(l, VLAPIC_TIMER_INIT) ?
		l->timer_start + MAX(counts_to_tsc(l, R(l, VLAPIC_TIMER_INIT)), 1) : 0;
}

static u32 timer_current(const struct vlapic *l)
{
	u64 period = counts_to_tsc(l, R(l, VLAPIC_TIMER_INIT)), elapsed;

	if (!R(l, VLAPIC_TIMER_INIT) || !period || deadline_mode(l))
		return 0;
	elapsed = rdtsc() - l->timer_start;
	if (!(R(l, VLAPIC_LVT_TIMER) & TIMER_PERIODIC) && elapsed >= period)
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
	if (!(R(l, VLAPIC_LVT_TIMER) & LVT_MASK)) {
		clear_bit_atomic(MAP(l, VLAPIC_TMR), R(l, VLAPIC_LVT_TIMER) & 0xff); /* edge (§11.8.4) */
		set_bit_atomic(MAP(l, VLAPIC_IRR), R(l, VLAPIC_LVT_TIMER) & 0xff);
	}
	if (R(l, VLAPIC_LVT_TIMER) & TIMER_PERIODIC) {
		u64 period = MAX(counts_to_tsc(l, R(l, VLAPIC_TIMER_INIT)), 1);

		l->timer_start = l->timer_deadline;
		l->timer_deadline += period * ((now - l->timer_deadline) / period + 1);
	} else {
		l->timer_deadline = 0;
	}
	return l->timer_deadline;
}

/* ---- delivery ---- */

/* The owner: posted vectors into IRR, a word at a time, only the words
 * @posted_words names. A raiser sets its word, then the word's bit: the
 * bit taken here before the words are read either comes with its word or
 * stays set for the next time (an empty word is then taken harmlessly). */
static __attribute__((noinline)) void take_posted_words(struct vlapic *l)
{
	u32 words = __atomic_exchange_n(&l->posted_words, 0, __ATOMIC_ACQ_REL);

	while (words) {
		int i = __builtin_ctz(words);

		words &= words - 1;
		__atomic_fetch_or(&MAP(l, VLAPIC_IRR)[i << 2],
				  __atomic_exchange_n(&l->posted[i], 0, __ATOMIC_ACQ_REL),
				  __ATOMIC_RELEASE);
	}
}

static inline void take_posted(struct vlapic *l)
{
	if (__atomic_load_n(&l->posted_words, __ATOMIC_ACQUIRE))
		take_posted_words(l);
}

int vlapic_pending(struct vlapic *l)
{
	int irr;

	take_posted(l);
	if (!l->enabled || !(R(l, VLAPIC_SVR) & SVR_ENABLE))
		return -1;
	irr = highest(MAP(l, VLAPIC_IRR));
	return irr >= 16 && ((u32)irr & 0xf0) > (ppr(l) & 0xf0) ? irr : -1;
}

void vlapic_accept(struct vlapic *l, int vector)
{
	clear_bit_atomic(MAP(l, VLAPIC_IRR), vector);
	set_bit(MAP(l, VLAPIC_ISR), vector);
}

/* TMR first, then the posted bit: the owner that takes the vector into
 * IRR sees its TMR. */
void vlapic_raise_level(struct vcpu *v, u8 vector, bool level)
{
	struct vlapic *l = &v->lapic;
	u64 f = spin_lock_irqsave(&l->lock);
	bool enabled = l->enabled;

	if (enabled) {
		if (level)
			set_bit_atomic(MAP(l, VLAPIC_TMR), vector);
		else
			clear_bit_atomic(MAP(l, VLAPIC_TMR), vector);
		__atomic_fetch_or(&l->posted[vector >> 5], 1u << (vector & 31), __ATOMIC_RELEASE);
		__atomic_fetch_or(&l->posted_words, 1u << (vector >> 5), __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&l->lock, f);
	if (enabled)
		vcpu_request(v, VCPU_REQ_INTR);
}

void vlapic_raise(struct vcpu *v, u8 vector)
{
	vlapic_raise_level(v, vector, false);
}

/* Is @vec level-triggered (its TMR bit set, §11.8.4)? */
static bool level_triggered(const struct vlapic *l, int vec)
{
	return word(MAP(l, VLAPIC_TMR), vec >> 5) & (1u << (vec & 31));
}

/* The EOI of @vec ended it in ISR: a level-triggered one is broadcast to
 * the I/O APIC so it clears Remote IRR (§11.8.5). */
static void eoi_ended(struct vcpu *v, struct vlapic *l, int vec)
{
	if (level_triggered(l, vec))
		vm_eoi_broadcast(v->vm, (u8)vec);
}

/* EOI ends the highest in-service vector. */
static void eoi(struct vcpu *v, struct vlapic *l)
{
	int isr = highest(MAP(l, VLAPIC_ISR));

	if (isr < 0)
		return;
	clear_bit(MAP(l, VLAPIC_ISR), isr);
	eoi_ended(v, l, isr);
}

/* ---- paravirtual EOI (vlapic.h) ---- */

bool vlapic_pv_eoi_write(struct vcpu *v, u64 val)
{
	struct vlapic *l = &v->lapic;
	u32 *word = NULL;

	if (val & 2)
		return false; /* reserved */
	if ((val & 1) && !(word = gmem_ptr(&v->vm->mem, val & ~3ULL, 4)))
		return false; /* not a word of guest RAM */
	vlapic_pv_eoi_settle(v, l); /* the old word's answer first */
	l->pv_eoi = word;
	l->pv_eoi_msr = val;
	return true;
}

u64 vlapic_pv_eoi_read(const struct vlapic *l)
{
	return l->pv_eoi_msr;
}

/* One locked read-and-clear: the vCPU is out of the guest, but the word
 * is guest RAM that another vCPU may write. */
void vlapic_pv_eoi_settle_armed(struct vcpu *v, struct vlapic *l)
{
	l->pv_eoi_armed = false;
	if (!(__atomic_fetch_and(l->pv_eoi, ~1u, __ATOMIC_ACQ_REL) & 1)) {
		eoi(v, l); /* the guest cleared it: its EOI */
		l->changed = true;
		l->pv_eois++;
	}
}

void vlapic_pv_eoi_try_arm(struct vlapic *l)
{
	int isr;

	take_posted(l);
	isr = highest(MAP(l, VLAPIC_ISR));
	if (isr < 0 || level_triggered(l, isr) || highest(MAP(l, VLAPIC_IRR)) >= 0)
		return; /* nothing to end, a level EOI must reach the I/O APIC, or one waits */
	__atomic_fetch_or(l->pv_eoi, 1u, __ATOMIC_ACQ_REL);
	l->pv_eoi_armed = true;
}

/* ICR (§11.6.1): destination by shorthand or by the destination field;
 * lowest-priority delivery goes to the first match. Only the vCPUs of the
 * sender's VM are candidates; an APIC ID outside it matches nothing, and
 * a globally disabled APIC receives nothing, not even by shorthand. */
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

		if (!hit || !__atomic_load_n(&t->lapic.enabled, __ATOMIC_ACQUIRE))
			continue;
		vcpu_deliver_ipi(t, mode, lo & 0xff);
		if (mode == 1 && !shorthand)
			break;
	}
}

/* ---- registers ---- */

static inline __attribute__((always_inline)) u32 read_reg(struct vlapic *l, u32 reg)
{
	if (reg >= VLAPIC_ISR && reg < VLAPIC_ISR + 0x80)
		return R(l, reg);
	if (reg >= VLAPIC_TMR && reg < VLAPIC_IRR + 0x80) { /* TMR (a), IRR (oa) */
		take_posted(l);
		return __atomic_load_n(&R(l, reg), __ATOMIC_ACQUIRE);
	}
	if (reg >= VLAPIC_LVT_TIMER && reg <= VLAPIC_LVT_ERROR)
		return R(l, reg);
	switch (reg) {
	case VLAPIC_ID: return l->x2apic ? l->id : l->id << 24;
	case VLAPIC_VER: return VERSION;
	case VLAPIC_TPR: return R(l, VLAPIC_TPR);
	case VLAPIC_PPR: return ppr(l);
	case VLAPIC_LDR: return R(l, VLAPIC_LDR);
	case VLAPIC_DFR: return R(l, VLAPIC_DFR);
	case VLAPIC_SVR: return R(l, VLAPIC_SVR);
	case VLAPIC_ESR: return R(l, VLAPIC_ESR);
	case VLAPIC_ICR_LO: return 0; /* delivery is immediate: never pending */
	case VLAPIC_ICR_HI: return R(l, VLAPIC_ICR_HI);
	case VLAPIC_TIMER_INIT: return R(l, VLAPIC_TIMER_INIT);
	case VLAPIC_TIMER_CUR: return timer_current(l);
	case VLAPIC_TIMER_DIV: return R(l, VLAPIC_TIMER_DIV);
	default: return 0;
	}
}

static void write_reg(struct vcpu *v, struct vlapic *l, u32 reg, u32 val)
{
	l->changed = true;
	if (reg == VLAPIC_LVT_TIMER && ((val ^ R(l, VLAPIC_LVT_TIMER)) & TIMER_MODE))
		l->timer_deadline = 0; /* a mode change disarms the timer */
	if (reg >= VLAPIC_LVT_TIMER && reg <= VLAPIC_LVT_ERROR) {
		R(l, reg) = val;
		return;
	}
	switch (reg) {
	case VLAPIC_TPR: R(l, VLAPIC_TPR) = val & 0xff; break;
	case VLAPIC_EOI: eoi(v, l); break;
	case VLAPIC_LDR: R(l, VLAPIC_LDR) = val & 0xff000000; break;
	case VLAPIC_DFR: R(l, VLAPIC_DFR) = val | 0x0fffffff; break;
	case VLAPIC_SVR: R(l, VLAPIC_SVR) = val & 0x1ff; break;
	case VLAPIC_ESR: R(l, VLAPIC_ESR) = 0; break;
	case VLAPIC_ICR_HI: R(l, VLAPIC_ICR_HI) = val; break;
	case VLAPIC_ICR_LO: send_ipi(v, val, R(l, VLAPIC_ICR_HI) >> 24); break;
	case VLAPIC_TIMER_INIT:
		R(l, VLAPIC_TIMER_INIT) = val;
		timer_start(l);
		break;
	case VLAPIC_TIMER_DIV: R(l, VLAPIC_TIMER_DIV) = val & 0xb; break;
	default: break; /* read-only or reserved: ignored */
	}
}

/* Also PPR into the page, where the CPU keeps it while the guest runs
 * (SDM Vol. 3C §30.1.3) and APIC-register virtualization reads it. */
void vlapic_vapic_state(struct vlapic *l, struct vcpu_vapic *s)
{
	int irr, isr = highest(MAP(l, VLAPIC_ISR));

	R(l, VLAPIC_PPR) = ppr_with(l, isr);
	take_posted(l);
	irr = highest(MAP(l, VLAPIC_IRR));
	s->rvi = irr >= 16 && (R(l, VLAPIC_SVR) & SVR_ENABLE) ? (u8)irr : 0;
	s->svi = isr > 0 ? (u8)isr : 0;
	for (int i = 0; i < 8; i++)
		s->eoi_exit[i] = word(MAP(l, VLAPIC_TMR), i);
}

void vlapic_eoi_exited(struct vcpu *v, u8 vector)
{
	struct vlapic *l = &v->lapic;

	l->changed = true;
	eoi_ended(v, l, vector);
}

u64 vlapic_cr8_read(const struct vlapic *l)
{
	return R(l, VLAPIC_TPR) >> 4;
}

bool vlapic_cr8_write(struct vcpu *v, u64 val)
{
	if (val >> 4)
		return false;
	vlapic_pv_eoi_settle(v, &v->lapic);
	write_reg(v, &v->lapic, VLAPIC_TPR, (u32)val << 4);
	return true;
}

/* The MMIO page is decoded only in xAPIC mode: disabled (§11.4.3) or in
 * x2APIC mode (§11.12.1.2) it acts as nothing there, like an unclaimed
 * address of a PC (reads all-ones, writes dropped). */
static bool mmio_decoded(const struct vlapic *l)
{
	return l->enabled && !l->x2apic;
}

u64 vlapic_mmio_read(void *dev, u64 offset, unsigned size)
{
	struct vcpu *v = vcpu_current();

	(void)dev, (void)size;
	if (!mmio_decoded(&v->lapic))
		return 0xffffffff;
	vlapic_pv_eoi_settle(v, &v->lapic);
	return read_reg(&v->lapic, (u32)offset & 0xff0);
}

void vlapic_mmio_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct vcpu *v = vcpu_current();

	(void)dev, (void)size;
	if (!mmio_decoded(&v->lapic))
		return;
	vlapic_pv_eoi_settle(v, &v->lapic);
	write_reg(v, &v->lapic, (u32)offset & 0xff0, (u32)val);
}

/* ---- TSC deadline and x2APIC ----
 * The deadline is in the guest's TSC and compared with the host's: they
 * are the same clock, as both back-ends run guests with a TSC offset of
 * 0 and no scaling, and writes to IA32_TSC are ignored (exit_msr.c). */

bool vlapic_tsc_deadline_read(struct vlapic *l, u64 *val)
{
	*val = deadline_mode(l) ? l->timer_deadline : 0;
	return true;
}

/* Writes outside TSC-deadline mode are ignored (§11.5.4.1). */
bool vlapic_tsc_deadline_write(struct vlapic *l, u64 val)
{
	l->changed = true;
	if (deadline_mode(l))
		l->timer_deadline = val;
	return true;
}

/* ---- IA32_APIC_BASE ---- */

u64 vlapic_base_read(const struct vlapic *l, bool bsp)
{
	return VLAPIC_BASE | (bsp ? APIC_BASE_BSP : 0) | (l->enabled ? APIC_BASE_EN : 0) |
	       (l->x2apic ? APIC_BASE_EXTD : 0);
}

/* EN=0: the APIC is off and its state is lost (§11.4.3); the lock keeps
 * raisers from setting IRR bits behind the reset. */
static void set_enabled(struct vlapic *l, bool on)
{
	u64 f = spin_lock_irqsave(&l->lock);

	if (!on)
		reset_regs(l);
	__atomic_store_n(&l->enabled, on, __ATOMIC_RELEASE); /* senders read it unlocked */
	spin_unlock_irqrestore(&l->lock, f);
}

/*
 * Table 11-5 and Figure "Local x2APIC State Transitions" (§11.12.5):
 * xAPIC <-> disabled, xAPIC -> x2APIC, x2APIC -> disabled are valid;
 * EN=0 with EXTD=1 is invalid, and x2APIC -> xAPIC and disabled ->
 * x2APIC are not transitions of that figure: #GP. Bits 0-7 and 9 are
 * reserved. The base address (bits 12 up) may not change: the page is one
 * registration on the VM's bus shared by every vCPU, and a guest that
 * moved it would find nothing at the new address; a #GP at the WRMSR
 * says so where it happens (no PC operating system moves it).
 */
bool vlapic_base_write(struct vlapic *l, u64 val, bool bsp)
{
	u64 mode = APIC_BASE_EN | APIC_BASE_EXTD;
	bool en = val & APIC_BASE_EN, extd = val & APIC_BASE_EXTD;

	(void)bsp; /* read-only here */
	if ((val & ~(mode | APIC_BASE_BSP)) != VLAPIC_BASE || (extd && !en))
		return false;
	if ((l->x2apic && en && !extd) || (!l->enabled && extd))
		return false;
	if (en != l->enabled)
		set_enabled(l, en);
	if (extd && !l->x2apic)
		x2apic_page(l);
	l->x2apic = extd;
	l->changed = true;
	return true;
}

/*
 * The registers of the x2APIC MSR range (SDM Vol. 3A §11.12.1.2, Table
 * 11-6): MSR 0x800 + offset/16 for these xAPIC offsets only; DFR, ICR
 * high, APR, the CMCI LVT (no machine check here) and the rest of the
 * range are absent, and any access to them raises #GP.
 */
static bool x2apic_reg_exists(u32 reg)
{
	switch (reg) {
	case VLAPIC_ID: case VLAPIC_VER: case VLAPIC_TPR: case VLAPIC_PPR: case VLAPIC_EOI: case VLAPIC_LDR:
	case VLAPIC_SVR: case VLAPIC_ESR: case VLAPIC_ICR_LO: case VLAPIC_TIMER_INIT: case VLAPIC_TIMER_CUR:
	case VLAPIC_TIMER_DIV: case VLAPIC_SELF_IPI:
		return true;
	default: /* ISR, TMR, IRR; the LVT from timer to error */
		return (reg >= VLAPIC_ISR && reg < VLAPIC_IRR + 0x80) ||
		       (reg >= VLAPIC_LVT_TIMER && reg <= VLAPIC_LVT_ERROR);
	}
}

/* Table 11-6: a WRMSR to a read-only register raises #GP. */
static bool x2apic_read_only(u32 reg)
{
	return reg == VLAPIC_ID || reg == VLAPIC_VER || reg == VLAPIC_PPR || reg == VLAPIC_LDR ||
	       reg == VLAPIC_TIMER_CUR || (reg >= VLAPIC_ISR && reg < VLAPIC_IRR + 0x80);
}

/*
 * Reserved bits (§11.12.1.3: a non-zero write to them raises #GP): the
 * upper 32 bits of every register but the ICR; EOI and ESR take only 0;
 * SELF IPI only a vector (bits 7:0); TPR bits 7:0; the divide
 * configuration bits 0, 1 and 3. (The LVT, SVR and ICR reserved bits are
 * not checked: they are ignored.)
 */
static bool x2apic_reserved_set(u32 reg, u64 val)
{
	if (reg != VLAPIC_ICR_LO && (val >> 32))
		return true;
	switch (reg) {
	case VLAPIC_EOI: case VLAPIC_ESR: return val != 0;
	case VLAPIC_SELF_IPI: case VLAPIC_TPR: return val & ~0xffULL;
	case VLAPIC_TIMER_DIV: return val & ~0xbULL;
	default: return false;
	}
}

bool vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct vlapic *l = &v->lapic;
	u32 reg = (msr & 0xff) << 4;

	if (!l->x2apic || !x2apic_reg_exists(reg) || reg == VLAPIC_EOI || reg == VLAPIC_SELF_IPI)
		return false; /* absent, or write-only */
	vlapic_pv_eoi_settle(v, l);
	if (reg == VLAPIC_LDR)
		*val = R(l, VLAPIC_LDR); /* x2apic_page() */
	else if (reg == VLAPIC_ICR_LO)
		*val = (u64)R(l, VLAPIC_ICR_LO + 4) << 32 | R(l, VLAPIC_ICR_LO);
	else
		*val = read_reg(l, reg);
	return true;
}

bool vlapic_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vlapic *l = &v->lapic;
	u32 reg = (msr & 0xff) << 4;

	if (!l->x2apic || !x2apic_reg_exists(reg) || x2apic_read_only(reg) ||
	    x2apic_reserved_set(reg, val))
		return false;
	vlapic_pv_eoi_settle(v, l);
	if (reg == VLAPIC_ICR_LO) { /* one 64-bit register, kept where RDMSR reads it */
		R(l, VLAPIC_ICR_LO) = (u32)val;
		R(l, VLAPIC_ICR_LO + 4) = (u32)(val >> 32);
		send_ipi(v, (u32)val, (u32)(val >> 32));
	} else if (reg == VLAPIC_SELF_IPI) {
		vlapic_raise(v, (u8)val);
	} else {
		write_reg(v, l, reg, (u32)val);
	}
	return true;
}
