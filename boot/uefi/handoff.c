// SPDX-License-Identifier: MIT
/*
 * The last step of the UEFI loader: build the hand-off page tables, exit
 * boot services, translate the final EFI memory map into boot_info and
 * jump to the kernel.
 *
 * Everything the kernel receives lives in one EfiLoaderData block below
 * 4 GiB, allocated while boot services still run:
 *   [struct boot_info][16 KiB stack][page tables]
 * The page tables (Intel SDM Vol. 3A §4.5, 4-level paging; a PML5 on top
 * when the firmware left CR4.LA57 set) identity-map [0, max(4 GiB, top of
 * the EFI memory map)) and map KERNEL_VMA + off onto kernel_phys + off,
 * all with 2 MiB pages, present, writable and executable. The kernel
 * replaces them with its own at once.
 *
 * ExitBootServices (UEFI 2.10 §7.4.6) needs the key of the current memory
 * map; if the map changed it fails with EFI_INVALID_PARAMETER and only
 * GetMemoryMap may be called before trying again, so the map buffer is
 * allocated beforehand with room to grow.
 */
#include "boot/uefi/loader.h"
#include "kernel/string.h"

#define HANDOFF_STACK (16 * 1024)
#define ID_MAP_MIN (4 * GiB)
#define ID_MAP_MAX (1024 * GiB)
#define EXIT_TRIES 4
/* Room for descriptors added between sizing the map and the last call. */
#define MMAP_SLACK_DESC 128
/* Regions collected from the EFI map before sanitizing into bi->mem. */
#define RAW_MAX 512

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_PS (1ULL << 7)
#define PTE_ADDR 0x000ffffffffff000ULL
#define CR4_LA57 (1ULL << 12)

struct efi_mmap {
	u8 *buf;
	UINTN cap;
	UINTN size;
	UINTN key;
	UINTN desc_size;
	UINT32 desc_version;
};

struct handoff {
	struct boot_info *bi; /* start of the block */
	u64 block_size;
	u64 stack_top;
	u64 cr3;
	u64 id_limit; /* identity map covers [0, id_limit) */
	u64 *next_table;
	u64 *end_table;
};

static struct efi_mmap mmap;
static struct mem_region raw[RAW_MAX];

/* ---- EFI memory map ---- */

static EFI_STATUS mmap_get(struct efi_mmap *m)
{
	m->size = m->cap;
	return efi_bs->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf,
				    &m->key, &m->desc_size, &m->desc_version);
}

/* Allocate the map buffer once, with slack for later allocations. The
 * size probe passes a real (empty) buffer: old firmware rejects NULL. */
static EFI_STATUS mmap_alloc(struct efi_mmap *m)
{
	EFI_MEMORY_DESCRIPTOR probe;
	EFI_STATUS st;

	m->buf = (u8 *)&probe;
	m->cap = 0;
	st = mmap_get(m);
	if (st != EFI_BUFFER_TOO_SMALL)
		return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
	m->cap = m->size * 2 + MMAP_SLACK_DESC * m->desc_size;
	st = efi_bs->AllocatePool(EfiLoaderData, m->cap, (void **)&m->buf);
	if (EFI_ERROR(st))
		return st;
	return mmap_get(m);
}

#define for_each_desc(m, d)                                              \
	for (UINTN off_ = 0;                                             \
	     off_ + (m)->desc_size <= (m)->size &&                       \
	     ((d) = (const EFI_MEMORY_DESCRIPTOR *)((m)->buf + off_));    \
	     off_ += (m)->desc_size)

/* End of the highest range in the map; descriptors count 4 KiB pages. */
static u64 mmap_top(const struct efi_mmap *m)
{
	const EFI_MEMORY_DESCRIPTOR *d;
	u64 top = 0;

	for_each_desc(m, d)
		top = MAX(top, d->PhysicalStart + d->NumberOfPages * PAGE_SIZE);
	return top;
}

/* Translate descriptors, merging neighbours of the same resulting type. */
static unsigned mmap_convert(const struct efi_mmap *m, unsigned *dropped)
{
	const EFI_MEMORY_DESCRIPTOR *d;
	unsigned n = 0;

	*dropped = 0;
	for_each_desc(m, d) {
		u64 base = d->PhysicalStart, len = d->NumberOfPages * PAGE_SIZE;
		u32 type = mem_type_from_efi(d->Type);

		if (!len)
			continue;
		if (n && raw[n - 1].type == type &&
		    raw[n - 1].base + raw[n - 1].size == base) {
			raw[n - 1].size += len;
		} else if (n < RAW_MAX) {
			raw[n++] = (struct mem_region){ base, len, type, 0 };
		} else {
			(*dropped)++;
		}
	}
	return n;
}

static __noreturn void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/* ---- page tables ---- */

/* Next zeroed table of the block; pt_count() sized the block for all. */
static u64 *pt_alloc_table(struct handoff *h)
{
	u64 *t = h->next_table;

	if (t + 512 > h->end_table) {
		con_print("error: hand-off page tables do not fit");
		halt_forever();
	}
	h->next_table += 512;
	return t;
}

/* The table that entry @idx of @table points to, created if absent. */
static u64 *pt_next(struct handoff *h, u64 *table, unsigned idx)
{
	if (!(table[idx] & PTE_P))
		table[idx] = (u64)(uintptr_t)pt_alloc_table(h) | PTE_P | PTE_W;
	return (u64 *)(uintptr_t)(table[idx] & PTE_ADDR);
}

/* Map one 2 MiB page (SDM Vol. 3A Table 4-18, PDE with PS = 1). */
static void pt_map_2m(struct handoff *h, u64 *pml4, u64 virt, u64 phys)
{
	u64 *pdpt = pt_next(h, pml4, (virt >> 39) & 511);
	u64 *pd = pt_next(h, pdpt, (virt >> 30) & 511);

	pd[(virt >> 21) & 511] = phys | PTE_P | PTE_W | PTE_PS;
}

static u64 read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void pt_build(struct handoff *h, const struct boot_info *bi)
{
	u64 *top = pt_alloc_table(h), *pml4 = top;
	u64 ksize = ALIGN_UP(bi->kernel_size, 2 * MiB);

	/* 5-level paging (SDM Vol. 3A §4.5.1): low and high half both
	 * go through PML5 entries 0 and 511 to the same PML4. */
	if (read_cr4() & CR4_LA57) {
		pml4 = pt_alloc_table(h);
		top[0] = top[511] = (u64)(uintptr_t)pml4 | PTE_P | PTE_W;
	}
	for (u64 a = 0; a < h->id_limit; a += 2 * MiB)
		pt_map_2m(h, pml4, a, a);
	for (u64 off = 0; off < ksize; off += 2 * MiB)
		pt_map_2m(h, pml4, KERNEL_VMA + off, bi->kernel_phys + off);
	h->cr3 = (u64)(uintptr_t)top;
}

/* Tables needed: PML5, PML4, a PDPT per 512 GiB and a PD per GiB of the
 * identity map, and a PDPT and PD for the kernel (one PD covers it all,
 * see elf.c). */
static u64 pt_count(u64 id_limit)
{
	return 2 + ALIGN_UP(id_limit, 512 * GiB) / (512 * GiB) +
	       id_limit / GiB + 2;
}

/* ---- the hand-off block ---- */

static EFI_STATUS handoff_alloc(struct handoff *h, const struct boot_info *bi)
{
	u64 info = ALIGN_UP(sizeof(*bi), PAGE_SIZE);
	u64 tables = pt_count(h->id_limit) * PAGE_SIZE;
	void *block;
	EFI_STATUS st;

	h->block_size = info + HANDOFF_STACK + tables;
	st = page_alloc(h->block_size, true, &block);
	if (EFI_ERROR(st))
		return st;
	memset(block, 0, h->block_size);
	h->bi = block;
	h->stack_top = (u64)(uintptr_t)block + info + HANDOFF_STACK;
	h->next_table = (u64 *)(uintptr_t)h->stack_top;
	h->end_table = (u64 *)(uintptr_t)((u64)(uintptr_t)block + h->block_size);
	memcpy(h->bi, bi, sizeof(*bi));
	return EFI_SUCCESS;
}

/* Sanitize the collected map, mark what the kernel must keep, copy. */
static void handoff_fill_mem(struct handoff *h, unsigned n, unsigned dropped)
{
	struct boot_info *bi = h->bi;

	n = memmap_sanitize(raw, n, RAW_MAX);
	n = memmap_mark(raw, n, RAW_MAX, bi->kernel_phys,
			ALIGN_UP(bi->kernel_size, 2 * MiB), MEM_KERNEL);
	n = memmap_mark(raw, n, RAW_MAX, (u64)(uintptr_t)bi, h->block_size,
			MEM_KERNEL);
	for (u32 i = 0; i < bi->nmods; i++)
		n = memmap_mark(raw, n, RAW_MAX, bi->mods[i].base,
				ALIGN_UP(bi->mods[i].size ? bi->mods[i].size : 1,
					 PAGE_SIZE),
				MEM_MODULE);
	if (n > BOOT_MAX_MEM || dropped)
		boot_info_message(bi, "warn",
				  "EFI memory map too long, high part dropped");
	bi->nmem = MIN(n, BOOT_MAX_MEM);
	memcpy(bi->mem, raw, bi->nmem * sizeof(raw[0]));
	bi->efi_mmap = 1;
}

/*
 * Entry contract (see also boot/entry64.asm): interrupts off, CR3 = the
 * hand-off tables, RSP = top of the block's stack minus a zero return
 * address, RDI = physical address of boot_info, direction flag clear.
 */
static __noreturn void handoff_jump(u64 cr3, u64 entry, u64 bi, u64 stack)
{
	asm volatile("cli\n\t"
		     "cld\n\t"
		     "mov %0, %%cr3\n\t"
		     "mov %3, %%rsp\n\t"
		     "pushq $0\n\t"
		     "xor %%ebp, %%ebp\n\t"
		     "jmp *%1"
		     :
		     : "r"(cr3), "r"(entry), "D"(bi), "r"(stack)
		     : "memory");
	__builtin_unreachable();
}

/* Only GetMemoryMap may run between failed ExitBootServices calls. */
static EFI_STATUS exit_boot_services(void)
{
	EFI_STATUS st = EFI_INVALID_PARAMETER;

	for (int i = 0; i < EXIT_TRIES && st == EFI_INVALID_PARAMETER; i++) {
		st = mmap_get(&mmap);
		if (EFI_ERROR(st))
			return st;
		st = efi_bs->ExitBootServices(efi_image, mmap.key);
	}
	return st;
}

EFI_STATUS handoff_exit_and_jump(const struct boot_info *bi, u64 entry)
{
	struct handoff h = { 0 };
	unsigned n, dropped;
	EFI_STATUS st;

	st = mmap_alloc(&mmap);
	if (EFI_ERROR(st)) {
		con_print("error: GetMemoryMap: %s", efi_status_text(st));
		return st;
	}
	h.id_limit = MIN(MAX(ALIGN_UP(mmap_top(&mmap), GiB), ID_MAP_MIN),
			 ID_MAP_MAX);
	st = handoff_alloc(&h, bi);
	if (EFI_ERROR(st)) {
		con_print("error: no memory for boot_info: %s",
			  efi_status_text(st));
		return st;
	}
	pt_build(&h, h.bi);
	con_print("boot_info at 0x%lx, identity map 0-%lu GiB, kernel entry "
		  "0x%lx",
		  (unsigned long)(uintptr_t)h.bi,
		  (unsigned long)(h.id_limit / GiB), (unsigned long)entry);
	con_print("exiting boot services");
	st = exit_boot_services();
	if (EFI_ERROR(st)) {
		con_print("error: ExitBootServices: %s", efi_status_text(st));
		halt_forever();
	}
	asm volatile("cli");
	n = mmap_convert(&mmap, &dropped);
	handoff_fill_mem(&h, n, dropped);
	if (mmap_top(&mmap) > h.id_limit)
		boot_info_message(h.bi, "warn",
				  "memory above the loader's identity map");
	handoff_jump(h.cr3, entry, (u64)(uintptr_t)h.bi, h.stack_top);
}
