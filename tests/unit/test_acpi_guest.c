// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the guest ACPI tables (vmm/acpi_tables.c). A fake VM
 * gets 4 MiB of "guest RAM" in a host buffer (gmem addresses are host
 * pointers on the host, as phys_to_virt is the identity); the tables built
 * into it are then read back with the hypervisor's own host ACPI parser
 * (drivers/acpi.c), through an accessor that maps guest-physical addresses
 * to copies of exactly the requested bytes, so AddressSanitizer catches
 * any overread. Checked: the legacy RSDP scan, RSDP/XSDT/RSDT, the MADT
 * for 1, 2 and 4 vCPUs (and the limits), the FADT's PM blocks, reset
 * register and flags, the FACS, \_S5 in the DSDT, and zero warnings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/acpi.h"
#include "tests/unit/guest_ram.h"
#include "vmm/acpi_tables.h"
#include "vmm/dev/acpi_pm.h"
#include "vmm/pci/pci.h"
#include "vmm/vm.h"

#define RAM_SIZE (4 * MiB)
#define HDR_LEN 36

struct fx {
	struct vm vm;
	u8 *ram;
	void *last; /* the copy handed out by the last map() */
	struct acpi_mem am;
	struct acpi_info ai;
};

static const void *guest_map(void *ctx, u64 phys, u64 len)
{
	struct fx *f = ctx;

	free(f->last);
	f->last = malloc(len ? len : 1);
	if (!gmem_read(&f->vm.mem, phys, f->last, len)) {
		free(f->last);
		f->last = NULL;
	}
	return f->last;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->ram = guest_ram_new(&f->vm.mem, RAM_SIZE);
	f->am.map = guest_map;
	f->am.ctx = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->last);
	free(f->ram);
	free(f);
	return 0;
}

static u8 *gpa(struct fx *f, u64 addr)
{
	return f->ram + addr; /* below the VGA hole or above it: same offset */
}

/* Build for @ncpus, find the RSDP the way a BIOS guest does, parse. */
static void build_and_parse(struct fx *f, u32 ncpus)
{
	u64 rsdp;

	assert_true(acpi_tables_build(&f->vm, ncpus));
	rsdp = acpi_find_rsdp_bios(&f->am);
	assert_int_equal(rsdp, ACPI_TABLES_BASE);
	assert_int_equal(acpi_parse(&f->am, NULL, 0, rsdp, &f->ai), ACPI_OK);
	for (u32 i = 0; i < f->ai.warn_count; i++)
		print_error("warning: %s\n", f->ai.warnings[i]);
	assert_int_equal(f->ai.warn_total, 0);
}

static void check_in_window(const struct acpi_table_ref *t)
{
	assert_non_null(t);
	assert_true(t->ok);
	assert_true(t->phys >= ACPI_TABLES_BASE);
	assert_true(t->phys + t->length <= ACPI_TABLES_END);
}

static void test_root_tables(void **state)
{
	struct fx *f = *state;
	struct acpi_info *ai = &f->ai;

	build_and_parse(f, 1);
	assert_int_equal(ai->rsdp_revision, 2);
	assert_true(ai->xsdt_used);
	assert_string_equal(ai->oem_id, "HVVIRT");
	assert_int_equal(ai->table_count, 5); /* XSDT, FACP, APIC, MCFG, DSDT */
	check_in_window(acpi_table_find(ai, "XSDT"));
	check_in_window(acpi_table_find(ai, "FACP"));
	check_in_window(acpi_table_find(ai, "APIC"));
	check_in_window(acpi_table_find(ai, "DSDT"));
	check_in_window(acpi_table_find(ai, "MCFG"));
	assert_int_equal(acpi_table_find(ai, "FACP")->length, 276);
	assert_int_equal(acpi_table_find(ai, "FACP")->revision, 6);
	assert_true(ai->root_phys > ACPI_TABLES_BASE && ai->root_phys < ACPI_TABLES_END);
}

/* The RSDP itself: 36 bytes, both checksums, pointers to XSDT and RSDT. */
static void test_rsdp_bytes(void **state)
{
	struct fx *f = *state;
	const u8 *r;
	u8 s20 = 0, s36 = 0;
	u32 len, rsdt;
	u64 xsdt;

	assert_true(acpi_tables_build(&f->vm, 2));
	r = gpa(f, ACPI_TABLES_BASE);
	assert_memory_equal(r, "RSD PTR ", 8);
	for (int i = 0; i < 36; i++) {
		s36 = (u8)(s36 + r[i]);
		if (i < 20)
			s20 = (u8)(s20 + r[i]);
	}
	assert_int_equal(s20, 0);
	assert_int_equal(s36, 0);
	assert_int_equal(r[15], 2);
	memcpy(&len, r + 20, 4);
	memcpy(&rsdt, r + 16, 4);
	memcpy(&xsdt, r + 24, 8);
	assert_int_equal(len, 36);
	assert_memory_equal(gpa(f, rsdt), "RSDT", 4);
	assert_memory_equal(gpa(f, xsdt), "XSDT", 4);
	assert_int_equal(r[33] | r[34] | r[35], 0); /* reserved */
}

/* An ACPI 1.0 reader: the RSDT lists the same tables. */
static void test_rsdt_path(void **state)
{
	struct fx *f = *state;
	u8 v1[20];

	assert_true(acpi_tables_build(&f->vm, 2));
	memcpy(v1, gpa(f, ACPI_TABLES_BASE), 20);
	v1[15] = 0; /* revision 0: 2 less in the sum... */
	v1[8] = (u8)(v1[8] + 2); /* ...made up in the checksum */
	assert_int_equal(acpi_parse(&f->am, v1, 20, 0, &f->ai), ACPI_OK);
	assert_false(f->ai.xsdt_used);
	assert_int_equal(f->ai.warn_total, 0);
	assert_int_equal(f->ai.madt.cpu_count, 2);
	assert_true(f->ai.fadt.present);
	assert_true(f->ai.s5.valid);
}

static void check_madt(struct fx *f, u32 n)
{
	const struct acpi_madt_info *m = &f->ai.madt;

	build_and_parse(f, n);
	assert_true(m->present);
	assert_int_equal(m->revision, 6);
	assert_int_equal(m->lapic_addr, 0xfee00000);
	assert_int_equal(m->flags & ACPI_MADT_PCAT_COMPAT, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(m->cpu_count, n);
	assert_int_equal(m->cpu_disabled + m->cpu_duplicates + m->cpu_dropped, 0);
	for (u32 i = 0; i < n; i++) {
		assert_int_equal(m->cpus[i].apic_id, i);
		assert_int_equal(m->cpus[i].uid, i);
		assert_true(m->cpus[i].enabled);
		assert_int_equal(m->cpus[i].entry_type, ACPI_MADT_LAPIC);
	}
	assert_int_equal(m->ioapic_count, 1);
	assert_int_equal(m->ioapics[0].id, n);
	assert_int_equal(m->ioapics[0].addr, 0xfec00000);
	assert_int_equal(m->ioapics[0].gsi_base, 0);
}

static void test_madt_1_cpu(void **state) { check_madt(*state, 1); }
static void test_madt_2_cpus(void **state) { check_madt(*state, 2); }
static void test_madt_4_cpus(void **state) { check_madt(*state, 4); }

static void test_madt_overrides_and_nmi(void **state)
{
	struct fx *f = *state;
	const struct acpi_madt_info *m = &f->ai.madt;

	build_and_parse(f, 4);
	assert_int_equal(m->override_count, 2);
	assert_int_equal(m->overrides[0].bus, 0);
	assert_int_equal(m->overrides[0].source, 0);
	assert_int_equal(m->overrides[0].gsi, 2);
	assert_int_equal(m->overrides[0].flags, 0);
	assert_int_equal(m->overrides[1].bus, 0);
	assert_int_equal(m->overrides[1].source, 9);
	assert_int_equal(m->overrides[1].gsi, 9);
	assert_int_equal(m->overrides[1].flags, 0x000d); /* level, active high */
	assert_int_equal(m->nmi_source_count, 0);
	assert_int_equal(m->lapic_nmi_count, 1);
	assert_int_equal(m->lapic_nmis[0].uid, ACPI_UID_ALL);
	assert_int_equal(m->lapic_nmis[0].lint, 1);
}

static void test_madt_limits(void **state)
{
	struct fx *f = *state;

	assert_false(acpi_tables_build(&f->vm, 0));
	assert_false(acpi_tables_build(&f->vm, ACPI_TABLES_MAX_CPUS + 1));
	build_and_parse(f, ACPI_MAX_CPUS); /* as many as the parser records */
	assert_int_equal(f->ai.madt.cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(f->ai.madt.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	assert_true(acpi_tables_build(&f->vm, ACPI_TABLES_MAX_CPUS));
}

static void check_io_gas(const struct acpi_gas *g, u64 port, u8 bits)
{
	assert_int_equal(g->space_id, ACPI_GAS_IO);
	assert_int_equal(g->address, port);
	assert_int_equal(g->bit_width, bits);
	assert_int_equal(g->bit_offset, 0);
}

static void test_fadt(void **state)
{
	struct fx *f = *state;
	const struct acpi_fadt_info *fa = &f->ai.fadt;
	const u8 *t;
	u32 pm_tmr;

	build_and_parse(f, 2);
	assert_true(fa->present);
	assert_int_equal(fa->revision, 6);
	assert_int_equal(fa->minor, 5);
	check_io_gas(&fa->pm1a_evt, 0x600, 32);
	check_io_gas(&fa->pm1a_cnt, 0x604, 16);
	check_io_gas(&fa->pm_tmr, 0x608, 32);
	assert_true(fa->pm_tmr_32bit);
	assert_int_equal(fa->pm1b_evt.address | fa->pm1b_cnt.address, 0);
	check_io_gas(&fa->reset_reg, 0xcf9, 8);
	assert_int_equal(fa->reset_value, 0x06);
	assert_true(fa->flags & ACPI_FADT_RESET_REG_SUP);
	assert_true(fa->flags & ACPI_FADT_TMR_VAL_EXT);
	assert_false(fa->flags & ACPI_FADT_HW_REDUCED_ACPI);
	assert_int_equal(fa->flags & 0x5, 0x5); /* WBINVD, PROC_C1 */
	assert_int_equal(fa->sci_int, 9);
	assert_int_equal(fa->smi_cmd, 0);
	assert_int_equal(fa->iapc_boot_arch, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042);
	assert_int_equal(fa->dsdt, acpi_table_find(&f->ai, "DSDT")->phys);
	/* The 32-bit fields too, for readers that ignore the X_ ones. */
	t = gpa(f, acpi_table_find(&f->ai, "FACP")->phys);
	memcpy(&pm_tmr, t + 76, 4);
	assert_int_equal(pm_tmr, 0x608);
	assert_int_equal(t[91], 4); /* PM_TMR_LEN */
	assert_int_equal(t[89], 2); /* PM1_CNT_LEN */
}

/* §5.2.10: 64 bytes, 64-byte aligned, reached through FIRMWARE_CTRL. */
static void test_facs(void **state)
{
	struct fx *f = *state;
	const u8 *facs;
	u64 x_fw_ctrl;
	u32 len;

	build_and_parse(f, 1);
	assert_int_not_equal(f->ai.fadt.facs, 0);
	assert_int_equal(f->ai.fadt.facs % 64, 0);
	assert_true(f->ai.fadt.facs >= ACPI_TABLES_BASE &&
		    f->ai.fadt.facs + 64 <= ACPI_TABLES_END);
	facs = gpa(f, f->ai.fadt.facs);
	assert_memory_equal(facs, "FACS", 4);
	memcpy(&len, facs + 4, 4);
	assert_int_equal(len, 64);
	assert_int_equal(facs[32], 2); /* version */
	memcpy(&x_fw_ctrl, gpa(f, acpi_table_find(&f->ai, "FACP")->phys) + 132, 8);
	assert_int_equal(x_fw_ctrl, 0); /* must be 0 when FIRMWARE_CTRL is set */
}

static void test_s5(void **state)
{
	struct fx *f = *state;
	const struct acpi_table_ref *d;
	u8 a = 0, b = 0;

	build_and_parse(f, 1);
	assert_true(f->ai.s5.valid);
	assert_int_equal(f->ai.s5.slp_typa, ACPI_PM_SLP_TYP_S5);
	assert_int_equal(f->ai.s5.slp_typb, ACPI_PM_SLP_TYP_S5);
	assert_string_equal(f->ai.s5.table, "DSDT");
	d = acpi_table_find(&f->ai, "DSDT");
	assert_int_equal(d->revision, 2);
	assert_int_equal(acpi_aml_find_s5(gpa(f, d->phys) + HDR_LEN, d->length - HDR_LEN,
					  &a, &b), ACPI_OK);
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);
}

/* MCFG: one ECAM window, the one vmm/pci/pci.h decodes. */
static void test_mcfg(void **state)
{
	struct fx *f = *state;

	build_and_parse(f, 2);
	assert_true(f->ai.mcfg.present);
	assert_int_equal(f->ai.mcfg.count, 1);
	assert_int_equal(f->ai.mcfg.entries[0].base, PCI_ECAM_BASE);
	assert_int_equal(f->ai.mcfg.entries[0].segment, 0);
	assert_int_equal(f->ai.mcfg.entries[0].start_bus, 0);
	assert_int_equal(f->ai.mcfg.entries[0].end_bus, PCI_ECAM_BUSES - 1);
	assert_int_equal(acpi_table_find(&f->ai, "MCFG")->length, 60);
}

/* Does the DSDT's AML hold @len little-endian bytes of @v? */
static bool aml_has(const u8 *aml, u32 n, u64 v, unsigned len)
{
	for (u32 i = 0; i + len <= n; i++)
		if (!memcmp(aml + i, &v, len))
			return true;
	return false;
}

/* The host bridge's _CRS and the motherboard resource carry the numbers
 * of vmm/pci/pci.h (the ASL cannot include the header). */
static void test_dsdt_pci_layout(void **state)
{
	struct fx *f = *state;
	const struct acpi_table_ref *d;
	const u8 *aml;

	build_and_parse(f, 1);
	d = acpi_table_find(&f->ai, "DSDT");
	aml = gpa(f, d->phys);
	assert_true(aml_has(aml, d->length, PCI_MMIO_BASE, 4));
	assert_true(aml_has(aml, d->length, PCI_MMIO_END - 1, 4));
	assert_true(aml_has(aml, d->length, PCI_MMIO_END - PCI_MMIO_BASE, 4));
	assert_true(aml_has(aml, d->length, PCI_ECAM_BASE, 4));
	assert_true(aml_has(aml, d->length, PCI_ECAM_SIZE, 4));
	assert_true(aml_has(aml, d->length, PCI_IO_BASE, 2));
	assert_true(aml_has(aml, d->length, PCI_IO_END - PCI_IO_BASE, 2));
	assert_true(aml_has(aml, d->length, 0x0cf8, 2));
}

/* One _PRT entry as iasl encodes it (ACPI 6.5 §20.2.5): PackageOp,
 * PkgLength, NumElements 4, the address (WordConst for slot 0, else
 * DWordConst), the pin (ZeroOp, OneOp or BytePrefix n), ZeroOp (no
 * source), BytePrefix GSI. */
static unsigned prt_entry(u8 *out, u32 slot, u32 pin, u32 gsi)
{
	unsigned n = 0, alen = slot ? 4 : 2;
	u32 addr = slot << 16 | 0xffff;

	out[n++] = 0x12; /* PackageOp */
	out[n++] = (u8)(7 + alen + (pin < 2 ? 0 : 1)); /* PkgLength */
	out[n++] = 4;
	out[n++] = slot ? 0x0c : 0x0b; /* DWordPrefix / WordPrefix */
	memcpy(out + n, &addr, alen);
	n += alen;
	if (pin < 2) {
		out[n++] = (u8)pin; /* ZeroOp / OneOp */
	} else {
		out[n++] = 0x0a;
		out[n++] = (u8)pin;
	}
	out[n++] = 0x00;
	out[n++] = 0x0a;
	out[n++] = (u8)gsi;
	return n;
}

/* _PRT: every slot's INTA-INTD on the GSI vmm/pci/pci.c gives it. */
static void test_dsdt_prt(void **state)
{
	struct fx *f = *state;
	const struct acpi_table_ref *d;
	const u8 *aml;
	u8 e[16];

	build_and_parse(f, 1);
	d = acpi_table_find(&f->ai, "DSDT");
	aml = gpa(f, d->phys);
	for (u32 slot = 0; slot < PCI_SLOTS; slot++) {
		for (u32 pin = 0; pin < 4; pin++) {
			unsigned n = prt_entry(e, slot, pin, PCI_INTX_GSI(slot, pin + 1));
			bool found = false;

			for (u32 i = 0; i + n <= d->length && !found; i++)
				found = !memcmp(aml + i, e, n);
			if (!found)
				fail_msg("no _PRT entry for slot %u pin %u -> GSI %u", slot, pin,
					 PCI_INTX_GSI(slot, pin + 1));
		}
	}
}

/* Built twice (a rebuilt VM): the same, valid result. */
static void test_rebuild(void **state)
{
	struct fx *f = *state;

	build_and_parse(f, 4);
	build_and_parse(f, 1);
	assert_int_equal(f->ai.madt.cpu_count, 1);
	assert_int_equal(f->ai.madt.ioapics[0].id, 1);
}

/* No RAM at the window: refuse, write nothing. */
static void test_no_room(void **state)
{
	struct fx *f = *state;

	gmem_layout(&f->vm.mem, 512 * 1024, (u64)(uintptr_t)f->ram);
	assert_false(acpi_tables_build(&f->vm, 1));
	gmem_layout(&f->vm.mem, RAM_SIZE, (u64)(uintptr_t)f->ram);
	assert_int_equal(acpi_find_rsdp_bios(&f->am), 0);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_root_tables),
		T(test_mcfg),
		T(test_dsdt_pci_layout),
		T(test_dsdt_prt),
		T(test_rsdp_bytes),
		T(test_rsdt_path),
		T(test_madt_1_cpu),
		T(test_madt_2_cpus),
		T(test_madt_4_cpus),
		T(test_madt_overrides_and_nmi),
		T(test_madt_limits),
		T(test_fadt),
		T(test_facs),
		T(test_s5),
		T(test_rebuild),
		T(test_no_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
