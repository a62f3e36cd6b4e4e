// SPDX-License-Identifier: MIT
//
// ACPI table discovery for lib/acpi.h. Guests run with paging off, so a
// table's physical address is its pointer; tables above 4 GiB are ignored.
#include "lib/acpi.h"
#include "lib/string.h"

struct acpi_rsdp {
	char signature[8]; // "RSD PTR "
	u8 checksum; // over the first 20 bytes
	char oem_id[6];
	u8 revision; // 0: ACPI 1.0 (no XSDT), 2: ACPI 2.0+
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 extended_checksum; // over length bytes
	u8 reserved[3];
} packed;

#define FADT_PM_TMR_BLK 76
#define FADT_FLAGS 112
#define FADT_TMR_VAL_EXT (1u << 8)
#define MADT_ENTRIES 44
#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9

static u8 acpi_sum(const void *p, u32 n)
{
	const u8 *b = p;
	u8 sum = 0;

	while (n--)
		sum += *b++;
	return sum;
}

static bool rsdp_valid(const struct acpi_rsdp *r)
{
	if (memcmp(r->signature, "RSD PTR ", 8) || acpi_sum(r, 20))
		return false;
	return r->revision < 2 || (r->length >= sizeof(*r) && !acpi_sum(r, r->length));
}

u32 acpi_find_rsdp(void)
{
	for (u32 a = 0xe0000; a < 0x100000; a += 16)
		if (rsdp_valid((const void *)a))
			return a;
	return 0;
}

static const struct acpi_header *acpi_table_at(u64 addr)
{
	const struct acpi_header *h;

	if (!addr || addr >= 0xffffffffull)
		return NULL;
	h = (const void *)(u32)addr;
	if (h->length < sizeof(*h) || acpi_sum(h, h->length))
		return NULL;
	return h;
}

static u64 sdt_entry(const struct acpi_header *sdt, u32 i, u32 size)
{
	const u8 *p = (const u8 *)(sdt + 1) + i * size;
	u64 v = 0;

	memcpy(&v, p, size);
	return v;
}

const struct acpi_header *acpi_find_table(const char *sig)
{
	const struct acpi_rsdp *r = (const void *)acpi_find_rsdp();
	const struct acpi_header *sdt;
	u32 size = 4, n;

	if (!r)
		return NULL;
	sdt = r->revision >= 2 ? acpi_table_at(r->xsdt_address) : NULL;
	if (sdt)
		size = 8;
	else
		sdt = acpi_table_at(r->rsdt_address);
	if (!sdt)
		return NULL;
	n = (sdt->length - sizeof(*sdt)) / size;
	for (u32 i = 0; i < n; i++) {
		const struct acpi_header *t = acpi_table_at(sdt_entry(sdt, i, size));

		if (t && !memcmp(t->signature, sig, 4))
			return t;
	}
	return NULL;
}

u16 acpi_pm_timer_port(u32 *bits)
{
	const struct acpi_header *f = acpi_find_table("FACP");
	const u8 *b = (const u8 *)f;
	u32 port, flags = 0;

	if (!f || f->length < FADT_PM_TMR_BLK + 4)
		return 0;
	memcpy(&port, b + FADT_PM_TMR_BLK, 4);
	if (f->length >= FADT_FLAGS + 4)
		memcpy(&flags, b + FADT_FLAGS, 4);
	if (bits)
		*bits = flags & FADT_TMR_VAL_EXT ? 32 : 24;
	return port <= 0xffff ? (u16)port : 0;
}

// Decode one MADT entry into *l; false when it is not a local APIC.
static bool madt_lapic(const u8 *e, struct acpi_lapic *l)
{
	u32 flags;

	if (e[0] == MADT_LOCAL_APIC && e[1] >= 8) {
		l->processor_uid = e[2];
		l->apic_id = e[3];
		memcpy(&flags, e + 4, 4);
	} else if (e[0] == MADT_LOCAL_X2APIC && e[1] >= 16) {
		memcpy(&l->apic_id, e + 4, 4);
		memcpy(&flags, e + 8, 4);
		memcpy(&l->processor_uid, e + 12, 4);
	} else {
		return false;
	}
	l->enabled = flags & 1;
	return true;
}

int acpi_for_each_lapic(void (*fn)(const struct acpi_lapic *l, void *arg), void *arg)
{
	const struct acpi_header *m = acpi_find_table("APIC");
	const u8 *p, *end;
	struct acpi_lapic l;
	int n = 0;

	if (!m)
		return -1;
	p = (const u8 *)m + MADT_ENTRIES;
	end = (const u8 *)m + m->length;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		if (madt_lapic(p, &l)) {
			fn(&l, arg);
			n++;
		}
	}
	return n;
}
