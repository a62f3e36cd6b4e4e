// SPDX-License-Identifier: MIT
/*
 * The shared page-table builder (pgtable.h). Tables are reached through
 * the identity map (phys_to_virt). A large page that must hold a smaller
 * mapping is split into 512 entries one level down with the same
 * attributes; bit 7 means "large" above level 1 in the host, NPT and EPT
 * formats and is cleared in level-1 entries (SDM Vol. 3A §4.5, Vol. 3C
 * §29.3.2).
 */
#include "arch/x86/pgtable.h"
#include "kernel/mm.h"

static u64 *table_va(u64 entry) { return phys_to_virt(entry & PT_ADDR_MASK); }

static u64 level_size(int level) { return 1ULL << (12 + 9 * (level - 1)); }

static unsigned index_of(u64 va, int level) { return (va >> (12 + 9 * (level - 1))) & 511; }

bool pt_init(struct pt *pt, const struct pt_format *fmt, pt_alloc_fn alloc,
	     void *ctx)
{
	pt->fmt = fmt;
	pt->levels = 4;
	pt->large = PT_LARGE_2M;
	pt->alloc = alloc;
	pt->ctx = ctx;
	pt->flush = NULL;
	pt->root = alloc(ctx);
	return pt->root != 0;
}

static bool present(const struct pt *pt, u64 e) { return e & pt->fmt->present_mask; }

/* Whether the present entry @e at @level maps a page (not a table). */
static bool is_page(const struct pt *pt, u64 e, int level)
{
	if (level == 1)
		return true;
	return pt->fmt->is_page ? pt->fmt->is_page(e) : (e & PT_LARGE) != 0;
}

static u64 table_entry(const struct pt *pt, u64 t, int level)
{
	return pt->fmt->table ? pt->fmt->table(t, level) : t | pt->fmt->table_bits;
}

/* Store an entry where a non-snooping reader will see it. */
static void publish(const struct pt *pt, u64 *e, u64 val)
{
	*e = val;
	if (pt->flush)
		pt->flush(e, sizeof(*e));
}

/* A new zeroed table, flushed for a non-snooping reader; 0 if none. */
static u64 new_table(struct pt *pt)
{
	u64 t = pt->alloc(pt->ctx);

	if (t && pt->flush)
		pt->flush(phys_to_virt(t), PAGE_SIZE);
	return t;
}

/* Split the large leaf *e (at @level) into a table of smaller leaves. */
static bool split(struct pt *pt, u64 *e, int level)
{
	u64 sub = level_size(level - 1);
	u64 attrs = *e & ~PT_ADDR_MASK;
	u64 base = *e & PT_ADDR_MASK & ~(level_size(level) - 1);
	u64 t = pt->alloc(pt->ctx);
	u64 *tab;

	if (!t)
		return false;
	if (level - 1 == 1)
		attrs &= ~PT_LARGE;
	tab = phys_to_virt(t);
	for (int i = 0; i < 512; i++)
		tab[i] = (base + i * sub) | attrs;
	if (pt->flush)
		pt->flush(tab, PAGE_SIZE);
	publish(pt, e, table_entry(pt, t, level));
	return true;
}

/* The table below entry *e at @level, created or (unless @keep) split as
 * needed; NULL when out of memory or, with @keep, a page is there. */
static u64 *descend(struct pt *pt, u64 *e, int level, bool keep)
{
	if (!present(pt, *e)) {
		u64 t = new_table(pt);

		if (!t)
			return NULL;
		publish(pt, e, table_entry(pt, t, level));
	} else if (is_page(pt, *e, level)) {
		if (keep || !split(pt, e, level))
			return NULL;
	}
	return table_va(*e);
}

static bool leaf_fits(const struct pt *pt, u64 va, u64 pa, u64 size, int level)
{
	u64 ls = level_size(level);

	if ((level == 2 && !(pt->large & PT_LARGE_2M)) ||
	    (level == 3 && !(pt->large & PT_LARGE_1G)))
		return false;
	return IS_ALIGNED(va, ls) && IS_ALIGNED(pa, ls) && size >= ls;
}

enum set_how { SET_MAP, SET_NEW, SET_UNMAP };

/* Write one leaf (or clear it for SET_UNMAP) covering va; returns its
 * size, 0 on failure (out of memory; for SET_NEW also: mapped already). */
static u64 set_one(struct pt *pt, u64 va, u64 pa, u64 size, u32 prot,
		   enum pt_memtype mt, enum set_how how)
{
	u64 *tab = phys_to_virt(pt->root);

	for (int level = pt->levels; level >= 1; level--) {
		u64 *e = &tab[index_of(va, level)];

		if (level <= 3 && leaf_fits(pt, va, pa, size, level)) {
			if (how == SET_NEW && present(pt, *e))
				return 0; /* nothing is replaced */
			publish(pt, e, how == SET_UNMAP ? 0 : pt->fmt->leaf(pa, prot, mt, level));
			return level_size(level);
		}
		if (how == SET_UNMAP && !present(pt, *e))
			return MIN(size, level_size(level) - (va & (level_size(level) - 1)));
		tab = descend(pt, e, level, how == SET_NEW);
		if (!tab)
			return 0;
	}
	return 0; /* not reached: level 1 always fits a page */
}

static bool apply(struct pt *pt, u64 va, u64 pa, u64 size, u32 prot,
		  enum pt_memtype mt, enum set_how how)
{
	if (!IS_ALIGNED(va | pa, PAGE_SIZE))
		return false; /* no level could hold it: refuse before writing */
	size = ALIGN_UP(size, PAGE_SIZE);
	while (size) {
		u64 step = set_one(pt, va, pa, size, prot, mt, how);

		if (!step)
			return false;
		step = MIN(step, size);
		va += step;
		pa += step;
		size -= step;
	}
	return true;
}

bool pt_map(struct pt *pt, u64 va, u64 pa, u64 size, u32 prot,
	    enum pt_memtype mt)
{
	return apply(pt, va, pa, size, prot, mt, SET_MAP);
}

bool pt_map_new(struct pt *pt, u64 va, u64 pa, u64 size, u32 prot)
{
	u64 reach = level_size(pt->levels + 1);

	if (!(prot & (PT_PROT_R | PT_PROT_W)) || !size || !IS_ALIGNED(size, PAGE_SIZE) ||
	    va + size < va || va + size > reach ||
	    pa + size < pa || ((pa + size - 1) & ~(PT_ADDR_MASK | (PAGE_SIZE - 1))))
		return false;
	return apply(pt, va, pa, size, prot, PT_MEM_WB, SET_NEW);
}

bool pt_unmap(struct pt *pt, u64 va, u64 size)
{
	return apply(pt, va, 0, size, 0, PT_MEM_WB, SET_UNMAP);
}

bool pt_lookup(const struct pt *pt, u64 va, u64 *pa, u64 *leaf, int *level)
{
	const u64 *tab = phys_to_virt(pt->root);

	for (int l = pt->levels; l >= 1; l--) {
		u64 e = tab[index_of(va, l)];

		if (!present(pt, e))
			return false;
		if (is_page(pt, e, l)) {
			*pa = (e & PT_ADDR_MASK & ~(level_size(l) - 1)) |
			      (va & (level_size(l) - 1));
			*leaf = e;
			*level = l;
			return true;
		}
		tab = table_va(e);
	}
	return false;
}

void pt_leaf_bytes(const struct pt *pt, u64 va, u64 size, u64 bytes[3])
{
	u64 end = va + size;

	bytes[0] = bytes[1] = bytes[2] = 0;
	while (va < end) {
		u64 pa, leaf, step;
		int level;

		if (pt_lookup(pt, va, &pa, &leaf, &level)) {
			step = MIN(level_size(level) - (va & (level_size(level) - 1)), end - va);
			bytes[level - 1] += step;
		} else {
			step = MIN(PAGE_SIZE - (va & (PAGE_SIZE - 1)), end - va);
		}
		va += step;
	}
}

static void destroy(const struct pt *pt, u64 table, int level, void (*free)(u64 table))
{
	const u64 *tab = phys_to_virt(table);

	if (level > 1)
		for (int i = 0; i < 512; i++)
			if (present(pt, tab[i]) && !is_page(pt, tab[i], level))
				destroy(pt, tab[i] & PT_ADDR_MASK, level - 1, free);
	free(table);
}

void pt_destroy(struct pt *pt, void (*free)(u64 table))
{
	if (pt->root)
		destroy(pt, pt->root, pt->levels, free);
	pt->root = 0;
}

/* ---- formats ---- */

#define X86_P (1ULL << 0)
#define X86_W (1ULL << 1)
#define X86_U (1ULL << 2)
#define X86_PWT (1ULL << 3)
#define X86_PCD (1ULL << 4)
#define X86_NX (1ULL << 63)

static u64 host_nx;

static u64 x86_leaf(u64 pa, u32 prot, enum pt_memtype mt, int level, u64 nx)
{
	u64 e = pa | X86_P;

	if (prot & PT_PROT_W)
		e |= X86_W;
	if (!(prot & PT_PROT_X))
		e |= nx;
	if (mt == PT_MEM_UC)
		e |= X86_PCD | X86_PWT;
	if (level > 1)
		e |= PT_LARGE;
	return e;
}

static u64 host_leaf(u64 pa, u32 prot, enum pt_memtype mt, int level)
{
	return x86_leaf(pa, prot, mt, level, host_nx);
}

/* Nested paging treats every guest access as a user access (APM §15.25.5):
 * all levels carry U. NX is architectural in long mode hosts with NPT. */
static u64 npt_leaf(u64 pa, u32 prot, enum pt_memtype mt, int level)
{
	return x86_leaf(pa, prot, mt, level, X86_NX) | X86_U;
}

/* EPT: bits 0-2 read/write/execute, bits 3-5 memory type (0 UC, 6 WB). */
static u64 ept_leaf(u64 pa, u32 prot, enum pt_memtype mt, int level)
{
	u64 e = pa | (prot & 7) | ((mt == PT_MEM_UC ? 0ULL : 6ULL) << 3);

	if (level > 1)
		e |= PT_LARGE;
	return e;
}

const struct pt_format pt_format_host = {
	.name = "host", .table_bits = X86_P | X86_W, .present_mask = X86_P,
 .leaf = host_leaf,
};

const struct pt_format pt_format_npt = {
	.name = "npt", .table_bits = X86_P | X86_W | X86_U, .present_mask = X86_P,
 .leaf = npt_leaf,
};

const struct pt_format pt_format_ept = {
	.name = "ept", .table_bits = 7, .present_mask = 7,
 .leaf = ept_leaf,
};

void pt_format_host_setup(bool nx)
{
	host_nx = nx ? X86_NX : 0;
}
