// SPDX-License-Identifier: MIT
/*
 * Unit tests for the ACPI table parser (drivers/acpi.c). Each test builds a
 * synthetic firmware image (RSDP, RSDT/XSDT and tables with real checksums)
 * in a fake physical memory (tests/unit/acpi_image.h) and checks what
 * acpi_parse() records: root table choice, table validation and warnings,
 * MADT CPUs and interrupt controllers, FADT fields for old and new
 * revisions, the \_S5 AML decode, MCFG, SPCR, DMAR, IVRS, HPET, and the
 * legacy BIOS RSDP scan. Malformed inputs run under AddressSanitizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/acpi_image.h"

#define MEM_SIZE 0x200000ULL
#define T_RSDP 0xe0000ULL
#define T_RSDT 0x100000ULL
#define T_XSDT 0x100800ULL
#define T_TABLE(i) (0x101000ULL + (u64)(i) * 0x1000)
#define T_DSDT 0x180000ULL
#define T_DSDT2 0x190000ULL

struct fx {
	struct img im;
	struct acpi_info ai;
	struct bytes body;
	u64 tables[64];
	u32 ntables;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	img_init(&f->im, MEM_SIZE);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	img_free(&f->im);
	free(f);
	return 0;
}

static struct bytes *body(struct fx *f)
{
	memset(&f->body, 0, sizeof(f->body));
	return &f->body;
}

/* Put the current body as table @sig at the next slot and list it in the root. */
static u64 add_table(struct fx *f, const char *sig, u8 rev)
{
	u64 phys = T_TABLE(f->ntables);

	img_table(&f->im, phys, sig, rev, &f->body);
	f->tables[f->ntables++] = phys;
	return phys;
}

/* RSDT and XSDT listing the same tables, and an RSDP of @rev at T_RSDP. */
static void finish(struct fx *f, u8 rev)
{
	img_root(&f->im, T_RSDT, "RSDT", f->tables, f->ntables);
	img_root(&f->im, T_XSDT, "XSDT", f->tables, f->ntables);
	img_rsdp(&f->im, T_RSDP, rev, T_RSDT, rev >= 2 ? T_XSDT : 0);
}

static int parse(struct fx *f)
{
	return acpi_parse(&f->im.am, NULL, 0, T_RSDP, &f->ai);
}

static bool has_warning(const struct acpi_info *ai, const char *needle)
{
	for (u32 i = 0; i < ai->warn_count; i++)
		if (strstr(ai->warnings[i], needle))
			return true;
	return false;
}

/* ---- table bodies ------------------------------------------------------- */

static void madt_header(struct bytes *s, u32 lapic, u32 flags)
{
	b32(s, lapic);
	b32(s, flags);
}

static void madt_lapic(struct bytes *s, u8 uid, u8 id, u32 flags)
{
	b8(s, 0);
	b8(s, 8);
	b8(s, uid);
	b8(s, id);
	b32(s, flags);
}

static void madt_x2apic(struct bytes *s, u32 id, u32 uid, u32 flags)
{
	b8(s, 9);
	b8(s, 16);
	b16(s, 0);
	b32(s, id);
	b32(s, flags);
	b32(s, uid);
}

static void madt_ioapic(struct bytes *s, u8 id, u32 addr, u32 gsi)
{
	b8(s, 1);
	b8(s, 12);
	b8(s, id);
	b8(s, 0);
	b32(s, addr);
	b32(s, gsi);
}

static void madt_iso(struct bytes *s, u8 src, u32 gsi, u16 flags)
{
	b8(s, 2);
	b8(s, 10);
	b8(s, 0);
	b8(s, src);
	b32(s, gsi);
	b16(s, flags);
}

static void madt_simple(struct fx *f)
{
	struct bytes *s = body(f);

	madt_header(s, 0xfee00000, 1);
	madt_lapic(s, 0, 0, 1);
	madt_lapic(s, 1, 1, 1);
	madt_ioapic(s, 0, 0xfec00000, 0);
	add_table(f, "APIC", 3);
}

static void hpet_simple(struct fx *f)
{
	struct bytes *s = body(f);

	b32(s, 0x8086a201);
	bgas(s, ACPI_GAS_MEMORY, 64, 0, 0xfed00000);
	b8(s, 0);
	b16(s, 0x80);
	b8(s, 0);
	add_table(f, "HPET", 1);
}

/* AML "Name(_S5_, Package(){a, b, 0, 0})" with byte constants. */
static void aml_s5(struct bytes *s, u8 a, u8 b)
{
	static const u8 pkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				  0x0a, 0, 0x0a, 0, 0x00, 0x00 };

	bmem(s, pkg, sizeof(pkg));
	s->b[s->n - 5] = a;
	s->b[s->n - 3] = b;
}

/* A DSDT at @phys whose AML is some filler plus \_S5 = {a, b}. */
static void dsdt_at(struct fx *f, u64 phys, u8 a, u8 b)
{
	struct bytes *s = body(f);

	bfill(s, 0xa3, 8); /* NoopOps */
	aml_s5(s, a, b);
	img_table(&f->im, phys, "DSDT", 2, s);
}

/* FADT revision 6 (276 bytes) with X_ fields; DSDT and X_DSDT given. */
static void fadt_v6(struct bytes *s, u32 dsdt, u64 x_dsdt, u32 flags)
{
	b32(s, 0x7fe0000);         /* 36 FIRMWARE_CTRL */
	b32(s, dsdt);              /* 40 DSDT */
	b8(s, 0);                  /* 44 reserved */
	b8(s, 1);                  /* 45 preferred PM profile */
	b16(s, 9);                 /* 46 SCI_INT */
	b32(s, 0xb2);              /* 48 SMI_CMD */
	b8(s, 0xf1);               /* 52 ACPI_ENABLE */
	b8(s, 0xf0);               /* 53 ACPI_DISABLE */
	b8(s, 0);                  /* 54 S4BIOS_REQ */
	b8(s, 0);                  /* 55 PSTATE_CNT */
	b32(s, 0x600);             /* 56 PM1a_EVT_BLK */
	b32(s, 0);                 /* 60 PM1b_EVT_BLK */
	b32(s, 0x604);             /* 64 PM1a_CNT_BLK */
	b32(s, 0x704);             /* 68 PM1b_CNT_BLK */
	b32(s, 0);                 /* 72 PM2_CNT_BLK */
	b32(s, 0x608);             /* 76 PM_TMR_BLK */
	b32(s, 0x620);             /* 80 GPE0_BLK */
	b32(s, 0);                 /* 84 GPE1_BLK */
	b8(s, 4);                  /* 88 PM1_EVT_LEN */
	b8(s, 2);                  /* 89 PM1_CNT_LEN */
	b8(s, 0);                  /* 90 PM2_CNT_LEN */
	b8(s, 4);                  /* 91 PM_TMR_LEN */
	b8(s, 16);                 /* 92 GPE0_BLK_LEN */
	bfill(s, 0, 15);           /* 93..107 */
	b8(s, 0x32);               /* 108 CENTURY */
	b16(s, 0x3);               /* 109 IAPC_BOOT_ARCH */
	b8(s, 0);                  /* 111 reserved */
	b32(s, flags);             /* 112 Flags */
	bgas(s, ACPI_GAS_IO, 8, 1, 0xcf9); /* 116 RESET_REG */
	b8(s, 0x06);               /* 128 RESET_VALUE */
	b16(s, 0);                 /* 129 ARM_BOOT_ARCH */
	b8(s, 0x15);               /* 131 FADT minor version 5, errata 1 */
	b64(s, 0);                 /* 132 X_FIRMWARE_CTRL */
	b64(s, x_dsdt);            /* 140 X_DSDT */
	bgas(s, ACPI_GAS_IO, 32, 0, 0x1600); /* 148 X_PM1a_EVT_BLK */
	bgas(s, 0, 0, 0, 0);       /* 160 X_PM1b_EVT_BLK */
	bgas(s, ACPI_GAS_MEMORY, 16, 2, 0xfe000404); /* 172 X_PM1a_CNT_BLK */
	bgas(s, 0, 0, 0, 0);       /* 184 X_PM1b_CNT_BLK: fall back to 68 */
	bgas(s, 0, 0, 0, 0);       /* 196 X_PM2_CNT_BLK */
	bgas(s, ACPI_GAS_IO, 32, 3, 0x1608); /* 208 X_PM_TMR_BLK */
	bgas(s, 0, 0, 0, 0);       /* 220 X_GPE0_BLK */
	bgas(s, 0, 0, 0, 0);       /* 232 X_GPE1_BLK */
	bgas(s, ACPI_GAS_IO, 8, 1, 0x1700); /* 244 SLEEP_CONTROL_REG */
	bgas(s, ACPI_GAS_IO, 8, 1, 0x1701); /* 256 SLEEP_STATUS_REG */
	b64(s, 0);                 /* 268 hypervisor vendor identity */
}

/* ACPI 1.0 FADT: 116 bytes, revision 1. */
static void fadt_v1(struct bytes *s, u32 dsdt)
{
	struct bytes *full = calloc(1, sizeof(*full));

	fadt_v6(full, dsdt, 0, 0);
	bmem(s, full->b, 116 - 36);
	free(full);
	put16(s->b + 109 - 36, 0xffff); /* reserved in 1.0: must be ignored */
}

/* ---- RSDP and root tables ---------------------------------------------- */

static void test_rsdp_v1_uses_rsdt(void **state)
{
	struct fx *f = *state;
	u8 r[36];

	madt_simple(f);
	body(f);
	fadt_v6(&f->body, T_DSDT, 0, 0);
	add_table(f, "FACP", 6);
	dsdt_at(f, T_DSDT, 5, 5);
	finish(f, 0);
	rsdp_build(r, 0, T_RSDT, 0);
	assert_int_equal(acpi_parse(&f->im.am, r, 20, 0, &f->ai), ACPI_OK);
	assert_int_equal(f->ai.rsdp_revision, 0);
	assert_false(f->ai.xsdt_used);
	assert_int_equal(f->ai.root_phys, T_RSDT);
	assert_string_equal(f->ai.oem_id, "HVOEM ");
	assert_int_equal(f->ai.table_count, 4);
	assert_string_equal(f->ai.tables[0].sig, "RSDT");
	assert_string_equal(f->ai.tables[1].sig, "APIC");
	assert_int_equal(f->ai.tables[1].phys, T_TABLE(0));
	assert_string_equal(f->ai.tables[2].sig, "FACP");
	assert_string_equal(f->ai.tables[3].sig, "DSDT");
	assert_true(f->ai.madt.present);
	assert_true(f->ai.fadt.present);
	assert_true(f->ai.s5.valid);
	assert_int_equal(f->ai.warn_count, 0);
}

static void test_rsdp_v2_uses_xsdt(void **state)
{
	struct fx *f = *state;

	madt_simple(f);
	hpet_simple(f);
	finish(f, 2);
	/* The RSDT lists only the MADT: the XSDT must be the one walked. */
	img_root(&f->im, T_RSDT, "RSDT", f->tables, 1);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.rsdp_revision, 2);
	assert_true(f->ai.xsdt_used);
	assert_int_equal(f->ai.root_phys, T_XSDT);
	assert_int_equal(f->ai.rsdp_phys, T_RSDP);
	assert_true(f->ai.hpet.present);
	assert_true(f->ai.madt.present);
	assert_int_equal(f->ai.warn_count, 0);
}

static void test_rsdp_v2_copy_no_xsdt(void **state)
{
	struct fx *f = *state;
	u8 r[36];

	madt_simple(f);
	finish(f, 2);
	rsdp_build(r, 2, T_RSDT, 0);
	assert_int_equal(acpi_parse(&f->im.am, r, 36, 0, &f->ai), ACPI_OK);
	assert_false(f->ai.xsdt_used);
	assert_true(f->ai.madt.present);
}

static void test_rsdp_bad_checksum(void **state)
{
	struct fx *f = *state;
	u8 r[36];

	madt_simple(f);
	finish(f, 2);
	f->im.mem[T_RSDP + 8] ^= 1;
	assert_int_equal(parse(f), ACPI_ERR_RSDP);
	rsdp_build(r, 0, T_RSDT, 0);
	r[0] = 'X';
	r[8] -= 'X' - 'R';
	assert_int_equal(acpi_parse(&f->im.am, r, 20, 0, &f->ai), ACPI_ERR_RSDP);
	assert_int_equal(acpi_parse(&f->im.am, NULL, 0, 0, &f->ai), ACPI_ERR_NO_RSDP);
	assert_int_equal(acpi_parse(&f->im.am, r, 19, 0, &f->ai), ACPI_ERR_RSDP);
	assert_int_equal(acpi_parse(&f->im.am, NULL, 0, MEM_SIZE - 4, &f->ai),
			 ACPI_ERR_RSDP);
}

static void test_rsdp_bad_ext_checksum(void **state)
{
	struct fx *f = *state;
	u8 r[36];

	madt_simple(f);
	finish(f, 2);
	rsdp_build(r, 2, T_RSDT, T_XSDT);
	r[32] ^= 1;
	assert_int_equal(acpi_parse(&f->im.am, r, 36, 0, &f->ai), ACPI_OK);
	assert_false(f->ai.xsdt_used);
	assert_true(has_warning(&f->ai, "extended checksum"));
	/* A revision-2 RSDP passed as 20 bytes: only the RSDT is usable. */
	rsdp_build(r, 2, T_RSDT, T_XSDT);
	assert_int_equal(acpi_parse(&f->im.am, r, 20, 0, &f->ai), ACPI_OK);
	assert_false(f->ai.xsdt_used);
	assert_true(f->ai.madt.present);
}

static void test_xsdt_bad_falls_back(void **state)
{
	struct fx *f = *state;

	madt_simple(f);
	finish(f, 2);
	img_corrupt(&f->im, T_XSDT);
	assert_int_equal(parse(f), ACPI_OK);
	assert_false(f->ai.xsdt_used);
	assert_int_equal(f->ai.root_phys, T_RSDT);
	assert_true(f->ai.madt.present);
	assert_true(has_warning(&f->ai, "table XSDT at 0x100800: bad checksum"));
	assert_true(has_warning(&f->ai, "falling back to RSDT"));
	img_corrupt(&f->im, T_RSDT);
	assert_int_equal(parse(f), ACPI_ERR_ROOT);
}

static void test_root_wrong_signature(void **state)
{
	struct fx *f = *state;

	madt_simple(f);
	finish(f, 0);
	img_table(&f->im, T_RSDT, "FACP", 1, NULL);
	assert_int_equal(parse(f), ACPI_ERR_ROOT);
	assert_true(has_warning(&f->ai, "table at 0x100000 is FACP, expected RSDT"));
}

/* ---- table validation --------------------------------------------------- */

static void test_table_bad_checksum_skipped(void **state)
{
	struct fx *f = *state;

	madt_simple(f);
	hpet_simple(f);
	finish(f, 2);
	img_corrupt(&f->im, T_TABLE(0));
	assert_int_equal(parse(f), ACPI_OK);
	assert_false(f->ai.madt.present);
	assert_true(f->ai.hpet.present);
	assert_int_equal(f->ai.hpet.base.address, 0xfed00000);
	assert_int_equal(f->ai.warn_count, 1);
	assert_string_equal(f->ai.warnings[0], "table APIC at 0x101000: bad checksum, skipped");
	assert_false(f->ai.tables[1].ok);
	assert_true(f->ai.tables[2].ok);
	assert_null(acpi_table_find(&f->ai, "APIC"));
	assert_non_null(acpi_table_find(&f->ai, "HPET"));
}

static void test_table_truncated_skipped(void **state)
{
	struct fx *f = *state;
	u64 end = MEM_SIZE - 64;
	u8 *t = f->im.mem + end;

	/* Header mappable, body runs past the end of memory. */
	memcpy(t, "APIC", 4);
	put32(t + 4, 256);
	f->tables[f->ntables++] = end;
	/* Header itself not mappable. */
	f->tables[f->ntables++] = MEM_SIZE - 8;
	/* Lengths below the header and above the 16 MiB limit. */
	body(f);
	put32(f->im.mem + add_table(f, "SSDT", 1) + 4, 20);
	put32(f->im.mem + add_table(f, "SSDT", 1) + 4, 16 * 1024 * 1024 + 1);
	hpet_simple(f);
	f->tables[f->ntables++] = ~0ULL - 10; /* wraps around */
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(f->ai.hpet.present);
	assert_false(f->ai.madt.present);
	assert_true(has_warning(&f->ai, "table APIC at 0x1fffc0: 256 bytes not mappable"));
	assert_true(has_warning(&f->ai, "table at 0x1ffff8: header not mappable"));
	assert_true(has_warning(&f->ai, "bad length 20"));
	assert_true(has_warning(&f->ai, "bad length 16777217"));
	assert_true(has_warning(&f->ai, "table at 0xfffffffffffffff5"));
}

static void test_duplicate_and_list_overflow(void **state)
{
	struct fx *f = *state;

	madt_simple(f);
	body(f);
	madt_header(&f->body, 0xfee00000, 0);
	add_table(f, "APIC", 3);
	body(f);
	for (int i = 0; i < 40; i++)
		add_table(f, "SSDT", 2);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.madt.cpu_count, 2);
	assert_true(has_warning(&f->ai, "table APIC at 0x102000: duplicate, ignored"));
	assert_int_equal(f->ai.table_count, ACPI_MAX_TABLES);
	assert_int_equal(f->ai.table_dropped, 1 + 2 + 40 - ACPI_MAX_TABLES);
	assert_true(has_warning(&f->ai, "more than 32 tables"));
}

static void test_warning_overflow(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 12; i++) {
		body(f);
		add_table(f, "SSDT", 2);
		img_corrupt(&f->im, T_TABLE(i));
	}
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.warn_count, ACPI_MAX_WARNINGS);
	assert_int_equal(f->ai.warn_total, 12);
	for (u32 i = 0; i < ACPI_MAX_WARNINGS; i++)
		assert_true(strlen(f->ai.warnings[i]) < ACPI_WARN_LEN);
}

static void test_warning_text(void **state)
{
	struct fx *f = *state;

	/* A MADT type-1 entry one byte short. */
	body(f);
	madt_header(&f->body, 0xfee00000, 0);
	b8(&f->body, 1);
	b8(&f->body, 11);
	bfill(&f->body, 0, 9);
	add_table(f, "APIC", 3);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.warn_count, 1);
	assert_string_equal(f->ai.warnings[0],
			    "MADT: type 0x1 entry at offset 0x2c: length 11 < 12, skipped");
}

/* ---- MADT ---------------------------------------------------------------- */

static void test_madt_cpus(void **state)
{
	struct fx *f = *state;
	struct bytes *s = body(f);
	const struct acpi_madt_info *m = &f->ai.madt;

	madt_header(s, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
	madt_lapic(s, 0, 0, 1);        /* enabled */
	madt_lapic(s, 1, 2, 1);        /* enabled */
	madt_lapic(s, 2, 4, 0);        /* disabled, not online-capable */
	madt_lapic(s, 3, 6, 2);        /* online-capable (rev 5) */
	madt_x2apic(s, 2, 1, 1);       /* same APIC ID as uid 1: duplicate */
	madt_x2apic(s, 0x100, 0x100, 1);
	madt_x2apic(s, 0x102, 0x102, 0); /* disabled */
	madt_ioapic(s, 8, 0xfec00000, 0);
	madt_ioapic(s, 9, 0xfec01000, 24);
	madt_iso(s, 0, 2, 0);
	madt_iso(s, 9, 9, 0xd);
	b8(s, 3); b8(s, 8); b16(s, 0); b32(s, 0);                 /* NMI source */
	b8(s, 4); b8(s, 6); b8(s, 0xff); b16(s, 5); b8(s, 1);     /* LAPIC NMI */
	b8(s, 10); b8(s, 12); b16(s, 5); b32(s, 0x100); b8(s, 1); bfill(s, 0, 3);
	b8(s, 5); b8(s, 12); b16(s, 0); b64(s, 0xfee10000);       /* override */
	b8(s, 0x7f); b8(s, 4); b16(s, 0);                         /* unknown type */
	add_table(f, "APIC", 5);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.warn_count, 0);
	assert_int_equal(m->revision, 5);
	assert_int_equal(m->flags, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(m->lapic_addr, 0xfee10000);
	assert_int_equal(m->cpu_count, 4);
	assert_int_equal(m->cpu_disabled, 2);
	assert_int_equal(m->cpu_duplicates, 1);
	assert_int_equal(m->cpu_dropped, 0);
	assert_int_equal(m->cpus[1].apic_id, 2);
	assert_int_equal(m->cpus[1].uid, 1);
	assert_int_equal(m->cpus[1].entry_type, ACPI_MADT_LAPIC);
	assert_int_equal(m->cpus[2].apic_id, 6);
	assert_false(m->cpus[2].enabled);
	assert_true(m->cpus[2].online_capable);
	assert_int_equal(m->cpus[3].apic_id, 0x100);
	assert_int_equal(m->cpus[3].uid, 0x100);
	assert_true(m->cpus[3].enabled);
	assert_int_equal(m->cpus[3].entry_type, ACPI_MADT_X2APIC);
	assert_int_equal(m->ioapic_count, 2);
	assert_int_equal(m->ioapics[1].id, 9);
	assert_int_equal(m->ioapics[1].addr, 0xfec01000);
	assert_int_equal(m->ioapics[1].gsi_base, 24);
	assert_int_equal(m->override_count, 2);
	assert_int_equal(m->overrides[0].source, 0);
	assert_int_equal(m->overrides[0].gsi, 2);
	assert_int_equal(m->overrides[1].source, 9);
	assert_int_equal(m->overrides[1].flags, 0xd);
	assert_int_equal(m->nmi_source_count, 1);
	assert_int_equal(m->lapic_nmi_count, 2);
	assert_int_equal(m->lapic_nmis[0].uid, ACPI_UID_ALL);
	assert_int_equal(m->lapic_nmis[0].lint, 1);
	assert_int_equal(m->lapic_nmis[0].flags, 5);
	assert_int_equal(m->lapic_nmis[1].uid, 0x100);
}

static void test_madt_online_capable_needs_rev5(void **state)
{
	struct fx *f = *state;
	struct bytes *s = body(f);

	madt_header(s, 0xfee00000, 0);
	madt_lapic(s, 0, 0, 1);
	madt_lapic(s, 1, 1, 2);
	add_table(f, "APIC", 4);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.madt.cpu_count, 1);
	assert_int_equal(f->ai.madt.cpu_disabled, 1);
}

/* A MADT whose last entry is @bad (2 bytes: type, length), at the end of the table. */
static void madt_with_bad_entry(struct fx *f, u8 type, u8 len)
{
	struct bytes *s = body(f);

	madt_header(s, 0xfee00000, 0);
	madt_lapic(s, 0, 0, 1);
	b8(s, type);
	b8(s, len);
	b16(s, 0);
	madt_lapic(s, 1, 1, 1);
	add_table(f, "APIC", 3);
	finish(f, 2);
}

static void test_madt_zero_length_entry(void **state)
{
	struct fx *f = *state;

	madt_with_bad_entry(f, 0, 0);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.madt.cpu_count, 1);
	assert_true(has_warning(&f->ai, "MADT: entry at offset 0x34 has length 0, stopped"));
}

static void test_madt_overrunning_entry(void **state)
{
	struct fx *f = *state;

	madt_with_bad_entry(f, 9, 255);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.madt.cpu_count, 1);
	assert_true(has_warning(&f->ai, "has length 255, stopped"));
}

static void test_madt_tail_edge_cases(void **state)
{
	struct fx *f = *state;
	struct bytes *s = body(f);

	/* An x2APIC entry claiming exactly the remaining 12 bytes (< 16). */
	madt_header(s, 0xfee00000, 0);
	madt_lapic(s, 0, 0, 1);
	b8(s, 9);
	b8(s, 12);
	bfill(s, 0xff, 10);
	add_table(f, "APIC", 3);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.madt.cpu_count, 1);
	assert_true(has_warning(&f->ai, "type 0x9 entry at offset 0x34: length 12 < 16"));
	/* One stray byte after the last entry. */
	s = body(f);
	madt_header(s, 0xfee00000, 0);
	madt_lapic(s, 0, 0, 1);
	b8(s, 0);
	img_table(&f->im, T_TABLE(0), "APIC", 3, s);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.madt.cpu_count, 1);
	assert_true(has_warning(&f->ai, "MADT: 1 stray bytes at offset 0x34, stopped"));
}

static void test_madt_too_many_cpus(void **state)
{
	struct fx *f = *state;
	struct bytes *s = body(f);

	madt_header(s, 0xfee00000, 0);
	for (u32 i = 0; i < 70; i++)
		madt_x2apic(s, i, i, 1);
	add_table(f, "APIC", 3);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.madt.cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(f->ai.madt.cpu_dropped, 6);
	assert_int_equal(f->ai.madt.cpus[63].apic_id, 63);
	assert_true(has_warning(&f->ai, "more than 64 CPUs"));
}

/* ---- FADT ---------------------------------------------------------------- */

static void test_fadt_v1_short(void **state)
{
	struct fx *f = *state;
	const struct acpi_fadt_info *a = &f->ai.fadt;

	body(f);
	fadt_v1(&f->body, T_DSDT);
	add_table(f, "FACP", 1);
	dsdt_at(f, T_DSDT, 7, 7);
	finish(f, 0);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.tables[1].length, 116);
	assert_true(a->present);
	assert_int_equal(a->revision, 1);
	assert_int_equal(a->sci_int, 9);
	assert_int_equal(a->smi_cmd, 0xb2);
	assert_int_equal(a->acpi_enable, 0xf1);
	assert_int_equal(a->acpi_disable, 0xf0);
	assert_int_equal(a->pm1a_evt.space_id, ACPI_GAS_IO);
	assert_int_equal(a->pm1a_evt.address, 0x600);
	assert_int_equal(a->pm1a_evt.bit_width, 32);
	assert_int_equal(a->pm1a_cnt.space_id, ACPI_GAS_IO);
	assert_int_equal(a->pm1a_cnt.address, 0x604);
	assert_int_equal(a->pm1a_cnt.bit_width, 16);
	assert_int_equal(a->pm1b_cnt.address, 0x704);
	assert_int_equal(a->pm1b_evt.address, 0);
	assert_int_equal(a->pm_tmr.address, 0x608);
	assert_int_equal(a->pm_tmr.space_id, ACPI_GAS_IO);
	assert_false(a->pm_tmr_32bit);
	assert_int_equal(a->reset_reg.address, 0);
	assert_int_equal(a->reset_value, 0);
	assert_int_equal(a->iapc_boot_arch, 0);
	assert_int_equal(a->century, 0x32);
	assert_int_equal(a->dsdt, T_DSDT);
	assert_int_equal(a->facs, 0x7fe0000);
	assert_int_equal(a->minor, 0);
	assert_int_equal(a->sleep_control.address, 0);
	assert_true(f->ai.s5.valid);
	assert_int_equal(f->ai.s5.slp_typa, 7);
	assert_int_equal(f->ai.warn_count, 0);
}

static void test_fadt_v6_x_fields(void **state)
{
	struct fx *f = *state;
	const struct acpi_fadt_info *a = &f->ai.fadt;
	u32 flags = ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_RESET_REG_SUP;

	body(f);
	fadt_v6(&f->body, T_DSDT, T_DSDT2, flags);
	add_table(f, "FACP", 6);
	dsdt_at(f, T_DSDT, 1, 1);
	dsdt_at(f, T_DSDT2, 5, 6);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.tables[1].length, 276);
	assert_int_equal(a->revision, 6);
	assert_int_equal(a->minor, 5);
	assert_int_equal(a->flags, flags);
	assert_int_equal(a->pm1a_evt.address, 0x1600);
	assert_int_equal(a->pm1a_cnt.space_id, ACPI_GAS_MEMORY);
	assert_int_equal(a->pm1a_cnt.address, 0xfe000404);
	assert_int_equal(a->pm1a_cnt.access_size, 2);
	/* X_PM1b_CNT_BLK is zero: the 32-bit field is used. */
	assert_int_equal(a->pm1b_cnt.space_id, ACPI_GAS_IO);
	assert_int_equal(a->pm1b_cnt.address, 0x704);
	assert_int_equal(a->pm_tmr.address, 0x1608);
	assert_int_equal(a->pm_tmr.access_size, 3);
	assert_true(a->pm_tmr_32bit);
	assert_int_equal(a->reset_reg.space_id, ACPI_GAS_IO);
	assert_int_equal(a->reset_reg.address, 0xcf9);
	assert_int_equal(a->reset_value, 6);
	assert_int_equal(a->iapc_boot_arch, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042);
	assert_int_equal(a->dsdt, T_DSDT2);
	assert_int_equal(a->facs, 0x7fe0000);
	assert_int_equal(a->sleep_control.address, 0x1700);
	assert_int_equal(a->sleep_status.address, 0x1701);
	assert_true(f->ai.s5.valid);
	assert_int_equal(f->ai.s5.slp_typa, 5);
	assert_int_equal(f->ai.s5.slp_typb, 6);
	assert_string_equal(f->ai.s5.table, "DSDT");
	assert_non_null(acpi_table_find(&f->ai, "DSDT"));
	assert_int_equal(acpi_table_find(&f->ai, "DSDT")->phys, T_DSDT2);
}

static void test_fadt_truncated_and_no_timer(void **state)
{
	struct fx *f = *state;
	const struct acpi_fadt_info *a = &f->ai.fadt;

	/* 60 bytes: ends after PM1a_EVT_BLK. */
	body(f);
	fadt_v6(&f->body, 0, 0, ACPI_FADT_HW_REDUCED_ACPI);
	f->body.n = 60 - 36;
	add_table(f, "FACP", 2);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(has_warning(&f->ai, "FADT: only 60 bytes"));
	assert_int_equal(a->sci_int, 9);
	assert_int_equal(a->smi_cmd, 0xb2);
	assert_int_equal(a->pm1a_evt.address, 0); /* its length field is missing */
	assert_int_equal(a->pm1a_cnt.address, 0);
	assert_int_equal(a->flags, 0);
	assert_false(f->ai.s5.valid);

	/* PM_TMR_LEN 0 means no timer, unless X_PM_TMR_BLK names one. */
	body(f);
	fadt_v6(&f->body, 0, 0, ACPI_FADT_HW_REDUCED_ACPI);
	f->body.b[91 - 36] = 0;
	img_table(&f->im, T_TABLE(0), "FACP", 5, &f->body);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(a->flags & ACPI_FADT_HW_REDUCED_ACPI);
	assert_int_equal(a->pm_tmr.address, 0x1608);
	put64(f->body.b + 208 + 4 - 36, 0);
	img_table(&f->im, T_TABLE(0), "FACP", 5, &f->body);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(a->pm_tmr.address, 0);
	assert_int_equal(a->pm1a_cnt.address, 0xfe000404);
}

/* ---- \_S5 ---------------------------------------------------------------- */

/* Run acpi_aml_find_s5 on an exact-size heap copy of @s. */
static int find_s5(const struct bytes *s, u8 *a, u8 *b)
{
	u8 *copy = malloc(s->n ? s->n : 1);
	int ret;

	memcpy(copy, s->b, s->n);
	ret = acpi_aml_find_s5(copy, s->n, a, b);
	free(copy);
	return ret;
}

static void test_s5_element_encodings(void **state)
{
	static const struct {
		u8 aml[24];
		u8 len;
		u8 a, b;
	} cases[] = {
		{ { 8, '_', 'S', '5', '_', 0x12, 4, 2, 0x00, 0x01 }, 10, 0, 1 },
		{ { 8, '_', 'S', '5', '_', 0x12, 4, 2, 0x01, 0x00 }, 10, 1, 0 },
		{ { 8, '_', 'S', '5', '_', 0x12, 6, 2, 0x0a, 5, 0x0a, 7 }, 12, 5, 7 },
		{ { 8, '_', 'S', '5', '_', 0x12, 7, 2, 0x0b, 3, 0, 0x0a, 4 }, 13, 3, 4 },
		{ { 8, '_', 'S', '5', '_', 0x12, 10, 2, 0x0c, 6, 0, 0, 0,
		    0x0b, 0x02, 0x01 }, 16, 6, 2 },
		{ { 8, '_', 'S', '5', '_', 0x12, 12, 2, 0x0e, 7, 0, 0, 0, 0, 0, 0, 0,
		    0x00 }, 18, 7, 0 },
		{ { 8, '\\', '_', 'S', '5', '_', 0x12, 8, 4, 0x0a, 5, 0x0a, 5, 0, 0 }, 15, 5, 5 },
		{ { 8, '^', '^', '_', 'S', '5', '_', 0x12, 4, 2, 0x01, 0x01 }, 12, 1, 1 },
		/* One integer packing both values, low byte first. */
		{ { 8, '_', 'S', '5', '_', 0x12, 5, 1, 0x0b, 0x05, 0x07 }, 11, 5, 7 },
	};

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bytes s = { .n = 0 };
		u8 a = 0xee, b = 0xee;

		bfill(&s, 0xa3, i);
		bmem(&s, cases[i].aml, cases[i].len);
		assert_int_equal(find_s5(&s, &a, &b), ACPI_OK);
		assert_int_equal(a, cases[i].a);
		assert_int_equal(b, cases[i].b);
	}
}

/* Name(_S5_, Package) whose PkgLength uses @nbytes bytes and covers @body bytes of padding. */
static void aml_s5_pkglen(struct bytes *s, u32 nbytes, u32 pad)
{
	u32 len = nbytes + 1 + 4 + pad; /* PkgLength + NumElements + 2 elements */

	bmem(s, "\x08_S5_\x12", 6);
	if (nbytes == 1) {
		b8(s, len);
	} else {
		b8(s, (nbytes - 1) << 6 | (len & 0xf));
		for (u32 i = 1; i < nbytes; i++)
			b8(s, len >> (4 + 8 * (i - 1)));
	}
	b8(s, 4);
	bmem(s, "\x0a\x03\x0a\x04", 4);
	bfill(s, 0x00, pad);
}

static void test_s5_pkglength_sizes(void **state)
{
	struct bytes *s = calloc(1, sizeof(*s));
	u8 a, b;

	(void)state;
	for (u32 n = 1; n <= 4; n++) {
		u32 pads[] = { 0, 50, 100, 5000 };

		for (u32 j = 0; j < 4; j++) {
			/* Skip lengths the encoding cannot hold. */
			if (n + 5 + pads[j] >= 1u << (n == 1 ? 6 : 4 + 8 * (n - 1)))
				continue;
			s->n = 0;
			aml_s5_pkglen(s, n, pads[j]);
			a = b = 0;
			assert_int_equal(find_s5(s, &a, &b), ACPI_OK);
			assert_int_equal(a, 3);
			assert_int_equal(b, 4);
			/* Cut one byte: the package now runs past the AML. */
			s->n--;
			assert_int_equal(find_s5(s, &a, &b), ACPI_ERR_AML);
		}
	}
	free(s);
}

static void test_s5_malformed_and_absent(void **state)
{
	static const struct {
		u8 aml[16];
		u8 len;
		int ret;
	} cases[] = {
		{ { 0 }, 0, ACPI_ERR_NOT_FOUND },
		{ { '_', 'S', '5', '_', 0x12, 4, 2, 0, 0 }, 9, ACPI_ERR_NOT_FOUND },
		{ { 0xa4, '\\', '_', 'S', '5', '_' }, 6, ACPI_ERR_NOT_FOUND },
		{ { 8, '_', 'S', '4', '_', 0x12, 4, 2, 0, 0 }, 10, ACPI_ERR_NOT_FOUND },
		{ { 8, '_', 'S', '5', '_' }, 5, ACPI_ERR_AML },
		{ { 8, '_', 'S', '5', '_', 0x12 }, 6, ACPI_ERR_AML },
		{ { 8, '_', 'S', '5', '_', 0x12, 1 }, 7, ACPI_ERR_AML },
		{ { 8, '_', 'S', '5', '_', 0x12, 2, 0 }, 8, ACPI_ERR_AML },
		{ { 8, '_', 'S', '5', '_', 0x0a, 5 }, 7, ACPI_ERR_AML },
		{ { 8, '_', 'S', '5', '_', 0x12, 4, 2, 0x0a }, 9, ACPI_ERR_AML },
		/* PkgLength ends before the second element. */
		{ { 8, '_', 'S', '5', '_', 0x12, 3, 2, 0x00, 0x00 }, 10, ACPI_ERR_AML },
		/* PkgLength ends inside a WordConst that the AML continues. */
		{ { 8, '_', 'S', '5', '_', 0x12, 4, 2, 0x00, 0x0b, 1, 2 }, 12, ACPI_ERR_AML },
		/* A string element is not an integer. */
		{ { 8, '_', 'S', '5', '_', 0x12, 5, 2, 0x0d, 'x', 0 }, 11, ACPI_ERR_AML },
		/* PkgLength lead byte announcing 3 more bytes, none present. */
		{ { 8, '_', 'S', '5', '_', 0x12, 0xc0 }, 7, ACPI_ERR_AML },
	};

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bytes s = { .n = 0 };
		u8 a, b;

		bmem(&s, cases[i].aml, cases[i].len);
		assert_int_equal(find_s5(&s, &a, &b), cases[i].ret);
	}
	assert_int_equal(acpi_aml_find_s5(NULL, 0, NULL, NULL), ACPI_ERR_NOT_FOUND);
}

/* DSDT body compiled by iasl 20200925 from:
 *   Name (BUF0, Buffer (70) { 0x08, 0x5F, 0x53, 0x35, 0x5F, 0x00 })
 *   Scope (\_SB) { Method (FOO, 0) { Return (\_S5) } }
 *   Name (\_S5, Package () { 0x07, 0x0305, 0x00, 0x00 })
 * A look-alike "NameOp _S5_" in a buffer and a reference come first. */
static const u8 iasl_dsdt_body[] = {
	0x08, 0x42, 0x55, 0x46, 0x30, 0x11, 0x09, 0x0a, 0x46, 0x08, 0x5f, 0x53,
	0x35, 0x5f, 0x00, 0x10, 0x11, 0x5f, 0x53, 0x42, 0x5f, 0x14, 0x0b, 0x46,
	0x4f, 0x4f, 0x5f, 0x00, 0xa4, 0x5f, 0x53, 0x35, 0x5f, 0x08, 0x5f, 0x53,
	0x35, 0x5f, 0x12, 0x09, 0x04, 0x0a, 0x07, 0x0b, 0x05, 0x03, 0x00, 0x00,
};

static void test_s5_iasl_output(void **state)
{
	struct bytes s = { .n = 0 };
	u8 a, b;

	(void)state;
	bmem(&s, iasl_dsdt_body, sizeof(iasl_dsdt_body));
	assert_int_equal(find_s5(&s, &a, &b), ACPI_OK);
	assert_int_equal(a, 7);
	assert_int_equal(b, 5);
}

static void test_s5_dsdt_ssdt_priority(void **state)
{
	struct fx *f = *state;

	/* SSDT with _S5 {2, 2}; FADT's DSDT without _S5: the SSDT's is used. */
	body(f);
	aml_s5(&f->body, 2, 2);
	add_table(f, "SSDT", 2);
	body(f);
	fadt_v6(&f->body, T_DSDT, 0, 0);
	add_table(f, "FACP", 6);
	body(f);
	bfill(&f->body, 0xa3, 4);
	img_table(&f->im, T_DSDT, "DSDT", 2, &f->body);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(f->ai.s5.valid);
	assert_int_equal(f->ai.s5.slp_typa, 2);
	assert_string_equal(f->ai.s5.table, "SSDT");
	/* Now the DSDT has one too, and it wins although the SSDT came first. */
	dsdt_at(f, T_DSDT, 5, 5);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.s5.slp_typa, 5);
	assert_string_equal(f->ai.s5.table, "DSDT");
	/* A DSDT with a bad checksum is skipped: back to the SSDT's. */
	img_corrupt(&f->im, T_DSDT);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.s5.slp_typa, 2);
	assert_true(has_warning(&f->ai, "table DSDT at 0x180000: bad checksum"));
}

static void test_s5_absent_and_bad_dsdt_pointer(void **state)
{
	struct fx *f = *state;

	body(f);
	fadt_v6(&f->body, T_TABLE(1), 0, 0);
	add_table(f, "FACP", 6);
	hpet_simple(f); /* the FADT's DSDT pointer lands on the HPET */
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_false(f->ai.s5.valid);
	assert_true(has_warning(&f->ai, "table at 0x102000 is HPET, expected DSDT"));
	assert_int_equal(f->ai.warn_count, 1);
	/* A malformed _S5_ package is reported. */
	body(f);
	bmem(&f->body, "\x08_S5_\x12\x10\x02", 8);
	img_table(&f->im, T_DSDT, "DSDT", 2, &f->body);
	body(f);
	fadt_v6(&f->body, T_DSDT, 0, 0);
	img_table(&f->im, T_TABLE(0), "FACP", 6, &f->body);
	assert_int_equal(parse(f), ACPI_OK);
	assert_false(f->ai.s5.valid);
	assert_true(has_warning(&f->ai, "DSDT at 0x180000: malformed _S5_ package"));
}

/* ---- MCFG, SPCR, DMAR, IVRS, HPET ---------------------------------------- */

static void test_mcfg(void **state)
{
	struct fx *f = *state;
	struct bytes *s = body(f);

	b64(s, 0);
	b64(s, 0xb0000000); b16(s, 0); b8(s, 0); b8(s, 255); b32(s, 0);
	b64(s, 0x4000000000); b16(s, 1); b8(s, 0x10); b8(s, 0x3f); b32(s, 0);
	bfill(s, 0, 7); /* partial trailing entry is ignored */
	add_table(f, "MCFG", 1);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(f->ai.mcfg.present);
	assert_int_equal(f->ai.mcfg.count, 2);
	assert_int_equal(f->ai.mcfg.entries[0].base, 0xb0000000);
	assert_int_equal(f->ai.mcfg.entries[0].end_bus, 255);
	assert_int_equal(f->ai.mcfg.entries[1].base, 0x4000000000);
	assert_int_equal(f->ai.mcfg.entries[1].segment, 1);
	assert_int_equal(f->ai.mcfg.entries[1].start_bus, 0x10);
	assert_int_equal(f->ai.mcfg.entries[1].end_bus, 0x3f);
}

static void spcr_body(struct bytes *s, u8 type, u8 space, u64 addr, u8 baud)
{
	b8(s, type);
	bfill(s, 0, 3);
	bgas(s, space, 8, 1, addr);
	b8(s, 1);     /* interrupt type: 8259 */
	b8(s, 4);     /* IRQ */
	b32(s, 4);    /* GSI */
	b8(s, baud);  /* 58 */
	bfill(s, 0, 80 - 59);
}

static void test_spcr(void **state)
{
	struct fx *f = *state;
	u16 port = 0;
	u32 baud = 1;

	spcr_body(body(f), ACPI_SPCR_16550, ACPI_GAS_IO, 0x3f8, 7);
	add_table(f, "SPCR", 2);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(f->ai.spcr.present);
	assert_int_equal(f->ai.spcr.irq, 4);
	assert_int_equal(f->ai.spcr.gsi, 4);
	assert_int_equal(f->ai.spcr.base.address, 0x3f8);
	assert_true(acpi_spcr_console_port(&f->ai, &port, &baud));
	assert_int_equal(port, 0x3f8);
	assert_int_equal(baud, 115200);

	/* Revision 4 with a precise baud rate; code 0 means "as is". */
	spcr_body(body(f), ACPI_SPCR_16550_GAS, ACPI_GAS_IO, 0x2f8, 0);
	put32(f->body.b + 76 - 36, 1843200); /* UART clock frequency */
	b32(&f->body, 1500000);              /* 80: precise baud rate */
	b16(&f->body, 2);                    /* 84: namespace string length */
	b16(&f->body, 88);                   /* 86: namespace string offset */
	bmem(&f->body, ".", 2);
	img_table(&f->im, T_TABLE(0), "SPCR", 4, &f->body);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(acpi_spcr_console_port(&f->ai, &port, NULL));
	assert_true(acpi_spcr_console_port(&f->ai, &port, &baud));
	assert_int_equal(port, 0x2f8);
	assert_int_equal(baud, 1500000);

	/* Memory-mapped 16550, a PL011, and redirection disabled: no port. */
	spcr_body(body(f), ACPI_SPCR_16550, ACPI_GAS_MEMORY, 0xfe001000, 7);
	img_table(&f->im, T_TABLE(0), "SPCR", 2, &f->body);
	assert_int_equal(parse(f), ACPI_OK);
	assert_false(acpi_spcr_console_port(&f->ai, &port, &baud));
	spcr_body(body(f), 0x03, ACPI_GAS_IO, 0x3f8, 7);
	img_table(&f->im, T_TABLE(0), "SPCR", 2, &f->body);
	assert_int_equal(parse(f), ACPI_OK);
	assert_false(acpi_spcr_console_port(&f->ai, &port, &baud));
	spcr_body(body(f), ACPI_SPCR_16550, ACPI_GAS_IO, 0, 7);
	img_table(&f->im, T_TABLE(0), "SPCR", 2, &f->body);
	assert_int_equal(parse(f), ACPI_OK);
	assert_false(acpi_spcr_console_port(&f->ai, &port, &baud));
	/* No SPCR at all. */
	f->ntables = 0;
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_false(acpi_spcr_console_port(&f->ai, &port, &baud));
}

static void test_dmar(void **state)
{
	struct fx *f = *state;
	struct bytes *s = body(f);
	const struct acpi_dmar_info *d = &f->ai.dmar;

	b8(s, 38);     /* host address width - 1 */
	b8(s, ACPI_DMAR_INTR_REMAP | ACPI_DMAR_X2APIC_OPT_OUT);
	bfill(s, 0, 10);
	/* DRHD with one device scope entry (8 bytes: endpoint 00:02.0). */
	b16(s, 0); b16(s, 24); b8(s, 0); b8(s, 0); b16(s, 0); b64(s, 0xfed90000);
	b8(s, 1); b8(s, 8); b16(s, 0); b8(s, 0); b8(s, 0); b8(s, 2); b8(s, 0);
	/* RMRR */
	b16(s, 1); b16(s, 24); b16(s, 0); b16(s, 0); b64(s, 0x7c000000); b64(s, 0x7c7fffff);
	/* ATSR (ignored) */
	b16(s, 2); b16(s, 8); b8(s, 0); b8(s, 0); b16(s, 0);
	/* INCLUDE_PCI_ALL DRHD on segment 1 */
	b16(s, 0); b16(s, 16); b8(s, 1); b8(s, 0); b16(s, 1); b64(s, 0xfed91000);
	add_table(f, "DMAR", 1);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.warn_count, 0);
	assert_true(d->present);
	assert_int_equal(d->host_addr_width, 39);
	assert_int_equal(d->flags, 3);
	assert_int_equal(d->drhd_count, 2);
	assert_int_equal(d->rmrr_count, 1);
	assert_int_equal(d->drhd[0].base, 0xfed90000);
	assert_false(d->drhd[0].include_pci_all);
	assert_int_equal(d->drhd[1].base, 0xfed91000);
	assert_int_equal(d->drhd[1].segment, 1);
	assert_true(d->drhd[1].include_pci_all);
}

static void test_dmar_bad_entry(void **state)
{
	struct fx *f = *state;
	struct bytes *s = body(f);

	b8(s, 47);
	b8(s, 0);
	bfill(s, 0, 10);
	b16(s, 0); b16(s, 16); b8(s, 1); b8(s, 0); b16(s, 0); b64(s, 0xfed90000);
	b16(s, 0); b16(s, 12); bfill(s, 0, 8);   /* DRHD too short: skipped */
	b16(s, 1); b16(s, 2);                    /* length < header: stop */
	b16(s, 0); b16(s, 16); b8(s, 1); b8(s, 0); b16(s, 0); b64(s, 0xfed91000);
	add_table(f, "DMAR", 1);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_int_equal(f->ai.dmar.drhd_count, 1);
	assert_int_equal(f->ai.dmar.rmrr_count, 0);
	assert_true(has_warning(&f->ai, "DMAR: type 0x0 entry at offset 0x40: length 12 < 16"));
	assert_true(has_warning(&f->ai, "DMAR: entry at offset 0x4c has length 2, stopped"));
}

static void ivhd(struct bytes *s, u8 type, u16 len, u16 devid, u64 base, u16 seg)
{
	b8(s, type);
	b8(s, 0xb0);
	b16(s, len);
	b16(s, devid);
	b16(s, 0x40);
	b64(s, base);
	b16(s, seg);
	b16(s, 0);
	b32(s, 0);
	if (type != 0x10)
		bfill(s, 0, 16);
	bfill(s, 0, len - (type == 0x10 ? 24 : 40)); /* device entries */
}

static void test_ivrs(void **state)
{
	struct fx *f = *state;
	struct bytes *s = body(f);
	const struct acpi_ivrs_info *v = &f->ai.ivrs;

	b32(s, 0x00203040);
	b64(s, 0);
	ivhd(s, 0x10, 28, 0x0002, 0xfeb80000, 0);
	ivhd(s, 0x11, 40, 0x0002, 0xfeb80000, 0);
	b8(s, 0x20); b8(s, 0); b16(s, 32); bfill(s, 0, 28); /* IVMD */
	ivhd(s, 0x40, 48, 0x0102, 0xfeb90000, 1);
	b8(s, 0x21); b8(s, 0); b16(s, 32); bfill(s, 0, 28); /* IVMD */
	b8(s, 0x11); b8(s, 0); b16(s, 24); bfill(s, 0, 20); /* too short for 0x11 */
	add_table(f, "IVRS", 2);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(v->present);
	assert_int_equal(v->ivinfo, 0x00203040);
	assert_int_equal(v->ivhd_count, 3);
	assert_int_equal(v->ivmd_count, 2);
	assert_int_equal(v->ivhd[0].type, 0x10);
	assert_int_equal(v->ivhd[0].base, 0xfeb80000);
	assert_int_equal(v->ivhd[0].device_id, 2);
	assert_int_equal(v->ivhd[0].flags, 0xb0);
	assert_int_equal(v->ivhd[1].type, 0x11);
	assert_int_equal(v->ivhd[2].type, 0x40);
	assert_int_equal(v->ivhd[2].base, 0xfeb90000);
	assert_int_equal(v->ivhd[2].device_id, 0x0102);
	assert_int_equal(v->ivhd[2].segment, 1);
	assert_int_equal(f->ai.warn_count, 1);
	assert_true(has_warning(&f->ai, "IVRS: type 0x11 entry at offset 0xe4: length 24 < 40"));
}

static void test_hpet(void **state)
{
	struct fx *f = *state;

	hpet_simple(f);
	finish(f, 2);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(f->ai.hpet.present);
	assert_int_equal(f->ai.hpet.block_id, 0x8086a201);
	assert_int_equal(f->ai.hpet.base.space_id, ACPI_GAS_MEMORY);
	assert_int_equal(f->ai.hpet.base.address, 0xfed00000);
	assert_int_equal(f->ai.hpet.min_tick, 0x80);
	/* An HPET too short to hold its base address. */
	body(f);
	b32(&f->body, 1);
	img_table(&f->im, T_TABLE(0), "HPET", 1, &f->body);
	assert_int_equal(parse(f), ACPI_OK);
	assert_true(f->ai.hpet.present);
	assert_int_equal(f->ai.hpet.base.address, 0);
	assert_true(has_warning(&f->ai, "HPET: only 40 bytes"));
}

/* ---- BIOS RSDP scan ------------------------------------------------------- */

static void test_bios_scan(void **state)
{
	struct fx *f = *state;
	u8 *m = f->im.mem;

	/* Nothing anywhere. */
	assert_int_equal(acpi_find_rsdp_bios(&f->im.am), 0);
	/* In the BIOS area, 16-byte aligned, after a stale copy with a bad checksum. */
	img_rsdp(&f->im, 0xe1000, 0, T_RSDT, 0);
	m[0xe1000 + 8] ^= 1;
	img_rsdp(&f->im, 0xf5a30, 2, T_RSDT, T_XSDT);
	img_rsdp(&f->im, 0xe2008, 0, T_RSDT, 0); /* not on a 16-byte boundary */
	assert_int_equal(acpi_find_rsdp_bios(&f->im.am), 0xf5a30);
	/* A v2 copy with a bad extended checksum is not accepted. */
	m[0xf5a30 + 32] ^= 1;
	assert_int_equal(acpi_find_rsdp_bios(&f->im.am), 0);
	m[0xf5a30 + 32] ^= 1;
	/* The EBDA (segment at 0x40E) is searched first. */
	put16(m + 0x40e, 0x9fc0);
	img_rsdp(&f->im, 0x9fc00 + 0x3e0, 0, T_RSDT, 0);
	assert_int_equal(acpi_find_rsdp_bios(&f->im.am), 0x9ffe0);
	/* Only its first KiB. */
	memset(m + 0x9ffe0, 0, 20);
	img_rsdp(&f->im, 0x9fc00 + 0x400, 0, T_RSDT, 0);
	assert_int_equal(acpi_find_rsdp_bios(&f->im.am), 0xf5a30);
	/* A nonsense EBDA segment is ignored. */
	put16(m + 0x40e, 0xffff);
	assert_int_equal(acpi_find_rsdp_bios(&f->im.am), 0xf5a30);
}

static void test_bios_scan_then_parse(void **state)
{
	struct fx *f = *state;
	u64 rsdp;

	madt_simple(f);
	finish(f, 2);
	rsdp = acpi_find_rsdp_bios(&f->im.am);
	assert_int_equal(rsdp, T_RSDP);
	assert_int_equal(acpi_parse(&f->im.am, NULL, 0, rsdp, &f->ai), ACPI_OK);
	assert_true(f->ai.xsdt_used);
	assert_int_equal(f->ai.madt.cpu_count, 2);
	assert_int_equal(f->ai.madt.ioapic_count, 1);
}

static void test_unmappable_memory(void **state)
{
	struct fx *f = *state;
	struct img small;

	(void)f;
	img_init(&small, 0x1000);
	assert_int_equal(acpi_find_rsdp_bios(&small.am), 0);
	assert_int_equal(acpi_parse(&small.am, NULL, 0, 0xe0000, &f->ai), ACPI_ERR_RSDP);
	img_free(&small);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rsdp_v1_uses_rsdt),
		T(test_rsdp_v2_uses_xsdt),
		T(test_rsdp_v2_copy_no_xsdt),
		T(test_rsdp_bad_checksum),
		T(test_rsdp_bad_ext_checksum),
		T(test_xsdt_bad_falls_back),
		T(test_root_wrong_signature),
		T(test_table_bad_checksum_skipped),
		T(test_table_truncated_skipped),
		T(test_duplicate_and_list_overflow),
		T(test_warning_overflow),
		T(test_warning_text),
		T(test_madt_cpus),
		T(test_madt_online_capable_needs_rev5),
		T(test_madt_zero_length_entry),
		T(test_madt_overrunning_entry),
		T(test_madt_tail_edge_cases),
		T(test_madt_too_many_cpus),
		T(test_fadt_v1_short),
		T(test_fadt_v6_x_fields),
		T(test_fadt_truncated_and_no_timer),
		T(test_s5_element_encodings),
		T(test_s5_pkglength_sizes),
		T(test_s5_malformed_and_absent),
		T(test_s5_iasl_output),
		T(test_s5_dsdt_ssdt_priority),
		T(test_s5_absent_and_bad_dsdt_pointer),
		T(test_mcfg),
		T(test_spcr),
		T(test_dmar),
		T(test_dmar_bad_entry),
		T(test_ivrs),
		T(test_hpet),
		T(test_bios_scan),
		T(test_bios_scan_then_parse),
		T(test_unmappable_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
