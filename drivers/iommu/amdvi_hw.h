/* SPDX-License-Identifier: MIT */
/*
 * AMD-Vi in-memory formats (AMD IOMMU spec #48882): device table entries
 * (§2.2), interrupt remapping table entries (§2.2), commands (§2.4)
 * and event log entries (§2.5). Pure encoders and one decoder, so the unit
 * tests check every bit the driver (amdvi.c) hands to the hardware.
 */
#ifndef DRIVERS_IOMMU_AMDVI_HW_H
#define DRIVERS_IOMMU_AMDVI_HW_H

#include "kernel/types.h"

/* Device table entry, 256 bits as four qwords (§2.2). */
#define AMDVI_DTE_V (1ull << 0)           /* entry valid */
#define AMDVI_DTE_TV (1ull << 1)          /* translation fields valid */
#define AMDVI_DTE_MODE(m) ((u64)(m) << 9) /* 0: no translation, IR/IW decide; 1-6: levels */
#define AMDVI_DTE_MODE_OF(q0) ((unsigned)((q0) >> 9) & 7)
#define AMDVI_DTE_ROOT 0x000ffffffffff000ull
#define AMDVI_DTE_IR (1ull << 61)         /* DMA reads allowed (ANDed with the tables') */
#define AMDVI_DTE_IW (1ull << 62)         /* DMA writes allowed */
#define AMDVI_DTE_DOMAIN 0xffffull        /* qword 1: domain ID */
#define AMDVI_DTE_IV (1ull << 0)          /* qword 2: interrupt fields valid */
#define AMDVI_DTE_INTTABLEN(n) ((u64)(n) << 1) /* 2^n entries */
#define AMDVI_DTE_IRT 0x000fffffffffffc0ull /* interrupt table root, 128-byte aligned */
#define AMDVI_DTE_INTCTL_ABORT (0ull << 60) /* fixed / arbitrated interrupts target-aborted */
#define AMDVI_DTE_INTCTL_REMAP (2ull << 60) /* ... remapped through the table */
#define AMDVI_DTE_INTCTL (3ull << 60)

#define AMDVI_IRT_LOG2 8 /* 256 entries per device: MSI data bits 7:0, delivery mode 0 */

/* A device nobody owns: translation valid, Mode 0 and neither IR nor IW,
 * so every DMA request is refused (and logged as an IO_PAGE_FAULT);
 * domain 0. With @intremap its fixed and arbitrated interrupts are
 * aborted too (IV, IntCtl 00b); without, the interrupt fields are not
 * valid and interrupts pass unmapped (IOAPIC / HPET sources, and units
 * without interrupt remapping). */
void amdvi_dte_blocked(u64 dte[4], bool intremap);

/* Qword 0 of a translating entry: @levels-level tables at @root, reads and
 * writes as the tables allow. */
u64 amdvi_dte_translate(u64 root, unsigned levels);

/* Qword 2 of an entry remapping interrupts through the 2^AMDVI_IRT_LOG2
 * entry table at @irt. */
u64 amdvi_dte_remap(u64 irt);

/* Interrupt remapping table entries (§2.2: 32-bit, and 128-bit
 * with GuestMode 0): remapped, fixed, physical destination @apic_id,
 * @vector. */
u32 amdvi_irte32(u32 apic_id, u8 vector);
void amdvi_irte128(u64 out[2], u32 apic_id, u8 vector);
#define AMDVI_IRTE_REMAPEN 1u

/* Commands (§2.4), 128 bits as two qwords. */
void amdvi_cmd_completion_wait(u64 c[2], u64 store_phys, u64 data);
void amdvi_cmd_inval_dte(u64 c[2], u16 devid);
void amdvi_cmd_inval_domain(u64 c[2], u16 domain); /* every page of the domain */
void amdvi_cmd_inval_irt(u64 c[2], u16 devid);
void amdvi_cmd_inval_all(u64 c[2]);                /* needs EFR.IASup */

/* Event codes (§2.5). */
#define AMDVI_EV_ILLEGAL_DTE 0x1
#define AMDVI_EV_IO_PAGE_FAULT 0x2
#define AMDVI_EV_DEV_TAB_HW_ERROR 0x3
#define AMDVI_EV_PAGE_TAB_HW_ERROR 0x4
#define AMDVI_EV_ILLEGAL_COMMAND 0x5
#define AMDVI_EV_COMMAND_HW_ERROR 0x6
#define AMDVI_EV_IOTLB_INV_TIMEOUT 0x7
#define AMDVI_EV_INVALID_DEV_REQUEST 0x8

/* One event log entry, decoded. */
struct amdvi_event {
	u8 code;         /* AMDVI_EV_* (bits 63:60) */
	bool device;     /* it names a requester in @devid (else it is about the unit) */
	u16 devid;
	u16 domain;      /* IO_PAGE_FAULT: the domain ID (or PASID) */
	u64 addr;        /* the IOVA, or the table / command address */
	bool write;      /* RW: the request was a write */
	bool intr;       /* I: an interrupt request, not a memory access */
	const char *text; /* what happened, for the log line */
};

/* Decode the 16-byte event log entry @e (four dwords as in memory). */
void amdvi_event_decode(const u32 e[4], struct amdvi_event *out);

#endif
