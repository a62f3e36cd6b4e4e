/* SPDX-License-Identifier: MIT */
/*
 * Guest image loaders. The format is recognized from the image itself:
 *   - a multiboot (v1) kernel: ELF32/ELF64 or a.out-kludge image with the
 *     0x1BADB002 header in its first 8 KiB (Multiboot spec 0.6.96 §3.1);
 *     loaded at its physical addresses, started in flat 32-bit protected
 *     mode with EAX = 0x2BADB002 and EBX = the multiboot information, which
 *     carries the guest's command line and memory map, like QEMU -kernel;
 *   - anything else: a flat binary loaded at 0x7c00 and started in real
 *     mode at 0000:7C00 (the boot-sector convention).
 * Every byte written goes through gmem (checked against the guest's RAM).
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include "arch/x86/virt.h"
#include "kernel/types.h"

struct vm;

/* Low memory the loader keeps for itself (reserved in the memory map). */
#define LOADER_INFO_BASE 0x9f000
#define LOADER_INFO_END 0xa0000
#define LOADER_FLAT_BASE 0x7c00

/*
 * Load @len bytes of @img into @vm with vm->cmdline; fill @boot with the
 * start state. False with a reason in @err when the image is unusable.
 */
bool loader_load(struct vm *vm, const u8 *img, u64 len, struct vcpu_state *boot,
		 char *err, size_t errlen);

#endif
