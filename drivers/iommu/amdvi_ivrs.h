/* SPDX-License-Identifier: MIT */
/*
 * The IVRS table as the AMD-Vi driver needs it (AMD I/O Virtualization
 * Technology (IOMMU) Specification #48882, §5.2): each IOMMU (IVHD block
 * of type 10h, 11h or 40h; where one IOMMU is described by several types
 * the newest one is used, §5.2) with the device IDs it covers, and the
 * memory blocks (IVMD, types 20h-22h) that devices need mapped. Pure logic
 * over the raw table bytes, so the unit tests feed it hand-built tables.
 * Every length is checked against what contains it; what is malformed is
 * ignored and named in the warnings.
 *
 * A device ID is the requester ID: bus << 8 | device << 3 | function.
 */
#ifndef DRIVERS_IOMMU_AMDVI_IVRS_H
#define DRIVERS_IOMMU_AMDVI_IVRS_H

#include "kernel/types.h"

#define AMDVI_MAX_UNITS 8
#define AMDVI_MAX_RANGES 32  /* device entries (select or range) per IOMMU */
#define AMDVI_MAX_SPECIAL 8  /* IOAPIC / HPET entries per IOMMU */
#define AMDVI_MAX_HID 4      /* ACPI HID entries per IOMMU */
#define AMDVI_MAX_IVMD 16
#define AMDVI_MAX_WARN 8

/* IVHD block types, §5.2. */
#define AMDVI_IVHD_10 0x10 /* fixed header, feature reporting */
#define AMDVI_IVHD_11 0x11 /* with the EFR image */
#define AMDVI_IVHD_40 0x40 /* 11h plus ACPI HID device entries */

/* IVHD flags (byte 1). */
#define AMDVI_IVHD_COHERENT (1u << 5)
#define AMDVI_IVHD_IOTLB (1u << 4)

/* IVMD block types and flags, §5.2. */
#define AMDVI_IVMD_ALL 0x20
#define AMDVI_IVMD_ONE 0x21
#define AMDVI_IVMD_RANGE 0x22
#define AMDVI_IVMD_UNITY (1u << 0)
#define AMDVI_IVMD_IR (1u << 1)
#define AMDVI_IVMD_IW (1u << 2)
#define AMDVI_IVMD_EXCLUSION (1u << 3)

/* Special device varieties (entry type 48h). */
#define AMDVI_SPECIAL_IOAPIC 1
#define AMDVI_SPECIAL_HPET 2

/*
 * Device IDs named by a select (first == last) or range entry. Requests of
 * an aliased entry arrive with the alias as their device ID (a bridge that
 * takes ownership of its devices' requests), so the alias's device table
 * entry is the one that applies.
 */
struct amdvi_devrange {
	u16 first, last;
	u16 alias;       /* == each ID itself unless @aliased */
	bool aliased;
	u8 dte;          /* the entry's DTE setting byte: INITPass 0, EIntPass 1,
			  * NMIPass 2, SysMgt 5:4, Lint0Pass 6, Lint1Pass 7 */
	bool ext;        /* an extended entry; @ext_dte its extended setting */
	u32 ext_dte;     /* bit 31: ATS requests are blocked */
};

/* An IOAPIC or HPET and the device ID its interrupts carry (type 48h). */
struct amdvi_special {
	u8 variety;      /* AMDVI_SPECIAL_* */
	u8 handle;       /* the IOAPIC ID / HPET number */
	u16 devid;
	u8 dte;
};

/* An ACPI-enumerated device (type F0h, in a 40h block). */
struct amdvi_hid {
	char hid[9], cid[9];
	u8 uid_format;   /* 0 none, 1 integer, 2 string */
	char uid[17];    /* as text, truncated */
	u16 devid;
	u8 dte;
};

struct amdvi_unit_desc {
	u8 type;         /* the IVHD type used: AMDVI_IVHD_* */
	u8 flags;        /* AMDVI_IVHD_* flags */
	u16 devid;       /* the IOMMU's own PCI function */
	u16 cap_off;     /* its IOMMU capability block in that function's config space */
	u64 base;        /* MMIO register base */
	u16 seg;         /* PCI segment group */
	u16 info;        /* IOMMU info: MsiNum 4:0, UnitID 12:8 */
	u32 attr;        /* 10h: IOMMU feature reporting; 11h/40h: IOMMU attributes */
	u64 efr;         /* 11h/40h: image of the Extended Feature Register; 10h: 0 */
	bool all;        /* an "all" entry (01h): every device ID of the segment */
	u8 all_dte;
	u8 nranges, nspecial, nhid;
	struct amdvi_devrange ranges[AMDVI_MAX_RANGES];
	struct amdvi_special special[AMDVI_MAX_SPECIAL];
	struct amdvi_hid hid[AMDVI_MAX_HID];
};

struct amdvi_ivmd_desc {
	u8 type;         /* AMDVI_IVMD_ALL, _ONE or _RANGE */
	u8 flags;        /* AMDVI_IVMD_UNITY / _IR / _IW / _EXCLUSION */
	u16 first, last; /* the device IDs it applies to (ALL: 0..0xffff) */
	u64 base, size;  /* as in the table (not necessarily page aligned) */
};

struct amdvi_ivrs {
	u32 ivinfo;      /* IVinfo: EFRSup 0, GVAsize 7:5, PAsize 14:8, VAsize 21:15 */
	u8 nunits, nivmd;
	struct amdvi_unit_desc units[AMDVI_MAX_UNITS];
	struct amdvi_ivmd_desc ivmd[AMDVI_MAX_IVMD];
	u8 nwarn;        /* warnings kept in @warn */
	u32 warn_total;  /* all warnings, kept or not */
	char warn[AMDVI_MAX_WARN][96];
};

/*
 * Parse @len bytes of an IVRS table (header included; @len is what the
 * caller may read, the header's own length is trusted only up to it).
 * False if the header itself is unusable; malformed blocks and entries
 * are skipped with a warning in @out.
 */
bool amdvi_ivrs_parse(const u8 *t, u32 len, struct amdvi_ivrs *out);

/* Whether @u covers device ID @devid; its requests then carry the ID in
 * *@req (the alias for aliased entries, else @devid). */
bool amdvi_unit_covers(const struct amdvi_unit_desc *u, u16 devid, u16 *req);

/* The unit of @v covering @devid of segment @seg (the first that does), or
 * -1; *@req as in amdvi_unit_covers(). */
int amdvi_ivrs_unit_of(const struct amdvi_ivrs *v, u16 seg, u16 devid, u16 *req);

/* The highest device ID @u's device table must hold: every ID it names,
 * aliases, special and ACPI devices, and itself; 0xffff with an "all"
 * entry. */
u16 amdvi_unit_max_devid(const struct amdvi_unit_desc *u);

/* Whether IVMD @m applies to device ID @devid. */
bool amdvi_ivmd_applies(const struct amdvi_ivmd_desc *m, u16 devid);

#endif
