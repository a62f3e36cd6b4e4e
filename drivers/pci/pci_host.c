// SPDX-License-Identifier: MIT
/*
 * The host's PCI table bound to the hardware (pci.h): configuration space
 * through ECAM windows from the MCFG (PCI Firmware 3.2 §4.1; PCIe Base 4.0
 * §7.2.2), else configuration mechanism #1 at ports 0xCF8/0xCFC (PCI 3.0
 * §3.2.2.3.2), one enumeration at boot, function resets with the waits the
 * specifications require, and the platform report's lines.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/paging.h"
#include "arch/x86/tsc.h"
#include "drivers/acpi.h"
#include "drivers/pci/pci.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

#define CF8_ADDR 0xcf8
#define CF8_DATA 0xcfc
#define CF8_ENABLE 0x80000000u
#define ECAM_BUS_SHIFT 20 /* 1 MiB of configuration space per bus */
#define ECAM_FN_SIZE 4096
#define CANONICAL_LOW (1ULL << 47) /* identity-mapped addresses must stay below */
#define RESET_ANSWER_MS 1000 /* after the 100 ms: a slow function may still say "retry" */

/* An MCFG entry the hypervisor maps: buses @first..@last of @seg. */
struct ecam_window {
	u64 base; /* address of bus 0 of the segment */
	u16 seg;
	u8 first, last;
};

/* Written by hpci_init on the BSP before the APs start; read-only after. */
static struct ecam_window ecam[ACPI_MAX_MCFG];
static unsigned necam;
static bool cf8; /* mechanism #1 for segment 0, when no ECAM window is usable */
static struct hpci_table table;
static spinlock_t cf8_lock; /* CF8 and CFC form one access */

static bool access_ok(u16 off, unsigned size, unsigned limit)
{
	return (size == 1 || size == 2 || size == 4) && !(off & (size - 1)) && off < limit;
}

static u64 ecam_addr(u16 seg, u8 bus, u8 devfn, u16 off)
{
	for (unsigned i = 0; i < necam; i++)
		if (ecam[i].seg == seg && bus >= ecam[i].first && bus <= ecam[i].last)
			return ecam[i].base + ((u64)bus << ECAM_BUS_SHIFT) +
			       (u64)devfn * ECAM_FN_SIZE + off;
	return 0;
}

static u32 ecam_read(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size)
{
	u64 a = access_ok(off, size, ECAM_FN_SIZE) ? ecam_addr(seg, bus, devfn, off) : 0;

	(void)ctx;
	if (!a)
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return size == 1 ? mmio_read8(a) : size == 2 ? mmio_read16(a) : mmio_read32(a);
}

static void ecam_write(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size, u32 v)
{
	u64 a = access_ok(off, size, ECAM_FN_SIZE) ? ecam_addr(seg, bus, devfn, off) : 0;

	(void)ctx;
	if (!a)
		return;
	if (size == 1)
		mmio_write8(a, (u8)v);
	else if (size == 2)
		mmio_write16(a, (u16)v);
	else
		mmio_write32(a, v);
}

static u32 cf8_read(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size)
{
	u16 port = (u16)(CF8_DATA + (off & 3));
	u64 flags;
	u32 v;

	(void)ctx;
	if (seg || !access_ok(off, size, 256))
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	flags = spin_lock_irqsave(&cf8_lock);
	outl(CF8_ADDR, CF8_ENABLE | (u32)bus << 16 | (u32)devfn << 8 | (off & 0xfc));
	v = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	spin_unlock_irqrestore(&cf8_lock, flags);
	return v;
}

static void cf8_write(void *ctx, u16 seg, u8 bus, u8 devfn, u16 off, unsigned size, u32 v)
{
	u16 port = (u16)(CF8_DATA + (off & 3));
	u64 flags;

	(void)ctx;
	if (seg || !access_ok(off, size, 256))
		return;
	flags = spin_lock_irqsave(&cf8_lock);
	outl(CF8_ADDR, CF8_ENABLE | (u32)bus << 16 | (u32)devfn << 8 | (off & 0xfc));
	if (size == 1)
		outb(port, (u8)v);
	else if (size == 2)
		outw(port, (u16)v);
	else
		outl(port, v);
	spin_unlock_irqrestore(&cf8_lock, flags);
}

static const struct hpci_cfg_access ecam_access = { ecam_read, ecam_write, NULL };
static const struct hpci_cfg_access cf8_access = { cf8_read, cf8_write, NULL };

static const struct hpci_cfg_access *access(void) { return necam ? &ecam_access : &cf8_access; }

/* Where identity-mapped MMIO may go: below the CPU's physical address
 * width (CPUID 0x80000008 EAX[7:0]) and the canonical lower half. */
static u64 mappable_limit(void)
{
	u64 lim = CANONICAL_LOW;

	if (cpuid(0x80000000, 0).eax >= 0x80000008) {
		unsigned bits = cpuid(0x80000008, 0).eax & 0xff;

		if (bits >= 32 && bits < 47)
			lim = 1ULL << bits;
	}
	return lim;
}

/* Take an MCFG entry: checked, then its buses' part mapped uncached at the
 * same address (the low 4 GiB is identity-mapped already, but maybe
 * write-back where RAM shares a 2 MiB page; above 4 GiB nothing is). */
static void ecam_take(const struct acpi_mcfg_entry *e)
{
	u64 start = e->base + ((u64)e->start_bus << ECAM_BUS_SHIFT);
	u64 size = (u64)(e->end_bus - e->start_bus + 1) << ECAM_BUS_SHIFT;

	if (e->end_bus < e->start_bus || !IS_ALIGNED(e->base, MiB)) {
		pr_warn("pci: MCFG segment %u buses %02x-%02x base 0x%llx is malformed: ignored",
			e->segment, e->start_bus, e->end_bus, (unsigned long long)e->base);
		return;
	}
	if (start + size > mappable_limit() || start + size < start) {
		pr_warn("pci: MCFG segment %u ECAM 0x%llx-0x%llx is beyond the mappable 0x%llx: "
			"segment ignored", e->segment, (unsigned long long)start,
			(unsigned long long)(start + size - 1), (unsigned long long)mappable_limit());
		return;
	}
	for (unsigned i = 0; i < necam; i++)
		if (ecam[i].seg == e->segment && e->start_bus <= ecam[i].last &&
		    ecam[i].first <= e->end_bus) {
			pr_warn("pci: MCFG segment %u buses %02x-%02x overlap an earlier entry: ignored",
				e->segment, e->start_bus, e->end_bus);
			return;
		}
	paging_map_mmio(start, size);
	ecam[necam++] = (struct ecam_window){ e->base, e->segment, e->start_bus, e->end_bus };
}

/* Mechanism #1 answers when the enable bit written to 0xCF8 reads back. */
static bool cf8_probe(void)
{
	u32 old = inl(CF8_ADDR), v;

	outl(CF8_ADDR, CF8_ENABLE);
	v = inl(CF8_ADDR);
	outl(CF8_ADDR, old);
	return v == CF8_ENABLE;
}

/* A PCI serial card behind the hypervisor's own console is the
 * hypervisor's: no guest may be given it. */
static void claim_console(void)
{
	u16 port = console_port();
	struct hpci_dev *d = port ? hpci_table_find_io(&table, port) : NULL;

	if (!d)
		return;
	d->owner = HPCI_OWNER_HV;
	d->owner_name = "hv";
	pr_info("pci: %04x:%02x:%02x.%x decodes the console's port 0x%x: the hypervisor keeps it",
		d->seg, d->bus, d->dev, d->fn, port);
}

void hpci_init(const struct acpi_info *ai)
{
	unsigned roots = 0;
	u64 t0 = tsc_us();

	for (u32 i = 0; ai->mcfg.present && i < ai->mcfg.count && i < ACPI_MAX_MCFG; i++)
		ecam_take(&ai->mcfg.entries[i]);
	if (!necam)
		cf8 = cf8_probe();
	for (unsigned i = 0; i < necam; i++)
		roots += hpci_enumerate_segment(&table, &ecam_access, ecam[i].seg, ecam[i].first,
						ecam[i].last);
	if (cf8)
		roots += hpci_enumerate_segment(&table, &cf8_access, 0, 0, 0xff);
	if (!necam && !cf8) {
		pr_warn("pci: no MCFG and no configuration mechanism #1: no PCI devices");
		return;
	}
	claim_console();
	pr_info("pci: %u functions on %u root bus%s through %s in %llu ms%s", table.n, roots,
		roots == 1 ? "" : "es", necam ? "ECAM" : "CF8/CFC",
		(unsigned long long)(tsc_us() - t0) / 1000,
		table.truncated ? " (table full: the rest ignored)" : "");
}

unsigned hpci_count(void) { return table.n; }

struct hpci_dev *hpci_at(unsigned i) { return i < table.n ? &table.d[i] : NULL; }

struct hpci_dev *hpci_find(u16 seg, u8 bus, u8 dev, u8 fn)
{
	return hpci_table_find(&table, seg, bus, dev, fn);
}

u32 hpci_read(const struct hpci_dev *d, u16 off, unsigned size)
{
	const struct hpci_cfg_access *a = access();

	return a->read(a->ctx, d->seg, d->bus, (u8)(d->dev << 3 | d->fn), off, size);
}

void hpci_write(const struct hpci_dev *d, u16 off, unsigned size, u32 val)
{
	const struct hpci_cfg_access *a = access();

	a->write(a->ctx, d->seg, d->bus, (u8)(d->dev << 3 | d->fn), off, size, val);
}

/* ---- reset ---- */

/* What a reset clears and the function needs back: the header from the
 * BARs to the expansion ROM (bridges: bus numbers and windows too), the
 * cache line size, latency timer, interrupt line, bridge control, and
 * the PCIe device controls. */
struct saved_cfg {
	u32 hdr[11]; /* dwords 0x10..0x38 */
	u16 cmd, bridge_ctl, devctl, devctl2;
	u8 cache_line, latency, int_line;
	bool devctl2_valid; /* PCIe capability version 2 or later */
};

static bool pcie_v2(const struct hpci_dev *d)
{
	return d->cap_pcie && (hpci_read(d, d->cap_pcie + HPCI_PCIE_FLAGS, 2) & 0xf) >= 2;
}

static void cfg_save(const struct hpci_dev *d, struct saved_cfg *s)
{
	for (unsigned i = 0; i < ARRAY_SIZE(s->hdr); i++)
		s->hdr[i] = hpci_read(d, (u16)(HPCI_BAR0 + 4 * i), 4);
	s->cmd = (u16)hpci_read(d, HPCI_COMMAND, 2);
	s->cache_line = (u8)hpci_read(d, 0x0c, 1);
	s->latency = (u8)hpci_read(d, 0x0d, 1);
	s->int_line = (u8)hpci_read(d, HPCI_INTERRUPT_LINE, 1);
	if (d->bridge)
		s->bridge_ctl = (u16)hpci_read(d, HPCI_BRIDGE_CONTROL, 2);
	if (d->cap_pcie)
		s->devctl = (u16)hpci_read(d, d->cap_pcie + HPCI_PCIE_DEVCTL, 2);
	s->devctl2_valid = pcie_v2(d);
	if (s->devctl2_valid)
		s->devctl2 = (u16)hpci_read(d, d->cap_pcie + HPCI_PCIE_DEVCTL2, 2);
}

/* Put the saved state back with decode off, then the command register
 * as it was but with bus mastering off: the next owner turns it on. */
static void cfg_restore(const struct hpci_dev *d, const struct saved_cfg *s)
{
	hpci_write(d, HPCI_COMMAND, 2, s->cmd & ~(HPCI_COMMAND_IO | HPCI_COMMAND_MEM |
						   HPCI_COMMAND_MASTER));
	for (unsigned i = 0; i < ARRAY_SIZE(s->hdr); i++)
		hpci_write(d, (u16)(HPCI_BAR0 + 4 * i), 4, s->hdr[i]);
	hpci_write(d, 0x0c, 1, s->cache_line);
	hpci_write(d, 0x0d, 1, s->latency);
	hpci_write(d, HPCI_INTERRUPT_LINE, 1, s->int_line);
	if (d->bridge)
		hpci_write(d, HPCI_BRIDGE_CONTROL, 2, s->bridge_ctl & ~HPCI_BRIDGE_CTL_BUS_RESET);
	if (d->cap_pcie)
		hpci_write(d, d->cap_pcie + HPCI_PCIE_DEVCTL, 2,
			   s->devctl & ~HPCI_PCIE_DEVCTL_BCR_FLR);
	if (s->devctl2_valid)
		hpci_write(d, d->cap_pcie + HPCI_PCIE_DEVCTL2, 2, s->devctl2);
	hpci_write(d, HPCI_COMMAND, 2, s->cmd & ~HPCI_COMMAND_MASTER);
}

/* After the reset's 100 ms (PCIe 4.0 §6.6.1), a function may still answer
 * with Configuration Request Retry Status (read as vendor 0x0001 when CRS
 * visibility is on) or not at all for a while: poll up to a second. */
static bool answers_again(const struct hpci_dev *d)
{
	for (unsigned ms = 0; ms <= RESET_ANSWER_MS; ms += 10) {
		u16 v = (u16)hpci_read(d, HPCI_VENDOR_ID, 2);

		if (v == d->vendor)
			return true;
		mdelay(10);
	}
	return false;
}

/* Function Level Reset (PCIe 4.0 §6.6.2): wait for outstanding
 * transactions to drain (Transactions Pending, up to 100 ms: past the
 * default Completion Timeout range), initiate, wait 100 ms. */
static void reset_flr(const struct hpci_dev *d)
{
	u16 p = d->cap_pcie;

	for (unsigned ms = 0; ms < 100; ms += 10) {
		if (!(hpci_read(d, p + HPCI_PCIE_DEVSTA, 2) & HPCI_PCIE_DEVSTA_TRPND))
			break;
		mdelay(10);
	}
	hpci_write(d, p + HPCI_PCIE_DEVCTL, 2,
		   hpci_read(d, p + HPCI_PCIE_DEVCTL, 2) | HPCI_PCIE_DEVCTL_BCR_FLR);
	mdelay(100);
}

/* Why a secondary bus reset of @d's bridge would hit more than @d, or
 * NULL when it would not. */
static const char *sbr_refusal(const struct hpci_dev *d, char *buf, size_t n)
{
	if (d->parent == HPCI_NO_PARENT)
		return "on a root bus";
	if (d->bridge)
		return "a bridge itself";
	for (unsigned i = 0; i < table.n; i++) {
		const struct hpci_dev *o = &table.d[i];

		if (o != d && o->seg == d->seg && o->bus == d->bus) {
			snprintf(buf, n, "shares bus %02x with %02x:%02x.%x", d->bus, o->bus, o->dev,
				 o->fn);
			return buf;
		}
	}
	return NULL;
}

/* Secondary Bus Reset through the bridge above (PCI-to-PCI Bridge 1.2
 * §3.2.5.17; PCIe 4.0 §7.5.1.3.13): held at least 1 ms (PCI 3.0 Trst),
 * then 100 ms before the first configuration request (PCIe 4.0 §6.6.1). */
static void reset_sbr(const struct hpci_dev *d)
{
	const struct hpci_dev *br = &table.d[d->parent];
	u16 ctl = (u16)hpci_read(br, HPCI_BRIDGE_CONTROL, 2);

	hpci_write(br, HPCI_BRIDGE_CONTROL, 2, ctl | HPCI_BRIDGE_CTL_BUS_RESET);
	mdelay(2);
	hpci_write(br, HPCI_BRIDGE_CONTROL, 2, ctl & ~HPCI_BRIDGE_CTL_BUS_RESET);
	mdelay(100);
}

static const char *pm_refusal(const struct hpci_dev *d)
{
	if (!d->cap_pm)
		return "no PM capability";
	if (hpci_read(d, d->cap_pm + HPCI_PM_CSR, 2) & HPCI_PM_CSR_NO_SOFT_RESET)
		return "No_Soft_Reset set";
	return NULL;
}

/* D3hot -> D0 with No_Soft_Reset clear resets the function (PCI PM 1.2
 * §5.4); each transition out of or into D3hot needs 10 ms (§5.6.1). */
static void reset_pm(const struct hpci_dev *d)
{
	u16 csr = (u16)hpci_read(d, d->cap_pm + HPCI_PM_CSR, 2) & ~HPCI_PM_CSR_STATE;

	hpci_write(d, d->cap_pm + HPCI_PM_CSR, 2, csr | 3);
	mdelay(10);
	hpci_write(d, d->cap_pm + HPCI_PM_CSR, 2, csr);
	mdelay(10);
}

bool hpci_reset(struct hpci_dev *d, char *why, size_t n)
{
	struct saved_cfg s = { 0 };
	char buf[48];
	const char *sbr_no = sbr_refusal(d, buf, sizeof(buf)), *pm_no = pm_refusal(d);
	const char *how;

	cfg_save(d, &s);
	hpci_write(d, HPCI_COMMAND, 2, s.cmd & ~HPCI_COMMAND_MASTER);
	if (d->flr) {
		reset_flr(d);
		how = "FLR";
	} else if (!sbr_no) {
		reset_sbr(d);
		how = "secondary bus reset";
	} else if (!pm_no) {
		reset_pm(d);
		how = "D3hot->D0";
	} else {
		snprintf(why, n, "no FLR (%s), no secondary bus reset (%s), no D3hot reset (%s)",
			 d->cap_pcie ? "its PCIe capability has none" : "not PCIe", sbr_no, pm_no);
		return false;
	}
	if (!answers_again(d)) {
		snprintf(why, n, "no answer %u ms after its %s", 100 + RESET_ANSWER_MS, how);
		return false;
	}
	cfg_restore(d, &s);
	snprintf(why, n, "%s", how);
	return true;
}

/* One pci_reset= function: reset, timed, and its header compared. */
static void reset_test(const char *name, size_t len)
{
	u16 seg;
	u8 bus, dev, fn;
	struct hpci_dev *d;
	u32 before[7], after[7];
	char why[160];
	u64 t0;
	bool ok, same = true;

	if (!hpci_parse_bdf(name, len, &seg, &bus, &dev, &fn) ||
	    !(d = hpci_find(seg, bus, dev, fn))) {
		pr_err("pci_reset=%.*s: no such function", (int)len, name);
		return;
	}
	for (unsigned i = 0; i < 7; i++) /* the BARs and the expansion ROM */
		before[i] = hpci_read(d, (u16)(i < 6 ? HPCI_BAR0 + 4 * i : 0x30), 4);
	t0 = tsc_us();
	ok = hpci_reset(d, why, sizeof(why));
	t0 = tsc_us() - t0;
	for (unsigned i = 0; i < 7; i++) {
		after[i] = hpci_read(d, (u16)(i < 6 ? HPCI_BAR0 + 4 * i : 0x30), 4);
		same &= after[i] == before[i];
	}
	if (!ok) {
		pr_info("pci: %04x:%02x:%02x.%x reset refused: %s", seg, bus, dev, fn, why);
		return;
	}
	pr_info("pci: %04x:%02x:%02x.%x reset by %s in %llu ms, BARs %s, bus master %s", seg, bus,
		dev, fn, why, (unsigned long long)t0 / 1000, same ? "restored" : "differ",
		hpci_read(d, HPCI_COMMAND, 2) & HPCI_COMMAND_MASTER ? "on" : "off");
}

void hpci_reset_test(const char *cmdline)
{
	char list[128];
	const char *p = list;

	if (!cmdline_get(cmdline, "pci_reset", list, sizeof(list)))
		return;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		reset_test(p, len);
		p += len + (end ? 1 : 0);
	}
}

/* ---- report ---- */

void hpci_report(void)
{
	char line[400];

	pr_info("platform pci functions=%u access=%s%s", table.n,
		necam ? "ecam" : cf8 ? "cf8" : "none", table.truncated ? " truncated" : "");
	for (unsigned i = 0; i < table.n; i++) {
		hpci_describe(&table.d[i], line, sizeof(line));
		pr_info("platform pci %s", line);
	}
}
