// SPDX-License-Identifier: MIT
/*
 * Construction of the hypervisor's page tables (see paging.h). Tables come
 * from pmm_alloc_page_low() so the PML4 is loadable by APs while they are
 * still in 32-bit mode. Large pages are used wherever alignment allows;
 * mapping a smaller range inside a large page splits it, keeping the rest
 * of its translation and attributes (SDM Vol. 3A §4.10.2.3 on TLB effects).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/pgtable.h"
#include "boot/boot_info.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"

#define SIZE_2M (1ULL << 21)
#define SIZE_4K (1ULL << 12)

static struct pt kernel_pt;
static bool have_nx;
static u64 kernel_phys_base;

extern char __text_start[], __text_end[], __rodata_end[], __kernel_end[];

static const struct {
	u32 prot;
	enum pt_memtype mt;
} perms[] = {
	[PT_RO] = { PT_PROT_R, PT_MEM_WB },
	[PT_RW] = { PT_PROT_R | PT_PROT_W, PT_MEM_WB },
	[PT_RX] = { PT_PROT_R | PT_PROT_X, PT_MEM_WB },
	[PT_MMIO] = { PT_PROT_R | PT_PROT_W, PT_MEM_UC },
};

static u64 alloc_table(void *ctx)
{
	(void)ctx;
	return pmm_alloc_page_low();
}

static void map_range(u64 va, u64 pa, u64 size, enum pt_perm perm)
{
	if (!pt_map(&kernel_pt, va, pa, size, perms[perm].prot, perms[perm].mt))
		panic("out of memory for page tables");
}

static bool is_ram(u32 type)
{
	return type != MEM_RESERVED && type != MEM_BAD;
}

/* Does [a, a+len) touch any RAM-like region? */
static bool touches_ram(const struct mem_region *map, unsigned n, u64 a, u64 len)
{
	for (unsigned i = 0; i < n; i++)
		if (is_ram(map[i].type) && map[i].base < a + len &&
		    a < map[i].base + map[i].size)
			return true;
	return false;
}

/* Identity map: RAM write-back, everything else uncached, 2 MiB grain. */
static void map_identity(const struct mem_region *map, unsigned n)
{
	u64 top = 4 * GiB, run_start = 0;
	bool run_ram = touches_ram(map, n, 0, SIZE_2M);

	for (unsigned i = 0; i < n; i++)
		if (is_ram(map[i].type) && map[i].base + map[i].size > top)
			top = map[i].base + map[i].size;
	top = ALIGN_UP(top, SIZE_2M);
	for (u64 a = SIZE_2M; a <= top; a += SIZE_2M) {
		bool ram = a < top && touches_ram(map, n, a, SIZE_2M);

		if (a < top && ram == run_ram)
			continue;
		map_range(run_start, run_start, a - run_start, run_ram ? PT_RW : PT_MMIO);
		run_start = a;
		run_ram = ram;
	}
}

u64 kernel_virt_to_phys(const void *p)
{
	return (u64)p - KERNEL_VMA + kernel_phys_base;
}

/* The image at KERNEL_VMA with section permissions, and its alias. */
static void map_kernel(void)
{
	u64 text = (u64)__text_start, rodata = (u64)__text_end;
	u64 data = (u64)__rodata_end, end = ALIGN_UP((u64)__kernel_end, SIZE_4K);

	map_range(text, kernel_virt_to_phys(__text_start), rodata - text, PT_RX);
	map_range(rodata, kernel_virt_to_phys(__text_end), data - rodata, PT_RO);
	map_range(data, kernel_virt_to_phys(__rodata_end), end - data, PT_RW);
	/* The identity alias of text and read-only data must not be writable. */
	map_range(kernel_virt_to_phys(__text_start), kernel_virt_to_phys(__text_start),
		  data - text, PT_RO);
}

void paging_load(void)
{
	if (have_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(kernel_pt.root);
}

void paging_init(const struct mem_region *map, unsigned n, u64 kernel_phys)
{
	struct cpuid_regs r = cpuid(0x80000001, 0);

	kernel_phys_base = kernel_phys;
	have_nx = r.edx & (1u << 20);
	pt_format_host_setup(have_nx);
	if (!pt_init(&kernel_pt, &pt_format_host, alloc_table, NULL))
		panic("out of memory for page tables");
	if (r.edx & (1u << 26))
		kernel_pt.large |= PT_LARGE_1G;
	map_identity(map, n);
	map_kernel();
	paging_load();
}

u64 paging_kernel_cr3(void) { return kernel_pt.root; }

void paging_map(u64 va, u64 pa, u64 size, enum pt_perm perm)
{
	map_range(va, pa, size, perm);
	write_cr3(read_cr3());
}

void paging_map_mmio(u64 pa, u64 size)
{
	u64 base = ALIGN_DOWN(pa, SIZE_4K);

	paging_map(base, base, ALIGN_UP(pa + size, SIZE_4K) - base, PT_MMIO);
}
