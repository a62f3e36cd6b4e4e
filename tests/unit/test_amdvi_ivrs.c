// SPDX-License-Identifier: MIT
/*
 * Host unit tests for IVRS parsing (drivers/iommu/amdvi_ivrs.c) with
 * hand-built tables: IVHD types 10h/11h/40h and the newest one chosen per
 * IOMMU, every device entry kind (select, range, alias, extended, special,
 * ACPI HID, all), IVMD blocks and the devices they apply to, and tables
 * that lie: truncated, lengths too short or too long, broken entries. The
 * parser reads a copy of exactly the bytes it is given, so the sanitizers
 * catch any read past them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/iommu/amdvi_ivrs.h"

/* ---- an IVRS table builder ---- */

static uint8_t tbl[2048];
static uint32_t tlen;
static struct amdvi_ivrs v;

static void put16(uint32_t off, uint16_t x) { tbl[off] = (uint8_t)x; tbl[off + 1] = (uint8_t)(x >> 8); }
static void put32(uint32_t off, uint32_t x) { put16(off, (uint16_t)x); put16(off + 2, (uint16_t)(x >> 16)); }
static void put64(uint32_t off, uint64_t x) { put32(off, (uint32_t)x); put32(off + 4, (uint32_t)(x >> 32)); }

static void begin(void)
{
	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, "IVRS", 4);
	tbl[8] = 2;
	put32(36, 0x00203041); /* EFRSup, VA 64, PA 48 */
	tlen = 48;
}

static void end(void) { put32(4, tlen); }

/* An IVHD header; close_block() patches its length. */
static uint32_t ivhd(uint8_t type, uint16_t devid, uint64_t base, uint16_t seg)
{
	uint32_t off = tlen;

	tbl[off] = type;
	tbl[off + 1] = 0x30; /* coherent, IOTLB */
	put16(off + 4, devid);
	put16(off + 6, 0x40);
	put64(off + 8, base);
	put16(off + 16, seg);
	put16(off + 18, 0x0200);
	put32(off + 20, 0x80048f6e);
	if (type == 0x10) {
		tlen += 24;
	} else {
		put64(off + 24, 0x246577efa2254afaull);
		tlen += 40;
	}
	return off;
}

static void close_block(uint32_t off) { put16(off + 2, (uint16_t)(tlen - off)); }

static void e4(uint8_t type, uint16_t devid, uint8_t dte)
{
	tbl[tlen] = type;
	put16(tlen + 1, devid);
	tbl[tlen + 3] = dte;
	tlen += 4;
}

/* An 8-byte entry: bytes 4-7 are @b4 (alias / extended / special fields). */
static void e8(uint8_t type, uint16_t devid, uint8_t dte, uint32_t b4)
{
	tbl[tlen] = type;
	put16(tlen + 1, devid);
	tbl[tlen + 3] = dte;
	put32(tlen + 4, b4);
	tlen += 8;
}

static void alias(uint8_t type, uint16_t devid, uint16_t src) { e8(type, devid, 0, (uint32_t)src << 8); }

static void special(uint8_t variety, uint8_t handle, uint16_t src, uint8_t dte)
{
	e8(0x48, 0, dte, handle | (uint32_t)src << 8 | (uint32_t)variety << 24);
}

static void hid(uint16_t devid, const char *h, const char *c, uint8_t uid_fmt, const char *uid)
{
	uint8_t ulen = (uint8_t)strlen(uid);

	tbl[tlen] = 0xf0;
	put16(tlen + 1, devid);
	memcpy(tbl + tlen + 4, h, strlen(h));
	memcpy(tbl + tlen + 12, c, strlen(c));
	tbl[tlen + 20] = uid_fmt;
	tbl[tlen + 21] = ulen;
	memcpy(tbl + tlen + 22, uid, ulen);
	tlen += 22u + ulen;
}

static void ivmd(uint8_t type, uint8_t flags, uint16_t devid, uint16_t aux, uint64_t base,
		 uint64_t size)
{
	tbl[tlen] = type;
	tbl[tlen + 1] = flags;
	put16(tlen + 2, 32);
	put16(tlen + 4, devid);
	put16(tlen + 6, aux);
	put64(tlen + 16, base);
	put64(tlen + 24, size);
	tlen += 32;
}

/* Parse the first @len bytes of the table from an exact-size copy. */
static bool parse_n(uint32_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	bool ok;

	memcpy(copy, tbl, len);
	ok = amdvi_ivrs_parse(copy, len, &v);
	free(copy);
	return ok;
}

static bool parse(void) { return parse_n(tlen); }

static bool warned(const char *what)
{
	for (unsigned i = 0; i < v.nwarn; i++)
		if (strstr(v.warn[i], what))
			return true;
	return false;
}

static uint16_t rid(uint8_t bus, uint8_t dev, uint8_t fn) { return (uint16_t)(bus << 8 | dev << 3 | fn); }

/* One IOMMU at 00:00.2 with every fixed-size entry kind, and an IVMD. */
static void build_one(void)
{
	uint32_t b;

	begin();
	b = ivhd(0x10, rid(0, 0, 2), 0xfd200000, 0);
	e4(0x02, rid(0, 0, 0), 0);                /* select the host bridge */
	e4(0x00, 0, 0);                           /* padding */
	e4(0x03, rid(0, 1, 0), 0xc0);             /* range 00:01.0-00:07.7 */
	e4(0x04, rid(0, 7, 7), 0);
	alias(0x42, rid(0, 0x14, 4), rid(0, 0x14, 3)); /* alias select */
	alias(0x43, rid(1, 0, 0), rid(0, 0x14, 4)); /* alias range 01:00.0-01:1f.7 */
	e4(0x04, rid(1, 0x1f, 7), 0);
	e8(0x46, rid(2, 0, 0), 0, 0x80000000);    /* extended select: ATS off */
	e8(0x47, rid(3, 0, 0), 0, 0);             /* extended range */
	e4(0x04, rid(3, 0, 7), 0);
	e8(0x40, 0, 0, 0);                        /* 8-byte padding */
	special(1, 0x21, rid(0, 0x14, 0), 0xd7);  /* IOAPIC 0x21 */
	special(2, 0, rid(0, 0x14, 0), 0);        /* HPET 0 */
	close_block(b);
	ivmd(0x21, 0x07, rid(0, 0x12, 0), 0, 0x7c000000, 0x800000);
	end();
}

static void test_fixed_entries(void **state)
{
	const struct amdvi_unit_desc *u = &v.units[0];
	uint16_t req;

	(void)state;
	build_one();
	assert_true(parse());
	assert_int_equal(v.nwarn, 0);
	assert_int_equal(v.ivinfo, 0x00203041);
	assert_int_equal(v.nunits, 1);
	assert_int_equal(u->type, 0x10);
	assert_int_equal(u->devid, rid(0, 0, 2));
	assert_int_equal(u->cap_off, 0x40);
	assert_int_equal(u->base, 0xfd200000);
	assert_int_equal(u->info, 0x0200);
	assert_int_equal(u->attr, 0x80048f6e);
	assert_int_equal(u->efr, 0); /* a 10h block has no EFR image */
	assert_true(u->flags & AMDVI_IVHD_COHERENT);
	assert_int_equal(u->nranges, 6);
	assert_int_equal(u->ranges[1].first, rid(0, 1, 0));
	assert_int_equal(u->ranges[1].last, rid(0, 7, 7));
	assert_int_equal(u->ranges[1].dte, 0xc0);
	assert_true(u->ranges[4].ext);
	assert_int_equal(u->ranges[4].ext_dte, 0x80000000);
	assert_int_equal(u->nspecial, 2);
	assert_int_equal(u->special[0].variety, AMDVI_SPECIAL_IOAPIC);
	assert_int_equal(u->special[0].handle, 0x21);
	assert_int_equal(u->special[0].devid, rid(0, 0x14, 0));
	assert_int_equal(u->special[0].dte, 0xd7);
	assert_int_equal(u->special[1].variety, AMDVI_SPECIAL_HPET);

	assert_true(amdvi_unit_covers(u, rid(0, 0, 0), &req));
	assert_int_equal(req, rid(0, 0, 0));
	assert_true(amdvi_unit_covers(u, rid(0, 4, 3), &req));
	assert_false(amdvi_unit_covers(u, rid(0, 8, 0), &req));
	assert_true(amdvi_unit_covers(u, rid(0, 0x14, 4), &req)); /* alias select */
	assert_int_equal(req, rid(0, 0x14, 3));
	assert_true(amdvi_unit_covers(u, rid(1, 5, 0), &req)); /* alias range */
	assert_int_equal(req, rid(0, 0x14, 4));
	assert_true(amdvi_unit_covers(u, rid(3, 0, 7), &req));
	assert_false(amdvi_unit_covers(u, rid(3, 1, 0), &req));
	assert_true(amdvi_unit_covers(u, rid(0, 0x14, 0), &req)); /* the IOAPIC's source */
	assert_int_equal(amdvi_ivrs_unit_of(&v, 0, rid(2, 0, 0), &req), 0);
	assert_int_equal(amdvi_ivrs_unit_of(&v, 1, rid(2, 0, 0), &req), -1); /* other segment */
	assert_int_equal(amdvi_ivrs_unit_of(&v, 0, rid(9, 0, 0), &req), -1);
	assert_int_equal(amdvi_unit_max_devid(u), rid(3, 0, 7));

	assert_int_equal(v.nivmd, 1);
	assert_int_equal(v.ivmd[0].base, 0x7c000000);
	assert_int_equal(v.ivmd[0].size, 0x800000);
	assert_true(v.ivmd[0].flags & AMDVI_IVMD_UNITY);
	assert_true(amdvi_ivmd_applies(&v.ivmd[0], rid(0, 0x12, 0)));
	assert_false(amdvi_ivmd_applies(&v.ivmd[0], rid(0, 0x12, 1)));
}

/* One IOMMU described by 10h, 40h and 11h blocks: the 40h one is used;
 * a second IOMMU has a 10h block only. */
static void test_newest_type(void **state)
{
	uint32_t b;
	uint16_t req;

	(void)state;
	begin();
	b = ivhd(0x10, rid(0, 0, 2), 0xfd200000, 0);
	e4(0x01, 0, 0); /* all */
	close_block(b);
	b = ivhd(0x40, rid(0, 0, 2), 0xfd200000, 0);
	e4(0x02, rid(0, 3, 0), 0);
	hid(rid(0, 0x14, 5), "AMDI0020", "", 2, "ID00");
	close_block(b);
	b = ivhd(0x11, rid(0, 0, 2), 0xfd200000, 0);
	e4(0x02, rid(0, 4, 0), 0);
	close_block(b);
	b = ivhd(0x10, rid(0x40, 0, 2), 0xfd300000, 0);
	e4(0x02, rid(0x40, 1, 0), 0);
	close_block(b);
	end();
	assert_true(parse());
	assert_int_equal(v.nwarn, 0);
	assert_int_equal(v.nunits, 2);
	assert_int_equal(v.units[0].type, 0x40);
	assert_int_equal(v.units[0].efr, 0x246577efa2254afaull);
	assert_false(v.units[0].all);
	assert_int_equal(v.units[0].nranges, 1);
	assert_int_equal(v.units[0].ranges[0].first, rid(0, 3, 0));
	assert_int_equal(v.units[0].nhid, 1);
	assert_string_equal(v.units[0].hid[0].hid, "AMDI0020");
	assert_string_equal(v.units[0].hid[0].uid, "ID00");
	assert_int_equal(v.units[0].hid[0].devid, rid(0, 0x14, 5));
	assert_int_equal(v.units[1].type, 0x10);
	assert_int_equal(v.units[1].base, 0xfd300000);
	assert_int_equal(amdvi_ivrs_unit_of(&v, 0, rid(0, 4, 0), &req), -1); /* only in the 11h */
	assert_int_equal(amdvi_ivrs_unit_of(&v, 0, rid(0x40, 1, 0), &req), 1);
	assert_int_equal(amdvi_ivrs_unit_of(&v, 0, rid(0, 0x14, 5), &req), 0);
}

static void test_all_entry(void **state)
{
	uint32_t b;
	uint16_t req;

	(void)state;
	begin();
	b = ivhd(0x11, rid(0, 0, 2), 0xfed80000, 0);
	e4(0x01, 0, 0x07);
	hid(rid(0, 0x14, 5), "AMDI0020", "", 1, "\x05"); /* ACPI HID outside a 40h block */
	close_block(b);
	end();
	assert_true(parse());
	assert_true(v.units[0].all);
	assert_int_equal(v.units[0].all_dte, 0x07);
	assert_int_equal(v.units[0].nhid, 0);
	assert_true(warned("ACPI HID entry in a type 0x11 IVHD ignored"));
	assert_int_equal(amdvi_unit_max_devid(&v.units[0]), 0xffff);
	assert_int_equal(amdvi_ivrs_unit_of(&v, 0, 0xfff8, &req), 0);
	assert_int_equal(amdvi_ivrs_unit_of(&v, 1, 0x0008, &req), -1);
}

static void test_ivmd(void **state)
{
	(void)state;
	begin();
	ivmd(0x20, 0x01, 0, 0, 0xe0000, 0x20000);                          /* all, unity */
	ivmd(0x22, 0x08, rid(0, 0x12, 0), rid(0, 0x13, 7), 0x7d000000, 0x1000); /* range, exclusion */
	ivmd(0x22, 0x01, rid(0, 0x13, 0), rid(0, 0x12, 0), 0x1000, 0x1000); /* backwards */
	ivmd(0x21, 0x01, rid(0, 1, 0), 0, 0x1000, 0);                      /* empty */
	ivmd(0x21, 0x01, rid(0, 1, 0), 0, ~0ull - 0xfff, 0x2000);          /* wraps */
	ivmd(0x21, 0x06, rid(0, 1, 0), 0, 0x1000, 0x1000);                 /* neither kind */
	end();
	assert_true(parse());
	assert_int_equal(v.nunits, 0);
	assert_int_equal(v.nivmd, 2);
	assert_int_equal(v.nwarn, 4);
	assert_true(amdvi_ivmd_applies(&v.ivmd[0], 0xffff));
	assert_true(amdvi_ivmd_applies(&v.ivmd[1], rid(0, 0x13, 3)));
	assert_false(amdvi_ivmd_applies(&v.ivmd[1], rid(0, 0x14, 0)));
	assert_true(warned("backwards"));
	assert_true(warned("neither unity nor exclusion"));
}

static void test_bad_headers(void **state)
{
	(void)state;
	build_one();
	assert_false(parse_n(47)); /* shorter than the header */
	assert_false(parse_n(0));
	tbl[0] = 'X';
	assert_false(parse());      /* not an IVRS */
	build_one();
	put32(4, 40);
	assert_false(parse());      /* a length below the header's */
	build_one();
	put32(4, tlen + 500);       /* claims more than there is */
	assert_true(parse());
	assert_true(warned("exceeds the"));
	assert_int_equal(v.nunits, 1);
	assert_int_equal(v.nivmd, 1);
}

/* Block lengths that lie: too short (0 and 4 would loop or overlap), too
 * long, and a final IVMD cut short. */
static void test_lying_block_lengths(void **state)
{
	uint32_t b;

	(void)state;
	build_one();
	put16(48 + 2, 0);
	assert_true(parse());
	assert_int_equal(v.nunits, 0);
	assert_int_equal(v.nivmd, 0);
	assert_true(warned("has length 0"));
	build_one();
	put16(48 + 2, 20); /* below a 10h header */
	assert_true(parse());
	assert_int_equal(v.nunits, 0);
	build_one();
	put16(48 + 2, 1000); /* past the table */
	assert_true(parse());
	assert_int_equal(v.nunits, 0);
	assert_true(warned("runs past the table"));

	begin();
	b = ivhd(0x40, rid(0, 0, 2), 0xfd200000, 0);
	close_block(b);
	put16(b + 2, 24); /* a 40h block with a 10h-sized length */
	end();
	assert_true(parse());
	assert_int_equal(v.nunits, 0);

	build_one();
	tlen -= 8; /* the IVMD cut */
	end();
	assert_true(parse());
	assert_int_equal(v.nunits, 1);
	assert_int_equal(v.nivmd, 0);
	assert_true(warned("runs past the table"));
}

static void test_bad_entries(void **state)
{
	uint32_t b;

	(void)state;
	begin();
	b = ivhd(0x10, rid(0, 0, 2), 0xfd200000, 0);
	e4(0x04, rid(0, 1, 0), 0);          /* end without a start */
	e4(0x03, rid(0, 2, 0), 0);          /* start ... */
	e4(0x03, rid(0, 3, 0), 0);          /* ... replaced by another start */
	e4(0x04, rid(0, 2, 0), 0);          /* end below the start */
	e4(0x05, rid(0, 4, 0), 0);          /* unknown 4-byte type */
	e8(0x41, rid(0, 5, 0), 0, 0);       /* unknown 8-byte type */
	special(3, 0, rid(0, 0x14, 0), 0);  /* unknown variety */
	e4(0x02, rid(0, 6, 0), 0);          /* a good one in between */
	e4(0x03, rid(0, 7, 0), 0);          /* never ended */
	close_block(b);
	b = ivhd(0x10, rid(0, 0x18, 2), 0xfd300000, 0);
	e4(0x02, rid(0, 8, 0), 0);
	e4(0x80, 0, 0);                     /* a length this parser cannot know */
	e4(0x02, rid(0, 9, 0), 0);
	close_block(b);
	b = ivhd(0x10, rid(0, 0x19, 2), 0xfd400000, 0);
	e4(0x02, rid(0, 10, 0), 0);
	tbl[tlen] = 0x46;                   /* an 8-byte entry with 4 bytes left */
	tlen += 4;
	close_block(b);
	b = ivhd(0x10, rid(0, 0x1a, 2), 0, 0); /* no register base */
	close_block(b);
	end();
	assert_true(parse());
	assert_int_equal(v.nunits, 3);
	assert_int_equal(v.units[0].nranges, 1);
	assert_int_equal(v.units[0].ranges[0].first, rid(0, 6, 0));
	assert_int_equal(v.units[0].nspecial, 0);
	assert_int_equal(v.units[1].nranges, 1); /* the entry after 0x80 is not read */
	assert_int_equal(v.units[2].nranges, 1);
	assert_int_equal(v.warn_total, 10);
	assert_int_equal(v.nwarn, AMDVI_MAX_WARN);
	assert_true(warned("without a start"));
	assert_true(warned("has no end entry"));
}

static void test_acpi_hid_cut(void **state)
{
	uint32_t b;

	(void)state;
	begin();
	b = ivhd(0x40, rid(0, 0, 2), 0xfd200000, 0);
	hid(rid(0, 0x14, 5), "AMDI0020", "PNP0C0F", 1, "\x07\x01");
	hid(rid(0, 0x14, 6), "AMDI0030", "", 2, "ABCDEFGHIJKLMNOPQRS"); /* UID longer than kept */
	hid(rid(0, 0x14, 7), "AMDI0040", "", 2, "X");
	tlen -= 1; /* ... whose UID runs past the block */
	close_block(b);
	end();
	assert_true(parse());
	assert_int_equal(v.units[0].nhid, 2);
	assert_string_equal(v.units[0].hid[0].cid, "PNP0C0F");
	assert_string_equal(v.units[0].hid[0].uid, "263"); /* 0x0107 */
	assert_string_equal(v.units[0].hid[1].uid, "ABCDEFGHIJKLMNOP");
	assert_true(warned("runs past its IVHD"));
}

static void test_too_many(void **state)
{
	uint32_t b;

	(void)state;
	begin();
	b = ivhd(0x10, rid(0, 0, 2), 0xfd200000, 0);
	for (unsigned i = 0; i < AMDVI_MAX_RANGES + 3; i++)
		e4(0x02, (uint16_t)(i * 8), 0);
	close_block(b);
	for (unsigned i = 1; i < AMDVI_MAX_UNITS + 2; i++) {
		b = ivhd(0x10, rid((uint8_t)i, 0, 2), 0xfd200000 + i * 0x100000, 0);
		close_block(b);
	}
	end();
	assert_true(parse());
	assert_int_equal(v.units[0].nranges, AMDVI_MAX_RANGES);
	assert_int_equal(v.nunits, AMDVI_MAX_UNITS);
	assert_true(warned("more than 32 device entries"));
	assert_true(warned("more than 8 IOMMUs"));
}

/* Every prefix of a table (its header still claiming the whole), and
 * tables with bytes changed at random: parsed without reading past what
 * was given (the sanitizers watch), never more units than kept. */
static void test_truncated_and_mangled(void **state)
{
	uint32_t full, seed = 12345;
	uint8_t saved[sizeof(tbl)];

	(void)state;
	build_one();
	full = tlen;
	for (uint32_t n = 0; n <= full; n++)
		if (parse_n(n))
			assert_true(v.nunits <= 1 && v.nivmd <= 1);
	memcpy(saved, tbl, sizeof(tbl));
	for (unsigned round = 0; round < 4000; round++) {
		memcpy(tbl, saved, sizeof(tbl));
		for (unsigned k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t at = 48 + (seed >> 8) % (full - 48);

			seed = seed * 1103515245u + 12345u;
			tbl[at] = (uint8_t)(seed >> 16);
		}
		parse_n(full);
		assert_true(v.nunits <= AMDVI_MAX_UNITS && v.nivmd <= AMDVI_MAX_IVMD);
		for (unsigned i = 0; i < v.nunits; i++)
			assert_true(v.units[i].nranges <= AMDVI_MAX_RANGES);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_entries),
		cmocka_unit_test(test_newest_type),
		cmocka_unit_test(test_all_entry),
		cmocka_unit_test(test_ivmd),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_lying_block_lengths),
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_acpi_hid_cut),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_truncated_and_mangled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
