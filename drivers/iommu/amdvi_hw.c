// SPDX-License-Identifier: MIT
/*
 * AMD-Vi in-memory formats (amdvi_hw.h).
 */
#include "drivers/iommu/amdvi_hw.h"

/* Command opcodes, bits 63:60 of the first qword (§2.4). */
#define CMD_COMPLETION_WAIT 0x1ull
#define CMD_INVAL_DEVTAB_ENTRY 0x2ull
#define CMD_INVAL_IOMMU_PAGES 0x3ull
#define CMD_INVAL_INTERRUPT_TABLE 0x5ull
#define CMD_INVAL_IOMMU_ALL 0x8ull
#define OPCODE(op) ((op) << 60)

#define CW_STORE (1ull << 0)
#define INVAL_S (1ull << 0)   /* INVALIDATE_IOMMU_PAGES: the address encodes a size */
#define INVAL_PDE (1ull << 1) /* ... directory entries too */
#define INVAL_ALL_ADDR 0x7ffffffffffff000ull /* with S: every page (§2.4) */

/* Event entry flags, bits 56:48 of the first qword (§2.5). */
#define EV_I (1u << 3)   /* bit 51: interrupt request */
#define EV_PR (1u << 4)  /* bit 52: the page was present */
#define EV_RW (1u << 5)  /* bit 53: write */
#define EV_PE (1u << 6)  /* bit 54: permission denied */
#define EV_RZ (1u << 7)  /* bit 55: reserved bit set / bad level */
#define EV_TR (1u << 8)  /* bit 56: a translation request */

void amdvi_dte_blocked(u64 dte[4], bool intremap)
{
	dte[0] = AMDVI_DTE_V | AMDVI_DTE_TV | AMDVI_DTE_MODE(0);
	dte[1] = 0;
	dte[2] = intremap ? AMDVI_DTE_IV | AMDVI_DTE_INTCTL_ABORT : 0;
	dte[3] = 0;
}

u64 amdvi_dte_translate(u64 root, unsigned levels)
{
	return (root & AMDVI_DTE_ROOT) | AMDVI_DTE_MODE(levels) | AMDVI_DTE_IR | AMDVI_DTE_IW |
	       AMDVI_DTE_TV | AMDVI_DTE_V;
}

u64 amdvi_dte_remap(u64 irt)
{
	return (irt & AMDVI_DTE_IRT) | AMDVI_DTE_INTCTL_REMAP | AMDVI_DTE_INTTABLEN(AMDVI_IRT_LOG2) |
	       AMDVI_DTE_IV;
}

/* RemapEn 0, SupIOPF 1 = 0, IntType 4:2 = 000b fixed, RqEoi 5 = 0, DM 6 =
 * 0 physical, GuestMode 7 = 0; destination from bit 8. */
u32 amdvi_irte32(u32 apic_id, u8 vector)
{
	return AMDVI_IRTE_REMAPEN | (apic_id & 0xff) << 8 | (u32)vector << 16;
}

/* Low qword as the 32-bit entry but Destination[23:0] in bits 31:8; high
 * qword: Vector 7:0, Destination[31:24] in bits 63:56. */
void amdvi_irte128(u64 out[2], u32 apic_id, u8 vector)
{
	out[0] = AMDVI_IRTE_REMAPEN | (u64)(apic_id & 0xffffff) << 8;
	out[1] = vector | (u64)(apic_id >> 24) << 56;
}

void amdvi_cmd_completion_wait(u64 c[2], u64 store_phys, u64 data)
{
	c[0] = OPCODE(CMD_COMPLETION_WAIT) | (store_phys & 0x000ffffffffffff8ull) | CW_STORE;
	c[1] = data;
}

void amdvi_cmd_inval_dte(u64 c[2], u16 devid)
{
	c[0] = OPCODE(CMD_INVAL_DEVTAB_ENTRY) | devid;
	c[1] = 0;
}

void amdvi_cmd_inval_domain(u64 c[2], u16 domain)
{
	c[0] = OPCODE(CMD_INVAL_IOMMU_PAGES) | (u64)domain << 32; /* PASID 0 */
	c[1] = INVAL_ALL_ADDR | INVAL_PDE | INVAL_S;
}

void amdvi_cmd_inval_irt(u64 c[2], u16 devid)
{
	c[0] = OPCODE(CMD_INVAL_INTERRUPT_TABLE) | devid;
	c[1] = 0;
}

void amdvi_cmd_inval_all(u64 c[2])
{
	c[0] = OPCODE(CMD_INVAL_IOMMU_ALL);
	c[1] = 0;
}

static const char *page_fault_text(u32 fl)
{
	if (fl & EV_I)
		return "interrupt request refused";
	if (fl & EV_RZ)
		return "reserved bit or bad level in a table entry";
	if (!(fl & EV_PR))
		return "address not mapped in the device's domain";
	if (fl & EV_PE)
		return "access not permitted: device not assigned, or mapped without that right";
	return "I/O page fault";
}

void amdvi_event_decode(const u32 e[4], struct amdvi_event *ev)
{
	u32 fl = e[1] >> 16 & 0x1ff;

	*ev = (struct amdvi_event){
		.code = (u8)(e[1] >> 28), .devid = (u16)e[0], .addr = e[2] | (u64)e[3] << 32,
		.write = fl & EV_RW, .intr = fl & EV_I, .device = true,
	};
	switch (ev->code) {
	case AMDVI_EV_ILLEGAL_DTE:
		ev->text = "illegal device table entry";
		break;
	case AMDVI_EV_IO_PAGE_FAULT:
		ev->domain = (u16)e[1];
		ev->text = page_fault_text(fl);
		break;
	case AMDVI_EV_DEV_TAB_HW_ERROR:
		ev->text = "hardware error reading the device table";
		break;
	case AMDVI_EV_PAGE_TAB_HW_ERROR:
		ev->domain = (u16)e[1];
		ev->text = "hardware error reading a page table";
		break;
	case AMDVI_EV_ILLEGAL_COMMAND:
		ev->device = false;
		ev->text = "illegal command";
		break;
	case AMDVI_EV_COMMAND_HW_ERROR:
		ev->device = false;
		ev->text = "hardware error reading the command buffer";
		break;
	case AMDVI_EV_IOTLB_INV_TIMEOUT:
		ev->addr &= ~0xfull;
		ev->text = "device IOTLB invalidation timed out";
		break;
	case AMDVI_EV_INVALID_DEV_REQUEST:
		ev->text = "invalid device request";
		break;
	default:
		ev->device = false;
		ev->text = "event not decoded (AMD IOMMU spec 2.5)";
	}
}
