// SPDX-License-Identifier: MIT
/*
 * Loading the hypervisor ELF (build/hv.elf) for the UEFI path. The image
 * is an ELF64 x86-64 executable (System V gABI, "ELF header" and "Program
 * header"); its PT_LOAD segments have physical addresses starting at
 * KERNEL_LMA (see linker.ld). The loader keeps their relative layout but
 * may place the whole span anywhere 2 MiB-aligned: byte p_paddr goes to
 * kernel_phys + (p_paddr - KERNEL_LMA), and the hand-off page tables map
 * KERNEL_VMA + off onto kernel_phys + off.
 */
#include "boot/uefi/loader.h"
#include "kernel/string.h"

#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1

/* The hand-off kernel mapping is one page directory of 2 MiB pages. */
#define KERNEL_MAX_SPAN (GiB - (KERNEL_VMA & (GiB - 1)))

struct elf64_ehdr {
	u8 e_ident[16];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

static EFI_STATUS elf_bad(const char *why)
{
	con_print("error: \\hv\\hv.elf: %s", why);
	return EFI_LOAD_ERROR;
}

static EFI_STATUS elf_check_header(const struct elf64_ehdr *eh, u64 size)
{
	if (size < sizeof(*eh) || eh->e_ident[0] != 0x7f ||
	    eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' ||
	    eh->e_ident[3] != 'F')
		return elf_bad("not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return elf_bad("not an ELF64 x86-64 file");
	if (eh->e_type != ET_EXEC)
		return elf_bad("not an executable (ET_EXEC)");
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || !eh->e_phnum ||
	    eh->e_phoff > size ||
	    (size - eh->e_phoff) / sizeof(struct elf64_phdr) < eh->e_phnum)
		return elf_bad("bad program header table");
	return EFI_SUCCESS;
}

/* One PT_LOAD segment: inside the file, and where linker.ld puts it. */
static EFI_STATUS elf_check_segment(const struct elf64_phdr *ph, u64 size)
{
	if (ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
	    size - ph->p_offset < ph->p_filesz)
		return elf_bad("segment outside the file");
	if (ph->p_paddr < KERNEL_LMA || ph->p_memsz > KERNEL_MAX_SPAN ||
	    ph->p_paddr - KERNEL_LMA > KERNEL_MAX_SPAN - ph->p_memsz)
		return elf_bad("segment outside the kernel's physical span");
	if (ph->p_vaddr >= KERNEL_VMA &&
	    ph->p_vaddr - KERNEL_VMA != ph->p_paddr - KERNEL_LMA)
		return elf_bad("segment virtual and physical addresses differ");
	return EFI_SUCCESS;
}

/* Check every PT_LOAD and find the span [KERNEL_LMA, end) they cover. */
static EFI_STATUS elf_span(const struct elf64_ehdr *eh, u64 size, u64 *span)
{
	const struct elf64_phdr *ph = (const void *)((const u8 *)eh + eh->e_phoff);
	u64 lo = ~0ULL, hi = 0;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (EFI_ERROR(elf_check_segment(&ph[i], size)))
			return EFI_LOAD_ERROR;
		lo = MIN(lo, ph[i].p_paddr);
		hi = MAX(hi, ph[i].p_paddr + ph[i].p_memsz);
	}
	if (hi == 0)
		return elf_bad("no PT_LOAD segment");
	if (lo != KERNEL_LMA)
		return elf_bad("lowest segment is not at KERNEL_LMA (0x200000)");
	if (eh->e_entry < KERNEL_VMA || eh->e_entry - KERNEL_VMA >= hi - lo)
		return elf_bad("entry point outside the kernel image");
	*span = hi - lo;
	return EFI_SUCCESS;
}

/* A 2 MiB-aligned block: over-allocate by 2 MiB, prefer below 4 GiB. */
static EFI_STATUS elf_alloc(u64 size, u64 *phys)
{
	void *block;
	EFI_STATUS st;

	st = page_alloc(size + 2 * MiB, true, &block);
	if (EFI_ERROR(st))
		st = page_alloc(size + 2 * MiB, false, &block);
	if (EFI_ERROR(st))
		return st;
	*phys = ALIGN_UP((u64)(uintptr_t)block, 2 * MiB);
	return EFI_SUCCESS;
}

static void elf_copy(const struct elf64_ehdr *eh, u64 kernel_phys)
{
	const struct elf64_phdr *ph = (const void *)((const u8 *)eh + eh->e_phoff);

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		u8 *dst = (u8 *)(uintptr_t)(kernel_phys +
					   (ph[i].p_paddr - KERNEL_LMA));

		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		memcpy(dst, (const u8 *)eh + ph[i].p_offset, ph[i].p_filesz);
		/* .bss: the part of p_memsz beyond p_filesz reads as zero */
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
}

EFI_STATUS elf_load_kernel(const void *image, u64 size, struct boot_info *bi,
			   u64 *entry)
{
	const struct elf64_ehdr *eh = image;
	u64 span, phys;
	EFI_STATUS st;

	st = elf_check_header(eh, size);
	if (!EFI_ERROR(st))
		st = elf_span(eh, size, &span);
	if (EFI_ERROR(st))
		return st;
	st = elf_alloc(ALIGN_UP(span, 2 * MiB), &phys);
	if (EFI_ERROR(st)) {
		con_print("error: no memory for the kernel (%lu KiB): %s",
			  (unsigned long)(span >> 10), efi_status_text(st));
		return st;
	}
	/* gaps between segments are zero too */
	memset((void *)(uintptr_t)phys, 0, ALIGN_UP(span, 2 * MiB));
	elf_copy(eh, phys);
	bi->kernel_phys = phys;
	bi->kernel_size = span;
	*entry = eh->e_entry;
	return EFI_SUCCESS;
}
