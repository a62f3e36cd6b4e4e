// SPDX-License-Identifier: MIT
/*
 * AP start-up and cross-CPU calls (see smp.h). The BSP starts one AP at a
 * time: it fills the trampoline's parameter page with that AP's stack,
 * per-CPU area and the kernel CR3, sends INIT, waits 10 ms, sends a
 * STARTUP IPI, and a second one after 200 us if the AP has not yet
 * answered (SDM Vol. 3A §9.4.4.1 "universal start-up algorithm").
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/stacks.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "drivers/acpi.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

#define TRAMP_SIZE (2 * PAGE_SIZE) /* code page + parameter page */
#define TRAMP_LOW 0x1000
#define TRAMP_HIGH 0x9f000

struct tramp_params {
	u64 cr3;
	u64 efer;
	u64 stack;
	u64 percpu;
	u64 entry;
};

extern const u8 trampoline_blob[], trampoline_blob_end[];

static unsigned cpus_possible = 1;
static volatile unsigned cpus_online;

static void (*volatile call_fn)(void *);
static void *volatile call_arg;
static volatile u32 call_done;
static spinlock_t call_lock;

unsigned smp_cpus_possible(void) { return cpus_possible; }
unsigned smp_cpus_online(void) { return cpus_online; }

u64 smp_reserve_trampoline(struct mem_region *map, unsigned *n, unsigned max)
{
	for (unsigned i = 0; i < *n; i++) {
		u64 b = ALIGN_UP(MAX(map[i].base, TRAMP_LOW), PAGE_SIZE);
		u64 e = MIN(map[i].base + map[i].size, TRAMP_HIGH);

		if (map[i].type != MEM_USABLE || e <= b || e - b < TRAMP_SIZE)
			continue;
		*n = memmap_mark(map, *n, max, b, TRAMP_SIZE, MEM_KERNEL);
		return b;
	}
	return 0;
}

static void ipi_call_handler(struct trap_frame *f)
{
	(void)f;
	call_fn(call_arg);
	__atomic_add_fetch(&call_done, 1, __ATOMIC_RELEASE);
	lapic_eoi();
}

static void kick_handler(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
}

/* The host timer only ends a guest run or a HLT (lapic.h). */
static void timer_handler(struct trap_frame *f)
{
	(void)f;
	lapic_timer_expired();
}

static void cpu_online_common(struct percpu *pc)
{
	lapic_cpu_init();
	pc->apic_id = lapic_id();
	__atomic_add_fetch(&cpus_online, 1, __ATOMIC_RELEASE);
	pc->online = 1;
	printk(LOG_INFO, "cpu %u online apic %u", pc->cpu, pc->apic_id);
}

void smp_init_bsp(void)
{
	struct percpu *pc = &percpu_area[0];

	trap_set_handler(VEC_IPI_CALL, ipi_call_handler);
	trap_set_handler(VEC_KICK, kick_handler);
	trap_set_handler(VEC_LAPIC_TIMER, timer_handler);
	cpu_online_common(pc);
}

/* An AP's life: run handed-over work, otherwise sleep. */
static __noreturn void ap_idle(struct percpu *pc)
{
	for (;;) {
		void (*fn)(void *) = pc->work_fn;

		if (fn) {
			void *arg = pc->work_arg;

			fn(arg);
			__atomic_store_n(&pc->work_fn, NULL, __ATOMIC_RELEASE);
			continue;
		}
		asm volatile("sti; hlt; cli" ::: "memory");
	}
}

void smp_kick(unsigned cpu)
{
	if (cpu < MAX_CPUS && percpu_area[cpu].online)
		lapic_send_fixed(percpu_area[cpu].apic_id, VEC_KICK);
}

unsigned smp_this_cpu(void) { return this_cpu()->cpu; }

bool smp_cpu_online(unsigned cpu)
{
	return cpu < MAX_CPUS && percpu_area[cpu].online;
}

bool smp_run_on(unsigned cpu, void (*fn)(void *), void *arg)
{
	struct percpu *pc;

	if (cpu >= MAX_CPUS)
		return false;
	pc = &percpu_area[cpu];
	if (!pc->online || pc->work_fn)
		return false;
	pc->work_arg = arg;
	__atomic_store_n(&pc->work_fn, fn, __ATOMIC_RELEASE);
	lapic_send_fixed(pc->apic_id, VEC_KICK);
	return true;
}

static __noreturn void ap_entry(struct percpu *pc)
{
	desc_init_cpu(pc);
	paging_load();
	cpu_online_common(pc);
	ap_idle(pc);
}

static bool wait_online(struct percpu *pc, u64 us)
{
	u64 end = tsc_us() + us;

	while (!pc->online && tsc_us() < end)
		cpu_relax();
	return pc->online;
}

static bool start_ap(struct percpu *pc, u64 tramp, unsigned timeout_ms)
{
	struct tramp_params *p = phys_to_virt(tramp + PAGE_SIZE);

	if (!stacks_setup(pc)) {
		printk(LOG_ERR, "cpu %u: out of memory for its stacks", pc->cpu);
		return false;
	}
	p->cr3 = paging_kernel_cr3();
	p->efer = EFER_LME | (rdmsr(MSR_EFER) & EFER_NXE);
	p->stack = pc->stack_top;
	p->percpu = (u64)pc;
	p->entry = (u64)ap_entry;
	asm volatile("mfence" ::: "memory");
	lapic_send_init(pc->apic_id);
	mdelay(10);
	lapic_send_sipi(pc->apic_id, tramp >> 12);
	if (!wait_online(pc, 200))
		lapic_send_sipi(pc->apic_id, tramp >> 12);
	return wait_online(pc, timeout_ms * 1000ULL);
}

static void install_trampoline(u64 tramp)
{
	memcpy(phys_to_virt(tramp), trampoline_blob,
	       trampoline_blob_end - trampoline_blob);
	paging_map(tramp, tramp, PAGE_SIZE, PT_RX);
}

void smp_boot(const struct acpi_madt_info *madt, u64 tramp,
	      unsigned max_cpus, unsigned timeout_ms)
{
	u32 bsp_apic = percpu_area[0].apic_id;
	unsigned next = 1;

	if (max_cpus > MAX_CPUS)
		max_cpus = MAX_CPUS;
	if (!tramp) {
		printk(LOG_ERR, "no free memory below 1 MiB for the AP trampoline: only the BSP runs");
		return;
	}
	install_trampoline(tramp);
	for (u32 i = 0; i < madt->cpu_count; i++) {
		const struct acpi_cpu *c = &madt->cpus[i];
		struct percpu *pc;

		if (c->apic_id == bsp_apic || !c->enabled)
			continue;
		if (next >= max_cpus) {
			printk(LOG_WARN, "cpu apic %u not started: limit of %u cpus", c->apic_id, max_cpus);
			continue;
		}
		pc = &percpu_area[next];
		cpus_possible++;
		pc->cpu = next++;
		pc->apic_id = c->apic_id;
		if (!start_ap(pc, tramp, timeout_ms))
			printk(LOG_ERR, "cpu %u apic %u did not answer within %u ms",
			       pc->cpu, c->apic_id, timeout_ms);
	}
	paging_map(tramp, tramp, PAGE_SIZE, PT_RO);
	printk(LOG_INFO, "%u/%u cpus online", cpus_online, cpus_possible);
}

void smp_call_all(void (*fn)(void *), void *arg)
{
	u64 flags = spin_lock_irqsave(&call_lock);
	unsigned others = 0;

	call_fn = fn;
	call_arg = arg;
	call_done = 0;
	for (unsigned i = 1; i < MAX_CPUS; i++) {
		if (!percpu_area[i].online)
			continue;
		lapic_send_fixed(percpu_area[i].apic_id, VEC_IPI_CALL);
		others++;
	}
	fn(arg);
	u64 end = tsc_us() + 5000000;
	while (__atomic_load_n(&call_done, __ATOMIC_ACQUIRE) < others)
		if (tsc_us() > end)
			panic("cross-cpu call: %u of %u cpus did not answer in 5 s",
			      others - call_done, others);
	spin_unlock_irqrestore(&call_lock, flags);
}
