// SPDX-License-Identifier: MIT
/*
 * IVRS parsing (amdvi_ivrs.h), AMD IOMMU spec #48882 §5.2: the table
 * header, IVHD blocks 10h/11h/40h and their device entries, IVMD blocks
 * 20h-22h. Each IVHD block is read only if no other block describes
 * its IOMMU (the same segment and device ID) with a newer type: a scan of
 * the blocks decides, before its device entries are read.
 */
#include <stdarg.h>

#include "drivers/iommu/amdvi_ivrs.h"
#include "kernel/format.h"
#include "kernel/string.h"

#define IVRS_HDR 48
#define IVRS_IVINFO 36
#define IVHD_HDR_10 24
#define IVHD_HDR_11 40 /* 11h and 40h */
#define IVMD_LEN 32
#define BLOCK_HDR 4    /* type, flags, length: enough to step over any block */

/* Device entry types, §5.2. */
#define DE_PAD4 0x00
#define DE_ALL 0x01
#define DE_SELECT 0x02
#define DE_START 0x03
#define DE_END 0x04
#define DE_PAD8 0x40
#define DE_ALIAS_SELECT 0x42
#define DE_ALIAS_START 0x43
#define DE_EXT_SELECT 0x46
#define DE_EXT_START 0x47
#define DE_SPECIAL 0x48
#define DE_ACPI_HID 0xf0
#define HID_FIXED 22   /* an F0h entry before its UID */

static u16 rd16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static u32 rd32(const u8 *p) { return (u32)rd16(p) | (u32)rd16(p + 2) << 16; }
static u64 rd64(const u8 *p) { return (u64)rd32(p) | (u64)rd32(p + 4) << 32; }

static __printf(3, 4) void warn(struct amdvi_ivrs *v, u32 off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!v)
		return; /* a rescan: its warnings were given the first time */
	v->warn_total++;
	if (v->nwarn >= AMDVI_MAX_WARN)
		return;
	n = snprintf(v->warn[v->nwarn], sizeof(v->warn[0]), "IVRS offset 0x%x: ", off);
	va_start(ap, fmt);
	vsnprintf(v->warn[v->nwarn] + n, sizeof(v->warn[0]) - (size_t)n, fmt, ap);
	va_end(ap);
	v->nwarn++;
}

static bool is_ivhd(u8 type)
{
	return type == AMDVI_IVHD_10 || type == AMDVI_IVHD_11 || type == AMDVI_IVHD_40;
}

static bool is_ivmd(u8 type)
{
	return type == AMDVI_IVMD_ALL || type == AMDVI_IVMD_ONE || type == AMDVI_IVMD_RANGE;
}

/* ---- device entries ---- */

/* The range a start entry (03h, 43h, 47h) opened, waiting for its end. */
struct open_range {
	bool open;
	u32 off;
	struct amdvi_devrange r;
};

static void add_range(struct amdvi_ivrs *v, struct amdvi_unit_desc *u, u32 off,
		      const struct amdvi_devrange *r)
{
	if (u->nranges == AMDVI_MAX_RANGES) {
		warn(v, off, "more than %u device entries, 0x%x-0x%x ignored", AMDVI_MAX_RANGES,
		     r->first, r->last);
		return;
	}
	u->ranges[u->nranges++] = *r;
}

/* A select or start entry's range (one ID; a start's end comes later). */
static struct amdvi_devrange entry_range(const u8 *e)
{
	u8 type = e[0];
	struct amdvi_devrange r = { .first = rd16(e + 1), .last = rd16(e + 1), .dte = e[3] };

	r.alias = r.first;
	if (type == DE_ALIAS_SELECT || type == DE_ALIAS_START) {
		r.alias = rd16(e + 5);
		r.aliased = true;
	} else if (type == DE_EXT_SELECT || type == DE_EXT_START) {
		r.ext = true;
		r.ext_dte = rd32(e + 4);
	}
	return r;
}

static void range_start(struct amdvi_ivrs *v, struct open_range *o, const u8 *e, u32 off)
{
	if (o->open)
		warn(v, o->off, "range start 0x%x has no end entry, dropped", o->r.first);
	o->open = true;
	o->off = off;
	o->r = entry_range(e);
}

static void range_end(struct amdvi_ivrs *v, struct amdvi_unit_desc *u, struct open_range *o,
		      const u8 *e, u32 off)
{
	u16 last = rd16(e + 1);

	if (!o->open) {
		warn(v, off, "range end 0x%x without a start, ignored", last);
		return;
	}
	o->open = false;
	if (last < o->r.first) {
		warn(v, off, "range end 0x%x below its start 0x%x, ignored", last, o->r.first);
		return;
	}
	o->r.last = last;
	add_range(v, u, o->off, &o->r);
}

static void special(struct amdvi_ivrs *v, struct amdvi_unit_desc *u, const u8 *e, u32 off)
{
	u8 variety = e[7];

	if (variety != AMDVI_SPECIAL_IOAPIC && variety != AMDVI_SPECIAL_HPET) {
		warn(v, off, "special device of unknown variety %u ignored", variety);
		return;
	}
	if (u->nspecial == AMDVI_MAX_SPECIAL) {
		warn(v, off, "more than %u IOAPIC/HPET entries, rest ignored", AMDVI_MAX_SPECIAL);
		return;
	}
	u->special[u->nspecial++] = (struct amdvi_special){
		.variety = variety, .handle = e[4], .devid = rd16(e + 5), .dte = e[3],
	};
}

/* Printable ASCII of @n bytes at @p into @out (NUL-terminated, @n + 1 long). */
static void ascii(char *out, const u8 *p, unsigned n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n && p[i]; i++)
		out[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[k] = 0;
}

static void acpi_hid(struct amdvi_ivrs *v, struct amdvi_unit_desc *u, const u8 *e, u32 off)
{
	struct amdvi_hid *h;
	u8 uid_len = e[21];

	if (u->type != AMDVI_IVHD_40) {
		warn(v, off, "ACPI HID entry in a type 0x%x IVHD ignored", u->type);
		return;
	}
	if (u->nhid == AMDVI_MAX_HID) {
		warn(v, off, "more than %u ACPI HID entries, rest ignored", AMDVI_MAX_HID);
		return;
	}
	h = &u->hid[u->nhid++];
	memset(h, 0, sizeof(*h));
	h->devid = rd16(e + 1);
	h->dte = e[3];
	ascii(h->hid, e + 4, 8);
	ascii(h->cid, e + 12, 8);
	h->uid_format = e[20];
	if (h->uid_format == 1 && uid_len >= 1) {
		u64 n = 0;

		for (unsigned i = 0; i < uid_len && i < 8; i++)
			n |= (u64)e[HID_FIXED + i] << (8 * i);
		snprintf(h->uid, sizeof(h->uid), "%llu", (unsigned long long)n);
	} else if (h->uid_format == 2) {
		ascii(h->uid, e + HID_FIXED, MIN((u32)uid_len, (u32)sizeof(h->uid) - 1));
	}
}

/* The length of the device entry at @e with @avail bytes left, 0 if it
 * cannot be known (§5.2: types 00h-3Fh are 4 bytes, 40h-7Fh 8 bytes,
 * F0h 22 bytes plus its UID). */
static u32 entry_len(const u8 *e, u32 avail)
{
	if (e[0] < 0x40)
		return 4;
	if (e[0] < 0x80)
		return 8;
	if (e[0] == DE_ACPI_HID && avail >= HID_FIXED)
		return HID_FIXED + e[21];
	return 0;
}

static void one_entry(struct amdvi_ivrs *v, struct amdvi_unit_desc *u, struct open_range *o,
		      const u8 *e, u32 off)
{
	struct amdvi_devrange r;

	switch (e[0]) {
	case DE_PAD4:
	case DE_PAD8:
		break;
	case DE_ALL:
		u->all = true;
		u->all_dte = e[3];
		break;
	case DE_SELECT:
	case DE_ALIAS_SELECT:
	case DE_EXT_SELECT:
		r = entry_range(e);
		add_range(v, u, off, &r);
		break;
	case DE_START:
	case DE_ALIAS_START:
	case DE_EXT_START:
		range_start(v, o, e, off);
		break;
	case DE_END:
		range_end(v, u, o, e, off);
		break;
	case DE_SPECIAL:
		special(v, u, e, off);
		break;
	case DE_ACPI_HID:
		acpi_hid(v, u, e, off);
		break;
	default:
		warn(v, off, "unknown device entry type 0x%x ignored", e[0]);
	}
}

/* The device entries of the IVHD block at @b (@blen bytes, @hdr of them
 * the block's header; @base_off its table offset). */
static void parse_entries(struct amdvi_ivrs *v, struct amdvi_unit_desc *u, const u8 *b, u32 blen,
			  u32 hdr, u32 base_off)
{
	struct open_range o = { 0 };

	for (u32 p = hdr; p < blen;) {
		u32 avail = blen - p, len;

		if (avail < 4) {
			warn(v, base_off + p, "%u stray bytes at the end of an IVHD ignored", avail);
			break;
		}
		len = entry_len(b + p, avail);
		if (!len) {
			warn(v, base_off + p, "device entry type 0x%x of unknown length: rest of the "
			     "IVHD ignored", b[p]);
			break;
		}
		if (len > avail) {
			warn(v, base_off + p, "device entry type 0x%x runs past its IVHD: rest ignored",
			     b[p]);
			break;
		}
		one_entry(v, u, &o, b + p, base_off + p);
		p += len;
	}
	if (o.open)
		warn(v, o.off, "range start 0x%x has no end entry, dropped", o.r.first);
}

/* ---- blocks ---- */

static void parse_ivhd(struct amdvi_ivrs *v, const u8 *b, u32 blen, u32 off)
{
	struct amdvi_unit_desc *u;
	u32 hdr = b[0] == AMDVI_IVHD_10 ? IVHD_HDR_10 : IVHD_HDR_11;

	if (v->nunits == AMDVI_MAX_UNITS) {
		warn(v, off, "more than %u IOMMUs, this one ignored", AMDVI_MAX_UNITS);
		return;
	}
	u = &v->units[v->nunits];
	memset(u, 0, sizeof(*u));
	u->type = b[0];
	u->flags = b[1];
	u->devid = rd16(b + 4);
	u->cap_off = rd16(b + 6);
	u->base = rd64(b + 8);
	u->seg = rd16(b + 16);
	u->info = rd16(b + 18);
	u->attr = rd32(b + 20);
	if (hdr == IVHD_HDR_11)
		u->efr = rd64(b + 24);
	if (!u->base) {
		warn(v, off, "IVHD for IOMMU %04x:%02x:%02x.%x has no register base, ignored", u->seg,
		     u->devid >> 8, u->devid >> 3 & 31, u->devid & 7);
		return;
	}
	parse_entries(v, u, b, blen, hdr, off);
	v->nunits++;
}

static void parse_ivmd(struct amdvi_ivrs *v, const u8 *b, u32 off)
{
	struct amdvi_ivmd_desc m = {
		.type = b[0], .flags = b[1], .first = rd16(b + 4), .last = rd16(b + 4),
		.base = rd64(b + 16), .size = rd64(b + 24),
	};

	if (m.type == AMDVI_IVMD_ALL) {
		m.first = 0;
		m.last = 0xffff;
	} else if (m.type == AMDVI_IVMD_RANGE) {
		m.last = rd16(b + 6);
	}
	if (m.last < m.first) {
		warn(v, off, "IVMD device range 0x%x-0x%x is backwards, ignored", m.first, m.last);
		return;
	}
	if (!m.size || m.base + m.size < m.base) {
		warn(v, off, "IVMD block 0x%llx size 0x%llx is empty or wraps, ignored",
		     (unsigned long long)m.base, (unsigned long long)m.size);
		return;
	}
	if (!(m.flags & (AMDVI_IVMD_UNITY | AMDVI_IVMD_EXCLUSION))) {
		warn(v, off, "IVMD block 0x%llx is neither unity nor exclusion, ignored",
		     (unsigned long long)m.base);
		return;
	}
	if (v->nivmd == AMDVI_MAX_IVMD) {
		warn(v, off, "more than %u IVMD blocks, this one ignored", AMDVI_MAX_IVMD);
		return;
	}
	v->ivmd[v->nivmd++] = m;
}

/* Check the block at @off (type, length); its length, or 0 to stop. */
static u32 block_len(struct amdvi_ivrs *v, const u8 *t, u32 tlen, u32 off)
{
	u8 type = t[off];
	u32 len, min = 0;

	if (tlen - off < BLOCK_HDR) {
		warn(v, off, "%u stray bytes at the end of the table ignored", tlen - off);
		return 0;
	}
	len = rd16(t + off + 2);
	if (type == AMDVI_IVHD_10)
		min = IVHD_HDR_10;
	else if (type == AMDVI_IVHD_11 || type == AMDVI_IVHD_40)
		min = IVHD_HDR_11;
	else if (is_ivmd(type))
		min = IVMD_LEN;
	if (len < MAX(min, (u32)BLOCK_HDR)) {
		warn(v, off, "block type 0x%x has length %u (below %u): rest of the table ignored",
		     type, len, MAX(min, (u32)BLOCK_HDR));
		return 0;
	}
	if (len > tlen - off) {
		warn(v, off, "block type 0x%x of length %u runs past the table: rest ignored", type,
		     len);
		return 0;
	}
	return len;
}

/* Whether the IVHD at @off is the newest type describing its IOMMU (the
 * same segment and device ID); on a tie, the first of that type. */
static bool ivhd_chosen(const u8 *t, u32 tlen, u32 off)
{
	u16 devid = rd16(t + off + 4), seg = rd16(t + off + 16);
	u8 type = t[off];

	for (u32 p = IVRS_HDR, len; p < tlen; p += len) {
		len = block_len(NULL, t, tlen, p);
		if (!len)
			break;
		if (p == off || !is_ivhd(t[p]) || rd16(t + p + 4) != devid || rd16(t + p + 16) != seg)
			continue;
		if (t[p] > type || (t[p] == type && p < off))
			return false;
	}
	return true;
}

bool amdvi_ivrs_parse(const u8 *t, u32 len, struct amdvi_ivrs *v)
{
	u32 tlen, blen;

	memset(v, 0, sizeof(*v));
	if (!t || len < IVRS_HDR || memcmp(t, "IVRS", 4))
		return false;
	tlen = rd32(t + 4);
	if (tlen < IVRS_HDR)
		return false;
	if (tlen > len) {
		warn(v, 4, "table length %u exceeds the %u bytes readable; cut", tlen, len);
		tlen = len;
	}
	v->ivinfo = rd32(t + IVRS_IVINFO);
	for (u32 off = IVRS_HDR; off < tlen; off += blen) {
		blen = block_len(v, t, tlen, off);
		if (!blen)
			break;
		if (is_ivhd(t[off])) {
			if (ivhd_chosen(t, tlen, off))
				parse_ivhd(v, t + off, blen, off);
		} else if (is_ivmd(t[off])) {
			parse_ivmd(v, t + off, off);
		} else {
			warn(v, off, "unknown block type 0x%x skipped", t[off]);
		}
	}
	return true;
}

/* ---- queries ---- */

bool amdvi_unit_covers(const struct amdvi_unit_desc *u, u16 devid, u16 *req)
{
	*req = devid;
	for (unsigned i = 0; i < u->nranges; i++) {
		const struct amdvi_devrange *r = &u->ranges[i];

		if (devid >= r->first && devid <= r->last) {
			if (r->aliased)
				*req = r->alias;
			return true;
		}
	}
	if (u->all)
		return true;
	for (unsigned i = 0; i < u->nspecial; i++)
		if (u->special[i].devid == devid)
			return true;
	for (unsigned i = 0; i < u->nhid; i++)
		if (u->hid[i].devid == devid)
			return true;
	return false;
}

int amdvi_ivrs_unit_of(const struct amdvi_ivrs *v, u16 seg, u16 devid, u16 *req)
{
	for (unsigned i = 0; i < v->nunits; i++)
		if (v->units[i].seg == seg && amdvi_unit_covers(&v->units[i], devid, req))
			return (int)i;
	*req = devid;
	return -1;
}

u16 amdvi_unit_max_devid(const struct amdvi_unit_desc *u)
{
	u16 m = u->devid;

	if (u->all)
		return 0xffff;
	for (unsigned i = 0; i < u->nranges; i++)
		m = MAX(m, MAX(u->ranges[i].last, u->ranges[i].alias));
	for (unsigned i = 0; i < u->nspecial; i++)
		m = MAX(m, u->special[i].devid);
	for (unsigned i = 0; i < u->nhid; i++)
		m = MAX(m, u->hid[i].devid);
	return m;
}

bool amdvi_ivmd_applies(const struct amdvi_ivmd_desc *m, u16 devid)
{
	return devid >= m->first && devid <= m->last;
}
