// SPDX-License-Identifier: MIT
/*
 * ACPI table parser (see drivers/acpi.h). Finds the RSDP, walks the XSDT or
 * RSDT, validates every table (length, mapping, checksum) and decodes the
 * MADT, FADT, MCFG, SPCR, DMAR, IVRS and HPET into struct acpi_info, plus
 * the \_S5 package from the DSDT/SSDT AML. Tables are read byte by byte
 * through struct acpi_mem and never past the length that was mapped; all
 * multi-byte fields are little-endian and may be unaligned. No allocation,
 * no logging: problems become short messages in acpi_info.warnings.
 */
#include <stdarg.h>

#include "drivers/acpi.h"
#include "kernel/string.h"

#define ACPI_HDR_LEN 36 /* System Description Table Header, §5.2.6 */
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36

struct acpi_parser {
	const struct acpi_mem *mem;
	struct acpi_info *ai;
	u64 phys;     /* table being parsed, for messages */
	bool dsdt_done;
};

/* ---- little-endian field access --------------------------------------- */

static u16 acpi_rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 acpi_rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 acpi_rd64(const u8 *p)
{
	return acpi_rd32(p) | (u64)acpi_rd32(p + 4) << 32;
}

/* Fields of a table of @len bytes; a field past the end reads as 0. */
static u8 acpi_fld8(const u8 *t, u32 len, u32 off)
{
	return off < len ? t[off] : 0;
}

static u16 acpi_fld16(const u8 *t, u32 len, u32 off)
{
	return off + 2 <= len ? acpi_rd16(t + off) : 0;
}

static u32 acpi_fld32(const u8 *t, u32 len, u32 off)
{
	return off + 4 <= len ? acpi_rd32(t + off) : 0;
}

static u64 acpi_fld64(const u8 *t, u32 len, u32 off)
{
	return off + 8 <= len ? acpi_rd64(t + off) : 0;
}

/* Generic Address Structure, §5.2.3.2; false if it lies past the end. */
static bool acpi_fld_gas(const u8 *t, u32 len, u32 off, struct acpi_gas *g)
{
	if (off + 12 > len)
		return false;
	g->space_id = t[off];
	g->bit_width = t[off + 1];
	g->bit_offset = t[off + 2];
	g->access_size = t[off + 3];
	g->address = acpi_rd64(t + off + 4);
	return true;
}

/* All bytes of an ACPI structure sum to zero (mod 256), §5.2.5.3, §5.2.6. */
static u8 acpi_sum(const u8 *p, u32 len)
{
	u8 sum = 0;

	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return sum;
}

static bool acpi_sig_is(const char *sig, const char *want)
{
	return memcmp(sig, want, 4) == 0;
}

/* A table signature for messages: 4 bytes, unprintable ones as '?'. */
static void acpi_copy_sig(char sig[5], const u8 *src)
{
	for (u32 i = 0; i < 4; i++)
		sig[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	sig[4] = 0;
}

/* An OEM ID: up to 6 bytes, ends early at a NUL. */
static void acpi_copy_oem(char oem[7], const u8 *src)
{
	u32 i;

	for (i = 0; i < 6 && src[i]; i++)
		oem[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	oem[i] = 0;
}

/* ---- warnings ----------------------------------------------------------- */

struct acpi_buf {
	char *s;
	u32 len;
	u32 cap;
};

static void acpi_buf_putc(struct acpi_buf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->s[b->len++] = c;
	b->s[b->len] = 0;
}

static void acpi_buf_num(struct acpi_buf *b, u64 v, u32 base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		acpi_buf_putc(b, tmp[--n]);
}

/* A tiny formatter: %s %c %u %x %lu %lx (no width or flags). */
static void acpi_vformat(struct acpi_buf *b, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool l = false;

		if (*fmt != '%') {
			acpi_buf_putc(b, *fmt);
			continue;
		}
		if (*++fmt == 'l')
			l = true, fmt++;
		if (*fmt == 's')
			for (const char *s = va_arg(ap, const char *); *s; s++)
				acpi_buf_putc(b, *s);
		else if (*fmt == 'c')
			acpi_buf_putc(b, (char)va_arg(ap, int));
		else if (*fmt == 'u' || *fmt == 'x')
			acpi_buf_num(b, l ? va_arg(ap, u64) : va_arg(ap, u32),
				     *fmt == 'u' ? 10 : 16);
		else if (!*fmt)
			break;
		else
			acpi_buf_putc(b, *fmt);
	}
}

static void acpi_warn(struct acpi_parser *p, const char *fmt, ...) __printf(2, 3);

static void acpi_warn(struct acpi_parser *p, const char *fmt, ...)
{
	struct acpi_info *ai = p->ai;
	struct acpi_buf b;
	va_list ap;

	ai->warn_total++;
	if (ai->warn_count >= ACPI_MAX_WARNINGS)
		return;
	b.s = ai->warnings[ai->warn_count++];
	b.len = 0;
	b.cap = ACPI_WARN_LEN;
	b.s[0] = 0;
	va_start(ap, fmt);
	acpi_vformat(&b, fmt, ap);
	va_end(ap);
}

/* ---- table access ------------------------------------------------------- */

static const u8 *acpi_map(struct acpi_parser *p, u64 phys, u64 len)
{
	if (phys + len < phys)
		return NULL;
	return p->mem->map(p->mem->ctx, phys, len);
}

static struct acpi_table_ref *acpi_record(struct acpi_parser *p, const char *sig,
					  u64 phys, u32 len, u8 rev)
{
	struct acpi_info *ai = p->ai;
	struct acpi_table_ref *ref;

	if (ai->table_count >= ACPI_MAX_TABLES) {
		if (!ai->table_dropped++)
			acpi_warn(p, "more than %u tables, list truncated",
				  ACPI_MAX_TABLES);
		return NULL;
	}
	ref = &ai->tables[ai->table_count++];
	memcpy(ref->sig, sig, sizeof(ref->sig));
	ref->phys = phys;
	ref->length = len;
	ref->revision = rev;
	return ref;
}

/*
 * Map the whole table at @phys after checking its header (§5.2.6): length
 * at least the header and at most ACPI_TABLE_MAX_LEN, every byte mappable,
 * checksum zero. Returns NULL, with a warning, if any check fails.
 */
static const u8 *acpi_table_map(struct acpi_parser *p, u64 phys, char sig[5],
				u32 *len_out)
{
	struct acpi_table_ref *ref;
	const u8 *t;
	u32 len;
	u8 rev;

	t = acpi_map(p, phys, ACPI_HDR_LEN);
	if (!t) {
		acpi_warn(p, "table at 0x%lx: header not mappable, skipped", phys);
		return NULL;
	}
	acpi_copy_sig(sig, t);
	len = acpi_rd32(t + 4);
	rev = t[8];
	ref = acpi_record(p, sig, phys, len, rev);
	if (len < ACPI_HDR_LEN || len > ACPI_TABLE_MAX_LEN) {
		acpi_warn(p, "table %s at 0x%lx: bad length %u, skipped", sig, phys, len);
		return NULL;
	}
	t = acpi_map(p, phys, len);
	if (!t) {
		acpi_warn(p, "table %s at 0x%lx: %u bytes not mappable, skipped",
			  sig, phys, len);
		return NULL;
	}
	if (acpi_sum(t, len)) {
		acpi_warn(p, "table %s at 0x%lx: bad checksum, skipped", sig, phys);
		return NULL;
	}
	if (ref)
		ref->ok = true;
	*len_out = len;
	return t;
}

/* Mark a single-instance table as seen; true (and a warning) if it was. */
static bool acpi_seen(struct acpi_parser *p, bool *present, const char *sig)
{
	if (*present) {
		acpi_warn(p, "table %s at 0x%lx: duplicate, ignored", sig, p->phys);
		return true;
	}
	*present = true;
	return false;
}

/*
 * Walk the variable-length entries that follow a table's fixed part
 * (MADT, DMAR, IVRS). Each entry stores its length at @len_off, @len_size
 * bytes wide. A length shorter than its own header or running past the
 * table stops the walk with a warning.
 */
struct acpi_sub_walk {
	const char *sig;
	u32 start;
	u8 len_off;
	u8 len_size;
	void (*entry)(struct acpi_parser *p, const u8 *e, u32 elen, u32 off);
};

static void acpi_walk_entries(struct acpi_parser *p, const struct acpi_sub_walk *w,
			      const u8 *t, u32 len)
{
	u32 hdr = w->len_off + w->len_size;
	u32 off, elen;

	for (off = w->start; off < len; off += elen) {
		if (len - off < hdr) {
			acpi_warn(p, "%s: %u stray bytes at offset 0x%x, stopped",
				  w->sig, len - off, off);
			return;
		}
		if (w->len_size == 1)
			elen = t[off + w->len_off];
		else
			elen = acpi_rd16(t + off + w->len_off);
		if (elen < hdr || elen > len - off) {
			acpi_warn(p, "%s: entry at offset 0x%x has length %u, stopped",
				  w->sig, off, elen);
			return;
		}
		w->entry(p, t + off, elen, off);
	}
}

/* True, with a warning, if an entry of type @type is shorter than @min. */
static bool acpi_entry_short(struct acpi_parser *p, const char *sig, u32 type,
			     u32 off, u32 elen, u32 min)
{
	if (elen >= min)
		return false;
	acpi_warn(p, "%s: type 0x%x entry at offset 0x%x: length %u < %u, skipped",
		  sig, type, off, elen, min);
	return true;
}

/* ---- MADT, ACPI 6.5 §5.2.12 -------------------------------------------- */

#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_ENTRIES 44
#define MADT_CPU_ENABLED (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1) /* MADT revision 5+, §5.2.12.2 */

enum acpi_madt_type {
	MADT_IOAPIC = 1,        /* §5.2.12.3 */
	MADT_ISO = 2,           /* §5.2.12.5 */
	MADT_NMI_SOURCE = 3,    /* §5.2.12.6 */
	MADT_LAPIC_NMI = 4,     /* §5.2.12.7 */
	MADT_LAPIC_ADDR_OVR = 5, /* §5.2.12.8 */
	MADT_X2APIC_NMI = 10,   /* §5.2.12.13 */
};

/* Minimum entry lengths by type; 0 for types we ignore. */
static const u8 acpi_madt_min_len[] = {
	[ACPI_MADT_LAPIC] = 8, [MADT_IOAPIC] = 12, [MADT_ISO] = 10,
	[MADT_NMI_SOURCE] = 8, [MADT_LAPIC_NMI] = 6, [MADT_LAPIC_ADDR_OVR] = 12,
	[ACPI_MADT_X2APIC] = 16, [MADT_X2APIC_NMI] = 12,
};

static struct acpi_cpu *acpi_madt_find_cpu(struct acpi_madt_info *m, u32 apic_id)
{
	for (u32 i = 0; i < m->cpu_count; i++)
		if (m->cpus[i].apic_id == apic_id)
			return &m->cpus[i];
	return NULL;
}

/* Processor Local APIC (§5.2.12.2) and Local x2APIC (§5.2.12.12) entries. */
static void acpi_madt_add_cpu(struct acpi_parser *p, u32 apic_id, u32 uid,
			      u32 flags, u8 type)
{
	struct acpi_madt_info *m = &p->ai->madt;
	bool enabled = flags & MADT_CPU_ENABLED;
	bool online = m->revision >= 5 && (flags & MADT_CPU_ONLINE_CAPABLE);
	struct acpi_cpu *c;

	if (!enabled && !online) {
		m->cpu_disabled++;
		return;
	}
	if (acpi_madt_find_cpu(m, apic_id)) {
		m->cpu_duplicates++;
		return;
	}
	if (m->cpu_count >= ACPI_MAX_CPUS) {
		if (!m->cpu_dropped++)
			acpi_warn(p, "MADT: more than %u CPUs, rest ignored",
				  ACPI_MAX_CPUS);
		return;
	}
	c = &m->cpus[m->cpu_count++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->enabled = enabled;
	c->online_capable = online;
	c->entry_type = type;
}

static void acpi_madt_add_ioapic(struct acpi_parser *p, const u8 *e)
{
	struct acpi_madt_info *m = &p->ai->madt;
	struct acpi_ioapic *io;

	if (m->ioapic_count >= ACPI_MAX_IOAPICS) {
		acpi_warn(p, "MADT: I/O APIC %u ignored, table full", e[2]);
		return;
	}
	io = &m->ioapics[m->ioapic_count++];
	io->id = e[2];
	io->addr = acpi_rd32(e + 4);
	io->gsi_base = acpi_rd32(e + 8);
}

static void acpi_madt_add_override(struct acpi_parser *p, const u8 *e)
{
	struct acpi_madt_info *m = &p->ai->madt;
	struct acpi_irq_override *o;

	if (m->override_count >= ACPI_MAX_OVERRIDES) {
		acpi_warn(p, "MADT: override of IRQ %u ignored, table full", e[3]);
		return;
	}
	o = &m->overrides[m->override_count++];
	o->bus = e[2];
	o->source = e[3];
	o->gsi = acpi_rd32(e + 4);
	o->flags = acpi_rd16(e + 8);
}

static void acpi_madt_add_nmi(struct acpi_parser *p, u32 uid, u16 flags, u8 lint)
{
	struct acpi_madt_info *m = &p->ai->madt;
	struct acpi_lapic_nmi *n;

	if (m->lapic_nmi_count >= ACPI_MAX_LAPIC_NMIS) {
		acpi_warn(p, "MADT: local APIC NMI ignored, table full");
		return;
	}
	n = &m->lapic_nmis[m->lapic_nmi_count++];
	n->uid = uid;
	n->flags = flags;
	n->lint = lint;
}

static void acpi_madt_entry(struct acpi_parser *p, const u8 *e, u32 elen, u32 off)
{
	u8 type = e[0];

	if (type < ARRAY_SIZE(acpi_madt_min_len) &&
	    acpi_entry_short(p, "MADT", type, off, elen, acpi_madt_min_len[type]))
		return;
	switch (type) {
	case ACPI_MADT_LAPIC:
		acpi_madt_add_cpu(p, e[3], e[2], acpi_rd32(e + 4), type);
		break;
	case ACPI_MADT_X2APIC:
		acpi_madt_add_cpu(p, acpi_rd32(e + 4), acpi_rd32(e + 12),
				  acpi_rd32(e + 8), type);
		break;
	case MADT_IOAPIC:
		acpi_madt_add_ioapic(p, e);
		break;
	case MADT_ISO:
		acpi_madt_add_override(p, e);
		break;
	case MADT_NMI_SOURCE:
		p->ai->madt.nmi_source_count++;
		break;
	case MADT_LAPIC_NMI:
		acpi_madt_add_nmi(p, e[2] == 0xff ? ACPI_UID_ALL : e[2],
				  acpi_rd16(e + 3), e[5]);
		break;
	case MADT_X2APIC_NMI:
		acpi_madt_add_nmi(p, acpi_rd32(e + 4), acpi_rd16(e + 2), e[8]);
		break;
	case MADT_LAPIC_ADDR_OVR:
		p->ai->madt.lapic_addr = acpi_rd64(e + 4);
		break;
	}
}

static void acpi_parse_madt(struct acpi_parser *p, const u8 *t, u32 len)
{
	static const struct acpi_sub_walk walk = {
		.sig = "MADT", .start = MADT_ENTRIES, .len_off = 1, .len_size = 1,
		.entry = acpi_madt_entry,
	};
	struct acpi_madt_info *m = &p->ai->madt;

	if (acpi_seen(p, &m->present, "APIC"))
		return;
	m->revision = t[8];
	m->lapic_addr = acpi_fld32(t, len, MADT_LAPIC_ADDR);
	m->flags = acpi_fld32(t, len, MADT_FLAGS);
	acpi_walk_entries(p, &walk, t, len);
}

/* ---- FADT, ACPI 6.5 §5.2.9 (Table 5.9 gives the offsets) ----------------- */

enum acpi_fadt_off {
	FADT_FIRMWARE_CTRL = 36,
	FADT_DSDT = 40,
	FADT_SCI_INT = 46,
	FADT_SMI_CMD = 48,
	FADT_ACPI_ENABLE = 52,
	FADT_ACPI_DISABLE = 53,
	FADT_PM1A_EVT_BLK = 56,
	FADT_PM1B_EVT_BLK = 60,
	FADT_PM1A_CNT_BLK = 64,
	FADT_PM1B_CNT_BLK = 68,
	FADT_PM_TMR_BLK = 76,
	FADT_PM1_EVT_LEN = 88,
	FADT_PM1_CNT_LEN = 89,
	FADT_PM_TMR_LEN = 91,
	FADT_CENTURY = 108,
	FADT_IAPC_BOOT_ARCH = 109,
	FADT_FLAGS = 112,
	FADT_V1_LEN = 116, /* end of the ACPI 1.0 FADT */
	FADT_RESET_REG = 116,
	FADT_RESET_VALUE = 128,
	FADT_MINOR_VERSION = 131,
	FADT_X_FIRMWARE_CTRL = 132,
	FADT_X_DSDT = 140,
	FADT_X_PM1A_EVT_BLK = 148,
	FADT_X_PM1B_EVT_BLK = 160,
	FADT_X_PM1A_CNT_BLK = 172,
	FADT_X_PM1B_CNT_BLK = 184,
	FADT_X_PM_TMR_BLK = 208,
	FADT_SLEEP_CONTROL_REG = 244,
	FADT_SLEEP_STATUS_REG = 256,
};

/*
 * A fixed register block: the X_ GAS when the FADT is long enough and its
 * address is non-zero (§5.2.9: then the 32-bit field is ignored), else the
 * 32-bit port field as an I/O-space GAS @len_off bytes wide.
 */
static void acpi_fadt_block(const u8 *t, u32 len, u32 off32, u32 len_off,
			    u32 xoff, struct acpi_gas *g)
{
	struct acpi_gas x;

	if (acpi_fld_gas(t, len, xoff, &x) && x.address) {
		*g = x;
		return;
	}
	memset(g, 0, sizeof(*g));
	/* A block of length 0 is not implemented (e.g. PM_TMR_LEN, §5.2.9). */
	if (!acpi_fld32(t, len, off32) || !acpi_fld8(t, len, len_off))
		return;
	g->space_id = ACPI_GAS_IO;
	g->bit_width = (u8)(acpi_fld8(t, len, len_off) * 8);
	g->address = acpi_fld32(t, len, off32);
}

static void acpi_fadt_blocks(struct acpi_fadt_info *f, const u8 *t, u32 len)
{
	acpi_fadt_block(t, len, FADT_PM1A_EVT_BLK, FADT_PM1_EVT_LEN,
			FADT_X_PM1A_EVT_BLK, &f->pm1a_evt);
	acpi_fadt_block(t, len, FADT_PM1B_EVT_BLK, FADT_PM1_EVT_LEN,
			FADT_X_PM1B_EVT_BLK, &f->pm1b_evt);
	acpi_fadt_block(t, len, FADT_PM1A_CNT_BLK, FADT_PM1_CNT_LEN,
			FADT_X_PM1A_CNT_BLK, &f->pm1a_cnt);
	acpi_fadt_block(t, len, FADT_PM1B_CNT_BLK, FADT_PM1_CNT_LEN,
			FADT_X_PM1B_CNT_BLK, &f->pm1b_cnt);
	acpi_fadt_block(t, len, FADT_PM_TMR_BLK, FADT_PM_TMR_LEN,
			FADT_X_PM_TMR_BLK, &f->pm_tmr);
	f->pm_tmr_32bit = f->flags & ACPI_FADT_TMR_VAL_EXT;
}

/* Registers added by ACPI 2.0 and later; absent in short FADTs. */
static void acpi_fadt_late(struct acpi_fadt_info *f, const u8 *t, u32 len)
{
	u64 x;

	if (f->revision >= 2)
		f->iapc_boot_arch = acpi_fld16(t, len, FADT_IAPC_BOOT_ARCH);
	acpi_fld_gas(t, len, FADT_RESET_REG, &f->reset_reg);
	f->reset_value = acpi_fld8(t, len, FADT_RESET_VALUE);
	if (f->revision >= 5)
		f->minor = acpi_fld8(t, len, FADT_MINOR_VERSION) & 0xf;
	x = acpi_fld64(t, len, FADT_X_DSDT);
	if (x)
		f->dsdt = x;
	x = acpi_fld64(t, len, FADT_X_FIRMWARE_CTRL);
	if (x)
		f->facs = x;
	acpi_fld_gas(t, len, FADT_SLEEP_CONTROL_REG, &f->sleep_control);
	acpi_fld_gas(t, len, FADT_SLEEP_STATUS_REG, &f->sleep_status);
}

static void acpi_parse_fadt(struct acpi_parser *p, const u8 *t, u32 len)
{
	struct acpi_fadt_info *f = &p->ai->fadt;

	if (acpi_seen(p, &f->present, "FACP"))
		return;
	if (len < FADT_V1_LEN)
		acpi_warn(p, "FADT: only %u bytes, later fields read as 0", len);
	f->revision = t[8];
	f->facs = acpi_fld32(t, len, FADT_FIRMWARE_CTRL);
	f->dsdt = acpi_fld32(t, len, FADT_DSDT);
	f->sci_int = acpi_fld16(t, len, FADT_SCI_INT);
	f->smi_cmd = acpi_fld32(t, len, FADT_SMI_CMD);
	f->acpi_enable = acpi_fld8(t, len, FADT_ACPI_ENABLE);
	f->acpi_disable = acpi_fld8(t, len, FADT_ACPI_DISABLE);
	f->century = acpi_fld8(t, len, FADT_CENTURY);
	f->flags = acpi_fld32(t, len, FADT_FLAGS);
	acpi_fadt_blocks(f, t, len);
	acpi_fadt_late(f, t, len);
}

/* ---- \_S5 in AML, ACPI 6.5 §20 ------------------------------------------ */

#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ROOT_CHAR 0x5c   /* '\' */
#define AML_PARENT_CHAR 0x5e /* '^' */
#define AML_ONES_OP 0xff

/*
 * PkgLength (§20.2.4): bits 7:6 of the lead byte count the bytes that
 * follow (0-3). With none, bits 5:0 are the length; otherwise bits 3:0 are
 * its low nibble and each following byte adds 8 more bits. The length
 * counts itself and everything up to the end of the package.
 */
static int acpi_aml_pkglen(const u8 *a, u32 end, u32 *pos, u32 *out)
{
	u32 lead, n, v;

	if (*pos >= end)
		return -1;
	lead = a[(*pos)++];
	n = lead >> 6;
	if (!n) {
		*out = lead & 0x3f;
		return 0;
	}
	if (end - *pos < n)
		return -1;
	v = lead & 0x0f;
	for (u32 i = 0; i < n; i++)
		v |= (u32)a[(*pos)++] << (4 + 8 * i);
	*out = v;
	return 0;
}

/* One ComputationalData integer (§20.2.3): Zero/One/Ones or a prefixed constant. */
static int acpi_aml_integer(const u8 *a, u32 end, u32 *pos, u64 *v)
{
	static const u8 size_of[] = {
		[AML_BYTE_PREFIX] = 1, [AML_WORD_PREFIX] = 2,
		[AML_DWORD_PREFIX] = 4, [AML_QWORD_PREFIX] = 8,
	};
	u32 op, n;

	if (*pos >= end)
		return -1;
	op = a[(*pos)++];
	if (op == AML_ZERO_OP || op == AML_ONE_OP || op == AML_ONES_OP) {
		*v = op == AML_ONES_OP ? ~0ull : op;
		return 0;
	}
	n = op < ARRAY_SIZE(size_of) ? size_of[op] : 0;
	if (!n || end - *pos < n)
		return -1;
	*v = 0;
	for (u32 i = 0; i < n; i++)
		*v |= (u64)a[*pos + i] << (8 * i);
	*pos += n;
	return 0;
}

/*
 * DefPackage := PackageOp PkgLength NumElements PackageElementList
 * (§20.2.5.4) at @a. \_S5 holds SLP_TYPa and SLP_TYPb as its first two
 * integers (§7.4.2); some firmware packs both into one integer, low byte
 * first, in a single-element package.
 */
static int acpi_aml_s5_package(const u8 *a, u32 len, u8 *typa, u8 *typb)
{
	u32 pos = 1, pkglen, end, count;
	u64 v[2] = { 0, 0 };

	if (len < 1 || a[0] != AML_PACKAGE_OP)
		return -1;
	if (acpi_aml_pkglen(a, len, &pos, &pkglen) || pkglen > len - 1)
		return -1;
	end = 1 + pkglen;
	if (pos >= end)
		return -1;
	count = a[pos++];
	if (count == 0)
		return -1;
	for (u32 i = 0; i < count && i < 2; i++)
		if (acpi_aml_integer(a, end, &pos, &v[i]))
			return -1;
	if (count == 1)
		v[1] = v[0] >> 8;
	*typa = (u8)v[0];
	*typb = (u8)v[1];
	return 0;
}

/* Is the NameSeg at @i preceded by NameOp, with an optional '\' or '^'s? */
static bool acpi_aml_is_name_def(const u8 *a, u32 i)
{
	if (i > 0 && a[i - 1] == AML_ROOT_CHAR)
		i--;
	else
		while (i > 0 && a[i - 1] == AML_PARENT_CHAR)
			i--;
	return i > 0 && a[i - 1] == AML_NAME_OP;
}

int acpi_aml_find_s5(const u8 *aml, u32 len, u8 *typa, u8 *typb)
{
	int ret = ACPI_ERR_NOT_FOUND;

	if (!aml)
		return ret;
	for (u32 i = 0; i + 4 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) || !acpi_aml_is_name_def(aml, i))
			continue;
		if (!acpi_aml_s5_package(aml + i + 4, len - i - 4, typa, typb))
			return ACPI_OK;
		ret = ACPI_ERR_AML;
	}
	return ret;
}

/* A definition block: DSDT results win over an SSDT's. */
static void acpi_scan_s5(struct acpi_parser *p, const char *sig, const u8 *t, u32 len)
{
	struct acpi_s5_info *s5 = &p->ai->s5;
	bool dsdt = acpi_sig_is(sig, "DSDT");
	u8 a, b;
	int ret;

	if (s5->valid && !dsdt)
		return;
	ret = acpi_aml_find_s5(t + ACPI_HDR_LEN, len - ACPI_HDR_LEN, &a, &b);
	if (ret == ACPI_ERR_AML)
		acpi_warn(p, "%s at 0x%lx: malformed _S5_ package", sig, p->phys);
	if (ret != ACPI_OK)
		return;
	s5->valid = true;
	s5->slp_typa = a;
	s5->slp_typb = b;
	memcpy(s5->table, sig, 5);
}

static void acpi_parse_dsdt(struct acpi_parser *p, const u8 *t, u32 len)
{
	p->dsdt_done = true;
	acpi_scan_s5(p, "DSDT", t, len);
}

static void acpi_parse_ssdt(struct acpi_parser *p, const u8 *t, u32 len)
{
	acpi_scan_s5(p, "SSDT", t, len);
}

/* ---- MCFG, PCI Firmware spec 3.x §4.1.2 ----------------------------------- */

#define MCFG_ENTRIES 44
#define MCFG_ENTRY_LEN 16

static void acpi_parse_mcfg(struct acpi_parser *p, const u8 *t, u32 len)
{
	struct acpi_mcfg_info *m = &p->ai->mcfg;

	if (acpi_seen(p, &m->present, "MCFG"))
		return;
	for (u32 off = MCFG_ENTRIES; off + MCFG_ENTRY_LEN <= len; off += MCFG_ENTRY_LEN) {
		struct acpi_mcfg_entry *e;

		if (m->count >= ACPI_MAX_MCFG) {
			acpi_warn(p, "MCFG: more than %u entries, rest ignored",
				  ACPI_MAX_MCFG);
			return;
		}
		e = &m->entries[m->count++];
		e->base = acpi_rd64(t + off);
		e->segment = acpi_rd16(t + off + 8);
		e->start_bus = t[off + 10];
		e->end_bus = t[off + 11];
	}
}

/* ---- SPCR, Microsoft SPCR spec (table revision 2-4) ----------------------- */

enum acpi_spcr_off {
	SPCR_INTERFACE_TYPE = 36,
	SPCR_BASE_ADDRESS = 40,
	SPCR_INTERRUPT_TYPE = 52,
	SPCR_IRQ = 53,
	SPCR_GSI = 54,
	SPCR_BAUD_RATE = 58,
	SPCR_PRECISE_BAUD = 80, /* revision 4 */
};

static void acpi_parse_spcr(struct acpi_parser *p, const u8 *t, u32 len)
{
	struct acpi_spcr_info *s = &p->ai->spcr;

	if (acpi_seen(p, &s->present, "SPCR"))
		return;
	s->revision = t[8];
	s->interface_type = acpi_fld8(t, len, SPCR_INTERFACE_TYPE);
	if (!acpi_fld_gas(t, len, SPCR_BASE_ADDRESS, &s->base))
		acpi_warn(p, "SPCR: only %u bytes, no base address", len);
	s->interrupt_type = acpi_fld8(t, len, SPCR_INTERRUPT_TYPE);
	s->irq = acpi_fld8(t, len, SPCR_IRQ);
	s->gsi = acpi_fld32(t, len, SPCR_GSI);
	s->baud_code = acpi_fld8(t, len, SPCR_BAUD_RATE);
	if (s->revision >= 4)
		s->precise_baud = acpi_fld32(t, len, SPCR_PRECISE_BAUD);
}

static u32 acpi_spcr_baud(const struct acpi_spcr_info *s)
{
	switch (s->baud_code) {
	case 3:
		return 9600;
	case 4:
		return 19200;
	case 6:
		return 57600;
	case 7:
		return 115200;
	}
	return 0;
}

bool acpi_spcr_console_port(const struct acpi_info *ai, u16 *port, u32 *baud)
{
	const struct acpi_spcr_info *s = &ai->spcr;

	if (!s->present || s->base.space_id != ACPI_GAS_IO)
		return false;
	if (s->interface_type != ACPI_SPCR_16550 && s->interface_type != ACPI_SPCR_16450 &&
	    s->interface_type != ACPI_SPCR_16550_GAS)
		return false;
	if (!s->base.address || s->base.address > 0xffff)
		return false;
	*port = (u16)s->base.address;
	if (baud)
		*baud = s->precise_baud ? s->precise_baud : acpi_spcr_baud(s);
	return true;
}

/* ---- DMAR, Intel VT-d spec §8 --------------------------------------------- */

#define DMAR_HAW 36
#define DMAR_FLAGS 37
#define DMAR_ENTRIES 48
#define DMAR_DRHD 0 /* §8.3 */
#define DMAR_RMRR 1 /* §8.4 */
#define DRHD_MIN_LEN 16

static void acpi_dmar_entry(struct acpi_parser *p, const u8 *e, u32 elen, u32 off)
{
	struct acpi_dmar_info *d = &p->ai->dmar;
	struct acpi_drhd *h;
	u16 type = acpi_rd16(e);

	if (type == DMAR_RMRR)
		d->rmrr_count++;
	if (type != DMAR_DRHD || acpi_entry_short(p, "DMAR", type, off, elen, DRHD_MIN_LEN))
		return;
	if (d->drhd_count >= ACPI_MAX_DRHD) {
		acpi_warn(p, "DMAR: DRHD at offset 0x%x ignored, table full", off);
		return;
	}
	h = &d->drhd[d->drhd_count++];
	h->flags = e[4];
	h->include_pci_all = e[4] & ACPI_DRHD_INCLUDE_PCI_ALL;
	h->segment = acpi_rd16(e + 6);
	h->base = acpi_rd64(e + 8);
}

static void acpi_parse_dmar(struct acpi_parser *p, const u8 *t, u32 len)
{
	static const struct acpi_sub_walk walk = {
		.sig = "DMAR", .start = DMAR_ENTRIES, .len_off = 2, .len_size = 2,
		.entry = acpi_dmar_entry,
	};
	struct acpi_dmar_info *d = &p->ai->dmar;

	if (acpi_seen(p, &d->present, "DMAR"))
		return;
	d->host_addr_width = (u8)(acpi_fld8(t, len, DMAR_HAW) + 1);
	d->flags = acpi_fld8(t, len, DMAR_FLAGS);
	acpi_walk_entries(p, &walk, t, len);
}

/* ---- IVRS, AMD IOMMU spec §5.2 -------------------------------------------- */

#define IVRS_IVINFO 36
#define IVRS_ENTRIES 48
#define IVHD_MIN_LEN 24 /* type 0x10; 0x11 and 0x40 have 40-byte headers */

static bool acpi_ivrs_is_ivhd(u8 type)
{
	return type == 0x10 || type == 0x11 || type == 0x40;
}

static bool acpi_ivrs_is_ivmd(u8 type)
{
	return type == 0x20 || type == 0x21 || type == 0x22;
}

static void acpi_ivrs_entry(struct acpi_parser *p, const u8 *e, u32 elen, u32 off)
{
	struct acpi_ivrs_info *v = &p->ai->ivrs;
	struct acpi_ivhd *h;

	if (acpi_ivrs_is_ivmd(e[0]))
		v->ivmd_count++;
	if (!acpi_ivrs_is_ivhd(e[0]) ||
	    acpi_entry_short(p, "IVRS", e[0], off, elen, e[0] == 0x10 ? 24 : 40))
		return;
	if (v->ivhd_count >= ACPI_MAX_IVHD) {
		acpi_warn(p, "IVRS: IVHD at offset 0x%x ignored, table full", off);
		return;
	}
	h = &v->ivhd[v->ivhd_count++];
	h->type = e[0];
	h->flags = e[1];
	h->device_id = acpi_rd16(e + 4);
	h->base = acpi_rd64(e + 8);
	h->segment = acpi_rd16(e + 16);
}

static void acpi_parse_ivrs(struct acpi_parser *p, const u8 *t, u32 len)
{
	static const struct acpi_sub_walk walk = {
		.sig = "IVRS", .start = IVRS_ENTRIES, .len_off = 2, .len_size = 2,
		.entry = acpi_ivrs_entry,
	};
	struct acpi_ivrs_info *v = &p->ai->ivrs;

	if (acpi_seen(p, &v->present, "IVRS"))
		return;
	v->ivinfo = acpi_fld32(t, len, IVRS_IVINFO);
	acpi_walk_entries(p, &walk, t, len);
}

/* ---- HPET, IA-PC HPET spec 1.0a §3.2.4 ------------------------------------ */

static void acpi_parse_hpet(struct acpi_parser *p, const u8 *t, u32 len)
{
	struct acpi_hpet_info *h = &p->ai->hpet;

	if (acpi_seen(p, &h->present, "HPET"))
		return;
	h->block_id = acpi_fld32(t, len, 36);
	if (!acpi_fld_gas(t, len, 40, &h->base))
		acpi_warn(p, "HPET: only %u bytes, no base address", len);
	h->number = acpi_fld8(t, len, 52);
	h->min_tick = acpi_fld16(t, len, 53);
}

/* ---- root tables, ACPI 6.5 §5.2.5 - §5.2.8 ------------------------------ */

static const struct {
	const char *sig;
	void (*parse)(struct acpi_parser *p, const u8 *t, u32 len);
} acpi_parsers[] = {
	{ "APIC", acpi_parse_madt }, { "FACP", acpi_parse_fadt },
	{ "DSDT", acpi_parse_dsdt }, { "SSDT", acpi_parse_ssdt },
	{ "MCFG", acpi_parse_mcfg }, { "SPCR", acpi_parse_spcr },
	{ "DMAR", acpi_parse_dmar }, { "IVRS", acpi_parse_ivrs },
	{ "HPET", acpi_parse_hpet },
};

/*
 * Validate the table at @phys and hand it to its parser. With @want, a
 * table with another signature is reported and not parsed.
 */
static void acpi_load_table(struct acpi_parser *p, u64 phys, const char *want)
{
	char sig[5];
	const u8 *t;
	u32 len;

	t = acpi_table_map(p, phys, sig, &len);
	if (!t)
		return;
	if (want && !acpi_sig_is(sig, want)) {
		acpi_warn(p, "table at 0x%lx is %s, expected %s", phys, sig, want);
		return;
	}
	p->phys = phys;
	for (u32 i = 0; i < ARRAY_SIZE(acpi_parsers); i++)
		if (acpi_sig_is(sig, acpi_parsers[i].sig))
			acpi_parsers[i].parse(p, t, len);
}

/* Walk the RSDT (@esize 4) or XSDT (@esize 8), §5.2.7 and §5.2.8. */
static int acpi_walk_root(struct acpi_parser *p, u64 phys, u32 esize, const char *want)
{
	char sig[5];
	const u8 *t;
	u32 len, count;

	t = acpi_table_map(p, phys, sig, &len);
	if (!t)
		return -1;
	if (!acpi_sig_is(sig, want)) {
		acpi_warn(p, "table at 0x%lx is %s, expected %s", phys, sig, want);
		return -1;
	}
	p->ai->root_phys = phys;
	count = (len - ACPI_HDR_LEN) / esize;
	for (u32 i = 0; i < count; i++) {
		/* Re-map each entry: the previous table's mapping replaced ours. */
		const u8 *e = acpi_map(p, phys + ACPI_HDR_LEN + (u64)i * esize, esize);
		u64 addr;

		if (!e)
			break;
		addr = esize == 8 ? acpi_rd64(e) : acpi_rd32(e);
		if (addr)
			acpi_load_table(p, addr, NULL);
	}
	return 0;
}

/* The DSDT is reached through the FADT, not the root table (§5.2.9). */
static void acpi_load_dsdt(struct acpi_parser *p)
{
	u64 dsdt = p->ai->fadt.dsdt;

	if (dsdt && !p->dsdt_done)
		acpi_load_table(p, dsdt, "DSDT");
}

/* Copy the RSDP (§5.2.5.3) into @r, zero-padded to 36 bytes; its length in @len. */
static int acpi_rsdp_fetch(struct acpi_parser *p, const u8 *rsdp, u32 rsdp_len,
			   u64 phys, u8 r[ACPI_RSDP_V2_LEN], u32 *len)
{
	const u8 *m;

	memset(r, 0, ACPI_RSDP_V2_LEN);
	if (rsdp && rsdp_len) {
		*len = MIN(rsdp_len, (u32)ACPI_RSDP_V2_LEN);
		memcpy(r, rsdp, *len);
		return *len < ACPI_RSDP_V1_LEN ? ACPI_ERR_RSDP : ACPI_OK;
	}
	if (!phys)
		return ACPI_ERR_NO_RSDP;
	m = acpi_map(p, phys, ACPI_RSDP_V1_LEN);
	if (!m)
		return ACPI_ERR_RSDP;
	memcpy(r, m, ACPI_RSDP_V1_LEN);
	*len = ACPI_RSDP_V1_LEN;
	if (r[15] >= 2 && (m = acpi_map(p, phys, ACPI_RSDP_V2_LEN)) != NULL) {
		memcpy(r, m, ACPI_RSDP_V2_LEN);
		*len = ACPI_RSDP_V2_LEN;
	}
	return ACPI_OK;
}

/* Check the RSDP; true in @v2 when the XSDT address may be trusted. */
static int acpi_rsdp_check(struct acpi_parser *p, const u8 *r, u32 len, bool *v2)
{
	struct acpi_info *ai = p->ai;

	if (memcmp(r, "RSD PTR ", 8) || acpi_sum(r, ACPI_RSDP_V1_LEN))
		return ACPI_ERR_RSDP;
	ai->rsdp_revision = r[15];
	acpi_copy_oem(ai->oem_id, r + 9);
	*v2 = false;
	if (r[15] < 2)
		return ACPI_OK;
	if (len < ACPI_RSDP_V2_LEN)
		acpi_warn(p, "RSDP revision %u but only %u bytes, using RSDT", r[15], len);
	else if (acpi_rd32(r + 20) < ACPI_RSDP_V2_LEN || acpi_sum(r, ACPI_RSDP_V2_LEN))
		acpi_warn(p, "RSDP: bad length or extended checksum, using RSDT");
	else
		*v2 = true;
	return ACPI_OK;
}

int acpi_parse(const struct acpi_mem *mem, const u8 *rsdp, u32 rsdp_len,
	       u64 rsdp_phys, struct acpi_info *out)
{
	struct acpi_parser p = { .mem = mem, .ai = out };
	u8 r[ACPI_RSDP_V2_LEN];
	u64 xsdt = 0;
	u32 len = 0;
	bool v2;
	int err;

	memset(out, 0, sizeof(*out));
	out->rsdp_phys = rsdp_phys;
	err = acpi_rsdp_fetch(&p, rsdp, rsdp_len, rsdp_phys, r, &len);
	if (!err)
		err = acpi_rsdp_check(&p, r, len, &v2);
	if (err)
		return err;
	if (v2)
		xsdt = acpi_rd64(r + 24);
	if (xsdt && !acpi_walk_root(&p, xsdt, 8, "XSDT")) {
		out->xsdt_used = true;
	} else {
		if (xsdt)
			acpi_warn(&p, "XSDT unusable, falling back to RSDT");
		if (!acpi_rd32(r + 16) || acpi_walk_root(&p, acpi_rd32(r + 16), 4, "RSDT"))
			return ACPI_ERR_ROOT;
	}
	acpi_load_dsdt(&p);
	return ACPI_OK;
}

/* ---- legacy BIOS RSDP search, ACPI 6.5 §5.2.5.1 -------------------------- */

#define BDA_EBDA_SEGMENT 0x40e
#define BIOS_AREA_START 0xe0000
#define BIOS_AREA_LEN 0x20000

static bool acpi_rsdp_at(const u8 *r, u64 avail)
{
	if (avail < ACPI_RSDP_V1_LEN || memcmp(r, "RSD PTR ", 8) ||
	    acpi_sum(r, ACPI_RSDP_V1_LEN))
		return false;
	if (r[15] >= 2 && avail >= ACPI_RSDP_V2_LEN)
		return acpi_sum(r, ACPI_RSDP_V2_LEN) == 0;
	return true;
}

static u64 acpi_scan_rsdp(const struct acpi_mem *mem, u64 base, u64 len)
{
	const u8 *m = mem->map(mem->ctx, base, len);

	if (!m)
		return 0;
	for (u64 off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16)
		if (acpi_rsdp_at(m + off, len - off))
			return base + off;
	return 0;
}

u64 acpi_find_rsdp_bios(const struct acpi_mem *mem)
{
	const u8 *bda = mem->map(mem->ctx, BDA_EBDA_SEGMENT, 2);
	u64 ebda = bda ? (u64)acpi_rd16(bda) << 4 : 0;
	u64 found = 0;

	/* The EBDA lies in conventional memory, below the 0xA0000 hole. */
	if (ebda >= 0x500 && ebda + 1024 <= 0xa0000)
		found = acpi_scan_rsdp(mem, ebda, 1024);
	if (!found)
		found = acpi_scan_rsdp(mem, BIOS_AREA_START, BIOS_AREA_LEN);
	return found;
}

const struct acpi_table_ref *acpi_table_find(const struct acpi_info *ai,
					     const char *sig)
{
	for (u32 i = 0; i < ai->table_count; i++)
		if (ai->tables[i].ok && acpi_sig_is(ai->tables[i].sig, sig))
			return &ai->tables[i];
	return NULL;
}
