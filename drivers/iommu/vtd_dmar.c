// SPDX-License-Identifier: MIT
/*
 * DMAR parsing and device scope resolution (vtd_dmar.h), Intel VT-d
 * spec §8.1 (table header), §8.3 (DRHD), §8.3.1 (device scope), §8.4
 * (RMRR). Every length is checked against what contains it; a malformed
 * entry is skipped and named in the warnings.
 */
#include "drivers/iommu/vtd_dmar.h"
#include "kernel/format.h"
#include "kernel/string.h"

#define DMAR_HDR_LEN 48
#define DMAR_HAW_OFF 36
#define DMAR_FLAGS_OFF 37
#define DMAR_FLAG_INTR_REMAP (1u << 0)
#define DMAR_FLAG_X2APIC_OPT_OUT (1u << 1)

#define ENT_DRHD 0
#define ENT_RMRR 1
#define DRHD_SCOPES 16 /* offset of the first device scope */
#define RMRR_SCOPES 24
#define SCOPE_HDR 6

static u16 rd16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static u32 rd32(const u8 *p) { return (u32)rd16(p) | (u32)rd16(p + 2) << 16; }
static u64 rd64(const u8 *p) { return (u64)rd32(p) | (u64)rd32(p + 4) << 32; }

static void warn(struct vtd_dmar *d, const char *what, u32 off)
{
	if (d->nwarn < sizeof(d->warn) / sizeof(d->warn[0]))
		snprintf(d->warn[d->nwarn++], sizeof(d->warn[0]), "DMAR offset 0x%x: %s", off, what);
}

/* The device scopes in [@p, @p + @len) into @out (at most VTD_MAX_SCOPES). */
static u8 parse_scopes(struct vtd_dmar *d, const u8 *p, u32 len, u32 base_off,
		       struct vtd_scope *out)
{
	u8 n = 0;

	for (u32 off = 0; off + SCOPE_HDR <= len;) {
		u8 slen = p[off + 1];
		struct vtd_scope *s;

		if (slen < SCOPE_HDR + 2 || (slen - SCOPE_HDR) % 2 || off + slen > len) {
			warn(d, "device scope with a bad length, rest of the entry ignored",
			     base_off + off);
			break;
		}
		if (n == VTD_MAX_SCOPES) {
			warn(d, "too many device scopes, rest ignored", base_off + off);
			break;
		}
		if ((slen - SCOPE_HDR) / 2 > VTD_MAX_PATH) {
			warn(d, "device scope path too long, scope ignored", base_off + off);
			off += slen;
			continue;
		}
		s = &out[n++];
		s->type = p[off];
		s->enum_id = p[off + 4];
		s->start_bus = p[off + 5];
		s->npath = (u8)((slen - SCOPE_HDR) / 2);
		for (u8 i = 0; i < s->npath; i++) {
			s->path[i][0] = p[off + SCOPE_HDR + 2 * i];
			s->path[i][1] = p[off + SCOPE_HDR + 2 * i + 1];
		}
		off += slen;
	}
	return n;
}

static void parse_drhd(struct vtd_dmar *d, const u8 *e, u16 elen, u32 off)
{
	struct vtd_unit_desc *u;

	if (elen < DRHD_SCOPES) {
		warn(d, "DRHD too short, ignored", off);
		return;
	}
	if (d->nunits == VTD_MAX_UNITS) {
		warn(d, "more DRHDs than the driver keeps, ignored", off);
		return;
	}
	u = &d->units[d->nunits++];
	u->include_all = e[4] & 1;
	u->seg = rd16(e + 6);
	u->base = rd64(e + 8);
	u->nscopes = parse_scopes(d, e + DRHD_SCOPES, elen - DRHD_SCOPES, off + DRHD_SCOPES,
				  u->scopes);
}

static void parse_rmrr(struct vtd_dmar *d, const u8 *e, u16 elen, u32 off)
{
	struct vtd_rmrr_desc *r;

	if (elen < RMRR_SCOPES) {
		warn(d, "RMRR too short, ignored", off);
		return;
	}
	if (d->nrmrr == VTD_MAX_RMRR) {
		warn(d, "more RMRRs than the driver keeps, ignored", off);
		return;
	}
	r = &d->rmrr[d->nrmrr];
	r->seg = rd16(e + 6);
	r->base = rd64(e + 8);
	r->limit = rd64(e + 16);
	if (r->limit < r->base || (r->base & 0xfff) || (r->limit & 0xfff) != 0xfff) {
		warn(d, "RMRR with a bad range, ignored", off);
		return;
	}
	r->nscopes = parse_scopes(d, e + RMRR_SCOPES, elen - RMRR_SCOPES, off + RMRR_SCOPES,
				  r->scopes);
	d->nrmrr++;
}

bool vtd_dmar_parse(const u8 *t, u32 len, struct vtd_dmar *out)
{
	u32 tlen;

	memset(out, 0, sizeof(*out));
	if (len < DMAR_HDR_LEN || memcmp(t, "DMAR", 4))
		return false;
	tlen = rd32(t + 4);
	if (tlen < DMAR_HDR_LEN || tlen > len)
		return false;
	out->haw = (u8)(t[DMAR_HAW_OFF] + 1);
	out->intr_remap = t[DMAR_FLAGS_OFF] & DMAR_FLAG_INTR_REMAP;
	out->x2apic_opt_out = t[DMAR_FLAGS_OFF] & DMAR_FLAG_X2APIC_OPT_OUT;
	for (u32 off = DMAR_HDR_LEN; off + 4 <= tlen;) {
		u16 type = rd16(t + off), elen = rd16(t + off + 2);

		if (elen < 4 || off + elen > tlen) {
			warn(out, "entry with a bad length, rest of the table ignored", off);
			break;
		}
		if (type == ENT_DRHD)
			parse_drhd(out, t + off, elen, off);
		else if (type == ENT_RMRR)
			parse_rmrr(out, t + off, elen, off);
		off += elen;
	}
	return true;
}

bool vtd_scope_resolve(const struct vtd_scope *s, u16 seg, const struct vtd_bus_lookup *l, u16 *rid,
		       u8 *bus_lo, u8 *bus_hi)
{
	u8 bus = s->start_bus, sec, sub;

	if ((s->type != VTD_SCOPE_ENDPOINT && s->type != VTD_SCOPE_BRIDGE) || !s->npath)
		return false;
	for (u8 i = 0; i + 1 < s->npath; i++) {
		if (!l->bridge(l->ctx, seg, bus, s->path[i][0], s->path[i][1], &sec, &sub))
			return false;
		bus = sec;
	}
	*rid = (u16)(bus << 8 | (s->path[s->npath - 1][0] & 31) << 3 | (s->path[s->npath - 1][1] & 7));
	*bus_lo = *bus_hi = bus;
	if (s->type == VTD_SCOPE_BRIDGE) {
		if (!l->bridge(l->ctx, seg, bus, s->path[s->npath - 1][0], s->path[s->npath - 1][1],
			       &sec, &sub) || sub < sec)
			return false;
		*bus_lo = sec;
		*bus_hi = sub;
	}
	return true;
}

bool vtd_scope_covers(const struct vtd_scope *s, u16 seg, u16 rid, const struct vtd_bus_lookup *l)
{
	u16 srid;
	u8 lo, hi;

	if (!vtd_scope_resolve(s, seg, l, &srid, &lo, &hi))
		return false;
	if (srid == rid)
		return true;
	return s->type == VTD_SCOPE_BRIDGE && (rid >> 8) >= lo && (rid >> 8) <= hi;
}

static bool scopes_cover(const struct vtd_scope *sc, u8 n, u16 seg, u16 rid,
			 const struct vtd_bus_lookup *l)
{
	for (u8 i = 0; i < n; i++)
		if (vtd_scope_covers(&sc[i], seg, rid, l))
			return true;
	return false;
}

int vtd_dmar_unit_of(const struct vtd_dmar *d, u16 seg, u16 rid, const struct vtd_bus_lookup *l)
{
	int all = -1;

	for (u8 i = 0; i < d->nunits; i++) {
		const struct vtd_unit_desc *u = &d->units[i];

		if (u->seg != seg)
			continue;
		if (u->include_all)
			all = all < 0 ? i : all;
		else if (scopes_cover(u->scopes, u->nscopes, seg, rid, l))
			return i;
	}
	return all;
}

bool vtd_rmrr_applies(const struct vtd_rmrr_desc *r, u16 seg, u16 rid, const struct vtd_bus_lookup *l)
{
	return r->seg == seg && scopes_cover(r->scopes, r->nscopes, seg, rid, l);
}
