// SPDX-License-Identifier: MIT
/*
 * AMD-Vi (AMD I/O Virtualization Technology (IOMMU) Specification
 * #48882): the amdvi_ops of iommu.h.
 *
 * Each IOMMU of the IVRS (amdvi_ivrs.c) gets a device table sized by the
 * highest device ID it covers, every entry valid with Mode 0 and neither
 * IR nor IW, so every device's DMA is refused (§2.2) until it is
 * attached to a domain: then its entry points at the domain's 4-level
 * page tables (amdvi_pt.c) under the domain's ID. Changes reach the unit
 * through its command buffer (§2.4: INVALIDATE_DEVTAB_ENTRY,
 * INVALIDATE_IOMMU_PAGES, INVALIDATE_INTERRUPT_TABLE), each batch closed
 * by a COMPLETION_WAIT whose store is polled with a timeout. Events
 * (§2.5: IO_PAGE_FAULT, ILLEGAL_DEV_TABLE_ENTRY, ...) land in the event
 * log, signalled by the unit's MSI (its own PCI function's MSI capability,
 * §3.1) on VEC_IOMMU_FAULT at the BSP; each is logged once through
 * iommu_fault_log(). Interrupt remapping (§2.2), where the platform
 * routes its interrupts through the IOMMU (an IOAPIC in the IVRS), gives a
 * device a 256-entry table when it is first given an interrupt: 128-bit
 * entries when the unit has GASup (with GAEn set), else 32-bit ones. Every
 * other device's fixed and arbitrated interrupts are aborted; IOAPIC and
 * HPET sources pass unmapped.
 *
 * Locking: amdvi_lock guards the units' tables, command buffers and event
 * logs, and the domain IDs; the event interrupt takes it too (interrupts
 * are off while it is held).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "drivers/acpi.h"
#include "drivers/iommu/amdvi_hw.h"
#include "drivers/iommu/amdvi_ivrs.h"
#include "drivers/iommu/amdvi_pt.h"
#include "drivers/iommu/iommu.h"
#include "drivers/pci/pci.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

/* MMIO registers, §3.4. */
#define R_DEVTAB 0x0000
#define R_CMDBUF 0x0008
#define R_EVTLOG 0x0010
#define R_CONTROL 0x0018
#define R_EXCL_BASE 0x0020
#define R_EFR 0x0030
#define R_CMD_HEAD 0x2000
#define R_CMD_TAIL 0x2008
#define R_EVT_HEAD 0x2010
#define R_EVT_TAIL 0x2018
#define R_STATUS 0x2020
#define MMIO_SIZE 0x4000
#define RING_PTR 0x7fff0u /* head / tail: byte offset bits 18:4 */

#define CTL_IOMMU_EN (1ull << 0)
#define CTL_HT_TUN_EN (1ull << 1)
#define CTL_EVTLOG_EN (1ull << 2)
#define CTL_EVTINT_EN (1ull << 3)
#define CTL_PASS_PW (1ull << 8)
#define CTL_RES_PASS_PW (1ull << 9)
#define CTL_COHERENT (1ull << 10)
#define CTL_ISOC (1ull << 11)
#define CTL_CMDBUF_EN (1ull << 12)
#define CTL_GA_EN (1ull << 17)

#define ST_EVT_OVERFLOW (1u << 0)
#define ST_EVT_INT (1u << 1)
#define ST_COMWAIT_INT (1u << 2)
#define ST_EVT_RUN (1u << 3)
#define ST_W1C (ST_EVT_OVERFLOW | ST_EVT_INT | ST_COMWAIT_INT)

#define EFR_IASUP (1ull << 6)
#define EFR_GASUP (1ull << 7)

/* The IOMMU capability block in its function's config space (§3.1). */
#define CAP_ID_IOMMU 0x0f
#define CAP_NPCACHE (1u << 26)
#define CAP_EFRSUP (1u << 27)

#define IVINFO_EFRSUP (1u << 0)

#define RING_LEN_LOG2 8 /* command buffer and event log: 256 entries, 4 KiB */
#define RING_ENTRIES (1u << RING_LEN_LOG2)
#define RING_BYTES (RING_ENTRIES * 16)
#define LEVELS AMDVI_PT_LEVELS /* 48-bit IOVAs */
#define NDOMAINS 256    /* domain IDs 1..255 handed out; 0 marks blocked entries */
#define TIMEOUT_MS 100

struct amdvi_unit {
	const struct amdvi_unit_desc *d;
	u64 base;
	u64 efr;
	u32 cap;         /* capability header, 0 if its function was not found */
	u64 ctl;         /* what the control register was given */
	bool ga;         /* 128-bit interrupt remapping entries */
	bool msi;        /* the event interrupt is programmed */
	u64 dt;          /* device table (phys) */
	u32 dt_n;        /* its entries */
	u64 cmd;         /* command buffer (phys) */
	unsigned cmd_tail, cmd_pending;
	u64 evt;         /* event log (phys) */
	unsigned evt_head;
	volatile u64 *wait; /* the COMPLETION_WAIT store */
	u64 wait_seq;
};

struct iommu_domain {
	u16 did;
	u32 owner;
	struct pt pt;
};

static spinlock_t amdvi_lock;
static struct amdvi_ivrs ivrs;
static struct amdvi_unit units[AMDVI_MAX_UNITS];
static unsigned nunits;
static bool intremap;        /* the platform's interrupts go through the units */
static u8 did_used[NDOMAINS / 8]; /* [amdvi_lock] */

static u64 rd64(const struct amdvi_unit *u, unsigned r) { return *(volatile u64 *)(u->base + r); }
static void wr64(const struct amdvi_unit *u, unsigned r, u64 v) { *(volatile u64 *)(u->base + r) = v; }

static u64 *dte_of(const struct amdvi_unit *u, u16 devid) { return (u64 *)phys_to_virt(u->dt) + devid * 4; }

static u64 alloc_page(void *ctx)
{
	u64 p = pmm_alloc(PAGE_SIZE, PAGE_SIZE);

	(void)ctx;
	if (p)
		memset(phys_to_virt(p), 0, PAGE_SIZE);
	return p;
}

static void free_page(u64 p) { pmm_free(p, PAGE_SIZE); }

static u64 deadline(void) { return rdtsc() + TIMEOUT_MS * tsc_khz(); }

/* ---- command buffer, §2.4 ---- */

static void drain_events(struct amdvi_unit *u);

static void cmd_put(struct amdvi_unit *u, const u64 c[2])
{
	u64 *slot = (u64 *)phys_to_virt(u->cmd) + u->cmd_tail / 8;

	slot[0] = c[0];
	slot[1] = c[1];
	u->cmd_tail = (u->cmd_tail + 16) % RING_BYTES;
}

/* Hand the queued commands to the unit and wait until it has done them
 * all: a COMPLETION_WAIT storing a new sequence number (§2.4). Then
 * read what the event log gained meanwhile (a unit whose interrupt could
 * not be programmed is read at least then). Under amdvi_lock. */
static bool cmd_sync(struct amdvi_unit *u)
{
	u64 c[2], seq = ++u->wait_seq, end;

	amdvi_cmd_completion_wait(c, virt_to_phys_direct((const void *)u->wait), seq);
	cmd_put(u, c); /* cmd_queue() kept a slot for it */
	u->cmd_pending = 0;
	asm volatile("sfence" ::: "memory");
	wr64(u, R_CMD_TAIL, u->cmd_tail);
	end = deadline();
	while (*u->wait != seq) {
		if (rdtsc() > end) {
			pr_err("iommu amdvi unit at 0x%llx: commands not completed (head 0x%llx tail "
			       "0x%x status 0x%llx)", (unsigned long long)u->base,
			       (unsigned long long)rd64(u, R_CMD_HEAD), u->cmd_tail,
			       (unsigned long long)rd64(u, R_STATUS));
			return false;
		}
		cpu_relax();
	}
	drain_events(u);
	return true;
}

/* Queue one command; the unit sees it at the next cmd_sync(). The ring
 * holds RING_ENTRIES - 1: one slot stays for the completion wait. */
static bool cmd_queue(struct amdvi_unit *u, const u64 c[2])
{
	if (u->cmd_pending == RING_ENTRIES - 2 && !cmd_sync(u))
		return false;
	cmd_put(u, c);
	u->cmd_pending++;
	return true;
}

static bool inval_dte(struct amdvi_unit *u, u16 devid)
{
	u64 c[2];

	amdvi_cmd_inval_dte(c, devid);
	return cmd_queue(u, c);
}

static bool inval_domain(struct amdvi_unit *u, u16 did)
{
	u64 c[2];

	amdvi_cmd_inval_domain(c, did);
	return cmd_queue(u, c);
}

static bool inval_irt(struct amdvi_unit *u, u16 devid)
{
	u64 c[2];

	amdvi_cmd_inval_irt(c, devid);
	return cmd_queue(u, c);
}

/* Forget everything the unit may have cached: INVALIDATE_IOMMU_ALL where
 * it has it, else each device table entry, interrupt table and domain
 * this driver can use. */
static bool inval_everything(struct amdvi_unit *u)
{
	u64 c[2];
	bool ok = true;

	if (u->efr & EFR_IASUP) {
		amdvi_cmd_inval_all(c);
		return cmd_queue(u, c) && cmd_sync(u);
	}
	for (u32 id = 0; id < u->dt_n && ok; id++)
		ok = inval_dte(u, (u16)id) && inval_irt(u, (u16)id);
	for (u32 did = 0; did < NDOMAINS && ok; did++)
		ok = inval_domain(u, (u16)did);
	return ok && cmd_sync(u);
}

/* ---- events, §2.5 ---- */

static void log_event(struct amdvi_unit *u, const u32 e[4])
{
	struct amdvi_event ev;

	amdvi_event_decode(e, &ev);
	if (ev.device)
		iommu_fault_log(u->d->seg, ev.devid, ev.addr, ev.write, ev.code, ev.text);
	else
		pr_err("iommu amdvi unit at 0x%llx: event 0x%x (%s) at 0x%llx",
		       (unsigned long long)u->base, ev.code, ev.text, (unsigned long long)ev.addr);
}

/* After an overflow the log stops; restart it empty (the event log restart steps of
 * §3.4). */
static void evt_restart(struct amdvi_unit *u)
{
	u64 end = deadline();

	wr64(u, R_CONTROL, u->ctl & ~CTL_EVTLOG_EN);
	while ((rd64(u, R_STATUS) & ST_EVT_RUN) && rdtsc() < end)
		cpu_relax();
	wr64(u, R_EVT_HEAD, 0);
	wr64(u, R_EVT_TAIL, 0);
	u->evt_head = 0;
	wr64(u, R_STATUS, ST_EVT_OVERFLOW);
	wr64(u, R_CONTROL, u->ctl);
}

/* Log and consume every event of @u. Under amdvi_lock. */
static void drain_events(struct amdvi_unit *u)
{
	u64 st = rd64(u, R_STATUS);
	u32 tail = (u32)rd64(u, R_EVT_TAIL) & RING_PTR;
	u32 *log = phys_to_virt(u->evt);

	for (unsigned n = 0; u->evt_head != tail % RING_BYTES && n < RING_ENTRIES; n++) {
		u32 *e = log + u->evt_head / 4;

		log_event(u, e);
		memset(e, 0, 16);
		u->evt_head = (u->evt_head + 16) % RING_BYTES;
	}
	wr64(u, R_EVT_HEAD, u->evt_head);
	wr64(u, R_STATUS, st & ST_W1C);
	if (st & ST_EVT_OVERFLOW) {
		pr_warn("iommu amdvi unit at 0x%llx: event log overflowed, some events not logged",
			(unsigned long long)u->base);
		evt_restart(u);
	}
}

static void amdvi_irq(struct trap_frame *f)
{
	u64 fl = spin_lock_irqsave(&amdvi_lock);

	(void)f;
	for (unsigned i = 0; i < nunits; i++)
		drain_events(&units[i]);
	spin_unlock_irqrestore(&amdvi_lock, fl);
	lapic_eoi();
}

/* The unit's MSI (in its own function's MSI capability, §3.1) to
 * VEC_IOMMU_FAULT at @apic, fixed and edge; one message (its MsiNum is then
 * 0). True if the capability took it. */
static bool program_msi(const struct hpci_dev *h, u32 apic)
{
	u16 c = h->cap_msi, ctl;
	u32 addr = 0xfee00000u | (apic & 0xff) << 12;
	bool is64;

	if (!c || apic > 0xff)
		return false;
	ctl = (u16)hpci_read(h, c + 2, 2);
	is64 = ctl & (1u << 7);
	hpci_write(h, c + 2, 2, ctl & ~(1u | 7u << 4)); /* off, one message */
	hpci_write(h, c + 4, 4, addr);
	if (is64)
		hpci_write(h, c + 8, 4, 0);
	hpci_write(h, c + (is64 ? 12 : 8), 2, VEC_IOMMU_FAULT);
	if (ctl & (1u << 8))
		hpci_write(h, c + (is64 ? 16 : 12), 4, 0); /* vector 0 unmasked */
	hpci_write(h, c + 2, 2, (ctl & ~(7u << 4)) | 1u);
	return hpci_read(h, c + 4, 4) == addr && (hpci_read(h, c + 2, 2) & 1);
}

/* ---- bring-up ---- */

static bool is_special(const struct amdvi_unit_desc *d, u32 devid)
{
	for (unsigned i = 0; i < d->nspecial; i++)
		if (d->special[i].devid == devid)
			return true;
	return false;
}

/* The device table: every entry blocked; IOAPIC / HPET sources and the
 * unit itself with their interrupts unmapped. */
static bool make_devtab(struct amdvi_unit *u)
{
	u32 n = (u32)amdvi_unit_max_devid(u->d) + 1;
	u64 bytes = ALIGN_UP((u64)n * 32, PAGE_SIZE), align = PAGE_SIZE;

	while (align < bytes)
		align <<= 1;
	u->dt = pmm_alloc(bytes, align);
	if (!u->dt)
		return false;
	u->dt_n = (u32)(bytes / 32);
	for (u32 id = 0; id < u->dt_n; id++)
		amdvi_dte_blocked(dte_of(u, (u16)id),
				  intremap && !is_special(u->d, id) && id != u->d->devid);
	return true;
}

/* Control bits the IVHD flags ask for (HyperTransport attributes, §3.4). */
static u64 ivhd_ctl(u8 flags)
{
	return (flags & 1 ? CTL_HT_TUN_EN : 0) | (flags & 2 ? CTL_PASS_PW : 0) |
	       (flags & 4 ? CTL_RES_PASS_PW : 0) | (flags & 8 ? CTL_ISOC : 0) |
	       (flags & AMDVI_IVHD_COHERENT ? CTL_COHERENT : 0);
}

static bool unit_probe(struct amdvi_unit *u, char *why, size_t n)
{
	const struct amdvi_unit_desc *d = u->d;
	struct hpci_dev *h = hpci_find(d->seg, (u8)(d->devid >> 8), d->devid >> 3 & 31, d->devid & 7);

	u->base = d->base;
	if (!u->base || (u->base & 0xfff)) {
		snprintf(why, n, "register base 0x%llx is not page aligned", (unsigned long long)u->base);
		return false;
	}
	paging_map_mmio(u->base, MMIO_SIZE);
	if (rd64(u, R_CONTROL) == ~0ull) {
		snprintf(why, n, "unit at 0x%llx does not answer", (unsigned long long)u->base);
		return false;
	}
	if (h) {
		/* The unit's own function: used by the hypervisor, never passed
		 * through. */
		h->owner = HPCI_OWNER_HV;
		h->owner_name = "hv";
		u->cap = hpci_read(h, d->cap_off, 4);
		if ((u->cap & 0xff) != CAP_ID_IOMMU)
			u->cap = 0;
	}
	u->efr = (u->cap & CAP_EFRSUP) || (ivrs.ivinfo & IVINFO_EFRSUP) ? rd64(u, R_EFR) : d->efr;
	u->ga = u->efr & EFR_GASUP;
	return true;
}

static bool unit_start(struct amdvi_unit *u, u32 bsp, char *why, size_t n)
{
	const struct amdvi_unit_desc *d = u->d;
	struct hpci_dev *h = hpci_find(d->seg, (u8)(d->devid >> 8), d->devid >> 3 & 31, d->devid & 7);
	u64 wait_page, fl;
	bool ok;

	wr64(u, R_CONTROL, 0); /* firmware may have left it running */
	if (!make_devtab(u) || !(u->cmd = alloc_page(NULL)) || !(u->evt = alloc_page(NULL)) ||
	    !(wait_page = alloc_page(NULL))) {
		snprintf(why, n, "out of memory");
		return false;
	}
	u->wait = phys_to_virt(wait_page);
	wr64(u, R_DEVTAB, u->dt | (u->dt_n * 32 / PAGE_SIZE - 1));
	wr64(u, R_CMDBUF, u->cmd | (u64)RING_LEN_LOG2 << 56);
	wr64(u, R_EVTLOG, u->evt | (u64)RING_LEN_LOG2 << 56);
	wr64(u, R_CMD_HEAD, 0);
	wr64(u, R_CMD_TAIL, 0);
	wr64(u, R_EVT_HEAD, 0);
	wr64(u, R_EVT_TAIL, 0);
	wr64(u, R_EXCL_BASE, 0); /* no exclusion range: IVMDs are mapped instead */
	wr64(u, R_STATUS, ST_W1C);
	u->msi = h && program_msi(h, bsp);
	if (!u->msi)
		pr_warn("iommu amdvi unit at 0x%llx: its MSI capability did not take the event "
			"interrupt; its events are read whenever it next completes commands",
			(unsigned long long)u->base);
	u->ctl = CTL_IOMMU_EN | CTL_CMDBUF_EN | CTL_EVTLOG_EN | CTL_EVTINT_EN | ivhd_ctl(d->flags) |
		 (intremap && u->ga ? CTL_GA_EN : 0);
	asm volatile("sfence" ::: "memory");
	fl = spin_lock_irqsave(&amdvi_lock);
	wr64(u, R_CONTROL, u->ctl);
	ok = inval_everything(u);
	spin_unlock_irqrestore(&amdvi_lock, fl);
	if (!ok) {
		snprintf(why, n, "unit at 0x%llx did not complete its first commands",
			 (unsigned long long)u->base);
		return false;
	}
	return true;
}

/* Whether the platform's interrupts go through the IOMMUs: an IOAPIC is
 * named in the IVRS (without one, interrupt remapping is not set up by
 * the firmware's design, and an emulated IOMMU may ignore the tables). */
static bool platform_intremap(void)
{
	for (unsigned i = 0; i < ivrs.nunits; i++)
		for (unsigned k = 0; k < ivrs.units[i].nspecial; k++)
			if (ivrs.units[i].special[k].variety == AMDVI_SPECIAL_IOAPIC)
				return true;
	return false;
}

static unsigned amdvi_init(const struct acpi_info *ai, char *why, size_t n)
{
	const struct acpi_table_ref *t = acpi_table_find(ai, "IVRS");
	u32 bsp = lapic_id();

	if (!t || !amdvi_ivrs_parse(phys_to_virt(t->phys), t->length, &ivrs)) {
		snprintf(why, n, "IVRS table unusable");
		return 0;
	}
	for (unsigned i = 0; i < ivrs.nwarn; i++)
		pr_warn("iommu amdvi: %s", ivrs.warn[i]);
	if (ivrs.warn_total > ivrs.nwarn)
		pr_warn("iommu amdvi: %u more IVRS warnings", ivrs.warn_total - ivrs.nwarn);
	if (!ivrs.nunits) {
		snprintf(why, n, "the IVRS describes no usable IOMMU");
		return 0;
	}
	intremap = platform_intremap();
	for (unsigned i = 0; i < ivrs.nunits; i++) {
		units[i].d = &ivrs.units[i];
		if (!unit_probe(&units[i], why, n))
			return 0;
	}
	trap_set_handler(VEC_IOMMU_FAULT, amdvi_irq);
	for (unsigned i = 0; i < ivrs.nunits; i++) {
		if (!unit_start(&units[i], bsp, why, n))
			return 0;
		nunits = i + 1;
	}
	return nunits;
}

/* ---- the ops ---- */

static void amdvi_describe(char *buf, size_t n)
{
	const struct amdvi_unit *u = &units[0];
	unsigned ga = 0, msi = 0;
	u32 devs = 0;

	for (unsigned i = 0; i < nunits; i++) {
		ga += units[i].ga;
		msi += units[i].msi;
		devs += units[i].dt_n;
	}
	snprintf(buf, n,
		 "units=%u efr=0x%llx intremap=%s irte=%s levels=%u large=2M,1G domains=%u "
		 "devtab=%u ivhd=0x%x ivmd=%u evint=%s npcache=%s",
		 nunits, (unsigned long long)u->efr, intremap ? "yes" : "no",
		 !intremap ? "none" : ga == nunits ? "128" : ga ? "mixed" : "32", LEVELS, NDOMAINS - 1,
		 devs, u->d->type, ivrs.nivmd, msi == nunits ? "yes" : msi ? "partly" : "no",
		 (u->cap & CAP_NPCACHE) ? "yes" : "no");
}

/* The running unit covering @rid and the ID its requests carry. */
static struct amdvi_unit *unit_for(u16 seg, u16 rid, u16 *req)
{
	int i = amdvi_ivrs_unit_of(&ivrs, seg, rid, req);

	if (i < 0 || (unsigned)i >= nunits || *req >= units[i].dt_n)
		return NULL;
	return &units[i];
}

static int amdvi_unit_of(u16 seg, u16 rid)
{
	u16 req;
	struct amdvi_unit *u = unit_for(seg, rid, &req);

	if (!u || rid == u->d->devid)
		return -1;
	return (int)(u - units);
}

static unsigned amdvi_reserved(u16 seg, u16 rid, struct iommu_region *out, unsigned max)
{
	unsigned k = 0;
	u16 req;

	if (!unit_for(seg, rid, &req))
		return 0;
	for (unsigned i = 0; i < ivrs.nivmd; i++) {
		const struct amdvi_ivmd_desc *m = &ivrs.ivmd[i];
		u64 base = ALIGN_DOWN(m->base, PAGE_SIZE), end = ALIGN_UP(m->base + m->size, PAGE_SIZE);

		if (!amdvi_ivmd_applies(m, rid) && !amdvi_ivmd_applies(m, req))
			continue;
		if (k < max)
			out[k] = (struct iommu_region){ base, end - base };
		k++;
	}
	return MIN(k, max);
}

static u16 did_take(void)
{
	u64 fl = spin_lock_irqsave(&amdvi_lock);
	u16 did = 0;

	for (u16 i = 1; i < NDOMAINS && !did; i++)
		if (!(did_used[i / 8] & (1u << (i % 8)))) {
			did_used[i / 8] |= (u8)(1u << (i % 8));
			did = i;
		}
	spin_unlock_irqrestore(&amdvi_lock, fl);
	return did;
}

static void did_give(u16 did)
{
	u64 fl = spin_lock_irqsave(&amdvi_lock);

	did_used[did / 8] &= (u8)~(1u << (did % 8));
	spin_unlock_irqrestore(&amdvi_lock, fl);
}

static struct iommu_domain *amdvi_domain_new(u32 owner)
{
	u64 page = alloc_page(NULL);
	u16 did = page ? did_take() : 0;
	struct iommu_domain *d;

	if (!did) {
		if (page)
			free_page(page);
		return NULL;
	}
	/* The domain record lives at the start of its own page. */
	d = phys_to_virt(page);
	d->did = did;
	d->owner = owner;
	if (!amdvi_pt_init(&d->pt, AMDVI_LARGE_2M | AMDVI_LARGE_1G, alloc_page, NULL)) {
		did_give(did);
		free_page(page);
		return NULL;
	}
	return d;
}

static bool amdvi_map(struct iommu_domain *d, u64 iova, u64 hpa, u64 size, unsigned prot)
{
	u64 fl = spin_lock_irqsave(&amdvi_lock);
	bool ok = pt_map_new(&d->pt, iova, hpa, size, prot & (IOMMU_READ | IOMMU_WRITE));

	/* A unit may cache not-present entries (NpCache, §3.1). */
	asm volatile("sfence" ::: "memory");
	for (unsigned i = 0; i < nunits; i++)
		if (!inval_domain(&units[i], d->did) || !cmd_sync(&units[i]))
			ok = false;
	spin_unlock_irqrestore(&amdvi_lock, fl);
	return ok;
}

static bool amdvi_attach(struct iommu_domain *d, u16 seg, u16 rid)
{
	u16 req, old;
	struct amdvi_unit *u = unit_for(seg, rid, &req);
	u64 fl, *e;
	bool ok;

	if (!u || rid == u->d->devid)
		return false;
	fl = spin_lock_irqsave(&amdvi_lock);
	e = dte_of(u, req);
	old = (u16)(e[1] & AMDVI_DTE_DOMAIN);
	/* Domain ID first, then the translation in one store: every state in
	 * between still refuses the device's DMA. */
	e[1] = (e[1] & ~AMDVI_DTE_DOMAIN) | d->did;
	asm volatile("" ::: "memory");
	e[0] = amdvi_dte_translate(d->pt.root, d->pt.levels);
	asm volatile("sfence" ::: "memory");
	ok = inval_dte(u, req) && (!old || inval_domain(u, old)) && inval_domain(u, d->did) &&
	     cmd_sync(u);
	spin_unlock_irqrestore(&amdvi_lock, fl);
	return ok;
}

static void amdvi_detach(u16 seg, u16 rid)
{
	u16 req, old;
	struct amdvi_unit *u = unit_for(seg, rid, &req);
	u64 fl, *e, blocked[4], irt = 0;

	if (!u || rid == u->d->devid)
		return;
	amdvi_dte_blocked(blocked, intremap);
	fl = spin_lock_irqsave(&amdvi_lock);
	e = dte_of(u, req);
	old = (u16)(e[1] & AMDVI_DTE_DOMAIN);
	if ((e[2] & AMDVI_DTE_INTCTL) == AMDVI_DTE_INTCTL_REMAP)
		irt = e[2] & AMDVI_DTE_IRT;
	e[0] = blocked[0];
	asm volatile("" ::: "memory");
	e[1] = blocked[1];
	e[2] = blocked[2];
	asm volatile("sfence" ::: "memory");
	if (!inval_dte(u, req) || !inval_irt(u, req) || (old && !inval_domain(u, old)) ||
	    !cmd_sync(u))
		pr_err("iommu amdvi: device %04x:%02x:%02x.%x blocked, but the unit did not confirm",
		       seg, rid >> 8, rid >> 3 & 31, rid & 7);
	else if (irt)
		free_page(irt);
	spin_unlock_irqrestore(&amdvi_lock, fl);
}

static void amdvi_domain_free(struct iommu_domain *d)
{
	u64 fl = spin_lock_irqsave(&amdvi_lock);

	/* Nothing is attached; forget its cached translations before its ID
	 * is handed out again. */
	for (unsigned i = 0; i < nunits; i++)
		if (inval_domain(&units[i], d->did))
			cmd_sync(&units[i]);
	spin_unlock_irqrestore(&amdvi_lock, fl);
	did_give(d->did);
	pt_destroy(&d->pt, free_page);
	free_page(virt_to_phys_direct(d));
}

/* The interrupt remapping table of @req on @u, made (and its DTE pointed
 * at it) if it has none. 0 if out of memory. Under amdvi_lock. */
static u64 irt_of(struct amdvi_unit *u, u16 req)
{
	u64 *e = dte_of(u, req), irt;

	if ((e[2] & AMDVI_DTE_INTCTL) == AMDVI_DTE_INTCTL_REMAP && (e[2] & AMDVI_DTE_IRT))
		return e[2] & AMDVI_DTE_IRT;
	irt = alloc_page(NULL); /* 256 entries of 16 (or 4) bytes; 128-byte aligned */
	if (!irt)
		return 0;
	asm volatile("sfence" ::: "memory");
	e[2] = amdvi_dte_remap(irt);
	return irt;
}

static bool amdvi_irq_remap(u16 seg, u16 rid, unsigned index, u32 apic_id, u8 vector,
			    u64 *msi_addr, u32 *msi_data)
{
	u16 req;
	struct amdvi_unit *u = unit_for(seg, rid, &req);
	u64 fl, irt;
	bool ok;

	if (!u || !intremap || rid == u->d->devid || index >= (1u << AMDVI_IRT_LOG2) ||
	    apic_id > 0xff)
		return false;
	fl = spin_lock_irqsave(&amdvi_lock);
	irt = irt_of(u, req);
	if (irt && u->ga) {
		volatile u64 *ent = (u64 *)phys_to_virt(irt) + index * 2;
		u64 v[2];

		amdvi_irte128(v, apic_id, vector);
		ent[0] = 0; /* not remapped while it changes */
		asm volatile("sfence" ::: "memory");
		ent[1] = v[1];
		asm volatile("sfence" ::: "memory");
		ent[0] = v[0];
	} else if (irt) {
		((volatile u32 *)phys_to_virt(irt))[index] = amdvi_irte32(apic_id, vector);
	}
	asm volatile("sfence" ::: "memory");
	ok = irt && inval_dte(u, req) && inval_irt(u, req) && cmd_sync(u);
	spin_unlock_irqrestore(&amdvi_lock, fl);
	/* The device sends an ordinary MSI; its data bits 10:0 select the
	 * entry (§2.2), so 7:0 are the index and delivery mode 10:8 is
	 * fixed. */
	*msi_addr = 0xfee00000u;
	*msi_data = index;
	return ok;
}

const struct iommu_ops amdvi_ops = {
	.name = "amdvi",
	.init = amdvi_init,
	.describe = amdvi_describe,
	.unit_of = amdvi_unit_of,
	.reserved = amdvi_reserved,
	.domain_new = amdvi_domain_new,
	.map = amdvi_map,
	.attach = amdvi_attach,
	.detach = amdvi_detach,
	.domain_free = amdvi_domain_free,
	.irq_remap = amdvi_irq_remap,
};
