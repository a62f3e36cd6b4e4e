// SPDX-License-Identifier: MIT
/* Guarded per-CPU stacks (see stacks.h). */
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/stacks.h"
#include "kernel/pmm.h"

#define KSTACK_OFF (4 * 1024)
#define KSTACK_SIZE (16 * 1024)

/* Offsets (within a slot) and sizes of the mapped stacks. */
static const struct {
	u32 off, size;
	int ist; /* TSS IST slot or 0 for the kernel stack */
} areas[] = {
	{ KSTACK_OFF, KSTACK_SIZE, 0 },
	{ 24 * 1024, 4096, 1 },
	{ 32 * 1024, 4096, 2 },
	{ 40 * 1024, 4096, 3 },
};

extern char boot_stack_bottom[], boot_stack_top[];

bool stacks_setup(struct percpu *pc)
{
	u64 slot = STACK_REGION + pc->cpu * STACK_SLOT;

	for (unsigned i = 0; i < ARRAY_SIZE(areas); i++) {
		u64 pa = pmm_alloc(areas[i].size, PAGE_SIZE);
		u64 va = slot + areas[i].off;

		if (!pa)
			return false;
		paging_map(va, pa, areas[i].size, PT_RW);
		if (areas[i].ist)
			pc->tss.ist[areas[i].ist - 1] = va + areas[i].size;
		else
			pc->stack_top = va + areas[i].size;
	}
	return true;
}

static int area_of(u64 addr, u64 *slot_cpu)
{
	if (addr < STACK_REGION || addr >= STACK_REGION + MAX_CPUS * STACK_SLOT)
		return -2;
	*slot_cpu = (addr - STACK_REGION) / STACK_SLOT;
	u64 off = (addr - STACK_REGION) % STACK_SLOT;
	for (unsigned i = 0; i < ARRAY_SIZE(areas); i++)
		if (off >= areas[i].off && off < areas[i].off + areas[i].size)
			return i;
	return -1;
}

bool stack_addr_valid(u64 addr, u64 len)
{
	u64 c1, c2;

	if (addr >= (u64)boot_stack_bottom && addr + len <= (u64)boot_stack_top)
		return true;
	int a = area_of(addr, &c1);
	return a >= 0 && area_of(addr + len - 1, &c2) == a && c1 == c2 &&
	       percpu_area[c1].stack_top;
}

int stack_guard_owner(u64 addr)
{
	u64 cpu;

	return area_of(addr, &cpu) == -1 ? (int)cpu : -1;
}
