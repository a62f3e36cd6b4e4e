// SPDX-License-Identifier: MIT
//
// A hostile guest for the virtual PCI bus: with the PCI test device on
// its bus (pci_testdev = yes) it sends a stream of pseudo-random
// accesses at everything the bus decodes -- CONFIG_ADDRESS/CONFIG_DATA
// with any value and width (bus numbers that do not exist, reserved
// bits, partial data accesses), ECAM anywhere in the window with any
// width, the MMIO hole (BARs it may just have moved, disabled or sized,
// the MSI-X table and PBA, the doorbell that fires whatever MSI-X
// message the table now holds) and the I/O window. Only the reset
// register (a byte at 0xCF9) is left alone. MSI-X is switched on first
// and the stream rings the doorbell and rewrites table entries often, so
// messages of every kind go out (fixed, lowest priority, NMI, SMI, INIT,
// ExtINT, to any destination). Interrupts stay disabled; NMIs it aimed at
// itself are counted. Then it checks that the bus still answers and
// passes: the hypervisor and a neighbour guest must not notice anything.
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/multiboot.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

#define OPS 20000
#define ECAM 0xf0000000u

static u32 rng = 0x2545f491;
static volatile u32 nmis;

static u32 next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void nmi_handler(struct trap_frame *f)
{
	(void)f;
	nmis++;
}

/* An access of 1, 2 or 4 bytes at a port. */
static void port_op(u16 port, u32 r)
{
	u32 v = next();

	switch (r % 6) {
	case 0: inb(port); break;
	case 1: inw(port); break;
	case 2: inl(port); break;
	case 3: outb(port, (u8)v); break;
	case 4: outw(port, (u16)v); break;
	default: outl(port, v); break;
	}
}

static void mem_op(u32 addr, u32 r)
{
	u32 v = next();

	switch (r % 6) {
	case 0: (void)*(volatile u8 *)addr; break;
	case 1: (void)*(volatile u16 *)(addr & ~1u); break;
	case 2: (void)*(volatile u32 *)(addr & ~3u); break;
	case 3: *(volatile u8 *)addr = (u8)v; break;
	case 4: *(volatile u16 *)(addr & ~1u) = (u16)v; break;
	default: *(volatile u32 *)(addr & ~3u) = v; break;
	}
}

static u32 cfg(u32 devfn, u32 reg)
{
	outl(0xcf8, 0x80000000u | devfn << 8 | reg);
	return inl(0xcfc);
}

/* Where BAR @n of the test device (00:01.0) points now, when that is
 * in the MMIO hole (the stream may have moved it onto this guest's own
 * RAM, which it must not scribble on), else 0. */
static u32 testdev_bar(u32 n)
{
	u32 a = cfg(8, 0x10 + 4 * n) & ~0xfu;

	if (n == 1 && cfg(8, 0x18))
		return 0; /* above 4 GiB */
	return a >= 0xc0000000u && a < 0xeffff000u ? a : 0;
}

/* MSI-X on, bus mastering on: the doorbell then sends messages. */
static void msix_on(void)
{
	for (u32 p = cfg(8, 0x34) & 0xff; p; p = (cfg(8, p) >> 8) & 0xff)
		if ((cfg(8, p) & 0xff) == 0x11)
			outl(0xcfc, cfg(8, p) | 0x80000000u);
	outl(0xcf8, 0x80000000u | 8 << 8 | 4);
	outw(0xcfc, 0x0007);
}

static void one_op(void)
{
	u32 r = next(), k = r % 12, port;

	r >>= 4;
	if (k < 3) { /* CONFIG_ADDRESS with anything, then CONFIG_DATA */
		outl(0xcf8, next() & (r & 1 ? 0x80fffffcu : ~0u));
		port_op((u16)(0xcfc + (r >> 1) % 4), r >> 3);
	} else if (k < 4) { /* the other widths at 0xCF8-0xCFB, not 0xCF9 */
		port = 0xcf8 + (r % 2 ? 2 : 0);
		port_op((u16)port, r >> 1);
	} else if (k < 7) { /* ECAM: slots 0-1 mostly, anywhere sometimes */
		mem_op(ECAM + (r & 1 ? (r >> 1) % 0x100000 : (r >> 1) % 0x10000), r >> 21);
	} else if (k < 9) { /* the first 64 KiB of the MMIO hole */
		mem_op(0xc0000000u + (r % 0x10000), r >> 16);
	} else if (k < 10) { /* the I/O window */
		port_op((u16)(0xc000 + r % 0x40), r >> 6);
	} else if (k < 11) { /* the doorbell: whatever vector, where BAR0 is */
		if ((port = testdev_bar(0)))
			*(volatile u32 *)(port + 8) = r % 6;
	} else { /* the MSI-X table (4 entries) and the PBA, where BAR1 is */
		if (!(port = testdev_bar(1)))
			return;
		if (r % 4 == 0) /* an interrupt address, any destination */
			*(volatile u32 *)(port + 16 * ((r >> 2) % 4)) = 0xfee00000u | (next() & (r & 64 ? 0xffffcu : 0xcu));
		else if (r % 4 == 1) /* unmask */
			*(volatile u32 *)(port + 16 * ((r >> 2) % 4) + 12) = 0;
		else
			mem_op(port + (r & 4 ? 0x800 + (r >> 3) % 8 : (r >> 3) % 0x40), r >> 9);
	}
}

int main(void)
{
	u32 id, irr = 0;

	test_start("hostile_pci");
	trap_set_handler(2, nmi_handler);
	irq_init(); /* the local APIC enabled, interrupts still off */
	cli();
	msix_on();
	for (u32 i = 0; i < OPS; i++)
		one_op();
	check(true, "%u random PCI accesses (%u NMIs taken)", OPS, nmis);
	for (u32 i = 0; i < 8; i++) /* fixed messages wait in the IRR (IF=0) */
		for (u32 v = *(volatile u32 *)(0xfee00200u + 0x10 * i); v; v &= v - 1)
			irr++;
	if ((id = testdev_bar(0)))
		printf("test device: %u doorbells; %u vectors pending in the local APIC\n",
		       *(volatile u32 *)(id + 8), irr);
	outl(0xcf8, 0x80000000);
	id = inl(0xcfc);
	check(id == 0x29c08086, "host bridge still answers 0x%x", id);
	test_finish();
}
