// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: IVRS parsing (drivers/iommu/amdvi_ivrs.c). The input
 * is the table, read from a heap copy of exactly its bytes (ASan sees any
 * read past them). Unless bit 7 of byte 9 (the checksum, which the parser
 * does not read) is set, the harness writes the signature and the input's
 * size into the header, so the fuzzer spends its time on the blocks. Then
 * every query runs, and what the parser promises is checked: bounded
 * counts, ranges in order, IVMD blocks that neither are empty nor wrap,
 * each unit covering the IDs it names.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/iommu/amdvi_ivrs.h"

static void check_unit(const struct amdvi_ivrs *v, const struct amdvi_unit_desc *u)
{
	u16 req, max = amdvi_unit_max_devid(u);

	if (u->nranges > AMDVI_MAX_RANGES || u->nspecial > AMDVI_MAX_SPECIAL ||
	    u->nhid > AMDVI_MAX_HID || !u->base)
		abort();
	for (unsigned i = 0; i < u->nranges; i++) {
		const struct amdvi_devrange *r = &u->ranges[i];

		if (r->first > r->last || r->last > max || r->alias > max)
			abort();
		if (!amdvi_unit_covers(u, r->first, &req) || !amdvi_unit_covers(u, r->last, &req))
			abort();
		if (amdvi_ivrs_unit_of(v, u->seg, r->first, &req) < 0)
			abort();
	}
	for (unsigned i = 0; i < u->nspecial; i++)
		if (u->special[i].devid > max || !amdvi_unit_covers(u, u->special[i].devid, &req))
			abort();
	for (unsigned i = 0; i < u->nhid; i++)
		if (strlen(u->hid[i].hid) > 8 || strlen(u->hid[i].uid) >= sizeof(u->hid[i].uid))
			abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct amdvi_ivrs v;
	u8 *t = malloc(size ? size : 1);
	u16 req;

	memcpy(t, data, size);
	if (size >= 10 && !(t[9] & 0x80) && size <= 0xffffffffu) {
		memcpy(t, "IVRS", 4);
		t[4] = (u8)size;
		t[5] = (u8)(size >> 8);
		t[6] = (u8)(size >> 16);
		t[7] = (u8)(size >> 24);
	}
	if (amdvi_ivrs_parse(t, (u32)size, &v)) {
		if (v.nunits > AMDVI_MAX_UNITS || v.nivmd > AMDVI_MAX_IVMD || v.nwarn > AMDVI_MAX_WARN ||
		    v.nwarn > v.warn_total)
			abort();
		for (unsigned i = 0; i < v.nunits; i++)
			check_unit(&v, &v.units[i]);
		for (unsigned i = 0; i < v.nivmd; i++) {
			const struct amdvi_ivmd_desc *m = &v.ivmd[i];

			if (m->first > m->last || !m->size || m->base + m->size < m->base ||
			    !amdvi_ivmd_applies(m, m->first))
				abort();
		}
		amdvi_ivrs_unit_of(&v, 0, 0x00a0, &req);
		amdvi_ivrs_unit_of(&v, 0, 0xffff, &req);
	}
	free(t);
	return 0;
}
