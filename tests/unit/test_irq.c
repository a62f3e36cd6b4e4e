// SPDX-License-Identifier: MIT
/*
 * Host unit tests for a VM's interrupt wiring (vmm/irq.c) with the real
 * 8259 and I/O APIC models and stubs for the vCPU side: ISA IRQ 0 reaching
 * I/O APIC pin 2 and 8259 input 0, other ISA IRQs the pin of their number
 * and GSIs 16-23 the I/O APIC only; the 8259's INT waking vCPU 0;
 * physical destinations (APIC ID, broadcast), logical ones in the flat
 * and cluster models, lowest priority going to one vCPU, NMI as a
 * request; a level-triggered line coming back after an EOI broadcast
 * while it is still asserted; the PCI INTx lines (GSIs 16-23) idling
 * high, active low; and MSI messages (vm_msi(), SDM Vol. 3A §11.11):
 * physical and logical destinations, the redirection hint, NMI, level
 * assert/deassert, and the messages that are dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/devices.h"
#include "vmm/irq.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define NCPUS 4
#define IOWIN 0x10
#define LEVEL (1u << 15)
#define LOGICAL (1u << 11)
#define ACTIVE_LOW (1u << 13)

struct raise {
	u32 vcpu;
	u8 vector;
	bool level;
};

static struct vm vm;
static struct vm_devices dev;
static struct vcpu cpus[NCPUS];
static struct raise raised[32];
static unsigned nraised;
static u32 requests[NCPUS];

/* ---- stubs for the vCPU side ---- */

void vlapic_raise_level(struct vcpu *v, u8 vector, bool level)
{
	assert_true(nraised < 32);
	raised[nraised++] = (struct raise){ v->id, vector, level };
}

void vcpu_request(struct vcpu *v, u32 req)
{
	requests[v->id] |= req;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(cpus, 0, sizeof(cpus));
	nraised = 0;
	memset(requests, 0, sizeof(requests));
	vm.dev = &dev;
	vm.nvcpus = NCPUS;
	for (u32 i = 0; i < NCPUS; i++) {
		cpus[i].id = i;
		cpus[i].vm = &vm;
		cpus[i].lapic.id = i;
		cpus[i].lapic.enabled = true;
		cpus[i].lapic.page[VLAPIC_DFR >> 2] = 0xffffffff; /* flat */
		cpus[i].lapic.page[VLAPIC_LDR >> 2] = (1u << i) << 24;
		vm.vcpus[i] = &cpus[i];
	}
	irq_init(&vm, &dev, NCPUS);
	return 0;
}

static void rte(unsigned pin, u32 lo, u8 dest)
{
	ioapic_write(&dev.ioapic, 0, 4, 0x11 + 2 * pin);
	ioapic_write(&dev.ioapic, IOWIN, 4, (u32)dest << 24);
	ioapic_write(&dev.ioapic, 0, 4, 0x10 + 2 * pin);
	ioapic_write(&dev.ioapic, IOWIN, 4, lo);
}

static void test_isa_routing(void **state)
{
	(void)state;
	assert_int_equal(dev.ioapic.id, NCPUS); /* the MADT's I/O APIC ID */
	rte(0, 0x20, 0);
	rte(2, 0x30, 1);
	vm_pulse_irq(&vm, IRQ_PIT);
	assert_int_equal(nraised, 1);
	assert_int_equal(raised[0].vcpu, 1);
	assert_int_equal(raised[0].vector, 0x30);
	assert_false(raised[0].level);
	rte(4, 0x34, 2);
	vm_pulse_irq(&vm, IRQ_COM1);
	assert_int_equal(nraised, 2);
	assert_int_equal(raised[1].vcpu, 2);
	/* GSI 20: the I/O APIC only (a PCI line: active low, idle high). */
	rte(20, 0x54 | ACTIVE_LOW, 3);
	vm_set_irq(&vm, 20, false);
	vm_set_irq(&vm, 20, true);
	assert_int_equal(nraised, 3);
	assert_int_equal(raised[2].vcpu, 3);
	vm_pulse_irq(&vm, IRQ_LINES); /* no such line */
	assert_int_equal(nraised, 3);
}

static void test_pic_wakes_vcpu0(void **state)
{
	(void)state;
	pic_master_write(&dev.pic, 1, 1, 0xfe);
	vm_pulse_irq(&vm, IRQ_PIT);
	assert_true(pic_has_intr(&dev.pic));
	assert_int_equal(requests[0], VCPU_REQ_INTR);
	assert_int_equal(requests[1], 0);
	assert_int_equal(pic_ack(&dev.pic), 0x08);
	/* A GSI above 15 does not reach the 8259. */
	pic_master_write(&dev.pic, 0, 1, 0x20);
	pic_master_write(&dev.pic, 1, 1, 0x00);
	vm_pulse_irq(&vm, 16);
	assert_false(pic_has_intr(&dev.pic));
}

static void test_physical_broadcast(void **state)
{
	(void)state;
	rte(5, 0x35, 0xff);
	vm_pulse_irq(&vm, 5);
	assert_int_equal(nraised, NCPUS);
	for (u32 i = 0; i < NCPUS; i++)
		assert_int_equal(raised[i].vcpu, i);
}

static void test_logical_flat_and_lowest(void **state)
{
	(void)state;
	rte(6, 0x36 | LOGICAL, 0x06);
	vm_pulse_irq(&vm, 6);
	assert_int_equal(nraised, 2);
	assert_int_equal(raised[0].vcpu, 1);
	assert_int_equal(raised[1].vcpu, 2);
	rte(7, 0x37 | LOGICAL | (IOAPIC_DM_LOWEST << 8), 0x0c);
	vm_pulse_irq(&vm, 7);
	assert_int_equal(nraised, 3);
	assert_int_equal(raised[2].vcpu, 2);
	/* An LDR of 0 (not yet set by the guest) matches nothing. */
	cpus[3].lapic.page[VLAPIC_LDR >> 2] = 0;
	rte(10, 0x3a | LOGICAL, 0xff);
	vm_pulse_irq(&vm, 10);
	assert_int_equal(nraised, 6);
}

static void test_logical_cluster(void **state)
{
	(void)state;
	for (u32 i = 0; i < NCPUS; i++) {
		cpus[i].lapic.page[VLAPIC_DFR >> 2] = 0x0fffffff;
		cpus[i].lapic.page[VLAPIC_LDR >> 2] = ((i < 2 ? 0x10 : 0x20) | (1u << (i % 2))) << 24;
	}
	rte(11, 0x3b | LOGICAL, 0x13); /* cluster 1, members 0 and 1 */
	vm_pulse_irq(&vm, 11);
	assert_int_equal(nraised, 2);
	assert_int_equal(raised[0].vcpu, 0);
	assert_int_equal(raised[1].vcpu, 1);
	rte(11, 0x3b | LOGICAL, 0x22); /* cluster 2, member 1 */
	vm_pulse_irq(&vm, 11);
	assert_int_equal(nraised, 3);
	assert_int_equal(raised[2].vcpu, 3);
	rte(11, 0x3b | LOGICAL, 0xf1); /* every cluster, member 0 */
	vm_pulse_irq(&vm, 11);
	assert_int_equal(nraised, 5);
	assert_int_equal(raised[3].vcpu, 0);
	assert_int_equal(raised[4].vcpu, 2);
}

static void test_nmi(void **state)
{
	(void)state;
	rte(12, IOAPIC_DM_NMI << 8, 2);
	vm_pulse_irq(&vm, 12);
	assert_int_equal(nraised, 0);
	assert_int_equal(requests[2], VCPU_REQ_NMI);
}

static void test_level_eoi_broadcast(void **state)
{
	(void)state;
	rte(9, 0x49 | LEVEL, 0);
	vm_set_irq(&vm, IRQ_SCI, true);
	assert_int_equal(nraised, 1);
	assert_true(raised[0].level);
	vm_eoi_broadcast(&vm, 0x49); /* still asserted: again */
	assert_int_equal(nraised, 2);
	vm_set_irq(&vm, IRQ_SCI, false);
	vm_eoi_broadcast(&vm, 0x49);
	assert_int_equal(nraised, 2);
	vm_set_irq(&vm, IRQ_SCI, true);
	assert_int_equal(nraised, 3);
}

/* GSIs 16-23 are PCI INTx lines: level, active low, idle high (_PRT). */
static void test_pci_lines_idle_high(void **state)
{
	(void)state;
	for (unsigned gsi = IRQ_PCI_FIRST; gsi < IRQ_PCI_FIRST + IRQ_PCI_LINES; gsi++)
		rte(gsi, (0x60 + gsi) | LEVEL | ACTIVE_LOW, 0);
	assert_int_equal(nraised, 0); /* unmasked and idle: nothing */
	vm_set_irq(&vm, 17, false); /* a device asserts INTx */
	assert_int_equal(nraised, 1);
	assert_int_equal(raised[0].vector, 0x71);
	assert_true(raised[0].level);
}

static void test_msi_physical_and_logical(void **state)
{
	(void)state;
	assert_true(vm_msi(&vm, 0xfee02000, 0x0041)); /* APIC ID 2, fixed, edge */
	assert_int_equal(nraised, 1);
	assert_int_equal(raised[0].vcpu, 2);
	assert_int_equal(raised[0].vector, 0x41);
	assert_false(raised[0].level);
	assert_true(vm_msi(&vm, 0xfeeff000, 0x0042)); /* broadcast */
	assert_int_equal(nraised, 1 + NCPUS);
	/* logical (DM=1), flat: LDR bits of vCPUs 1 and 3 */
	assert_true(vm_msi(&vm, 0xfee0a004, 0x0043));
	assert_int_equal(nraised, 3 + NCPUS);
	assert_int_equal(raised[1 + NCPUS].vcpu, 1);
	assert_int_equal(raised[2 + NCPUS].vcpu, 3);
	/* RH=1 with logical: lowest priority, one of them */
	assert_true(vm_msi(&vm, 0xfee0a00c, 0x0044));
	assert_int_equal(nraised, 4 + NCPUS);
	/* delivery mode lowest priority, data bits 10:8 = 1 */
	assert_true(vm_msi(&vm, 0xfee0f004, 0x0145));
	assert_int_equal(nraised, 5 + NCPUS);
	/* level-triggered assert, and a deassert that delivers nothing */
	assert_true(vm_msi(&vm, 0xfee01000, 0xc046));
	assert_int_equal(nraised, 6 + NCPUS);
	assert_true(raised[5 + NCPUS].level);
	assert_true(vm_msi(&vm, 0xfee01000, 0x8046));
	assert_int_equal(nraised, 6 + NCPUS);
}

static void test_msi_nmi_and_dropped(void **state)
{
	(void)state;
	assert_true(vm_msi(&vm, 0xfee03000, 0x0400)); /* NMI to vCPU 3 */
	assert_int_equal(requests[3], VCPU_REQ_NMI);
	assert_int_equal(nraised, 0);
	assert_false(vm_msi(&vm, 0xfed00000, 0x0041)); /* not the interrupt window */
	assert_false(vm_msi(&vm, 0x1fee00000ULL, 0x0041)); /* above 4 GiB */
	assert_false(vm_msi(&vm, 0xfee00000, 0x000f)); /* vector below 16 */
	assert_false(vm_msi(&vm, 0xfee00000, 0x0541)); /* INIT */
	assert_false(vm_msi(&vm, 0xfee00000, 0x0241)); /* SMI */
	assert_false(vm_msi(&vm, 0xfee00000, 0x0741)); /* ExtINT */
	assert_int_equal(nraised, 0);
	assert_int_equal(requests[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_isa_routing, setup),
		cmocka_unit_test_setup(test_pic_wakes_vcpu0, setup),
		cmocka_unit_test_setup(test_physical_broadcast, setup),
		cmocka_unit_test_setup(test_logical_flat_and_lowest, setup),
		cmocka_unit_test_setup(test_logical_cluster, setup),
		cmocka_unit_test_setup(test_nmi, setup),
		cmocka_unit_test_setup(test_level_eoi_broadcast, setup),
		cmocka_unit_test_setup(test_pci_lines_idle_high, setup),
		cmocka_unit_test_setup(test_msi_physical_and_logical, setup),
		cmocka_unit_test_setup(test_msi_nmi_and_dropped, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
