// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the virtual local APIC (vmm/dev/vlapic.c): the
 * cross-CPU rules of vlapic.h under real threads (one thread raising a
 * vector into the IRR word the owner's timer fires into, while the owner
 * accepts; one thread raising while the owner resets the APIC under the
 * lock it must never reinitialize), IA32_APIC_BASE mode transitions (SDM
 * Vol. 3A §11.12.5: xAPIC, x2APIC, disabled, the invalid ones #GP), what a
 * disabled APIC does (registers reset, LVT masked, nothing delivered or
 * matched, MMIO page absent), IPIs reaching only enabled APICs of the VM,
 * INIT keeping the mode and a reset not,
 * level-triggered EOI broadcast through the TMR, and the TSC-deadline
 * timer (SDM Vol. 3A §11.5.4.1: IA32_TSC_DEADLINE reads the armed value,
 * 0 once it fired or outside TSC-deadline mode, where writes are ignored;
 * writing 0 disarms; a past deadline fires at the next poll; a mode
 * change disarms; the initial count is ignored and the current count
 * reads 0), by MMIO and through the x2APIC MSRs.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch/x86/cpu.h"
#include "arch/x86/virt.h"
#include "vmm/dev/vlapic.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define TIMER_VEC 0x30 /* the timer and the IPI share IRR word 1 */
#define IPI_VEC 0x31
#define REG_EOI 0xb0
#define REG_SVR 0xf0
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INIT 0x380
#define REG_IRR 0x200
#define REG_TIMER_CUR 0x390
#define LVT_MASKED (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)
#define FAR (1ULL << 50)  /* TSC ticks: never reached during a test */
#define APIC_BASE 0xfee00000ULL
#define BSP (1ULL << 8)
#define EXTD (1ULL << 10)
#define EN (1ULL << 11)

static struct vm vm;
static struct vcpu cpu, sibling;
static u32 requests;
static unsigned ipis, ipi_to, ipi_mode;
static u32 eoi_vector;
static unsigned eois;

/* ---- stubs for what vlapic.c calls ---- */

struct vcpu *vcpu_current(void) { return &cpu; }
u64 tsc_khz(void) { return 1000000; }

void vcpu_request(struct vcpu *v, u32 req)
{
	(void)v;
	__atomic_fetch_or(&requests, req, __ATOMIC_RELAXED);
}

void vcpu_deliver_ipi(struct vcpu *v, u32 mode, u8 vector)
{
	(void)vector;
	ipis++;
	ipi_to = v->id;
	ipi_mode = mode;
}

void vm_eoi_broadcast(struct vm *m, u8 vector)
{
	(void)m;
	eoi_vector = vector;
	eois++;
}

/* Guest RAM for the paravirtual EOI word: [RAM_GPA, RAM_GPA + 64). */
#define RAM_GPA 0x1000ULL
static u32 ram[16];

void *gmem_ptr(const struct gmem *m, u64 gpa, u64 len)
{
	(void)m;
	if (gpa < RAM_GPA || gpa + len > RAM_GPA + sizeof(ram) || gpa + len < gpa)
		return NULL;
	return (u8 *)ram + (gpa - RAM_GPA);
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&cpu, 0, sizeof(cpu));
	memset(&sibling, 0, sizeof(sibling));
	cpu.vm = sibling.vm = &vm;
	sibling.id = 1;
	vm.nvcpus = 1;
	vm.vcpus[0] = &cpu;
	vm.vcpus[1] = &sibling;
	vlapic_init(&cpu.lapic, 0);
	vlapic_init(&sibling.lapic, 1);
	requests = ipis = 0;
	eois = 0;
	return 0;
}

static u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (u64)t.tv_sec * 1000000000ULL + (u64)t.tv_nsec;
}

/* ---- raise on one thread, timer + accept on the owner's ---- */

#define RACE_ROUNDS 200000
#define RACE_MIN_ROUNDS 1000
#define RACE_NS 2000000000ULL  /* or 2 s once RACE_MIN_ROUNDS are done */
#define RACE_MAX_NS 60000000000ULL
#define LOST_LOOPS 3           /* owner passes that must have taken it */

static volatile u32 delivered, race_done, owner_loops;
static unsigned lost, rounds;

/* The owner: fire the timer (an edge into IRR word 1) again and again and
 * take whatever is deliverable, as the vCPU loop does before an entry. */
static void *owner_thread(void *arg)
{
	struct vlapic *l = &cpu.lapic;

	(void)arg;
	while (!__atomic_load_n(&race_done, __ATOMIC_ACQUIRE)) {
		int vec;

		l->page[VLAPIC_LVT_TIMER >> 2] = TIMER_VEC;
		l->timer_deadline = 1; /* long past: fires now */
		vlapic_timer_poll(l);
		while ((vec = vlapic_pending(l)) >= 0) {
			vlapic_accept(l, vec);
			l->page[(VLAPIC_ISR >> 2) + ((vec >> 5) << 2)] &= ~(1u << (vec & 31)); /* EOI */
			if (vec == IPI_VEC)
				__atomic_fetch_add(&delivered, 1, __ATOMIC_RELEASE);
		}
		__atomic_fetch_add(&owner_loops, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * Another CPU: raise the IPI, wait until the owner took it. Every owner
 * pass that starts after the raise drains the IRR, so an IPI still not
 * taken after LOST_LOOPS passes is lost (no timeout: a descheduled owner
 * only makes the wait longer).
 */
static void *raiser_thread(void *arg)
{
	u64 start_ns = now_ns();

	(void)arg;
	for (rounds = 0; rounds < RACE_ROUNDS && !lost; rounds++) {
		u64 t = now_ns() - start_ns;
		u32 want = __atomic_load_n(&delivered, __ATOMIC_ACQUIRE) + 1;
		u32 start;

		if ((t > RACE_NS && rounds >= RACE_MIN_ROUNDS) || t > RACE_MAX_NS)
			break;
		vlapic_raise(&cpu, IPI_VEC);
		start = __atomic_load_n(&owner_loops, __ATOMIC_ACQUIRE);
		while (__atomic_load_n(&delivered, __ATOMIC_ACQUIRE) < want) {
			/* passes first, then the count they published */
			if (__atomic_load_n(&owner_loops, __ATOMIC_ACQUIRE) - start >= LOST_LOOPS &&
			    __atomic_load_n(&delivered, __ATOMIC_ACQUIRE) < want) {
				lost++;
				break;
			}
			sched_yield(); /* the owner may share this core */
		}
	}
	__atomic_store_n(&race_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_no_lost_ipi_vs_timer(void **state)
{
	pthread_t owner, raiser;

	(void)state;
	cpu.lapic.page[VLAPIC_SVR >> 2] = 0x1ff; /* software-enabled */
	delivered = race_done = lost = owner_loops = 0;
	assert_int_equal(pthread_create(&owner, NULL, owner_thread, NULL), 0);
	assert_int_equal(pthread_create(&raiser, NULL, raiser_thread, NULL), 0);
	pthread_join(raiser, NULL);
	pthread_join(owner, NULL);
	print_message("%u rounds, %s\n", rounds, lost ? "an IPI was lost" : "no IPI lost");
	assert_int_equal(lost, 0);
	assert_true(rounds >= RACE_MIN_ROUNDS);
}

/* ---- reset on the owner while another CPU raises ---- */

#ifndef RESET_ROUNDS
#define RESET_ROUNDS 20000
#endif
#define STALL_NS 5000000000ULL /* no lock taken for 5 s: a deadlock */

static volatile u32 reset_progress, reset_finished;

static void *reset_raiser(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < RESET_ROUNDS; i++) {
		vlapic_raise(&cpu, (u8)(0x40 + (i & 0x3f)));
		__atomic_fetch_add(&reset_progress, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&reset_finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *reset_owner(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < RESET_ROUNDS; i++) {
		vlapic_reset(&cpu.lapic, i & 1);
		__atomic_fetch_add(&reset_progress, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&reset_finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Wait for both threads while they make progress; false when neither
 * took the lock for STALL_NS (a ticket lock is slow when its threads are
 * descheduled, but it moves). */
static bool reset_threads_finish(void)
{
	u32 last = 0;
	u64 since = now_ns();

	while (__atomic_load_n(&reset_finished, __ATOMIC_ACQUIRE) < 2) {
		u32 p = __atomic_load_n(&reset_progress, __ATOMIC_RELAXED);

		if (p != last) {
			last = p;
			since = now_ns();
		} else if (now_ns() - since > STALL_NS) {
			return false;
		}
		usleep(10000);
	}
	return true;
}

/* A lock zeroed under its holder is a ticket lock whose next ticket never
 * comes up: the raiser or the owner would spin for ever. */
static void test_reset_while_raising(void **state)
{
	pthread_t a, b;

	(void)state;
	reset_progress = reset_finished = 0;
	assert_int_equal(pthread_create(&a, NULL, reset_raiser, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, reset_owner, NULL), 0);
	assert_true(reset_threads_finish()); /* else the threads are stuck */
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	assert_int_equal(cpu.lapic.lock.next, cpu.lapic.lock.owner);
	assert_int_equal(cpu.lapic.lock.next, 2 * RESET_ROUNDS); /* every taker */
	/* the lock still works and the APIC still takes interrupts */
	vlapic_reset(&cpu.lapic, true);
	vlapic_raise(&cpu, 0x50);
	assert_int_equal(vlapic_highest_irr(&cpu.lapic), 0x50);
}

/* ---- IA32_APIC_BASE ---- */

static void test_base_power_up(void **state)
{
	(void)state;
	assert_int_equal(vlapic_base_read(&cpu.lapic, true), APIC_BASE | EN | BSP);
	assert_int_equal(vlapic_base_read(&cpu.lapic, false), APIC_BASE | EN);
	/* writing the value back, with or without BSP, is fine */
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN | BSP, true));
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN, true));
	assert_int_equal(vlapic_base_read(&cpu.lapic, true), APIC_BASE | EN | BSP);
}

static void test_base_invalid(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	assert_false(vlapic_base_write(l, APIC_BASE | EXTD, true));       /* EXTD, !EN */
	assert_false(vlapic_base_write(l, APIC_BASE | EN | 1, true));     /* bit 0 */
	assert_false(vlapic_base_write(l, APIC_BASE | EN | 0x200, true)); /* bit 9 */
	assert_false(vlapic_base_write(l, 0xfed00000ULL | EN, true));     /* moved */
	assert_false(vlapic_base_write(l, APIC_BASE | EN | (1ULL << 52), true));
	assert_int_equal(vlapic_base_read(l, false), APIC_BASE | EN);   /* unchanged */
	/* x2APIC -> xAPIC directly is #GP; x2APIC -> disabled -> xAPIC is not */
	assert_true(vlapic_base_write(l, APIC_BASE | EN | EXTD, true));
	assert_true(l->x2apic);
	assert_false(vlapic_base_write(l, APIC_BASE | EN, true));
	assert_true(l->x2apic);
	assert_true(vlapic_base_write(l, APIC_BASE, true));
	assert_int_equal(vlapic_base_read(l, false), APIC_BASE);
	/* disabled -> x2APIC is not a transition of the figure */
	assert_false(vlapic_base_write(l, APIC_BASE | EN | EXTD, true));
	assert_true(vlapic_base_write(l, APIC_BASE | EN, true));
	assert_int_equal(vlapic_base_read(l, false), APIC_BASE | EN);
	assert_true(vlapic_base_write(l, APIC_BASE | EN | EXTD, true));
	assert_int_equal(vlapic_base_read(l, false), APIC_BASE | EN | EXTD);
}

static void test_disabled_apic(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	vlapic_mmio_write(&vm, REG_SVR, 4, 0x1ff);
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, 0x20030);
	vlapic_mmio_write(&vm, REG_TIMER_INIT, 4, 1000);
	vlapic_raise(&cpu, 0x41);
	assert_int_equal(vlapic_pending(l), 0x41);
	assert_true(vlapic_base_write(l, APIC_BASE, true)); /* EN = 0 */
	assert_int_equal(vlapic_highest_irr(l), -1);         /* state lost */
	assert_int_equal(vlapic_reg(l, VLAPIC_LVT_TIMER), 1u << 16);             /* LVT masked */
	assert_int_equal(l->timer_deadline, 0);
	assert_int_equal(vlapic_mmio_read(&vm, REG_SVR, 4), 0xffffffff); /* absent */
	vlapic_mmio_write(&vm, REG_SVR, 4, 0x1ff);
	requests = 0;
	vlapic_raise(&cpu, 0x42);                            /* dropped */
	assert_int_equal(vlapic_highest_irr(l), -1);
	assert_int_equal(requests, 0);
	assert_false(vlapic_match_dest(l, 0, false));
	assert_false(vlapic_match_dest(l, 0xff, false));
	/* back to xAPIC: the power-up state */
	assert_true(vlapic_base_write(l, APIC_BASE | EN, true));
	assert_int_equal(vlapic_mmio_read(&vm, REG_SVR, 4), 0xff);
	assert_true(vlapic_match_dest(l, 0, false));
	vlapic_raise(&cpu, 0x42);
	assert_int_equal(vlapic_highest_irr(l), 0x42);
	assert_int_equal(vlapic_pending(l), -1); /* software-disabled (SVR) */
}

/* IPIs reach only vCPUs of the VM whose APIC is enabled: an ID outside
 * the VM, or a disabled APIC even by shorthand, gets nothing. */
static void test_ipi_targets(void **state)
{
	(void)state;
	vm.nvcpus = 2;
	vlapic_mmio_write(&vm, 0x310, 4, 1u << 24);
	vlapic_mmio_write(&vm, 0x300, 4, 0x4500); /* INIT to APIC ID 1 */
	assert_int_equal(ipis, 1);
	assert_int_equal(ipi_to, 1);
	assert_int_equal(ipi_mode, 5);
	for (u32 id = 2; id < 0xff; id++) { /* not in this VM */
		vlapic_mmio_write(&vm, 0x310, 4, id << 24);
		vlapic_mmio_write(&vm, 0x300, 4, 0x4500);
		vlapic_mmio_write(&vm, 0x300, 4, 0x4608);
		vlapic_mmio_write(&vm, 0x300, 4, 0x4400);
	}
	assert_int_equal(ipis, 1);
	vlapic_mmio_write(&vm, 0x300, 4, 0xc0400); /* NMI, all excluding self */
	assert_int_equal(ipis, 2);
	assert_true(vlapic_base_write(&sibling.lapic, APIC_BASE, false)); /* EN=0 */
	vlapic_mmio_write(&vm, 0x300, 4, 0xc0400);
	vlapic_mmio_write(&vm, 0x310, 4, 1u << 24);
	vlapic_mmio_write(&vm, 0x300, 4, 0x4500);
	assert_int_equal(ipis, 2);
	vm.nvcpus = 1; /* alone: all-excluding-self reaches nobody */
	assert_true(vlapic_base_write(&sibling.lapic, APIC_BASE | EN, false));
	vlapic_mmio_write(&vm, 0x300, 4, 0xc0400);
	assert_int_equal(ipis, 2);
}

/* In x2APIC mode the MMIO page is gone too (§11.12.1.2). */
static void test_x2apic_mmio_absent(void **state)
{
	u64 val;

	(void)state;
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN | EXTD, true));
	assert_int_equal(vlapic_mmio_read(&vm, REG_SVR, 4), 0xffffffff);
	assert_true(vlapic_msr_read(&cpu, 0x80f, &val));
	assert_int_equal(val, 0xff);
}

static void test_init_keeps_mode(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	assert_true(vlapic_base_write(l, APIC_BASE | EN | EXTD, true));
	vlapic_raise(&cpu, 0x60);
	vlapic_reset(l, false); /* INIT */
	assert_true(l->x2apic && l->enabled);
	assert_int_equal(vlapic_highest_irr(l), -1);
	vlapic_reset(l, true); /* platform reset */
	assert_false(l->x2apic);
	assert_true(l->enabled);
	assert_int_equal(l->id, 0);
}

/* A level-triggered vector's EOI goes to the I/O APIC, an edge's not. */
static void test_level_eoi(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	vlapic_mmio_write(&vm, REG_SVR, 4, 0x1ff);
	vlapic_raise_level(&cpu, 0x70, true);
	assert_int_equal(vlapic_mmio_read(&vm, 0x180 + 0x30, 4), 1u << 16); /* TMR */
	assert_int_equal(vlapic_mmio_read(&vm, REG_IRR + 0x30, 4), 1u << 16);
	vlapic_accept(l, vlapic_pending(l));
	assert_int_equal(vlapic_mmio_read(&vm, REG_IRR + 0x30, 4), 0);
	vlapic_mmio_write(&vm, REG_EOI, 4, 0);
	assert_int_equal(eois, 1);
	assert_int_equal(eoi_vector, 0x70);
	vlapic_raise(&cpu, 0x70); /* edge now: TMR cleared */
	vlapic_accept(l, vlapic_pending(l));
	vlapic_mmio_write(&vm, REG_EOI, 4, 0);
	assert_int_equal(eois, 1);
}

/* ---- the TSC-deadline timer (SDM Vol. 3A §11.5.4.1) ---- */

static u64 deadline_msr(void)
{
	u64 val = 0xdead;

	assert_true(vlapic_tsc_deadline_read(&cpu.lapic, &val));
	return val;
}

static bool timer_vec_pending(void)
{
	return vlapic_highest_irr(&cpu.lapic) == TIMER_VEC;
}

/* Outside TSC-deadline mode the MSR reads 0 and ignores writes. */
static void test_deadline_other_modes(void **state)
{
	(void)state;
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, TIMER_VEC); /* one-shot */
	assert_true(vlapic_tsc_deadline_write(&cpu.lapic, rdtsc() + FAR));
	assert_int_equal(deadline_msr(), 0);
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, LVT_TSC_DEADLINE | TIMER_VEC);
	assert_int_equal(deadline_msr(), 0); /* the ignored write left nothing armed */
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	assert_false(timer_vec_pending());
}

/* Armed: reads back, not due yet; 0 disarms; a past deadline fires at
 * once and then reads 0. */
static void test_deadline_arm_disarm_fire(void **state)
{
	u64 when = rdtsc() + FAR;

	(void)state;
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, LVT_TSC_DEADLINE | TIMER_VEC);
	assert_true(vlapic_tsc_deadline_write(&cpu.lapic, when));
	assert_int_equal(deadline_msr(), when);
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), when); /* the wake-up time */
	assert_false(timer_vec_pending());
	assert_true(vlapic_tsc_deadline_write(&cpu.lapic, 0));
	assert_int_equal(deadline_msr(), 0);
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	assert_false(timer_vec_pending());
	when = rdtsc() - 1000; /* in the past */
	assert_true(vlapic_tsc_deadline_write(&cpu.lapic, when));
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0); /* fired, one-shot */
	assert_true(timer_vec_pending());
	assert_int_equal(deadline_msr(), 0);
	assert_int_equal(vlapic_pending(&cpu.lapic), -1); /* SVR: software-disabled */
	vlapic_mmio_write(&vm, REG_SVR, 4, 0x1ff);
	assert_int_equal(vlapic_pending(&cpu.lapic), TIMER_VEC);
}

/* The initial count does not start it; the current count reads 0. */
static void test_deadline_ignores_count(void **state)
{
	(void)state;
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, LVT_TSC_DEADLINE | TIMER_VEC);
	vlapic_mmio_write(&vm, REG_TIMER_INIT, 4, 1);
	assert_int_equal(deadline_msr(), 0);
	assert_int_equal(vlapic_mmio_read(&vm, REG_TIMER_CUR, 4), 0);
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	assert_false(timer_vec_pending());
}

/* A transition between TSC-deadline mode and another mode disarms; an
 * LVT write that keeps the mode (unmasking) does not. */
static void test_deadline_mode_switch(void **state)
{
	u64 when = rdtsc() + FAR;

	(void)state;
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, LVT_TSC_DEADLINE | LVT_MASKED | TIMER_VEC);
	assert_true(vlapic_tsc_deadline_write(&cpu.lapic, when));
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, LVT_TSC_DEADLINE | TIMER_VEC);
	assert_int_equal(deadline_msr(), when);
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, TIMER_VEC); /* to one-shot */
	assert_int_equal(deadline_msr(), 0);
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, LVT_TSC_DEADLINE | TIMER_VEC); /* back */
	assert_int_equal(deadline_msr(), 0);
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	/* one-shot running, then to TSC-deadline mode: disarmed too */
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, TIMER_VEC);
	vlapic_mmio_write(&vm, REG_TIMER_INIT, 4, 0x7fffffff);
	assert_true(vlapic_timer_poll(&cpu.lapic) != 0);
	assert_int_equal(deadline_msr(), 0); /* not the one-shot's deadline */
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, LVT_TSC_DEADLINE | TIMER_VEC);
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	assert_int_equal(deadline_msr(), 0);
	assert_false(timer_vec_pending());
}

/* Masked: the deadline passes (and disarms) without an interrupt. */
static void test_deadline_masked(void **state)
{
	(void)state;
	vlapic_mmio_write(&vm, REG_LVT_TIMER, 4, LVT_TSC_DEADLINE | LVT_MASKED | TIMER_VEC);
	assert_true(vlapic_tsc_deadline_write(&cpu.lapic, 1));
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	assert_int_equal(deadline_msr(), 0);
	assert_false(timer_vec_pending());
}

/* In x2APIC mode the LVT is MSR 0x832; the deadline works the same, and
 * an INIT resets the LVT to masked one-shot, which disarms. */
static void test_deadline_x2apic(void **state)
{
	u64 val;

	(void)state;
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN | EXTD, true));
	assert_true(vlapic_msr_write(&cpu, 0x832, LVT_TSC_DEADLINE | TIMER_VEC));
	assert_true(vlapic_msr_read(&cpu, 0x832, &val));
	assert_int_equal(val, LVT_TSC_DEADLINE | TIMER_VEC);
	assert_true(vlapic_tsc_deadline_write(&cpu.lapic, rdtsc() + FAR));
	assert_true(deadline_msr() != 0);
	vlapic_reset(&cpu.lapic, false); /* INIT */
	assert_int_equal(deadline_msr(), 0);
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	assert_true(vlapic_msr_write(&cpu, 0x832, LVT_TSC_DEADLINE | TIMER_VEC));
	assert_true(vlapic_tsc_deadline_write(&cpu.lapic, rdtsc()));
	assert_int_equal(vlapic_timer_poll(&cpu.lapic), 0);
	assert_true(timer_vec_pending());
}

/* ---- x2APIC: every register through the MSR interface (SDM Vol. 3A
 * §11.12.1.2 Table 11-6, reserved bits §11.12.1.3) ---- */

static bool x2_rd(u32 msr, u64 *val) { return vlapic_msr_read(&cpu, msr, val); }
static bool x2_wr(u32 msr, u64 val) { return vlapic_msr_write(&cpu, msr, val); }

static u64 x2_get(u32 msr)
{
	u64 val = 0xdeadbeef;

	assert_true(x2_rd(msr, &val));
	return val;
}

/* Outside x2APIC mode every MSR of the range raises #GP. */
static void test_x2apic_msrs_need_x2apic_mode(void **state)
{
	u64 val;

	(void)state;
	for (u32 msr = 0x800; msr <= 0x8ff; msr++) {
		assert_false(x2_rd(msr, &val));
		assert_false(x2_wr(msr, 0));
	}
}

/* Which MSRs exist (Table 11-6), which are read-only, which write-only. */
static void test_x2apic_msr_map(void **state)
{
	u64 val;
	unsigned present = 0;

	(void)state;
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN | EXTD, true));
	for (u32 msr = 0x800; msr <= 0x8ff; msr++) {
		bool exists = msr == 0x802 || msr == 0x803 || msr == 0x808 || msr == 0x80a ||
			      msr == 0x80b || msr == 0x80d || msr == 0x80f ||
			      (msr >= 0x810 && msr <= 0x828) || msr == 0x830 ||
			      (msr >= 0x832 && msr <= 0x839) || msr == 0x83e || msr == 0x83f;
		bool wo = msr == 0x80b || msr == 0x83f;

		assert_int_equal(x2_rd(msr, &val), exists && !wo);
		present += exists;
	}
	assert_int_equal(present, 43); /* 7 up to SVR, 25 ISR..ESR, ICR, 8 LVT/timer, DIV, SELF IPI */
	/* read-only: ID, version, PPR, LDR, ISR, TMR, IRR, current count */
	static const u32 ro[] = { 0x802, 0x803, 0x80a, 0x80d, 0x810, 0x817, 0x818, 0x81f,
				  0x820, 0x827, 0x839 };
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		assert_false(x2_wr(ro[i], 0));
	/* absent: DFR, ICR high, APR, CMCI LVT, the gaps, the range's end */
	static const u32 absent[] = { 0x800, 0x801, 0x804, 0x809, 0x80c, 0x80e, 0x829, 0x82f,
				      0x831, 0x83a, 0x83d, 0x840, 0x8ff };
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_false(x2_wr(absent[i], 0));
}

/* ID, version, LDR derived from the ID (§11.12.10.2), TPR and PPR, SVR,
 * the LVT, the timer registers, ESR. */
static void test_x2apic_msr_registers(void **state)
{
	u64 id, ldr;

	(void)state;
	assert_true(vlapic_base_write(&sibling.lapic, APIC_BASE | EN | EXTD, false));
	assert_true(vlapic_msr_read(&sibling, 0x802, &id));
	assert_true(vlapic_msr_read(&sibling, 0x80d, &ldr));
	assert_int_equal(id, 1);
	assert_int_equal(ldr, 2); /* cluster 0, bit 1 */
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN | EXTD, true));
	assert_int_equal(x2_get(0x803), 0x00050014);
	assert_true(x2_wr(0x808, 0x20));
	assert_int_equal(x2_get(0x808), 0x20);
	assert_int_equal(x2_get(0x80a), 0x20);   /* PPR follows TPR */
	assert_false(x2_wr(0x808, 0x120));       /* TPR bits 31:8 reserved */
	assert_true(x2_wr(0x80f, 0x1ff));
	assert_int_equal(x2_get(0x80f), 0x1ff);
	for (u32 msr = 0x832; msr <= 0x837; msr++) {
		assert_true(x2_wr(msr, 0x10000 | (msr & 0xff)));
		assert_int_equal(x2_get(msr), 0x10000 | (msr & 0xff));
	}
	assert_false(x2_wr(0x833, 1ULL << 32));  /* upper half reserved */
	assert_true(x2_wr(0x83e, 0xb));
	assert_int_equal(x2_get(0x83e), 0xb);
	assert_false(x2_wr(0x83e, 0x4));         /* bit 2 reserved */
	assert_true(x2_wr(0x832, TIMER_VEC));    /* one-shot */
	assert_true(x2_wr(0x838, 0x7fffffff));
	assert_int_equal(x2_get(0x838), 0x7fffffff);
	assert_true(x2_get(0x839) > 0 && x2_get(0x839) <= 0x7fffffff);
	assert_true(x2_wr(0x828, 0));
	assert_false(x2_wr(0x828, 1));           /* ESR: non-zero write #GP */
	assert_int_equal(x2_get(0x828), 0);
}

/* EOI (0 only), ISR/IRR/TMR reads, SELF IPI (vector only, write-only). */
static void test_x2apic_msr_eoi_self_ipi(void **state)
{
	(void)state;
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN | EXTD, true));
	assert_true(x2_wr(0x80f, 0x1ff));
	assert_false(x2_wr(0x83f, 0x141));       /* bits 31:8 reserved */
	assert_int_equal(vlapic_highest_irr(&cpu.lapic), -1);
	assert_true(x2_wr(0x83f, 0x41));
	assert_int_equal(x2_get(0x822), 1u << 1); /* IRR word 2: vector 0x41 */
	assert_int_equal(vlapic_pending(&cpu.lapic), 0x41);
	vlapic_accept(&cpu.lapic, 0x41);
	assert_int_equal(x2_get(0x812), 1u << 1); /* ISR */
	assert_int_equal(x2_get(0x822), 0);
	assert_false(x2_wr(0x80b, 1));           /* EOI: non-zero #GP */
	assert_int_equal(x2_get(0x812), 1u << 1);
	assert_true(x2_wr(0x80b, 0));
	assert_int_equal(x2_get(0x812), 0);
	vlapic_raise_level(&cpu, 0x61, true);
	assert_int_equal(x2_get(0x81b), 1u << 1); /* TMR word 3: vector 0x61 */
}

/* The ICR is one 64-bit MSR: destination in bits 63:32, read back whole. */
static void test_x2apic_msr_icr(void **state)
{
	u64 icr = (1ULL << 32) | 0x4055; /* fixed, level assert, vector 0x55, to ID 1 */

	(void)state;
	vm.nvcpus = 2;
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN | EXTD, true));
	assert_true(x2_wr(0x830, icr));
	assert_int_equal(ipis, 1);
	assert_int_equal(ipi_to, 1);
	assert_int_equal(ipi_mode, 0);
	assert_int_equal(x2_get(0x830), icr);
	assert_true(x2_wr(0x830, (5ULL << 32) | 0x4055)); /* no APIC ID 5 here */
	assert_int_equal(ipis, 1);
	assert_true(x2_wr(0x830, 0x44055)); /* shorthand self */
	assert_int_equal(ipis, 2);
	assert_int_equal(ipi_to, 0);
}

/* Every register write marks the APIC changed for the run loop's quick
 * re-entry (vcpu.c); reads and raises from outside (which come with a
 * request) do not. */
static void test_changed(void **state)
{
	struct vlapic *l = &cpu.lapic;
	u64 val;

	(void)state;
	l->changed = false;
	vlapic_mmio_read(&vm, REG_SVR, 4);
	vlapic_mmio_read(&vm, REG_TIMER_CUR, 4);
	assert_true(vlapic_tsc_deadline_read(l, &val));
	vlapic_raise(&cpu, 0x40);
	assert_false(l->changed);
	vlapic_mmio_write(&vm, 0x80 /* TPR */, 4, 0x20);
	assert_true(l->changed);
	l->changed = false;
	vlapic_mmio_write(&vm, REG_EOI, 4, 0);
	assert_true(l->changed);
	l->changed = false;
	vlapic_mmio_write(&vm, REG_TIMER_INIT, 4, 1000);
	assert_true(l->changed);
	l->changed = false;
	assert_true(vlapic_tsc_deadline_write(l, 0));
	assert_true(l->changed);
	l->changed = false;
	assert_true(vlapic_base_write(l, APIC_BASE | EN | EXTD, true));
	assert_true(l->changed);
	l->changed = false;
	assert_true(x2_rd(0x80f, &val));
	assert_false(l->changed);
	assert_true(x2_wr(0x80b, 0)); /* EOI by MSR */
	assert_true(l->changed);
}

/* ---- paravirtual EOI ---- */

#define PV_WORD (RAM_GPA + 8)

static void in_service(u8 vec, bool level)
{
	vlapic_raise_level(&cpu, vec, level);
	assert_int_equal(vlapic_pending(&cpu.lapic), vec);
	vlapic_accept(&cpu.lapic, vec);
}

static void test_pv_eoi_msr(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	assert_int_equal(vlapic_pv_eoi_read(l), 0);
	assert_false(vlapic_pv_eoi_write(&cpu, PV_WORD | 3));     /* bit 1 reserved */
	assert_false(vlapic_pv_eoi_write(&cpu, 0x100000 | 1));    /* not RAM */
	assert_false(vlapic_pv_eoi_write(&cpu, (RAM_GPA + 62) | 1)); /* straddles its end */
	assert_null(l->pv_eoi);
	assert_true(vlapic_pv_eoi_write(&cpu, PV_WORD | 1));
	assert_int_equal(vlapic_pv_eoi_read(l), PV_WORD | 1);
	assert_ptr_equal(l->pv_eoi, &ram[2]);
	assert_true(vlapic_pv_eoi_write(&cpu, PV_WORD)); /* off: any address */
	assert_null(l->pv_eoi);
	assert_int_equal(vlapic_pv_eoi_read(l), PV_WORD);
	vlapic_pv_eoi_arm(l); /* off: never armed */
	assert_false(l->pv_eoi_armed);
}

/* An edge vector in service, nothing waiting: armed; the guest's clear is
 * its EOI, taken at the next settle. */
static void test_pv_eoi_taken(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	memset(ram, 0, sizeof(ram));
	l->page[VLAPIC_SVR >> 2] = 0x1ff;
	assert_true(vlapic_pv_eoi_write(&cpu, PV_WORD | 1));
	vlapic_pv_eoi_arm(l);
	assert_false(l->pv_eoi_armed); /* nothing in service */
	in_service(0x40, false);
	vlapic_pv_eoi_arm(l);
	assert_true(l->pv_eoi_armed);
	assert_int_equal(ram[2], 1);
	ram[2] = 0; /* the guest's test-and-clear */
	l->changed = false;
	vlapic_pv_eoi_settle(&cpu, l);
	assert_int_equal(vlapic_highest_isr(l), -1);
	assert_true(l->changed);
	assert_false(l->pv_eoi_armed);
	assert_int_equal(eois, 0); /* an edge: no broadcast */
	assert_int_equal(l->pv_eois, 1);
	vlapic_pv_eoi_settle(&cpu, l); /* once only */
	assert_int_equal(ram[2], 0);
}

/* Not answered: the bit is taken back, the vector stays in service and
 * the guest's EOI write ends it; other bits of the word are the guest's. */
static void test_pv_eoi_taken_back(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	memset(ram, 0, sizeof(ram));
	ram[2] = 0xabcd0000;
	l->page[VLAPIC_SVR >> 2] = 0x1ff;
	assert_true(vlapic_pv_eoi_write(&cpu, PV_WORD | 1));
	in_service(0x40, false);
	vlapic_pv_eoi_arm(l);
	assert_int_equal(ram[2], 0xabcd0001);
	vlapic_pv_eoi_settle(&cpu, l);
	assert_int_equal(ram[2], 0xabcd0000);
	assert_int_equal(vlapic_highest_isr(l), 0x40);
	vlapic_mmio_write(&vm, REG_EOI, 4, 0);
	assert_int_equal(vlapic_highest_isr(l), -1);
}

/* Not armed while a vector waits in IRR (even a lower one) or when the
 * one in service is level-triggered (its EOI must reach the I/O APIC). */
static void test_pv_eoi_not_armed(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	memset(ram, 0, sizeof(ram));
	l->page[VLAPIC_SVR >> 2] = 0x1ff;
	assert_true(vlapic_pv_eoi_write(&cpu, PV_WORD | 1));
	in_service(0x60, false);
	vlapic_raise(&cpu, 0x50);
	vlapic_pv_eoi_arm(l);
	assert_false(l->pv_eoi_armed);
	assert_int_equal(ram[2], 0);
	vlapic_mmio_write(&vm, REG_EOI, 4, 0);
	in_service(0x50, true);
	vlapic_pv_eoi_arm(l);
	assert_false(l->pv_eoi_armed);
	assert_int_equal(ram[2], 0);
	vlapic_mmio_write(&vm, REG_EOI, 4, 0);
	assert_int_equal(eois, 1);
	assert_int_equal(eoi_vector, 0x50);
}

/* A guest register access settles first: the PV EOI (of the nested,
 * higher vector) comes before the EOI written after it; a read of ISR
 * sees it. */
static void test_pv_eoi_before_register_access(void **state)
{
	struct vlapic *l = &cpu.lapic;
	u64 val;

	(void)state;
	memset(ram, 0, sizeof(ram));
	l->page[VLAPIC_SVR >> 2] = 0x1ff;
	assert_true(vlapic_base_write(l, APIC_BASE | EN | EXTD, true));
	assert_true(vlapic_pv_eoi_write(&cpu, PV_WORD | 1));
	in_service(0x50, false);
	in_service(0x60, false);
	vlapic_pv_eoi_arm(l);
	ram[2] = 0; /* PV EOI of 0x60 */
	assert_true(x2_rd(0x813, &val)); /* ISR word 3: vectors 0x60-0x7f */
	assert_int_equal(val, 0);
	assert_int_equal(vlapic_highest_isr(l), 0x50);
	in_service(0x60, false);
	vlapic_pv_eoi_arm(l);
	ram[2] = 0;
	assert_true(x2_wr(0x80b, 0)); /* EOI by MSR after the PV one */
	assert_int_equal(vlapic_highest_isr(l), -1);
}

/* INIT turns it off and takes the bit back; the MSR reads 0. */
static void test_pv_eoi_init(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	memset(ram, 0, sizeof(ram));
	l->page[VLAPIC_SVR >> 2] = 0x1ff;
	assert_true(vlapic_pv_eoi_write(&cpu, PV_WORD | 1));
	in_service(0x40, false);
	vlapic_pv_eoi_arm(l);
	vlapic_reset(l, false);
	assert_int_equal(ram[2], 0);
	assert_int_equal(vlapic_pv_eoi_read(l), 0);
	assert_false(l->pv_eoi_armed);
	assert_null(l->pv_eoi);
}

/* ---- posted vectors, APIC virtualization state, CR8 ---- */

/* A raise lands in the posted map, not in IRR (which the CPU owns while
 * the guest runs under APIC virtualization); the owner's next look takes
 * it in; a reset drops it. */
static void test_posted(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	l->page[VLAPIC_SVR >> 2] = 0x1ff;
	vlapic_raise(&cpu, 0x45);
	assert_int_equal(l->page[(VLAPIC_IRR >> 2) + 8], 0); /* IRR word 2 untouched */
	assert_int_equal(l->posted[2], 1u << 5);
	assert_int_equal(vlapic_highest_irr(l), 0x45); /* dumps see it */
	assert_int_equal(vlapic_pending(l), 0x45);
	assert_int_equal(l->posted[2], 0);
	assert_int_equal(l->page[(VLAPIC_IRR >> 2) + 8], 1u << 5);
	vlapic_raise(&cpu, 0x46);
	vlapic_reset(l, false);
	assert_int_equal(l->posted[2], 0);
	assert_int_equal(vlapic_highest_irr(l), -1);
}

/* What the CPU gets before an entry: RVI the highest requested vector (0
 * while software-disabled), SVI the highest in service, the EOI-exit
 * bitmap the TMR; the CPU's EOI of a level vector reaches the I/O APIC. */
static void test_vapic_state(void **state)
{
	struct vlapic *l = &cpu.lapic;
	struct vcpu_vapic s;

	(void)state;
	vlapic_raise(&cpu, 0x51);
	vlapic_vapic_state(l, &s);
	assert_int_equal(s.rvi, 0); /* SVR: software-disabled */
	l->page[VLAPIC_SVR >> 2] = 0x1ff;
	in_service(0x51, false);
	vlapic_raise_level(&cpu, 0x62, true);
	vlapic_raise(&cpu, 0x30);
	vlapic_vapic_state(l, &s);
	assert_int_equal(s.rvi, 0x62);
	assert_int_equal(s.svi, 0x51);
	assert_int_equal(s.eoi_exit[3], 1u << 2); /* 0x62 is level */
	assert_int_equal(s.eoi_exit[2] | s.eoi_exit[1], 0);
	/* the CPU delivers 0x62 and ends it at the guest's EOI: the exit */
	l->page[(VLAPIC_IRR >> 2) + 12] &= ~(1u << 2);
	l->changed = false;
	vlapic_eoi_exited(&cpu, 0x62);
	assert_int_equal(eois, 1);
	assert_int_equal(eoi_vector, 0x62);
	assert_true(l->changed);
	vlapic_eoi_exited(&cpu, 0x51); /* an edge one: nothing to broadcast */
	assert_int_equal(eois, 1);
}

/* CR8 is TPR bits 7:4; bits 63:4 of a write are reserved (#GP). */
/* What APIC-register virtualization reads for RDMSR of @msr: the 8
 * bytes at offset (msr & 0xff) << 4 of the page (SDM Vol. 3C §30.5). */
static u64 page_read(const struct vlapic *l, u32 msr)
{
	u64 v;

	memcpy(&v, (const u8 *)l->page + ((msr & 0xff) << 4), sizeof(v));
	return v;
}

/* Every register vapic_page_read() names reads the same from the page
 * as through the exit (vlapic_msr_read), in the states that change them:
 * x2APIC mode entered, registers written, vectors requested and in
 * service (PPR as of the entry's vlapic_vapic_state), INIT in x2APIC
 * mode; and only registers that exist and are readable are named. */
static void check_page_reads(const char *when)
{
	struct vcpu_vapic s;
	unsigned named = 0;

	vlapic_vapic_state(&cpu.lapic, &s);
	for (u32 msr = 0x800; msr <= 0x8ff; msr++) {
		u64 val;

		if (!vapic_page_read(msr))
			continue;
		named++;
		if (!x2_rd(msr, &val))
			fail_msg("%s: MSR 0x%x is named but its read raises #GP", when, msr);
		if (page_read(&cpu.lapic, msr) != val)
			fail_msg("%s: MSR 0x%x reads 0x%llx from the page, 0x%llx by exit", when,
				 msr, (unsigned long long)page_read(&cpu.lapic, msr),
				 (unsigned long long)val);
	}
	assert_int_equal(named, 6 + 8 * 3 + 2 + 6 + 2);
}

static void test_page_reads(void **state)
{
	(void)state;
	vm.nvcpus = 2;
	cpu.lapic.id = 0x25; /* cluster 2, bit 5: the derived LDR shows it */
	assert_true(vlapic_msr_write(&cpu, 0x80f, 0x1ff) == false); /* not yet x2APIC */
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN | EXTD, true));
	check_page_reads("x2APIC mode entered");
	assert_int_equal(x2_get(0x80d), 0x20020);
	assert_true(x2_wr(0x80f, 0x1ff));
	assert_true(x2_wr(0x808, 0x20));
	assert_true(x2_wr(0x832, LVT_MASKED | 0x40));
	assert_true(x2_wr(0x835, 0x700));
	assert_true(x2_wr(0x838, 123456));
	assert_true(x2_wr(0x83e, 0xb));
	assert_true(x2_wr(0x830, (1ULL << 32) | 0x4055));
	in_service(0x51, false);
	vlapic_raise_level(&cpu, 0x62, true);
	vlapic_raise(&cpu, 0x33); /* below the TPR's class: waits in IRR */
	check_page_reads("registers written, vectors waiting and in service");
	assert_int_equal(page_read(&cpu.lapic, 0x80a), 0x50); /* PPR: 0x51's class */
	vlapic_reset(&cpu.lapic, false); /* INIT keeps x2APIC mode */
	check_page_reads("after INIT");
	assert_int_equal(x2_get(0x80d), 0x20020);
	assert_int_equal(x2_get(0x830), 0);
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE, true)); /* disabled */
	assert_true(vlapic_base_write(&cpu.lapic, APIC_BASE | EN, true)); /* xAPIC */
	assert_int_equal(vlapic_mmio_read(&vm, 0xd0, 4), 0); /* the x2APIC LDR is gone */
	assert_int_equal(vlapic_mmio_read(&vm, 0x20, 4), 0x25u << 24);
}

static void test_cr8(void **state)
{
	struct vlapic *l = &cpu.lapic;

	(void)state;
	l->page[VLAPIC_TPR >> 2] = 0x3c;
	assert_int_equal(vlapic_cr8_read(l), 3);
	l->changed = false;
	assert_true(vlapic_cr8_write(&cpu, 9));
	assert_int_equal(vlapic_reg(l, VLAPIC_TPR), 0x90);
	assert_true(l->changed);
	assert_false(vlapic_cr8_write(&cpu, 0x10));
	assert_false(vlapic_cr8_write(&cpu, 1ULL << 63));
	assert_int_equal(vlapic_reg(l, VLAPIC_TPR), 0x90);
	l->page[VLAPIC_SVR >> 2] = 0x1ff;
	vlapic_raise(&cpu, 0x95);
	assert_int_equal(vlapic_pending(l), -1); /* class 9 is not above TPR 9 */
	assert_true(vlapic_cr8_write(&cpu, 8));
	assert_int_equal(vlapic_pending(l), 0x95);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_lost_ipi_vs_timer, setup),
		cmocka_unit_test_setup(test_reset_while_raising, setup),
		cmocka_unit_test_setup(test_base_power_up, setup),
		cmocka_unit_test_setup(test_base_invalid, setup),
		cmocka_unit_test_setup(test_disabled_apic, setup),
		cmocka_unit_test_setup(test_ipi_targets, setup),
		cmocka_unit_test_setup(test_x2apic_mmio_absent, setup),
		cmocka_unit_test_setup(test_init_keeps_mode, setup),
		cmocka_unit_test_setup(test_level_eoi, setup),
		cmocka_unit_test_setup(test_deadline_other_modes, setup),
		cmocka_unit_test_setup(test_deadline_arm_disarm_fire, setup),
		cmocka_unit_test_setup(test_deadline_ignores_count, setup),
		cmocka_unit_test_setup(test_deadline_mode_switch, setup),
		cmocka_unit_test_setup(test_deadline_masked, setup),
		cmocka_unit_test_setup(test_deadline_x2apic, setup),
		cmocka_unit_test_setup(test_x2apic_msrs_need_x2apic_mode, setup),
		cmocka_unit_test_setup(test_x2apic_msr_map, setup),
		cmocka_unit_test_setup(test_x2apic_msr_registers, setup),
		cmocka_unit_test_setup(test_x2apic_msr_eoi_self_ipi, setup),
		cmocka_unit_test_setup(test_x2apic_msr_icr, setup),
		cmocka_unit_test_setup(test_changed, setup),
		cmocka_unit_test_setup(test_pv_eoi_msr, setup),
		cmocka_unit_test_setup(test_pv_eoi_taken, setup),
		cmocka_unit_test_setup(test_pv_eoi_taken_back, setup),
		cmocka_unit_test_setup(test_pv_eoi_not_armed, setup),
		cmocka_unit_test_setup(test_pv_eoi_before_register_access, setup),
		cmocka_unit_test_setup(test_pv_eoi_init, setup),
		cmocka_unit_test_setup(test_posted, setup),
		cmocka_unit_test_setup(test_vapic_state, setup),
		cmocka_unit_test_setup(test_cr8, setup),
		cmocka_unit_test_setup(test_page_reads, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
