// SPDX-License-Identifier: MIT
/*
 * Interrupt destination matching of the virtual local APIC, shared by
 * IPIs (vlapic.c) and I/O APIC deliveries (vmm/irq.c). Pure logic.
 */
#include "vmm/dev/vlapic.h"

/*
 * Does this local APIC accept destination @dest (SDM Vol. 3A §11.6.2)?
 * Physical mode: the APIC ID, or 0xFF for all. Logical mode: the flat
 * model (DFR 0xFFFFFFFF) matches any common bit of the 8-bit LDR; the
 * cluster model (DFR model bits 0) the cluster in the high nibble (15:
 * every cluster) and a common bit in the low one.
 */
bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical)
{
	u32 ldr = vlapic_reg(l, VLAPIC_LDR) >> 24;

	if (!l->enabled) /* globally disabled: receives nothing (§11.4.3) */
		return false;
	if (l->x2apic) /* §11.12.10: 32-bit IDs, cluster:16 bit:16 logical */
		return !logical ? dest == 0xffffffff || l->id == dest :
		       dest == 0xffffffff ||
		       ((dest >> 16) == (l->id >> 4) && (dest & (1u << (l->id & 0xf))));
	if (!logical)
		return dest == 0xff || l->id == dest;
	/* flat: 0xFF reaches every APIC whose LDR has a bit set */
	if ((vlapic_reg(l, VLAPIC_DFR) >> 28) == 0xf)
		return (ldr & dest) != 0;
	/* cluster 15 addresses every cluster */
	return ((dest >> 4) == 0xf || (ldr >> 4) == (dest >> 4)) && (ldr & dest & 0xf);
}
