// SPDX-License-Identifier: MIT
/*
 * Physical memory map sanitizing. Firmware maps may be unsorted, overlap,
 * repeat themselves or carry odd sizes (ACPI 6.5 §15 for E820, UEFI 2.10
 * §7.2 for GetMemoryMap). This file turns any such list into sorted,
 * disjoint regions in which the most restrictive type wins every byte, so
 * the page allocator can trust it. Pure logic: shared by the kernel, the
 * UEFI loader and the host unit tests.
 */
#include "kernel/memmap.h"

const char *mem_type_name(u32 type)
{
	switch (type) {
	case MEM_USABLE: return "usable";
	case MEM_ACPI_RECLAIM: return "acpi";
	case MEM_MODULE: return "module";
	case MEM_KERNEL: return "kernel";
	case MEM_ACPI_NVS: return "nvs";
	case MEM_RESERVED: return "reserved";
	case MEM_BAD: return "bad";
	default: return "unknown";
	}
}

u32 mem_type_from_e820(u32 e820_type)
{
	switch (e820_type) {
	case 1: return MEM_USABLE;
	case 3: return MEM_ACPI_RECLAIM;
	case 4: return MEM_ACPI_NVS;
	case 5: return MEM_BAD;
	default: return MEM_RESERVED;
	}
}

u32 mem_type_from_efi(u32 efi_type)
{
	switch (efi_type) {
	case 1: /* EfiLoaderCode */
	case 2: /* EfiLoaderData */
	case 3: /* EfiBootServicesCode */
	case 4: /* EfiBootServicesData */
	case 7: /* EfiConventionalMemory */
		return MEM_USABLE;
	case 8: return MEM_BAD;          /* EfiUnusableMemory */
	case 9: return MEM_ACPI_RECLAIM; /* EfiACPIReclaimMemory */
	case 10: return MEM_ACPI_NVS;    /* EfiACPIMemoryNVS */
	default: return MEM_RESERVED;    /* runtime services, MMIO, ... */
	}
}

/* Unknown type numbers are treated as reserved. */
static u32 norm_type(u32 type)
{
	return (type >= MEM_USABLE && type <= MEM_BAD) ? type : MEM_RESERVED;
}

static void sort_by_base(struct mem_region *r, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct mem_region key = r[i];
		unsigned j = i;

		while (j > 0 && r[j - 1].base > key.base) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = key;
	}
}

/* End address, clamped so base+size never wraps. */
static u64 region_end(const struct mem_region *m)
{
	u64 end = m->base + m->size;

	return end < m->base ? ~0ULL : end;
}

/*
 * Sweep over every boundary point: between two consecutive boundaries the
 * type is the maximum over all regions covering that interval. Output goes
 * to @out in address order, already merged.
 */
static unsigned sweep(const struct mem_region *in, unsigned n,
		      struct mem_region *out, unsigned max)
{
	unsigned cnt = 0;
	u64 pos = 0;
	bool have_pos = false;

	for (;;) {
		/* Find the next boundary strictly after pos. An end clamped to
		 * 2^64-1 is a boundary like any other. */
		u64 next = 0;
		bool found = false;

		for (unsigned i = 0; i < n; i++) {
			u64 cand[2] = { in[i].base, region_end(&in[i]) };

			for (int k = 0; k < 2; k++)
				if ((!have_pos || cand[k] > pos) && (!found || cand[k] < next))
					next = cand[k], found = true;
		}
		if (!found)
			break;
		if (have_pos) {
			u32 type = 0;

			for (unsigned i = 0; i < n; i++)
				if (in[i].base <= pos && region_end(&in[i]) >= next &&
				    in[i].size && norm_type(in[i].type) > type)
					type = norm_type(in[i].type);
			if (type) {
				if (cnt && out[cnt - 1].type == type &&
				    region_end(&out[cnt - 1]) == pos)
					out[cnt - 1].size += next - pos;
				else if (cnt < max)
					out[cnt++] = (struct mem_region){ pos, next - pos, type, 0 };
			}
		}
		pos = next;
		have_pos = true;
	}
	return cnt;
}

/* Shrink usable regions to whole pages; drop what becomes empty. */
static unsigned page_align_usable(struct mem_region *r, unsigned n)
{
	unsigned w = 0;

	for (unsigned i = 0; i < n; i++) {
		if (r[i].type == MEM_USABLE) {
			u64 b = ALIGN_UP(r[i].base, PAGE_SIZE);
			u64 e = ALIGN_DOWN(region_end(&r[i]), PAGE_SIZE);

			if (e <= b)
				continue;
			r[i].base = b;
			r[i].size = e - b;
		}
		r[w++] = r[i];
	}
	return w;
}

/* The sweep reads its input while writing @r: it works on a copy. */
static struct mem_region scratch[513];

static unsigned sanitize_scratch(unsigned n, struct mem_region *r, unsigned max)
{
	sort_by_base(scratch, n);
	n = sweep(scratch, n, r, max);
	return page_align_usable(r, n);
}

unsigned memmap_sanitize(struct mem_region *r, unsigned n, unsigned max)
{
	if (n > ARRAY_SIZE(scratch) - 1)
		n = ARRAY_SIZE(scratch) - 1;
	for (unsigned i = 0; i < n; i++)
		scratch[i] = r[i];
	return sanitize_scratch(n, r, max);
}

unsigned memmap_mark(struct mem_region *r, unsigned n, unsigned max, u64 base,
		     u64 size, u32 type)
{
	if (!size)
		return n;
	/* The new region joins in the copy, so it counts even when @r is
	 * full; type priority decides as for any overlap: marking the kernel
	 * over usable RAM takes it away, nothing turns reserved usable. */
	if (n > ARRAY_SIZE(scratch) - 1)
		n = ARRAY_SIZE(scratch) - 1;
	for (unsigned i = 0; i < n; i++)
		scratch[i] = r[i];
	scratch[n] = (struct mem_region){ base, size, type, 0 };
	return sanitize_scratch(n + 1, r, max);
}

u64 memmap_total(const struct mem_region *r, unsigned n, u32 type)
{
	u64 sum = 0;

	for (unsigned i = 0; i < n; i++)
		if (r[i].type == type)
			sum += r[i].size;
	return sum;
}
