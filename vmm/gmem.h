/* SPDX-License-Identifier: MIT */
/*
 * Guest physical memory: the one vendor-neutral description of a VM's
 * address space (RAM regions backed by host memory; everything else is a
 * hole served by the MMIO bus), the second-level tables built from it, and
 * the only way the hypervisor touches guest memory: helpers that check
 * every range against the VM's RAM.
 */
#ifndef VMM_GMEM_H
#define VMM_GMEM_H

#include "kernel/types.h"

#define GMEM_MAX_REGIONS 4
/* Guest RAM stops here and resumes at 4 GiB (PCI/APIC hole). */
#define GMEM_LOW_TOP (3 * GiB)
/* The legacy VGA window, left unmapped (MMIO). */
#define GMEM_VGA_BASE 0xa0000
#define GMEM_VGA_END 0xc0000

struct gmem_region {
	u64 gpa;
	u64 size;
	u64 hpa;
};

struct gmem {
	u64 ram_size; /* total RAM bytes */
	u64 host_base, host_size; /* the host block behind all regions */
	u64 flat_end; /* [GMEM_VGA_END, flat_end) is RAM at host_base + gpa
			 (the usual place of an access: gmem_ptr's fast path) */
	u64 hole_start, hole_end; /* [hole_start, hole_end): below 4 GiB above the
				     low RAM, never RAM (empty when not laid out) */
	unsigned n;
	struct gmem_region r[GMEM_MAX_REGIONS];
};

struct vm;

/*
 * Lay out @ram_size bytes of guest RAM at @hpa (contiguous host memory):
 * [0, VGA) and [VGA end, min(size, 3 GiB)) and above 4 GiB the rest.
 */
void gmem_layout(struct gmem *m, u64 ram_size, u64 hpa);

/* Map every RAM region into the VM's second-level tables. */
bool gmem_map_stage2(struct vm *vm);

/* Host pointer for [gpa, gpa+len) if it lies in one RAM region, else NULL. */
void *gmem_ptr(const struct gmem *m, u64 gpa, u64 len);

/* Copy to/from guest RAM; false (nothing copied) if out of RAM. */
bool gmem_read(const struct gmem *m, u64 gpa, void *dst, u64 len);
bool gmem_write(const struct gmem *m, u64 gpa, const void *src, u64 len);

/* Is [gpa, gpa+len) RAM? */
bool gmem_is_ram(const struct gmem *m, u64 gpa, u64 len);

/* Is @gpa in the hole under 4 GiB where devices live (never RAM)? One
 * compare pair, before gmem_is_ram()'s walk over the regions: the MMIO
 * exit's first question. */
static inline bool gmem_in_hole(const struct gmem *m, u64 gpa)
{
	return gpa >= m->hole_start && gpa < m->hole_end;
}

/* End of RAM below 4 GiB and the top of all RAM (for memory maps). */
u64 gmem_low_end(const struct gmem *m);

#endif
