// SPDX-License-Identifier: MIT
/*
 * Port I/O exits: IN/OUT go to the VM's PIO bus. A port nobody registered
 * reads all-ones and swallows writes, like an empty ISA bus; such accesses
 * are counted, not fatal. IN to EAX zero-extends into RAX (SDM Vol. 1
 * §3.4.1.1); 8- and 16-bit INs leave the rest of RAX alone.
 */
#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

enum exit_action exit_io(struct vcpu *v, const struct vm_exit *x)
{
	u64 mask = x->io.size == 4 ? 0xffffffffULL : (1ULL << (x->io.size * 8)) - 1;
	u64 rax = v->hw.gprs[GPR_RAX], val;

	if (x->io.string) {
		vm_stop(v->vm, "unsupported-string-io port 0x%x vcpu %u", x->io.port, v->id);
		return EXIT_STOP;
	}
	if (x->io.in) {
		if (!bus_read(&v->vm->pio, x->io.port, x->io.size, &val))
			v->pio_unclaimed++;
		v->hw.gprs[GPR_RAX] = x->io.size == 4 ? (val & mask) : (rax & ~mask) | (val & mask);
	} else if (!bus_write(&v->vm->pio, x->io.port, x->io.size, rax & mask)) {
		v->pio_unclaimed++;
	}
	return EXIT_ADVANCE;
}
