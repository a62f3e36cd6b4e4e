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
#include "boot/boot_info.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"

#define SIZE_1G (1ULL << 30)
#define SIZE_2M (1ULL << 21)
#define SIZE_4K (1ULL << 12)

static u64 *kernel_pml4;
static u64 kernel_pml4_phys;
static u64 nx_bit;
static bool have_1g;
static u64 kernel_phys_base;

extern char __text_start[], __text_end[], __rodata_end[], __kernel_end[];

static u64 perm_bits(enum pt_perm perm)
{
	switch (perm) {
	case PT_RO: return PTE_P | nx_bit;
	case PT_RW: return PTE_P | PTE_W | nx_bit;
	case PT_RX: return PTE_P;
	default: return PTE_P | PTE_W | PTE_PCD | PTE_PWT | nx_bit;
	}
}

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

static u64 new_table(void)
{
	u64 p = pmm_alloc_page_low();

	if (!p)
		panic("out of memory for page tables");
	return p;
}

/*
 * The table below entry @e (covering @span bytes): created if absent, or
 * made by splitting a large page into 512 smaller ones.
 */
static u64 *next_table(u64 *e, u64 span)
{
	if (!(*e & PTE_P)) {
		*e = new_table() | PTE_P | PTE_W;
	} else if (*e & PTE_PS) {
		u64 sub = span / 512;
		u64 base = *e & PTE_ADDR & ~(span - 1);
		u64 attrs = *e & ~PTE_ADDR & (sub == SIZE_4K ? ~PTE_PS : ~0ULL);
		u64 t = new_table();
		u64 *tab = phys_to_virt(t);

		for (int i = 0; i < 512; i++)
			tab[i] = (base + i * sub) | attrs;
		*e = t | PTE_P | PTE_W;
	}
	return table_of(*e);
}

static bool fits(u64 va, u64 pa, u64 size, u64 page)
{
	return IS_ALIGNED(va, page) && IS_ALIGNED(pa, page) && size >= page;
}

static void map_range(u64 *root, u64 va, u64 pa, u64 size, u64 bits)
{
	while (size) {
		u64 *pdpt = next_table(&root[(va >> 39) & 511], 512 * SIZE_1G);
		u64 *pdpte = &pdpt[(va >> 30) & 511];
		u64 step;

		if (have_1g && fits(va, pa, size, SIZE_1G)) {
			*pdpte = pa | bits | PTE_PS;
			step = SIZE_1G;
		} else {
			u64 *pd = next_table(pdpte, SIZE_1G);
			u64 *pde = &pd[(va >> 21) & 511];

			if (fits(va, pa, size, SIZE_2M)) {
				*pde = pa | bits | PTE_PS;
				step = SIZE_2M;
			} else {
				next_table(pde, SIZE_2M)[(va >> 12) & 511] = pa | bits;
				step = SIZE_4K;
			}
		}
		va += step;
		pa += step;
		size -= step;
	}
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
		map_range(kernel_pml4, run_start, run_start, a - run_start,
			  perm_bits(run_ram ? PT_RW : PT_MMIO));
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

	map_range(kernel_pml4, text, kernel_virt_to_phys(__text_start),
		  rodata - text, perm_bits(PT_RX));
	map_range(kernel_pml4, rodata, kernel_virt_to_phys(__text_end),
		  data - rodata, perm_bits(PT_RO));
	map_range(kernel_pml4, data, kernel_virt_to_phys(__rodata_end),
		  end - data, perm_bits(PT_RW));
	/* The identity alias of text and read-only data must not be writable. */
	map_range(kernel_pml4, kernel_virt_to_phys(__text_start),
		  kernel_virt_to_phys(__text_start), data - text, perm_bits(PT_RO));
}

static void cpu_paging_features(void)
{
	struct cpuid_regs r = cpuid(0x80000001, 0);

	nx_bit = (r.edx & (1u << 20)) ? PTE_NX : 0;
	have_1g = r.edx & (1u << 26);
}

void paging_load(void)
{
	if (nx_bit)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(kernel_pml4_phys);
}

void paging_init(const struct mem_region *map, unsigned n, u64 kernel_phys)
{
	kernel_phys_base = kernel_phys;
	cpu_paging_features();
	kernel_pml4_phys = new_table();
	kernel_pml4 = phys_to_virt(kernel_pml4_phys);
	map_identity(map, n);
	map_kernel();
	paging_load();
}

u64 paging_kernel_cr3(void) { return kernel_pml4_phys; }

void paging_map(u64 va, u64 pa, u64 size, enum pt_perm perm)
{
	map_range(kernel_pml4, va, pa, size, perm_bits(perm));
	write_cr3(read_cr3());
}

void paging_map_mmio(u64 pa, u64 size)
{
	u64 base = ALIGN_DOWN(pa, SIZE_4K);

	paging_map(base, base, ALIGN_UP(pa + size, SIZE_4K) - base, PT_MMIO);
}
