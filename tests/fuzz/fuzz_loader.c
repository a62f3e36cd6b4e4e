// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the guest image loaders (vmm/loader.c: multiboot
 * v1 ELF32/ELF64/a.out kludge, multiboot2 ELF, flat binaries;
 * vmm/loader_linux.c: bzImage) on a fuzzed boot module, loaded into a
 * 16 MiB fake guest RAM (tests/unit/guest_ram.h). The first byte chooses
 * whether an initrd (the input's last quarter) is handed over too; the
 * rest is the kernel image. Checks the loader's contract: a failure comes
 * with a reason in the error buffer (with HV_FUZZ_STRICT=1: its own
 * reason, never the previous call's text). An entry point outside RAM is
 * no loader error: the guest's first fetch stops it, as on hardware.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/guest_ram.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

#define RAM_SIZE (16 * MiB)

u64 tsc_khz(void) { return 1000000; }

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vm *vm;
	static struct vcpu_state boot;
	struct loader_file kernel, initrd;
	char err[128];
	bool with_initrd;
	size_t klen;
	u8 *kbuf, *ibuf;

	if (!vm) {
		vm = calloc(1, sizeof(*vm));
		guest_ram_new(&vm->mem, RAM_SIZE);
		strcpy(vm->name, "fuzz");
		strcpy(vm->cmdline, "console=ttyS0 mem=8M");
	}
	if (size < 1)
		return 0;
	with_initrd = data[0] & 1;
	klen = with_initrd ? (size - 1) - (size - 1) / 4 : size - 1;
	/* boot modules are page-aligned in memory: copies, malloc-aligned */
	kbuf = malloc(klen + 1);
	ibuf = malloc(size - klen);
	memcpy(kbuf, data + 1, klen);
	memcpy(ibuf, data + 1 + klen, size - 1 - klen);
	kernel = (struct loader_file){ kbuf, klen, "kernel" };
	initrd = (struct loader_file){ ibuf, size - 1 - klen, "initrd" };
	strcpy(err, getenv("HV_FUZZ_STRICT") ? "" : "?");
	if (!loader_load(vm, &kernel, with_initrd ? &initrd : NULL, &boot, err, sizeof(err)) &&
	    (!err[0] || !memchr(err, 0, sizeof(err))))
		abort();
	free(kbuf);
	free(ibuf);
	return 0;
}
