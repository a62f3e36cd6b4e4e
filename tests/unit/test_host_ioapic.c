// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the host I/O APIC's pure part (drivers/ioapic.c):
 * an ISA IRQ without an MADT override is its own GSI, edge and active
 * high; an override moves it (IRQ 0 -> GSI 2) and its MPS INTI flags
 * give polarity (11b: active low) and trigger (11b: level), "conforms"
 * (00b) keeping ISA's edge / high; overrides of another bus do not
 * apply; the redirection entry holds the vector, fixed delivery in
 * physical mode, the flags and the 8-bit destination in bits 63:56,
 * unmasked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/acpi.h"
#include "drivers/iommu/iommu.h"
#include "drivers/ioapic.h"

#define ACTIVE_LOW (1u << 13)
#define LEVEL (1u << 15)

/* Link stubs: the routing half (MMIO) is not run here. */
void paging_map_mmio(u64 pa, u64 size) { (void)pa, (void)size; fail(); }
const struct iommu_ops *iommu(void) { return NULL; }

static struct acpi_info ai;

static void add(u8 bus, u8 source, u16 flags, u32 gsi)
{
	ai.madt.overrides[ai.madt.override_count++] =
		(struct acpi_irq_override){ bus, source, flags, gsi };
}

static void test_gsi(void **state)
{
	u32 f;

	(void)state;
	memset(&ai, 0, sizeof(ai));
	assert_int_equal(ioapic_isa_gsi(&ai, 4, &f), 4);
	assert_int_equal(f, 0);
	add(0, 0, 0, 2);                /* IRQ 0 on GSI 2, conforming */
	add(0, 9, 0xf, 9);              /* SCI: level, active low */
	add(1, 4, 0xf, 20);             /* another bus: not ISA IRQ 4 */
	add(0, 3, (1u << 2) | 1, 3);    /* explicit edge, active high */
	assert_int_equal(ioapic_isa_gsi(&ai, 0, &f), 2);
	assert_int_equal(f, 0);
	assert_int_equal(ioapic_isa_gsi(&ai, 9, &f), 9);
	assert_int_equal(f, ACTIVE_LOW | LEVEL);
	assert_int_equal(ioapic_isa_gsi(&ai, 4, &f), 4);
	assert_int_equal(f, 0);
	assert_int_equal(ioapic_isa_gsi(&ai, 3, &f), 3);
	assert_int_equal(f, 0);
}

static void test_rte(void **state)
{
	(void)state;
	assert_int_equal(ioapic_rte(0xe1, 0, 0), 0xe1);
	assert_int_equal(ioapic_rte(0x30, 3, ACTIVE_LOW | LEVEL),
			 (3ULL << 56) | ACTIVE_LOW | LEVEL | 0x30);
	/* only the polarity and trigger bits of the flags, 8 bits of ID */
	assert_int_equal(ioapic_rte(0x30, 0x1ff, 0xffffffff), (0xffULL << 56) | ACTIVE_LOW | LEVEL | 0x30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsi),
		cmocka_unit_test(test_rte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
