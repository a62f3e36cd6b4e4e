// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the two 8259 PICs and the ELCR (vmm/dev/pic8259.c):
 * their ports (devfuzz.h); events raise or lower an IRQ line (arg bit 7
 * clear) or acknowledge the interrupt the CPU would take (arg bit 7 set).
 */
#include <stdlib.h>

#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/pic8259.h"

static struct pic pic;
static void on_intr(void *ctx, bool level) { (void)ctx, (void)level; }

static void on_event(u8 arg, u64 val)
{
	if (arg & 0x80) {
		if (pic_has_intr(&pic))
			pic_ack(&pic);
		return;
	}
	pic_set_irq(&pic, arg % 16, val & 1);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ PIC_REG_LEN, pic_master_read, pic_master_write, &pic, "pic1" },
		{ PIC_REG_LEN, pic_slave_read, pic_slave_write, &pic, "pic2" },
		{ PIC_ELCR_LEN, pic_elcr_read, pic_elcr_write, &pic, "elcr" },
	};
	static const struct devfuzz d = { r, 3, NULL, on_event };

	pic_init(&pic, on_intr, NULL);
	devfuzz_run(&d, data, size);
	return 0;
}
