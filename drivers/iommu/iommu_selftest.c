// SPDX-License-Identifier: MIT
/*
 * The IOMMU boot self-test (selftest=iommu, iommu.h), for either driver:
 * QEMU's edu device (1234:11e8, a DMA engine; BAR0 registers 0x80 source,
 * 0x88 destination, 0x90 count, 0x98 command: bit 0 run, bit 1 from its
 * buffer at 0x40000 to RAM; RAM addresses masked to 28 bits) is made to
 * DMA while nobody owns it (refused), attached to a domain mapping two
 * host pages (its DMA lands there, nowhere else; an unmapped IOVA is
 * refused) and detached again (refused, so no stale translation is left).
 *
 * Every IOVA used is the physical address of a page of this test filled
 * with a canary, so an IOMMU that let a request through untranslated
 * would hit that page (seen, and harmless) and nothing else.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/paging.h"
#include "arch/x86/tsc.h"
#include "drivers/iommu/iommu.h"
#include "drivers/pci/pci.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define R_DMA_SRC 0x80
#define R_DMA_DST 0x88
#define R_DMA_CNT 0x90
#define R_DMA_CMD 0x98
#define CMD_RUN (1u << 0)
#define CMD_TO_RAM (1u << 1)
#define EDU_BUF 0x40000
#define LEN 64
#define DMA_LIMIT (1ull << 28)
#define DMA_TIMEOUT_MS 2000

/* The test's pages: A receives, S is read; B, T and C are only ever used
 * as IOVAs (B maps to A, T to S, C to nothing) and keep their canaries. */
enum { PA, PB, PS, PT, PC, NPAGES };
static const u8 fill[NPAGES] = { 0x11, 0xb0, 0, 0x7c, 0xc0 };

struct edu_test {
	struct hpci_dev *h;
	u64 bar;
	u64 page[NPAGES];
	unsigned failed;
};

static u8 *pg(const struct edu_test *t, unsigned i) { return phys_to_virt(t->page[i]); }

static bool edu_dma(const struct edu_test *t, u64 src, u64 dst, bool to_ram)
{
	u64 end = rdtsc() + DMA_TIMEOUT_MS * tsc_khz();

	mmio_write32(t->bar + R_DMA_SRC, (u32)src);
	mmio_write32(t->bar + R_DMA_DST, (u32)dst);
	mmio_write32(t->bar + R_DMA_CNT, LEN);
	mmio_write32(t->bar + R_DMA_CMD, CMD_RUN | (to_ram ? CMD_TO_RAM : 0));
	while (mmio_read32(t->bar + R_DMA_CMD) & CMD_RUN)
		if (rdtsc() > end)
			return false;
	return true;
}

/* Whether the first LEN bytes of page @i still hold its canary. */
static bool intact(const struct edu_test *t, unsigned i)
{
	for (unsigned k = 0; k < LEN; k++)
		if (pg(t, i)[k] != fill[i])
			return false;
	return true;
}

static bool holds_pattern(const struct edu_test *t, unsigned i)
{
	for (unsigned k = 0; k < LEN; k++)
		if (pg(t, i)[k] != (u8)(k * 7 + 3))
			return false;
	return true;
}

static void check(struct edu_test *t, bool ok, const char *what)
{
	if (!ok)
		t->failed++;
	printk(ok ? LOG_INFO : LOG_ERR, "selftest iommu: %s %s", ok ? "ok" : "FAIL", what);
}

static struct hpci_dev *find_edu(void)
{
	for (unsigned i = 0; i < hpci_count(); i++) {
		struct hpci_dev *d = hpci_at(i);

		if (d->vendor == EDU_VENDOR && d->device == EDU_DEVICE && d->owner == HPCI_OWNER_NONE &&
		    d->bar[0].kind == HPCI_BAR_MEM32 && d->bar[0].size)
			return d;
	}
	return NULL;
}

static bool take_pages(struct edu_test *t)
{
	for (unsigned i = 0; i < NPAGES; i++) {
		t->page[i] = pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, DMA_LIMIT);
		if (!t->page[i])
			return false;
		memset(pg(t, i), fill[i], PAGE_SIZE);
	}
	for (unsigned k = 0; k < LEN; k++)
		pg(t, PS)[k] = (u8)(k * 7 + 3);
	return true;
}

/* Nobody owns it: a read of S and a write to C are refused. */
static void blocked(struct edu_test *t)
{
	char what[96];

	edu_dma(t, t->page[PS], EDU_BUF, false);
	snprintf(what, sizeof(what), "blocked: a DMA write to 0x%llx did not land",
		 (unsigned long long)t->page[PC]);
	check(t, edu_dma(t, EDU_BUF, t->page[PC], true) && intact(t, PC), what);
}

/* In a domain mapping IOVA B -> A (read, write) and T -> S (read). */
static void attached(struct edu_test *t, struct iommu_domain *d)
{
	const struct iommu_ops *io = iommu();
	char what[128];

	if (!io->map(d, t->page[PB], t->page[PA], PAGE_SIZE, IOMMU_READ | IOMMU_WRITE) ||
	    !io->map(d, t->page[PT], t->page[PS], PAGE_SIZE, IOMMU_READ) ||
	    !io->attach(d, t->h->seg, hpci_dev_rid(t->h))) {
		check(t, false, "attached: the domain could not be built or attached");
		return;
	}
	/* What the blocked read left in the device arrives in A: not S's bytes. */
	check(t, edu_dma(t, EDU_BUF, t->page[PB], true) && !intact(t, PA) && !holds_pattern(t, PA) &&
		 intact(t, PB), "blocked: the refused DMA read had brought nothing from RAM");
	snprintf(what, sizeof(what), "attached: %u bytes read at iova 0x%llx and written at iova "
		 "0x%llx landed in the mapped page 0x%llx", LEN, (unsigned long long)t->page[PT],
		 (unsigned long long)t->page[PB], (unsigned long long)t->page[PA]);
	check(t, edu_dma(t, t->page[PT], EDU_BUF, false) && edu_dma(t, EDU_BUF, t->page[PB], true) &&
		 holds_pattern(t, PA) && intact(t, PB) && intact(t, PT), what);
	snprintf(what, sizeof(what), "attached: a DMA write to unmapped iova 0x%llx did not land",
		 (unsigned long long)t->page[PC]);
	check(t, edu_dma(t, EDU_BUF, t->page[PC], true) && intact(t, PC), what);
}

/* Detached again: the translation B -> A is gone from the unit too. */
static void detached(struct edu_test *t)
{
	char what[96];

	iommu()->detach(t->h->seg, hpci_dev_rid(t->h));
	memset(pg(t, PA), fill[PA], PAGE_SIZE);
	snprintf(what, sizeof(what), "detached: a DMA write to iova 0x%llx did not land",
		 (unsigned long long)t->page[PB]);
	check(t, edu_dma(t, EDU_BUF, t->page[PB], true) && intact(t, PA) && intact(t, PB), what);
}

static void run(struct edu_test *t)
{
	const struct iommu_ops *io = iommu();
	u16 cmd = (u16)hpci_read(t->h, HPCI_COMMAND, 2);
	unsigned faults = iommu_fault_count();
	struct iommu_domain *d;
	u64 rflags;

	paging_map_mmio(t->h->bar[0].base, t->h->bar[0].size);
	t->bar = t->h->bar[0].base;
	hpci_write(t->h, HPCI_COMMAND, 2, cmd | HPCI_COMMAND_MEM | HPCI_COMMAND_MASTER);
	blocked(t);
	d = io->domain_new(0);
	if (d) {
		attached(t, d);
		detached(t);
		io->domain_free(d);
	} else {
		check(t, false, "a domain could be made");
	}
	hpci_write(t->h, HPCI_COMMAND, 2, cmd);
	/* Let the fault interrupts of the refusals in (boot runs with them
	 * off). */
	rflags = read_rflags();
	irq_enable();
	mdelay(10);
	if (!(rflags & RFLAGS_IF))
		irq_disable();
	pr_info("selftest iommu: fault events during the test: %u",
		iommu_fault_count() - faults);
}

void iommu_selftest(void)
{
	struct edu_test t = { .h = find_edu() };

	if (!iommu()) {
		pr_err("selftest iommu: FAIL: no IOMMU is running");
		return;
	}
	if (!t.h) {
		pr_err("selftest iommu: FAIL: no unowned edu device (%04x:%04x) with a memory BAR",
		       EDU_VENDOR, EDU_DEVICE);
		return;
	}
	pr_info("selftest iommu: edu %04x:%02x:%02x.%x, iommu %s unit %d", t.h->seg, t.h->bus,
		t.h->dev, t.h->fn, iommu()->name, t.h->iommu_unit);
	if (t.h->iommu_unit < 0 || !take_pages(&t))
		check(&t, false, "the device is covered by a unit and pages below 256 MiB exist");
	else
		run(&t);
	for (unsigned i = 0; i < NPAGES; i++)
		if (t.page[i])
			pmm_free(t.page[i], PAGE_SIZE);
	if (t.failed)
		pr_err("selftest iommu: FAIL (%u checks failed)", t.failed);
	else
		pr_info("selftest iommu: PASS");
}
