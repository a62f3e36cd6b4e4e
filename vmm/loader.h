/* SPDX-License-Identifier: MIT */
/*
 * Guest image loaders. The format is recognized from the image itself:
 *   - a multiboot (v1) kernel: ELF32/ELF64 or a.out-kludge image with the
 *     0x1BADB002 header in its first 8 KiB (Multiboot spec 0.6.96 §3.1);
 *     loaded at its physical addresses, started in flat 32-bit protected
 *     mode with EAX = 0x2BADB002 and EBX = the multiboot information, which
 *     carries the guest's command line and memory map, like QEMU -kernel;
 *   - a multiboot2 kernel: an ELF with the 0xE85250D6 header in its first
 *     32 KiB (Multiboot2 spec §3.1), started the same way with
 *     EAX = 0x36d76289 and EBX = the tag list (command line, loader name,
 *     basic memory info, memory map, ACPI RSDP);
 *   - a Linux bzImage (boot protocol 2.10+), started through its 32-bit
 *     entry with a zero page, E820 map, command line and initrd;
 *   - anything else: a flat binary loaded at 0x7c00 and started in real
 *     mode at 0000:7C00 (the boot-sector convention).
 * Flat binaries take no initrd.
 * Every byte written goes through gmem (checked against the guest's RAM).
 */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include "arch/x86/virt.h"
#include "kernel/types.h"

struct vm;

/* Low memory the loader keeps for itself (reserved in the memory map):
 * the multiboot information, or Linux's zero page, command line and GDT. */
#define LOADER_INFO_BASE 0x9c000
#define LOADER_INFO_END 0xa0000
#define LOADER_FLAT_BASE 0x7c00
/* Where the platform puts the guest's ACPI RSDP (vmm/acpi_tables.c). */
#define LOADER_RSDP_ADDR 0xf0000

/* The guest's physical memory map, E820 style (ACPI 6.5 §15). */
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define LOADER_MAP_MAX 8

struct guest_mem_entry {
	u64 base, len;
	u32 type;
};

/* Fill @map (LOADER_MAP_MAX entries) for @vm; returns the count. */
unsigned loader_memory_map(const struct vm *vm, struct guest_mem_entry *map);

/* A file handed to a guest (a boot module of the hypervisor). */
struct loader_file {
	const u8 *data;
	u64 len;
	const char *name;
};

/*
 * Load @kernel (and @initrd, or NULL) into @vm with vm->cmdline; fill
 * @boot with the start state. Linux gets the initrd as its initramfs,
 * multiboot kernels as their one module (named by its file name). False
 * with a reason in @err when the image is unusable.
 */
bool loader_load(struct vm *vm, const struct loader_file *kernel,
		 const struct loader_file *initrd, struct vcpu_state *boot,
		 char *err, size_t errlen);

/* Copy @f to the top of the guest's low RAM (page-aligned) at or above
 * @floor; returns its guest address or 0 when it does not fit. */
u64 loader_place_high(struct vm *vm, const struct loader_file *f, u64 limit, u64 floor);

/* Linux bzImage (vmm/loader_linux.c). */
bool loader_is_bzimage(const u8 *img, u64 len);
bool loader_load_linux(struct vm *vm, const u8 *img, u64 len,
		       const struct loader_file *initrd, struct vcpu_state *boot,
		       char *err, size_t errlen);

/* Append to @cmdline (@size bytes) what Linux is told about the TSC
 * (tsc_early_khz= off Intel, tsc=reliable with an invariant host TSC),
 * each unless already set; loader_linux.c says why. */
void loader_linux_tsc_hints(char *cmdline, size_t size, bool intel, bool invariant, u64 khz);

/* Say why loading failed; returns false for the caller to return. */
bool loader_error(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);

#endif
