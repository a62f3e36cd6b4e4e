// SPDX-License-Identifier: MIT
/* The exit device (debug_exit.h). */
#include "vmm/dev/debug_exit.h"
#include "vmm/vm.h"

void debug_exit_write(void *dev, u64 offset, unsigned size, u64 val)
{
	(void)offset, (void)size;
	vm_stop(dev, "exit-device status %llu", (unsigned long long)val);
}
