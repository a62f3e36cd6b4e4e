// SPDX-License-Identifier: MIT
//
// Configuration mechanism #1 accesses and capability walks for lib/pci.h.
#include "lib/pci.h"
#include "lib/io.h"

#define CF8 0xcf8
#define CFC 0xcfc

u32 pci_cfg_read(u32 slot, u32 reg)
{
	outl(CF8, 0x80000000u | slot << 11 | (reg & 0xfc));
	return inl(CFC);
}

void pci_cfg_write(u32 slot, u32 reg, u32 v)
{
	outl(CF8, 0x80000000u | slot << 11 | (reg & 0xfc));
	outl(CFC, v);
}

u32 pci_find(u32 id)
{
	for (u32 slot = 0; slot < 32; slot++)
		if (pci_cfg_read(slot, 0) == id)
			return slot;
	return 0;
}

u32 pci_find_cap(u32 slot, u8 id)
{
	if (!(pci_cfg_read(slot, 4) & 1u << 20)) /* status: capabilities list */
		return 0;
	/* at most 48 capabilities fit in 192 bytes: a loop ends the walk */
	for (u32 p = pci_cfg_read(slot, 0x34) & 0xfc, n = 0; p && n < 48;
	     p = (pci_cfg_read(slot, p) >> 8) & 0xfc, n++)
		if ((pci_cfg_read(slot, p) & 0xff) == id)
			return p;
	return 0;
}

bool pci_msi_enable(u32 slot, u8 vector, u32 apic_id)
{
	u32 cap = pci_find_cap(slot, PCI_CAP_MSI);
	u32 ctl;

	if (!cap)
		return false;
	ctl = pci_cfg_read(slot, cap);
	pci_cfg_write(slot, cap + 4, 0xfee00000u | (apic_id & 0xff) << 12);
	if (ctl & 1u << 23) { /* 64-bit address: upper half, then data */
		pci_cfg_write(slot, cap + 8, 0);
		pci_cfg_write(slot, cap + 12, vector);
	} else {
		pci_cfg_write(slot, cap + 8, vector);
	}
	pci_cfg_write(slot, cap, ctl | 1u << 16); /* enable, one vector */
	return true;
}
