// SPDX-License-Identifier: MIT
/*
 * Guest ACPI tables (acpi_tables.h). The tables are laid out one after the
 * other in the window [ACPI_TABLES_BASE, ACPI_TABLES_END) of guest RAM,
 * reached through one gmem_ptr() view: each is reserved from a bump
 * allocator that fails when the window is full, filled through a packed
 * struct named after the spec's table, and then given its checksum. Tables
 * that point to others are built after them, and the RSDP, whose slot is
 * reserved first so that it sits at the window's base, is filled last.
 */
#include "kernel/string.h"
#include "vmm/acpi_tables.h"
#include "vmm/dev/acpi_pm.h"
#include "vmm/pci/pci.h"
#include "vmm/vm.h"

#define GACPI_WINDOW (ACPI_TABLES_END - ACPI_TABLES_BASE)
#define GACPI_OEM_ID "HVVIRT"
#define GACPI_OEM_TABLE_ID "HVGUEST "
#define GACPI_CREATOR_ID "HVMM"

/* Revisions of ACPI 6.5. */
#define GACPI_RSDP_REV 2  /* §5.2.5.3 */
#define GACPI_ROOT_REV 1  /* RSDT §5.2.7, XSDT §5.2.8 */
#define GACPI_FADT_REV 6  /* §5.2.9, with FADT minor version 5 */
#define GACPI_FADT_MINOR 5
#define GACPI_FACS_VERSION 2 /* §5.2.10 */
#define GACPI_DSDT_REV 2  /* §5.2.11.1: 2 and up means 64-bit AML integers */
#define GACPI_MADT_REV 6  /* §5.2.12 */
#define GACPI_MCFG_REV 1  /* PCI Firmware Specification 3.0 §4.1.2 */

/* Generic Address Structure, §5.2.3.2. */
struct gacpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;

#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* Root System Description Pointer, §5.2.5.3. */
struct gacpi_rsdp {
	char signature[8];
	u8 checksum;           /* over the first 20 bytes */
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 extended_checksum;  /* over all of it */
	u8 reserved[3];
} __packed;

#define GACPI_RSDP_V1_LEN 20

/* System Description Table Header, §5.2.6. */
struct gacpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;

/* Fixed ACPI Description Table, §5.2.9 Table 5.9. */
struct gacpi_fadt {
	struct gacpi_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk;
	u32 pm1a_cnt_blk, pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	u8 gpe0_blk_len, gpe1_blk_len, gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat;
	u16 flush_size, flush_stride;
	u8 duty_offset, duty_width;
	u8 day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct gacpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 fadt_minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct gacpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk;
	struct gacpi_gas x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct gacpi_gas x_pm2_cnt_blk;
	struct gacpi_gas x_pm_tmr_blk;
	struct gacpi_gas x_gpe0_blk, x_gpe1_blk;
	struct gacpi_gas sleep_control_reg, sleep_status_reg;
	u64 hypervisor_vendor_identity;
} __packed;

BUILD_ASSERT(sizeof(struct gacpi_fadt) == 276);

/* FADT fixed feature flags, Table 5.10. */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_PWR_BUTTON (1u << 4)  /* no fixed-hardware power button */
#define FADT_SLP_BUTTON (1u << 5)  /* no fixed-hardware sleep button */
#define FADT_FIX_RTC (1u << 6)     /* no RTC wake status in PM1 */
#define FADT_TMR_VAL_EXT (1u << 8) /* 32-bit PM timer */
#define FADT_RESET_REG_SUP (1u << 10)

/* IA-PC boot architecture flags, Table 5.11. */
#define FADT_BOOT_LEGACY_DEVICES (1u << 0)
#define FADT_BOOT_8042 (1u << 1)

/* C2 and C3 latencies above these say the state is not supported. */
#define FADT_NO_C2_LAT 101
#define FADT_NO_C3_LAT 1001

/* Firmware ACPI Control Structure, §5.2.10 Table 5.13. */
struct gacpi_facs {
	char signature[4];
	u32 length;
	u32 hardware_signature;
	u32 firmware_waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved0[3];
	u32 ospm_flags;
	u8 reserved1[24];
} __packed;

BUILD_ASSERT(sizeof(struct gacpi_facs) == 64);

/* MADT, §5.2.12, and the interrupt controller structures it lists. */
struct gacpi_madt {
	struct gacpi_header h;
	u32 local_apic_address;
	u32 flags;
} __packed;

struct gacpi_madt_lapic { /* §5.2.12.2 */
	u8 type, length;
	u8 processor_uid;
	u8 apic_id;
	u32 flags;
} __packed;

struct gacpi_madt_ioapic { /* §5.2.12.3 */
	u8 type, length;
	u8 ioapic_id;
	u8 reserved;
	u32 ioapic_address;
	u32 gsi_base;
} __packed;

struct gacpi_madt_iso { /* Interrupt Source Override, §5.2.12.5 */
	u8 type, length;
	u8 bus;
	u8 source;
	u32 gsi;
	u16 flags;
} __packed;

struct gacpi_madt_lapic_nmi { /* §5.2.12.7 */
	u8 type, length;
	u8 processor_uid;
	u16 flags;
	u8 lint;
} __packed;

#define MADT_PCAT_COMPAT (1u << 0)
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_IOAPIC 1
#define MADT_TYPE_ISO 2
#define MADT_TYPE_LAPIC_NMI 4
#define MADT_LAPIC_ENABLED (1u << 0)
#define MADT_UID_ALL 0xff
/* MPS INTI flags (§5.2.12.5): polarity bits 1:0, trigger mode bits 3:2. */
#define MPS_INTI_CONFORMS 0x0
#define MPS_INTI_HIGH 0x1
#define MPS_INTI_EDGE 0x4
#define MPS_INTI_LEVEL 0xc
#define MADT_ISA_BUS 0
#define MADT_OVERRIDES 2

/*
 * The DSDT's AML: vmm/dsdt.asl compiled by iasl at build time (a whole
 * table; its body follows the 36-byte header). Generated by the Makefile
 * as build/vmm/dsdt_aml.c.
 */
extern const unsigned char guest_dsdt_aml[];
extern const unsigned int guest_dsdt_aml_len;
#define AML_HEADER 36

/* The window being filled. */
struct gacpi_build {
	u8 *win;   /* host view of the window */
	u32 used;  /* bytes handed out */
};

/* Reserve @len zeroed bytes at an @align boundary; their address in *@gpa. */
static void *gacpi_alloc(struct gacpi_build *b, u32 len, u32 align, u32 *gpa)
{
	u64 off = ALIGN_UP(b->used, align);

	if (off > GACPI_WINDOW || len > GACPI_WINDOW - off)
		return NULL;
	b->used = (u32)(off + len);
	*gpa = (u32)(ACPI_TABLES_BASE + off);
	return b->win + off;
}

static u8 gacpi_sum(const void *p, u32 len)
{
	const u8 *b = p;
	u8 s = 0;

	while (len--)
		s = (u8)(s + *b++);
	return s;
}

/* A table of @len bytes with its header filled in, except the checksum. */
static void *gacpi_table(struct gacpi_build *b, const char *sig, u8 rev,
			 u32 len, u32 *gpa)
{
	struct gacpi_header *h = gacpi_alloc(b, len, 16, gpa);

	if (!h)
		return NULL;
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, GACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, GACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = 1;
	memcpy(h->creator_id, GACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = 1;
	return h;
}

/* Make the whole table sum to zero (§5.2.6), once its contents are final. */
static void gacpi_seal(void *table)
{
	struct gacpi_header *h = table;

	h->checksum = 0;
	h->checksum = (u8)-gacpi_sum(h, h->length);
}

static bool gacpi_facs(struct gacpi_build *b, u32 *gpa)
{
	/* §5.2.10: the FACS is aligned on a 64-byte boundary. */
	struct gacpi_facs *f = gacpi_alloc(b, sizeof(*f), 64, gpa);

	if (!f)
		return false;
	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = GACPI_FACS_VERSION;
	return true;
}

static bool gacpi_dsdt(struct gacpi_build *b, u32 *gpa)
{
	u32 body = guest_dsdt_aml_len - AML_HEADER;
	u32 len = sizeof(struct gacpi_header) + body;
	u8 *t = gacpi_table(b, "DSDT", GACPI_DSDT_REV, len, gpa);

	if (!t)
		return false;
	memcpy(t + sizeof(struct gacpi_header), guest_dsdt_aml + AML_HEADER, body);
	gacpi_seal(t);
	return true;
}

/* An I/O-space register block of @bytes bytes at @port. */
static struct gacpi_gas gacpi_io(u16 port, u8 bytes, u8 access)
{
	return (struct gacpi_gas){
		.space_id = GAS_SYSTEM_IO, .bit_width = (u8)(bytes * 8),
		.access_size = access, .address = port,
	};
}

/* The PM register blocks (vmm/dev/acpi_pm.h), in both the 32-bit and X_ fields. */
static void gacpi_fadt_pm(struct gacpi_fadt *f)
{
	u16 pm = ACPI_TABLES_PM_PORT;

	f->pm1a_evt_blk = pm + ACPI_PM1_EVT;
	f->pm1a_cnt_blk = pm + ACPI_PM1_CNT;
	f->pm_tmr_blk = pm + ACPI_PM_TMR;
	f->pm1_evt_len = ACPI_PM1_EVT_LEN;
	f->pm1_cnt_len = ACPI_PM1_CNT_LEN;
	f->pm_tmr_len = ACPI_PM_TMR_LEN;
	f->x_pm1a_evt_blk = gacpi_io(pm + ACPI_PM1_EVT, ACPI_PM1_EVT_LEN,
				     GAS_ACCESS_WORD);
	f->x_pm1a_cnt_blk = gacpi_io(pm + ACPI_PM1_CNT, ACPI_PM1_CNT_LEN,
				     GAS_ACCESS_WORD);
	f->x_pm_tmr_blk = gacpi_io(pm + ACPI_PM_TMR, ACPI_PM_TMR_LEN,
				   GAS_ACCESS_DWORD);
}

/*
 * FADT (§5.2.9). No SMI_CMD: the platform is always in ACPI mode (SCI_EN
 * reads 1). The FACS goes in FIRMWARE_CTRL only, since X_FIRMWARE_CTRL
 * must be zero when FIRMWARE_CTRL is set; the DSDT in both fields.
 */
static bool gacpi_fadt(struct gacpi_build *b, u32 facs, u32 dsdt, u32 *gpa)
{
	struct gacpi_fadt *f = gacpi_table(b, "FACP", GACPI_FADT_REV, sizeof(*f), gpa);

	if (!f)
		return false;
	f->firmware_ctrl = facs;
	f->dsdt = dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = ACPI_TABLES_SCI_IRQ;
	gacpi_fadt_pm(f);
	f->p_lvl2_lat = FADT_NO_C2_LAT;
	f->p_lvl3_lat = FADT_NO_C3_LAT;
	f->iapc_boot_arch = FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_8042;
	f->century = 0x32; /* CMOS century byte (vmm/dev/rtc_cmos.c) */
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
		   FADT_FIX_RTC | FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP;
	f->reset_reg = gacpi_io(ACPI_TABLES_RESET_PORT, 1, GAS_ACCESS_BYTE);
	f->reset_value = ACPI_TABLES_RESET_VALUE;
	f->fadt_minor_version = GACPI_FADT_MINOR;
	gacpi_seal(f);
	return true;
}

static u8 *gacpi_madt_cpus(u8 *p, u32 ncpus)
{
	for (u32 i = 0; i < ncpus; i++) {
		struct gacpi_madt_lapic e = {
			.type = MADT_TYPE_LAPIC, .length = sizeof(e),
			.processor_uid = (u8)i, .apic_id = (u8)i,
			.flags = MADT_LAPIC_ENABLED,
		};

		memcpy(p, &e, sizeof(e));
		p += sizeof(e);
	}
	return p;
}

static u8 *gacpi_madt_iso(u8 *p, u8 irq, u32 gsi, u16 flags)
{
	struct gacpi_madt_iso e = {
		.type = MADT_TYPE_ISO, .length = sizeof(e), .bus = MADT_ISA_BUS,
		.source = irq, .gsi = gsi, .flags = flags,
	};

	memcpy(p, &e, sizeof(e));
	return p + sizeof(e);
}

/*
 * The I/O APIC (ID @ncpus, GSIs from 0), the PC's ISA routing (the PIT's
 * IRQ 0 is wired to pin 2; the SCI on IRQ 9 is level, active high) and
 * NMI on LINT1 of every local APIC.
 */
static void gacpi_madt_platform(u8 *p, u32 ncpus)
{
	struct gacpi_madt_ioapic io = {
		.type = MADT_TYPE_IOAPIC, .length = sizeof(io), .ioapic_id = (u8)ncpus,
		.ioapic_address = ACPI_TABLES_IOAPIC_ADDR, .gsi_base = 0,
	};
	struct gacpi_madt_lapic_nmi nmi = {
		.type = MADT_TYPE_LAPIC_NMI, .length = sizeof(nmi),
		.processor_uid = MADT_UID_ALL, .flags = MPS_INTI_HIGH | MPS_INTI_EDGE,
		.lint = 1,
	};

	memcpy(p, &io, sizeof(io));
	p += sizeof(io);
	p = gacpi_madt_iso(p, 0, 2, MPS_INTI_CONFORMS);
	p = gacpi_madt_iso(p, ACPI_TABLES_SCI_IRQ, ACPI_TABLES_SCI_IRQ,
			   MPS_INTI_HIGH | MPS_INTI_LEVEL);
	memcpy(p, &nmi, sizeof(nmi));
}

static bool gacpi_madt(struct gacpi_build *b, u32 ncpus, u32 *gpa)
{
	u32 len = sizeof(struct gacpi_madt) + ncpus * sizeof(struct gacpi_madt_lapic) +
		  sizeof(struct gacpi_madt_ioapic) +
		  MADT_OVERRIDES * sizeof(struct gacpi_madt_iso) +
		  sizeof(struct gacpi_madt_lapic_nmi);
	struct gacpi_madt *m = gacpi_table(b, "APIC", GACPI_MADT_REV, len, gpa);

	if (!m)
		return false;
	m->local_apic_address = ACPI_TABLES_LAPIC_ADDR;
	m->flags = MADT_PCAT_COMPAT; /* dual 8259s are present too */
	gacpi_madt_platform(gacpi_madt_cpus((u8 *)(m + 1), ncpus), ncpus);
	gacpi_seal(m);
	return true;
}

/* MCFG (PCI Firmware Spec 3.0 §4.1.2): one ECAM window for segment 0. */
struct gacpi_mcfg {
	struct gacpi_header h;
	u8 reserved[8];
	u64 base;
	u16 segment;
	u8 start_bus, end_bus;
	u32 reserved1;
} __packed;

BUILD_ASSERT(sizeof(struct gacpi_mcfg) == 60);

static bool gacpi_mcfg(struct gacpi_build *b, u32 *gpa)
{
	struct gacpi_mcfg *m = gacpi_table(b, "MCFG", GACPI_MCFG_REV, sizeof(*m), gpa);

	if (!m)
		return false;
	m->base = PCI_ECAM_BASE;
	m->start_bus = 0;
	m->end_bus = PCI_ECAM_BUSES - 1;
	gacpi_seal(m);
	return true;
}

/* The XSDT (@esize 8) or RSDT (@esize 4) listing @n tables (§5.2.7, §5.2.8). */
static bool gacpi_root(struct gacpi_build *b, const char *sig, u32 esize,
		       const u32 *tables, u32 n, u32 *gpa)
{
	u8 *t = gacpi_table(b, sig, GACPI_ROOT_REV,
			    sizeof(struct gacpi_header) + n * esize, gpa);

	if (!t)
		return false;
	for (u32 i = 0; i < n; i++) {
		u64 addr = tables[i];

		/* Entries are little-endian and, in the XSDT, only 4-byte aligned. */
		memcpy(t + sizeof(struct gacpi_header) + i * esize, &addr, esize);
	}
	gacpi_seal(t);
	return true;
}

/* §5.2.5.3: revision 2 with both checksums. */
static void gacpi_rsdp(struct gacpi_rsdp *r, u32 rsdt, u32 xsdt)
{
	memcpy(r->signature, "RSD PTR ", sizeof(r->signature));
	memcpy(r->oem_id, GACPI_OEM_ID, sizeof(r->oem_id));
	r->revision = GACPI_RSDP_REV;
	r->rsdt_address = rsdt;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt;
	r->checksum = (u8)-gacpi_sum(r, GACPI_RSDP_V1_LEN);
	r->extended_checksum = (u8)-gacpi_sum(r, sizeof(*r));
}

bool acpi_tables_build(struct vm *vm, u32 ncpus)
{
	struct gacpi_build b = { 0 };
	struct gacpi_rsdp *rsdp;
	u32 at, facs, dsdt, tables[3], xsdt, rsdt;

	b.win = gmem_ptr(&vm->mem, ACPI_TABLES_BASE, GACPI_WINDOW);
	if (!b.win || !ncpus || ncpus > ACPI_TABLES_MAX_CPUS)
		return false;
	memset(b.win, 0, GACPI_WINDOW);
	/* The legacy scan looks at 16-byte boundaries (§5.2.5.1). */
	rsdp = gacpi_alloc(&b, sizeof(*rsdp), 16, &at);
	if (!rsdp || !gacpi_facs(&b, &facs) || !gacpi_dsdt(&b, &dsdt) ||
	    !gacpi_fadt(&b, facs, dsdt, &tables[0]) ||
	    !gacpi_madt(&b, ncpus, &tables[1]) || !gacpi_mcfg(&b, &tables[2]) ||
	    !gacpi_root(&b, "XSDT", 8, tables, ARRAY_SIZE(tables), &xsdt) ||
	    !gacpi_root(&b, "RSDT", 4, tables, ARRAY_SIZE(tables), &rsdt))
		return false;
	gacpi_rsdp(rsdp, rsdt, xsdt);
	return true;
}
