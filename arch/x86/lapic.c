// SPDX-License-Identifier: MIT
/*
 * Local APIC access in both modes. Register offsets are the xAPIC MMIO
 * offsets; in x2APIC mode register R is MSR 0x800 + R/16 and the ICR is one
 * 64-bit MSR with a 32-bit destination (SDM Vol. 3A §11.12.1, Table 11-6).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/pgtable.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"

#define APIC_ID 0x20
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0
#define LVT_TSC_DEADLINE (2u << 17)
#define MSR_TSC_DEADLINE 0x6e0

#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN (1ULL << 11)
#define ICR_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_NMI (4u << 8)
#define ICR_ALL_BUT_SELF (3u << 18)
#define LVT_MASKED (1u << 16)

static bool x2apic;
static u64 mmio_base;
static bool tsc_deadline;
static u64 timer_khz; /* one-shot count mode: ticks per ms at divide 1 */

static u32 apic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(0x800 + (reg >> 4));
	return mmio_read32(mmio_base + reg);
}

static void apic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio_write32(mmio_base + reg, v);
}

void legacy_pic_mask(void)
{
	outb(0xa1, 0xff);
	outb(0x21, 0xff);
}

void lapic_setup(u64 madt_base, bool allow_x2apic)
{
	u64 msr = rdmsr(MSR_IA32_APIC_BASE);

	/* Firmware that already chose x2APIC must be followed (§11.12.5). */
	x2apic = (msr & APIC_BASE_EXTD) ||
		 (allow_x2apic && (cpuid(1, 0).ecx & (1u << 21)));
	mmio_base = madt_base ? madt_base : (msr & PT_ADDR_MASK);
	if (!x2apic)
		paging_map_mmio(mmio_base, 4096);
}

void lapic_cpu_init(void)
{
	u64 msr = rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_EN;

	if (x2apic)
		msr |= APIC_BASE_EXTD;
	wrmsr(MSR_IA32_APIC_BASE, msr);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, LVT_MASKED);
	apic_write(APIC_LVT_ERROR, LVT_MASKED);
	apic_write(APIC_SVR, 0x100 | 0xff); /* enable, spurious vector 0xff */
}

bool lapic_is_x2apic(void) { return x2apic; }
u64 lapic_mmio_base(void) { return mmio_base; }

u32 lapic_id(void)
{
	u32 id = apic_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void) { apic_write(APIC_EOI, 0); }

static void send_icr(u32 dest, u32 lo)
{
	if (x2apic) {
		wrmsr(0x830, ((u64)dest << 32) | lo);
		return;
	}
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, lo);
	for (int i = 0; i < 1000000 && (apic_read(APIC_ICR_LO) & ICR_PENDING); i++)
		cpu_relax();
}

void lapic_send_init(u32 apic_id) { send_icr(apic_id, ICR_INIT | ICR_LEVEL_ASSERT); }
void lapic_send_sipi(u32 apic_id, u8 page) { send_icr(apic_id, ICR_STARTUP | page); }
void lapic_send_fixed(u32 apic_id, u8 vector) { send_icr(apic_id, vector); }
void lapic_send_nmi_others(void) { send_icr(0, ICR_NMI | ICR_ALL_BUT_SELF | ICR_LEVEL_ASSERT); }

/* Count-mode rate: count down for 10 ms of TSC time (SDM Vol. 3A §11.5.4),
 * divide by 1. */
void lapic_timer_calibrate(void)
{
	tsc_deadline = cpuid(1, 0).ecx & (1u << 24);
	apic_write(APIC_TIMER_DIV, 0xb); /* divide by 1 */
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	udelay(10000);
	timer_khz = (0xffffffffu - apic_read(APIC_TIMER_CUR)) / 10;
	apic_write(APIC_TIMER_INIT, 0);
}

bool lapic_timer_tsc_deadline(void) { return tsc_deadline; }

/* The deadline each CPU last armed, 0 once it fired (lapic_timer_expired):
 * re-arming is skipped when unchanged (it sits on the path of every guest
 * entry); and whether its LVT timer entry (and divide configuration) are
 * set up for lapic_timer_arm, which only the first arm on a CPU writes. */
static u64 armed[MAX_CPUS];
static bool lvt_set[MAX_CPUS];

void lapic_timer_arm(u64 deadline)
{
	unsigned cpu = this_cpu()->cpu;
	u64 now, ticks;

	if (deadline == armed[cpu] && (!deadline || rdtsc() < deadline))
		return;
	armed[cpu] = deadline;
	if (!lvt_set[cpu]) {
		lvt_set[cpu] = true;
		if (!tsc_deadline)
			apic_write(APIC_TIMER_DIV, 0xb);
		apic_write(APIC_LVT_TIMER, (tsc_deadline ? LVT_TSC_DEADLINE : 0) | VEC_LAPIC_TIMER);
	}
	if (tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, deadline);
		return;
	}
	if (!deadline) {
		apic_write(APIC_TIMER_INIT, 0);
		return;
	}
	now = rdtsc();
	ticks = deadline > now ? (deadline - now) * timer_khz / tsc_khz() : 1;
	apic_write(APIC_TIMER_INIT, ticks > 0xffffffffu ? 0xffffffffu : (ticks ? (u32)ticks : 1));
}

u64 lapic_timer_armed(bool *counting)
{
	*counting = tsc_deadline ? rdmsr(MSR_TSC_DEADLINE) != 0 : apic_read(APIC_TIMER_CUR) != 0;
	return armed[this_cpu()->cpu];
}

/* The timer's interrupt: it fired, so it is idle now (a one-shot count
 * and a TSC deadline both stop), and arming it again must write it. An
 * expiry taken after the CPU re-armed it only costs a redundant write. */
void lapic_timer_expired(void)
{
	armed[this_cpu()->cpu] = 0;
	lapic_eoi();
}
