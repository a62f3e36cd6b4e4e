// SPDX-License-Identifier: MIT
//
// Console input survives a guest that stops reading. The guest programs
// its 16550 with the FIFO at trigger level 14, says "rxhold holding", and
// then reads nothing, with its receive interrupt masked (IER 0), for
// "hold=<ms>" (default 3000) while the test pastes "bytes=<n>" (default
// 65536, the hypervisor's console input buffer, vmm/console_in.h) bytes of
// a known pattern. Then it drains the way an interrupt handler would, from
// IIR with interrupts still off at the CPU: received-data-available means
// the FIFO holds the trigger level, the character timeout means a shorter
// tail sat there for four character times. It checks every byte in order,
// that no overrun was ever reported, that the tail came with the timeout
// indication, and that nothing more arrives.
#include "lib/io.h"
#include "lib/multiboot.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/serial.h"
#include "lib/string.h"
#include "lib/test.h"

#define LSR_OE 0x02
#define IIR_ID 0x0f
#define IIR_NONE 0x01
#define IIR_RDA 0x04
#define IIR_CTI 0x0c
#define TRIGGER 14
#define QUIET_US 20000000u // give up after 20 s without a byte

// The pattern the test sends: printable, byte i of the paste.
static u8 pattern(u32 i) { return (u8)(0x20 + (i * 7 + i / 95) % 95); }

struct drain {
	u32 want, got, bad, first_bad;
	u32 rda, cti, overruns;
};

static void take(struct drain *d, u8 b)
{
	if (b != pattern(d->got) && !d->bad++)
		d->first_bad = d->got;
	d->got++;
}

// One IIR-driven round; false when no interrupt was pending.
static bool drain_once(struct drain *d)
{
	u8 id = inb(COM1 + UART_FCR) & IIR_ID, lsr;

	if (id == IIR_RDA) {
		d->rda++;
		for (int i = 0; i < TRIGGER; i++)
			take(d, inb(COM1 + UART_RBR));
	} else if (id == IIR_CTI) {
		d->cti++;
		while ((lsr = inb(COM1 + UART_LSR)) & UART_LSR_DR) {
			d->overruns += !!(lsr & LSR_OE);
			take(d, inb(COM1 + UART_RBR));
		}
	}
	d->overruns += !!(inb(COM1 + UART_LSR) & LSR_OE);
	return id != IIR_NONE;
}

int main(void)
{
	struct drain d = { 0 };
	u32 hold, idle;

	test_start("rxhold");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	d.want = mb_cmdline_number("bytes", 65536);
	hold = mb_cmdline_number("hold", 3000);
	outb(COM1 + UART_FCR, 0xc7); // FIFO on, both cleared, trigger 14
	outb(COM1 + UART_IER, 0x00); // receive interrupt masked
	printf("rxhold holding %u ms for %u bytes\n", hold, d.want);
	pmtimer_delay_us(hold * 1000);
	printf("rxhold draining\n");
	outb(COM1 + UART_IER, 0x05); // received data and line status
	for (idle = pmtimer_read(); d.got < d.want && pmtimer_since(idle) < QUIET_US;)
		if (drain_once(&d))
			idle = pmtimer_read();
	pmtimer_delay_us(200000); // anything more would show now
	while (drain_once(&d))
		;
	check(d.got == d.want, "received %u bytes, sent %u", d.got, d.want);
	check(!d.bad, "every byte in order (%u wrong, first at %u)", d.bad, d.first_bad);
	check(!d.overruns, "no overrun reported (%u)", d.overruns);
	check(d.rda > 0, "%u trigger-level interrupts", d.rda);
	check(d.want % TRIGGER == 0 || d.cti > 0, "%u character-timeout interrupts for the tail",
	      d.cti);
	test_finish();
}
