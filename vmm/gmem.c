// SPDX-License-Identifier: MIT
/* Guest memory layout, second-level mapping and checked access (gmem.h). */
#include "kernel/mm.h"
#include "kernel/string.h"
#include "vmm/gmem.h"
#include "vmm/vm.h"

static void add(struct gmem *m, u64 gpa, u64 size, u64 hpa)
{
	if (size && m->n < GMEM_MAX_REGIONS)
		m->r[m->n++] = (struct gmem_region){ gpa, size, hpa };
}

void gmem_layout(struct gmem *m, u64 ram_size, u64 hpa)
{
	u64 low = MIN(ram_size, GMEM_LOW_TOP);

	memset(m, 0, sizeof(*m));
	m->ram_size = ram_size;
	m->host_base = hpa;
	m->host_size = ram_size;
	add(m, 0, MIN(low, GMEM_VGA_BASE), hpa);
	if (low > GMEM_VGA_END) {
		add(m, GMEM_VGA_END, low - GMEM_VGA_END, hpa + GMEM_VGA_END);
		m->flat_end = low;
	}
	if (ram_size > low)
		add(m, 4 * GiB, ram_size - low, hpa + low);
	m->hole_start = MAX(low, GMEM_VGA_END);
	m->hole_end = 4 * GiB;
}

bool gmem_map_stage2(struct vm *vm)
{
	for (unsigned i = 0; i < vm->mem.n; i++) {
		const struct gmem_region *r = &vm->mem.r[i];

		if (!pt_map(&vm->hw.s2, r->gpa, r->hpa, r->size,
			    PT_PROT_R | PT_PROT_W | PT_PROT_X, PT_MEM_WB))
			return false;
	}
	return true;
}

static const struct gmem_region *find(const struct gmem *m, u64 gpa, u64 len)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct gmem_region *r = &m->r[i];

		if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len)
			return r;
	}
	return NULL;
}

void *gmem_ptr(const struct gmem *m, u64 gpa, u64 len)
{
	const struct gmem_region *r;

	if (gpa >= GMEM_VGA_END && gpa < m->flat_end && len <= m->flat_end - gpa)
		return phys_to_virt(m->host_base + gpa);
	r = find(m, gpa, len);

	return r ? phys_to_virt(r->hpa + (gpa - r->gpa)) : NULL;
}

bool gmem_is_ram(const struct gmem *m, u64 gpa, u64 len)
{
	return find(m, gpa, len) != NULL;
}

bool gmem_read(const struct gmem *m, u64 gpa, void *dst, u64 len)
{
	void *p = gmem_ptr(m, gpa, len);

	if (!p)
		return false;
	memcpy(dst, p, len);
	return true;
}

bool gmem_write(const struct gmem *m, u64 gpa, const void *src, u64 len)
{
	void *p = gmem_ptr(m, gpa, len);

	if (!p)
		return false;
	memcpy(p, src, len);
	return true;
}

u64 gmem_low_end(const struct gmem *m)
{
	return MIN(m->ram_size, GMEM_LOW_TOP);
}
