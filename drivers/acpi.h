// SPDX-License-Identifier: MIT
/*
 * ACPI table discovery and parsing for the host. acpi_parse() walks the
 * RSDP, the XSDT (or RSDT) and every table it lists, checks each table's
 * length and checksum, and copies what the hypervisor needs from the MADT,
 * FADT, DSDT/SSDT (\_S5), MCFG, SPCR, DMAR, IVRS and HPET into one
 * fixed-size struct acpi_info. It is pure logic: every physical read goes
 * through a caller-provided struct acpi_mem, so the host unit tests feed it
 * byte images. A bad table is skipped with a warning recorded in
 * acpi_info; only an unusable RSDP or root table fails the whole parse.
 */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include "kernel/types.h"

/* How acpi_parse() reads physical memory. */
struct acpi_mem {
	/* Return a pointer to @len readable bytes at physical @phys, or NULL if not accessible. */
	const void *(*map)(void *ctx, u64 phys, u64 len);
	void *ctx;
};
/*
 * The parser holds one mapping at a time: a pointer returned by map() is
 * used only until the next map() call, so a single temporary mapping
 * window is enough. Tables are at most ACPI_TABLE_MAX_LEN bytes.
 */

#define ACPI_MAX_TABLES 32
#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_LAPIC_NMIS 8
#define ACPI_MAX_MCFG 8
#define ACPI_MAX_DRHD 8
#define ACPI_MAX_IVHD 8
#define ACPI_MAX_WARNINGS 8
#define ACPI_WARN_LEN 96
#define ACPI_TABLE_MAX_LEN (16 * MiB)

/* Return values of acpi_parse() and acpi_aml_find_s5(). */
enum acpi_status {
	ACPI_OK = 0,
	ACPI_ERR_NO_RSDP = -1,   /* neither an RSDP copy nor its address */
	ACPI_ERR_RSDP = -2,      /* RSDP unmappable, bad signature or checksum */
	ACPI_ERR_ROOT = -3,      /* neither the XSDT nor the RSDT is usable */
	ACPI_ERR_NOT_FOUND = -4, /* AML: no _S5_ name definition */
	ACPI_ERR_AML = -5,       /* AML: _S5_ found but its package is malformed */
};

/* Generic Address Structure, ACPI 6.5 §5.2.3.2 (unpacked copy). */
struct acpi_gas {
	u8 space_id;    /* ACPI_GAS_* */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	u64 address;    /* 0: the register is absent */
};

#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI_CONFIG 2

/* One table seen through the root table (or the FADT's DSDT pointer). */
struct acpi_table_ref {
	char sig[5];  /* NUL-terminated; unprintable bytes shown as '?' */
	u8 revision;
	bool ok;      /* length and checksum valid */
	u32 length;
	u64 phys;
};

/* MADT, ACPI 6.5 §5.2.12. */
#define ACPI_MADT_PCAT_COMPAT (1u << 0)
#define ACPI_MADT_LAPIC 0
#define ACPI_MADT_X2APIC 9
#define ACPI_UID_ALL 0xffffffffu /* a local APIC NMI that applies to all CPUs */

struct acpi_cpu {
	u32 apic_id;
	u32 uid;             /* ACPI processor UID */
	bool enabled;
	bool online_capable; /* may be enabled later (MADT revision >= 5) */
	u8 entry_type;       /* ACPI_MADT_LAPIC or ACPI_MADT_X2APIC */
};

struct acpi_ioapic {
	u8 id;
	u32 addr;
	u32 gsi_base;
};

struct acpi_irq_override {
	u8 bus;    /* 0: ISA */
	u8 source; /* bus-relative IRQ */
	u16 flags; /* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2 */
	u32 gsi;
};

struct acpi_lapic_nmi {
	u32 uid;   /* ACPI_UID_ALL for every processor */
	u16 flags; /* MPS INTI flags */
	u8 lint;   /* LINT0 or LINT1 */
};

struct acpi_madt_info {
	bool present;
	u8 revision;
	u32 flags;      /* ACPI_MADT_PCAT_COMPAT */
	u64 lapic_addr; /* after the type-5 address override */
	u32 cpu_count;  /* usable CPUs in cpus[], in MADT order */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	u32 cpu_disabled;   /* entries neither enabled nor online-capable */
	u32 cpu_duplicates; /* entries repeating an APIC ID already listed */
	u32 cpu_dropped;    /* usable CPUs that did not fit in cpus[] */
	u32 ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	u32 override_count;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
	u32 nmi_source_count; /* type 3 entries (counted only) */
	u32 lapic_nmi_count;
	struct acpi_lapic_nmi lapic_nmis[ACPI_MAX_LAPIC_NMIS];
};

/* FADT, ACPI 6.5 §5.2.9 (Table 5.9 flags, Table 5.10 IA-PC boot flags). */
#define ACPI_FADT_TMR_VAL_EXT (1u << 8)
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED_ACPI (1u << 20)
#define ACPI_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_8042 (1u << 1)
#define ACPI_BOOT_NO_VGA (1u << 2)
#define ACPI_BOOT_NO_MSI (1u << 3)
#define ACPI_BOOT_NO_CMOS_RTC (1u << 5)

struct acpi_fadt_info {
	bool present;
	u8 revision;   /* table header revision */
	u8 minor;      /* FADT minor version (0 before FADT revision 5) */
	u32 flags;     /* ACPI_FADT_* */
	u16 sci_int;
	u32 smi_cmd;   /* I/O port, 0 if there is no SMM hand-off */
	u8 acpi_enable;
	u8 acpi_disable;
	/* X_ fields when present and non-zero, else the 32-bit I/O port
	 * fields turned into I/O-space GAS with bit_width = block length. */
	struct acpi_gas pm1a_evt;
	struct acpi_gas pm1b_evt;
	struct acpi_gas pm1a_cnt;
	struct acpi_gas pm1b_cnt;
	struct acpi_gas pm_tmr;
	bool pm_tmr_32bit;   /* TMR_VAL_EXT: 32-bit counter, else 24-bit */
	struct acpi_gas reset_reg;
	u8 reset_value;
	struct acpi_gas sleep_control; /* HW-reduced sleep registers (rev 5+) */
	struct acpi_gas sleep_status;
	u16 iapc_boot_arch;  /* ACPI_BOOT_* */
	u8 century;          /* RTC CMOS index of the century, 0 if none */
	u64 dsdt;            /* X_DSDT when non-zero, else DSDT */
	u64 facs;            /* X_FIRMWARE_CTRL when non-zero, else FIRMWARE_CTRL */
};

/* \_S5 sleep type values, ACPI 6.5 §7.4.2. */
struct acpi_s5_info {
	bool valid;
	u8 slp_typa;
	u8 slp_typb;
	char table[5]; /* "DSDT" or "SSDT": where it was found */
};

/* MCFG, PCI Firmware spec 3.x §4.1.2. */
struct acpi_mcfg_entry {
	u64 base; /* ECAM base of bus 0 of the segment */
	u16 segment;
	u8 start_bus;
	u8 end_bus;
};

struct acpi_mcfg_info {
	bool present;
	u32 count;
	struct acpi_mcfg_entry entries[ACPI_MAX_MCFG];
};

/* SPCR, Microsoft Serial Port Console Redirection Table. */
#define ACPI_SPCR_16550 0x00      /* full 16550 */
#define ACPI_SPCR_16450 0x01      /* 16450, or the 16550 subset of DBGP rev 1 */
#define ACPI_SPCR_16550_GAS 0x12  /* 16550-compatible, GAS gives the layout */

struct acpi_spcr_info {
	bool present;
	u8 revision;
	u8 interface_type;    /* ACPI_SPCR_* (Debug Port Table 2 subtypes) */
	struct acpi_gas base; /* address 0: console redirection disabled */
	u8 interrupt_type;
	u8 irq;
	u32 gsi;
	u8 baud_code;         /* 0 as is, 3 9600, 4 19200, 6 57600, 7 115200 */
	u32 precise_baud;     /* revision 4+, 0 if not given */
};

/* DMAR, Intel VT-d spec §8.1 and §8.3. */
#define ACPI_DMAR_INTR_REMAP (1u << 0)
#define ACPI_DMAR_X2APIC_OPT_OUT (1u << 1)
#define ACPI_DRHD_INCLUDE_PCI_ALL (1u << 0)

struct acpi_drhd {
	u64 base; /* remapping hardware register base */
	u16 segment;
	u8 flags; /* ACPI_DRHD_INCLUDE_PCI_ALL */
	bool include_pci_all;
};

struct acpi_dmar_info {
	bool present;
	u8 host_addr_width; /* bits: the table's field + 1 */
	u8 flags;           /* ACPI_DMAR_* */
	u32 drhd_count;
	struct acpi_drhd drhd[ACPI_MAX_DRHD];
	u32 rmrr_count;
};

/* IVRS, AMD IOMMU spec §5.2. One IOMMU is often described by several
 * IVHD types (0x10 and 0x11/0x40); all are recorded. */
struct acpi_ivhd {
	u8 type; /* 0x10, 0x11 or 0x40 */
	u8 flags;
	u16 device_id; /* PCI bus/device/function of the IOMMU itself */
	u16 segment;
	u64 base;      /* IOMMU register base */
};

struct acpi_ivrs_info {
	bool present;
	u32 ivinfo;
	u32 ivhd_count;
	struct acpi_ivhd ivhd[ACPI_MAX_IVHD];
	u32 ivmd_count;
};

/* HPET, IA-PC HPET spec 1.0a §3.2.4. */
struct acpi_hpet_info {
	bool present;
	u32 block_id; /* event timer block ID (hardware ID of the block) */
	struct acpi_gas base;
	u8 number;
	u16 min_tick;
};

/* Everything acpi_parse() learned. About 3 KiB: keep it off small stacks. */
struct acpi_info {
	u8 rsdp_revision; /* 0: ACPI 1.0 RSDP, 2+: extended RSDP */
	char oem_id[7];
	bool xsdt_used;
	u64 rsdp_phys;    /* as given (0 when only a copy was passed) */
	u64 root_phys;    /* the XSDT or RSDT that was walked */

	u32 table_count;  /* entries in tables[] */
	u32 table_dropped; /* tables seen after tables[] was full */
	struct acpi_table_ref tables[ACPI_MAX_TABLES];

	struct acpi_madt_info madt;
	struct acpi_fadt_info fadt;
	struct acpi_s5_info s5;
	struct acpi_mcfg_info mcfg;
	struct acpi_spcr_info spcr;
	struct acpi_dmar_info dmar;
	struct acpi_ivrs_info ivrs;
	struct acpi_hpet_info hpet;

	u32 warn_count;   /* messages in warnings[] */
	u32 warn_total;   /* all warnings, including those that did not fit */
	char warnings[ACPI_MAX_WARNINGS][ACPI_WARN_LEN];
};

/*
 * Parse the ACPI tables into @out (cleared first). @rsdp is a copy of the
 * RSDP (@rsdp_len 20 or 36 bytes) or NULL (or @rsdp_len 0), in which case
 * the RSDP is read at @rsdp_phys through @mem. Returns ACPI_OK, or
 * ACPI_ERR_* when there is no usable RSDP or root table; bad tables only
 * add warnings.
 */
int acpi_parse(const struct acpi_mem *mem, const u8 *rsdp, u32 rsdp_len,
	       u64 rsdp_phys, struct acpi_info *out);

/*
 * Legacy BIOS search for the RSDP (ACPI 6.5 §5.2.5.1): the first KiB of the
 * EBDA (segment at physical 0x40E), then 0xE0000-0xFFFFF, on 16-byte
 * boundaries. Returns its physical address, or 0 if not found.
 */
u64 acpi_find_rsdp_bios(const struct acpi_mem *mem);

/*
 * Find the \_S5_ package in the AML byte stream @aml (a DSDT or SSDT body,
 * without the table header) and return its first two integers, the
 * SLP_TYPa and SLP_TYPb values. Returns ACPI_OK, ACPI_ERR_NOT_FOUND or
 * ACPI_ERR_AML. Does not read outside @aml[0..@len).
 */
int acpi_aml_find_s5(const u8 *aml, u32 len, u8 *typa, u8 *typb);

/*
 * If the SPCR describes a 16550-compatible UART in I/O space, store its
 * base port and baud rate (0: keep the current rate; @baud may be NULL)
 * and return true.
 */
bool acpi_spcr_console_port(const struct acpi_info *ai, u16 *port, u32 *baud);

/* The first valid table with signature @sig (4 chars), or NULL. */
const struct acpi_table_ref *acpi_table_find(const struct acpi_info *ai,
					     const char *sig);

/* Print a compact summary and every warning to the log (drivers/acpi_log.c). */
void acpi_log_summary(const struct acpi_info *ai);

#endif
