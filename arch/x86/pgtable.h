/* SPDX-License-Identifier: MIT */
/*
 * One page-table builder for every table the hypervisor writes: its own
 * (host format), the guests' second-level tables in Intel EPT format (SDM
 * Vol. 3C §29.3.2) or AMD nested paging format (APM Vol. 2 §15.25, the
 * host format with the U bit set), and the IOMMUs' I/O page tables of the
 * same guests (VT-d second-level tables, drivers/iommu/vtd_pt.c; AMD-Vi
 * host page tables, drivers/iommu/amdvi_pt.c). All are radix trees of 512
 * eight-byte entries per 4 KiB table, 3 or 4 levels, with 2 MiB and 1 GiB
 * leaves; a struct pt_format says how entries are encoded, and the walking,
 * large-page choice, splitting, lookup and teardown are the same for all.
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
	/* Optional: the entry at @level that points to the table @pa one
	 * level down; NULL: pa | table_bits. */
	u64 (*table)(u64 pa, int level);
	/* Optional: whether the present entry @e above level 1 maps a page;
	 * NULL: its bit 7 (PT_LARGE) says so. A format with its own rule is
	 * mapped with pt_map_new only (splitting copies bit 7's meaning). */
	bool (*is_page)(u64 e);
};

#define PT_ADDR_MASK 0x000ffffffffff000ULL
#define PT_LARGE (1ULL << 7) /* PS in host/NPT entries, bit 7 in EPT and VT-d */

/* Leaf sizes above 4 KiB a table may use (struct pt.large). */
#define PT_LARGE_2M (1u << 0)
#define PT_LARGE_1G (1u << 1)

/* A table page: physical address (zeroed), or 0 when out of memory. */
typedef u64 (*pt_alloc_fn)(void *ctx);

struct pt {
	u64 root; /* physical address of the top-level table */
	const struct pt_format *fmt;
	u8 levels; /* 4 (48-bit addresses, pt_init's default) or 3 (39-bit) */
	u8 large;  /* PT_LARGE_*: pt_init allows 2 MiB; 1 GiB needs support */
	pt_alloc_fn alloc;
	void *ctx;
	/* Optional: make the CPU's writes of [p, p + len) visible to a reader
	 * that does not snoop its caches (a VT-d unit without ECAP.C). */
	void (*flush)(const void *p, size_t len);
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

/*
 * Map [va, va+size) to [pa, ...) where nothing is mapped yet: the largest
 * pages alignment allows, never replacing or splitting an entry. False
 * when a part is mapped already, a table could not be allocated, or the
 * range is unaligned, empty, wraps, or lies beyond the tables' reach or
 * the entries' address field, or grants neither read nor write; what was
 * mapped before a failure stays (the caller drops the tables). The IOMMUs'
 * domains are built this way.
 */
bool pt_map_new(struct pt *pt, u64 va, u64 pa, u64 size, u32 prot);

/* Remove translations for [va, va+size). */
bool pt_unmap(struct pt *pt, u64 va, u64 size);

/* Give every table page of @pt back through @free (the pages its leaves
 * map are not the tables'); @pt is empty after. */
void pt_destroy(struct pt *pt, void (*free)(u64 table));

/*
 * Translate @va: returns true and the physical address and leaf entry if
 * mapped. For tests and debugging.
 */
bool pt_lookup(const struct pt *pt, u64 va, u64 *pa, u64 *leaf, int *level);

/*
 * How much of [va, va+size) each leaf size maps, in bytes: @bytes[0]
 * 4 KiB leaves, [1] 2 MiB, [2] 1 GiB (a leaf reaching past either end
 * counts only its part inside). Unmapped parts count nowhere.
 */
void pt_leaf_bytes(const struct pt *pt, u64 va, u64 size, u64 bytes[3]);

/* Formats. */
extern const struct pt_format pt_format_host; /* NX when the CPU has it */
extern const struct pt_format pt_format_npt;
extern const struct pt_format pt_format_ept;

/* Host format: whether the CPU has NX (CPUID), set once before use. */
void pt_format_host_setup(bool nx);

#endif
