/* SPDX-License-Identifier: MIT */
/*
 * The DMAR table as the VT-d driver needs it (Intel VT-d spec §8): each
 * remapping unit (DRHD) with the devices it covers, and the reserved
 * memory regions (RMRR) with the devices that need them. Pure logic over
 * the raw table bytes; device scope paths are resolved to requester IDs
 * through a caller's bridge lookup, so unit tests need no hardware.
 */
#ifndef DRIVERS_IOMMU_VTD_DMAR_H
#define DRIVERS_IOMMU_VTD_DMAR_H

#include "kernel/types.h"

#define VTD_MAX_UNITS 8
#define VTD_MAX_RMRR 8
#define VTD_MAX_SCOPES 16 /* per unit or RMRR; more are ignored with a warning */
#define VTD_MAX_PATH 4

/* Device scope types, §8.3.1. */
#define VTD_SCOPE_ENDPOINT 1
#define VTD_SCOPE_BRIDGE 2
#define VTD_SCOPE_IOAPIC 3
#define VTD_SCOPE_HPET 4
#define VTD_SCOPE_NAMESPACE 5

struct vtd_scope {
	u8 type;
	u8 enum_id;      /* IOAPIC / HPET ID */
	u8 start_bus;
	u8 npath;        /* 1..VTD_MAX_PATH (device, function) hops */
	u8 path[VTD_MAX_PATH][2];
};

struct vtd_unit_desc {
	u64 base;        /* register base */
	u16 seg;
	bool include_all; /* INCLUDE_PCI_ALL: every device of @seg no other unit lists */
	u8 nscopes;
	struct vtd_scope scopes[VTD_MAX_SCOPES];
};

struct vtd_rmrr_desc {
	u64 base, limit; /* inclusive limit, as in the table */
	u16 seg;
	u8 nscopes;
	struct vtd_scope scopes[VTD_MAX_SCOPES];
};

struct vtd_dmar {
	u8 haw;          /* host address width in bits */
	bool intr_remap; /* the platform supports interrupt remapping */
	bool x2apic_opt_out;
	u8 nunits, nrmrr;
	struct vtd_unit_desc units[VTD_MAX_UNITS];
	struct vtd_rmrr_desc rmrr[VTD_MAX_RMRR];
	u8 nwarn;
	char warn[4][80]; /* what was ignored and why */
};

/* Parse @len bytes of a DMAR table (header included). False if the header
 * itself is unusable; entries that are malformed are skipped with a
 * warning in @out. */
bool vtd_dmar_parse(const u8 *t, u32 len, struct vtd_dmar *out);

/* The host's bridges, for walking scope paths: a bridge's secondary and
 * subordinate bus; false if (@seg, @bus, @dev, @fn) is not a bridge. */
struct vtd_bus_lookup {
	bool (*bridge)(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u8 *sec, u8 *sub);
	void *ctx;
};

/*
 * Where scope @s of segment @seg leads: the requester ID (bus << 8 |
 * devfn) of its last hop and, for a bridge scope, the buses behind it
 * (@bus_lo..@bus_hi; for an endpoint both are its own bus). False if the
 * path goes through something that is not a bridge, or the scope is an
 * IOAPIC / HPET / namespace one.
 */
bool vtd_scope_resolve(const struct vtd_scope *s, u16 seg, const struct vtd_bus_lookup *l, u16 *rid,
		       u8 *bus_lo, u8 *bus_hi);

/* Whether scope @s covers requester @rid (endpoint: that function;
 * bridge: itself and every function on the buses behind it). */
bool vtd_scope_covers(const struct vtd_scope *s, u16 seg, u16 rid, const struct vtd_bus_lookup *l);

/* The unit covering requester @rid of @seg: the one listing it in its
 * scopes, else the INCLUDE_PCI_ALL unit of @seg; -1 if none. */
int vtd_dmar_unit_of(const struct vtd_dmar *d, u16 seg, u16 rid, const struct vtd_bus_lookup *l);

/* Whether RMRR @r names requester @rid. */
bool vtd_rmrr_applies(const struct vtd_rmrr_desc *r, u16 seg, u16 rid, const struct vtd_bus_lookup *l);

#endif
