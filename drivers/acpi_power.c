// SPDX-License-Identifier: MIT
/*
 * ACPI power-off and reset on the host (see drivers/acpi_power.h). Every
 * register named by a Generic Address Structure is accessed with the width
 * the GAS asks for, in I/O space through port instructions, in memory space
 * through a volatile pointer at the (identity-mapped) physical address, and
 * for the reset register also in PCI configuration space on bus 0 through
 * the 0xCF8/0xCFC mechanism.
 */
#include "drivers/acpi_power.h"
#include "arch/x86/io.h"

/* PM1 control register bits, ACPI 6.5 §4.8.3.2.1. */
#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)

/* Sleep control register of HW-reduced platforms, §4.8.3.7. */
#define SLEEP_CTL_SLP_TYP_SHIFT 2
#define SLEEP_CTL_SLP_EN (1u << 5)

#define SCI_EN_POLL_LIMIT 300000 /* ~0.3 s of port reads on real hardware */
#define SETTLE_LOOPS 500000     /* port 0x80 writes, ~0.5 s */

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define KBC_STATUS 0x64
#define KBC_INPUT_FULL (1u << 1)
#define KBC_CMD_PULSE_RESET 0xfe
#define RST_CNT 0xcf9 /* PCI reset control: SYS_RST bit 1, RST_CPU bit 2 */

static void acpi_io_delay(void)
{
	outb(0x80, 0);
}

/* Give a power-off or reset that was just triggered time to happen. */
static void acpi_settle(void)
{
	for (u32 i = 0; i < SETTLE_LOOPS; i++)
		acpi_io_delay();
}

/* Access width in bits: access_size, else a whole bit_width, else @dflt (§5.2.3.2). */
static u32 acpi_gas_width(const struct acpi_gas *g, u32 dflt)
{
	if (g->access_size >= 1 && g->access_size <= 4)
		return 8u << (g->access_size - 1);
	if (g->bit_width == 8 || g->bit_width == 16 || g->bit_width == 32 ||
	    g->bit_width == 64)
		return g->bit_width;
	return dflt;
}

static u64 acpi_io_read(u16 port, u32 width)
{
	if (width == 8)
		return inb(port);
	if (width == 16)
		return inw(port);
	if (width == 32)
		return inl(port);
	return inl(port) | (u64)inl(port + 4) << 32;
}

static void acpi_io_write(u16 port, u32 width, u64 v)
{
	if (width == 8) {
		outb(port, (u8)v);
	} else if (width == 16) {
		outw(port, (u16)v);
	} else if (width == 32) {
		outl(port, (u32)v);
	} else {
		outl(port, (u32)v);
		outl(port + 4, (u32)(v >> 32));
	}
}

static u64 acpi_mem_read(u64 addr, u32 width)
{
	if (width == 8)
		return mmio_read8(addr);
	if (width == 16)
		return mmio_read16(addr);
	if (width == 32)
		return mmio_read32(addr);
	return *(volatile u64 *)addr;
}

static void acpi_mem_write(u64 addr, u32 width, u64 v)
{
	if (width == 8)
		mmio_write8(addr, (u8)v);
	else if (width == 16)
		mmio_write16(addr, (u16)v);
	else if (width == 32)
		mmio_write32(addr, (u32)v);
	else
		*(volatile u64 *)addr = v;
}

/*
 * PCI configuration space GAS (§5.2.3.2): segment 0, bus 0; address bits
 * 47:32 device, 31:16 function, 15:0 register offset. Byte writes only,
 * which is all the reset register needs (§4.8.3.6).
 */
static void acpi_pci_write8(u64 addr, u8 v)
{
	u32 dev = (addr >> 32) & 0x1f, fn = (addr >> 16) & 0x7, off = addr & 0xff;

	outl(PCI_CONF_ADDR, 0x80000000u | dev << 11 | fn << 8 | (off & 0xfc));
	outb(PCI_CONF_DATA + (off & 3), v);
}

/* Read a register in I/O or memory space; false if its space is neither. */
static bool acpi_gas_read(const struct acpi_gas *g, u32 width, u64 *v)
{
	if (g->space_id == ACPI_GAS_IO && g->address <= 0xffff) {
		*v = acpi_io_read((u16)g->address, width);
		return true;
	}
	if (g->space_id == ACPI_GAS_MEMORY && g->address) {
		*v = acpi_mem_read(g->address, width);
		return true;
	}
	return false;
}

static bool acpi_gas_write(const struct acpi_gas *g, u32 width, u64 v)
{
	if (!g->address)
		return false;
	if (g->space_id == ACPI_GAS_IO && g->address <= 0xffff) {
		acpi_io_write((u16)g->address, width, v);
		return true;
	}
	if (g->space_id == ACPI_GAS_MEMORY) {
		acpi_mem_write(g->address, width, v);
		return true;
	}
	if (g->space_id == ACPI_GAS_PCI_CONFIG && width == 8) {
		acpi_pci_write8(g->address, (u8)v);
		return true;
	}
	return false;
}

/* PM1 control registers take byte and word accesses only (§4.8.3.2.1). */
static u32 acpi_pm1_width(const struct acpi_gas *g)
{
	return acpi_gas_width(g, 16) == 8 ? 8 : 16;
}

static bool acpi_pm1_read(const struct acpi_gas *g, u16 *v)
{
	struct acpi_gas g1 = *g;
	u64 lo, hi = 0;

	if (acpi_pm1_width(g) == 16) {
		if (!acpi_gas_read(g, 16, &lo))
			return false;
	} else {
		g1.address++;
		if (!acpi_gas_read(g, 8, &lo) || !acpi_gas_read(&g1, 8, &hi))
			return false;
	}
	*v = (u16)(lo | hi << 8);
	return true;
}

static void acpi_pm1_write(const struct acpi_gas *g, u16 v)
{
	struct acpi_gas g1 = *g;

	if (acpi_pm1_width(g) == 16) {
		acpi_gas_write(g, 16, v);
		return;
	}
	g1.address++;
	acpi_gas_write(g, 8, v & 0xff);
	acpi_gas_write(&g1, 8, v >> 8);
}

/*
 * Legacy mode hand-off (FADT SMI_CMD and ACPI_ENABLE, §5.2.9): while
 * SCI_EN is clear SMM owns the fixed hardware; writing ACPI_ENABLE to
 * SMI_CMD asks it to let go, and it sets SCI_EN when done.
 */
static void acpi_enter_acpi_mode(const struct acpi_fadt_info *f)
{
	u16 cnt;

	if (!f->smi_cmd || !f->acpi_enable || f->smi_cmd > 0xffff)
		return;
	if (!acpi_pm1_read(&f->pm1a_cnt, &cnt) || (cnt & PM1_SCI_EN))
		return;
	outb((u16)f->smi_cmd, f->acpi_enable);
	for (u32 i = 0; i < SCI_EN_POLL_LIMIT; i++) {
		if (acpi_pm1_read(&f->pm1a_cnt, &cnt) && (cnt & PM1_SCI_EN))
			return;
		acpi_io_delay();
	}
}

/* Program SLP_TYP (read-modify-write, other bits preserved); return the value. */
static u16 acpi_pm1_set_type(const struct acpi_gas *g, u8 typ)
{
	u16 cnt = 0;

	acpi_pm1_read(g, &cnt);
	cnt &= (u16)~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
	cnt |= (u16)((typ & 7u) << PM1_SLP_TYP_SHIFT);
	acpi_pm1_write(g, cnt);
	return cnt;
}

/*
 * Fixed-hardware S5 (§4.8.3.2.1, §16.1.6): place SLP_TYPa/b in the PM1a
 * and PM1b control registers, then set SLP_EN, PM1a first.
 */
static void acpi_pm1_sleep(const struct acpi_fadt_info *f, const struct acpi_s5_info *s5)
{
	bool has_b = f->pm1b_cnt.address != 0;
	u16 a, b = 0;

	if (!f->pm1a_cnt.address)
		return;
	acpi_enter_acpi_mode(f);
	a = acpi_pm1_set_type(&f->pm1a_cnt, s5->slp_typa);
	if (has_b)
		b = acpi_pm1_set_type(&f->pm1b_cnt, s5->slp_typb);
	acpi_pm1_write(&f->pm1a_cnt, a | PM1_SLP_EN);
	if (has_b)
		acpi_pm1_write(&f->pm1b_cnt, b | PM1_SLP_EN);
}

/* HW-reduced S5: one write of SLP_TYP and SLP_EN to SLEEP_CONTROL_REG (§4.8.3.7). */
static void acpi_sleep_ctl_sleep(const struct acpi_fadt_info *f, const struct acpi_s5_info *s5)
{
	u8 v = (u8)((s5->slp_typa & 7u) << SLEEP_CTL_SLP_TYP_SHIFT | SLEEP_CTL_SLP_EN);

	acpi_gas_write(&f->sleep_control, 8, v);
}

void acpi_poweroff(const struct acpi_info *ai)
{
	const struct acpi_fadt_info *f = &ai->fadt;

	if (!f->present || !ai->s5.valid)
		return;
	if (f->flags & ACPI_FADT_HW_REDUCED_ACPI)
		acpi_sleep_ctl_sleep(f, &ai->s5);
	else
		acpi_pm1_sleep(f, &ai->s5);
	acpi_settle();
}

/* FADT RESET_REG/RESET_VALUE (§4.8.3.6): an 8-bit register at bit offset 0. */
static bool acpi_reset_reg(const struct acpi_fadt_info *f)
{
	if (!f->present || !(f->flags & ACPI_FADT_RESET_REG_SUP))
		return false;
	return acpi_gas_write(&f->reset_reg, 8, f->reset_value);
}

/* The 8042's "pulse output port bit 0" command drives the CPU reset line. */
static void acpi_reset_kbc(void)
{
	for (u32 i = 0; i < 100000 && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
		acpi_io_delay();
	outb(KBC_STATUS, KBC_CMD_PULSE_RESET);
}

/* Reset control register: select a hard reset, then start it (RST_CPU 0 -> 1). */
static void acpi_reset_cf9(void)
{
	outb(RST_CNT, 0x02);
	acpi_io_delay();
	outb(RST_CNT, 0x06);
}

void acpi_reset(const struct acpi_info *ai)
{
	if (acpi_reset_reg(&ai->fadt))
		acpi_settle();
	acpi_reset_kbc();
	acpi_settle();
	acpi_reset_cf9();
	acpi_settle();
}
