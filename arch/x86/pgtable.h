/* SPDX-License-Identifier: MIT */
/*
 * One 4-level page-table builder for every table the hypervisor writes:
 * its own (host format), and the guests' second-level tables in Intel EPT
 * format (SDM Vol. 3C §29.3.2) or AMD nested paging format (APM Vol. 2
 * §15.25, the host format with the U bit set). A struct pt_format says how
 * entries are encoded; the walking, large-page choice and splitting are the
 * same for all.
 */
#ifndef ARCH_X86_PGTABLE_H
#define ARCH_X86_PGTABLE_H

#include "kernel/types.h"

/* Access a mapping allows. */
#define PT_PROT_R 1u
#define PT_PROT_W 2u
#define PT_PROT_X 4u

enum pt_memtype {
	PT_MEM_WB = 0, /* write-back (RAM) */
	PT_MEM_UC = 1, /* uncached (MMIO) */
};

struct pt_format {
	const char *name;
	u64 table_bits;   /* bits of an entry that points to a table */
	u64 present_mask; /* any of these set: the entry is present */
	/* Encode a leaf at @level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB). */
	u64 (*leaf)(u64 pa, u32 prot, enum pt_memtype mt, int level);
};

#define PT_ADDR_MASK 0x000ffffffffff000ULL
#define PT_LARGE (1ULL << 7) /* PS in host/NPT entries, bit 7 in EPT */

/* A table page: physical address (zeroed), or 0 when out of memory. */
typedef u64 (*pt_alloc_fn)(void *ctx);

struct pt {
	u64 root; /* physical address of the top-level table */
	const struct pt_format *fmt;
	bool allow_1g; /* 1 GiB leaves may be used (CPU support); default off */
	pt_alloc_fn alloc;
	void *ctx;
};

/* Make @pt an empty table set. Returns false when out of memory. */
bool pt_init(struct pt *pt, const struct pt_format *fmt, pt_alloc_fn alloc,
	     void *ctx);

/*
 * Map [va, va+size) to [pa, ...): the largest pages alignment allows,
 * splitting larger pages on the way (they keep their other translations).
 * Returns false when a table could not be allocated.
 */
bool pt_map(struct pt *pt, u64 va, u64 pa, u64 size, u32 prot,
	    enum pt_memtype mt);

/* Remove translations for [va, va+size). */
bool pt_unmap(struct pt *pt, u64 va, u64 size);

/*
 * Translate @va: returns true and the physical address and leaf entry if
 * mapped. For tests and debugging.
 */
bool pt_lookup(const struct pt *pt, u64 va, u64 *pa, u64 *leaf, int *level);

/* Formats. */
extern const struct pt_format pt_format_host; /* NX when the CPU has it */
extern const struct pt_format pt_format_npt;
extern const struct pt_format pt_format_ept;

/* Host format: whether the CPU has NX (CPUID), set once before use. */
void pt_format_host_setup(bool nx);

#endif
