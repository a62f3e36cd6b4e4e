/* SPDX-License-Identifier: MIT */
/*
 * Fake guest RAM for host unit tests of code that writes into a VM's
 * memory through vmm/gmem.c (the ACPI and SMBIOS table builders): a host
 * buffer, 2 MiB aligned and filled with garbage so nothing may rely on
 * zeroed RAM, laid out as the guest's RAM (gmem addresses are host
 * pointers on the host, phys_to_virt being the identity). Include it in
 * one test file per binary: it also defines the stage-2 pt_map() gmem.c
 * links against, which these tests never reach.
 */
#ifndef TESTS_UNIT_GUEST_RAM_H
#define TESTS_UNIT_GUEST_RAM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/pgtable.h"
#include "vmm/gmem.h"

bool pt_map(struct pt *pt, u64 va, u64 pa, u64 size, u32 prot, enum pt_memtype mt)
{
	(void)pt, (void)va, (void)pa, (void)size, (void)prot, (void)mt;
	return false;
}

/* @size bytes of garbage laid out as @m's RAM; free() it when done. */
static inline u8 *guest_ram_new(struct gmem *m, u64 size)
{
	u8 *ram = aligned_alloc(2 * MiB, size);

	memset(ram, 0xa5, size);
	gmem_layout(m, size, (u64)(uintptr_t)ram);
	return ram;
}

#endif
