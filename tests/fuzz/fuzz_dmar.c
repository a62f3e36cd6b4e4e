// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: DMAR parsing and device-scope resolution
 * (drivers/iommu/vtd_dmar.c). The input is the table, read from a heap
 * copy of exactly its bytes (ASan sees any read past them). Unless bit 7
 * of byte 9 (the checksum, which the parser does not read) is set, the
 * harness writes the signature and the input's size into the header, so
 * the fuzzer spends its time on the remapping structures. Then every
 * query runs against a bridge lookup that makes (bus, 1, 0) a bridge to
 * bus + 1 (so paths of several hops resolve), and what the parser
 * promises is checked: bounded counts, scopes with 1..VTD_MAX_PATH hops,
 * RMRRs that do not wrap, each unit covering the endpoints it names.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/iommu/vtd_dmar.h"

static bool fake_bridge(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u8 *sec, u8 *sub)
{
	(void)ctx;
	(void)seg;
	if (dev != 1 || fn != 0 || bus == 0xff)
		return false;
	*sec = (u8)(bus + 1);
	*sub = (u8)(bus + 1);
	return true;
}

static const struct vtd_bus_lookup lookup = { fake_bridge, NULL };

static void check_scopes(const struct vtd_dmar *d, const struct vtd_scope *s, unsigned n, u16 seg,
			 bool unit)
{
	for (unsigned i = 0; i < n; i++) {
		u16 rid;
		u8 lo, hi;

		if (!s[i].npath || s[i].npath > VTD_MAX_PATH)
			abort();
		if (!vtd_scope_resolve(&s[i], seg, &lookup, &rid, &lo, &hi))
			continue;
		if (lo > hi)
			abort();
		if (s[i].type == VTD_SCOPE_ENDPOINT &&
		    (!vtd_scope_covers(&s[i], seg, rid, &lookup) ||
		     (unit && vtd_dmar_unit_of(d, seg, rid, &lookup) < 0)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vtd_dmar d;
	u8 *t = malloc(size ? size : 1);

	memcpy(t, data, size);
	if (size >= 10 && !(t[9] & 0x80) && size <= 0xffffffffu) {
		memcpy(t, "DMAR", 4);
		t[4] = (u8)size;
		t[5] = (u8)(size >> 8);
		t[6] = (u8)(size >> 16);
		t[7] = (u8)(size >> 24);
	}
	if (vtd_dmar_parse(t, (u32)size, &d)) {
		if (d.nunits > VTD_MAX_UNITS || d.nrmrr > VTD_MAX_RMRR || d.nwarn > 4)
			abort();
		for (unsigned i = 0; i < d.nunits; i++) {
			if (d.units[i].nscopes > VTD_MAX_SCOPES)
				abort();
			check_scopes(&d, d.units[i].scopes, d.units[i].nscopes, d.units[i].seg, true);
		}
		for (unsigned i = 0; i < d.nrmrr; i++) {
			const struct vtd_rmrr_desc *r = &d.rmrr[i];

			if (r->nscopes > VTD_MAX_SCOPES || r->limit < r->base)
				abort();
			check_scopes(&d, r->scopes, r->nscopes, r->seg, false);
			vtd_rmrr_applies(r, r->seg, 0x0008, &lookup);
		}
		vtd_dmar_unit_of(&d, 0, 0x0000, &lookup);
		vtd_dmar_unit_of(&d, 0, 0xffff, &lookup);
	}
	free(t);
	return 0;
}
