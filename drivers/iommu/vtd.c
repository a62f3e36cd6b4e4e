// SPDX-License-Identifier: MIT
/*
 * Intel VT-d (Intel Virtualization Technology for Directed I/O,
 * Architecture Specification rev. 4): the vtd_ops of iommu.h.
 *
 * Every unit gets a legacy-mode root table (§9.1) whose entries start not
 * present, so every requester is blocked (fault reason 1) until a device
 * is attached: then its bus gets a context table (§9.3) and the device a
 * context entry pointing at its domain's second-level tables (vtd_pt.c)
 * with the domain's ID. Invalidation goes through the queued invalidation
 * interface (§6.5.2) where the unit has it, else the register interface
 * (§6.5.1). Faults are recorded in the unit's fault recording registers
 * (§7.3) and signalled by the fault event interrupt (§7.4) to the BSP;
 * each is logged once through iommu_fault_log(). Interrupt remapping
 * (§5.1, §9.10) uses one 256-entry table per unit, entries verified
 * against the requester ID.
 *
 * Locking: vtd_lock guards the units' tables, their invalidation queues
 * and the domain IDs; the fault handler takes it too (interrupts are off
 * while it is held).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "drivers/acpi.h"
#include "drivers/iommu/iommu.h"
#include "drivers/iommu/vtd_dmar.h"
#include "drivers/iommu/vtd_pt.h"
#include "drivers/pci/pci.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

/* Registers, §10.4. */
#define R_VER 0x00
#define R_CAP 0x08
#define R_ECAP 0x10
#define R_GCMD 0x18
#define R_GSTS 0x1c
#define R_RTADDR 0x20
#define R_CCMD 0x28
#define R_FSTS 0x34
#define R_FECTL 0x38
#define R_FEDATA 0x3c
#define R_FEADDR 0x40
#define R_FEUADDR 0x44
#define R_IQH 0x80
#define R_IQT 0x88
#define R_IQA 0x90
#define R_ICS 0x9c
#define R_IRTA 0xb8

#define CAP_ND(c) ((c) & 7)
#define CAP_RWBF (1ull << 4)
#define CAP_CM (1ull << 7)
#define CAP_SAGAW(c) (((c) >> 8) & 0x1f)
#define CAP_MGAW(c) ((unsigned)(((c) >> 16) & 0x3f) + 1)
#define CAP_FRO(c) ((unsigned)(((c) >> 24) & 0x3ff) * 16)
#define CAP_SLLPS(c) ((unsigned)(((c) >> 34) & 3))
#define CAP_NFR(c) ((unsigned)(((c) >> 40) & 0xff) + 1)

#define ECAP_C (1ull << 0)
#define ECAP_QI (1ull << 1)
#define ECAP_IR (1ull << 3)
#define ECAP_EIM (1ull << 4)
#define ECAP_IRO(e) ((unsigned)(((e) >> 8) & 0x3ff) * 16)

#define GCMD_TE (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_WBF (1u << 27)
#define GCMD_QIE (1u << 26)
#define GCMD_IRE (1u << 25)
#define GCMD_SIRTP (1u << 24)
#define GSTS_ONESHOT 0x96ffffffu /* the status bits a GCMD write keeps */

#define FSTS_PFO (1u << 0)
#define FSTS_PPF (1u << 1)
#define FSTS_IQE (1u << 4)
#define FSTS_ICE (1u << 5)
#define FSTS_ITE (1u << 6)
#define FSTS_FRI(s) (((s) >> 8) & 0xff)

#define CCMD_ICC (1ull << 63)
#define CCMD_GLOBAL (1ull << 61)
#define IOTLB_IVT (1ull << 63)
#define IOTLB_GLOBAL (1ull << 60)
#define IOTLB_DR (1ull << 49)
#define IOTLB_DW (1ull << 48)

/* Queued invalidation descriptors, §6.5.2. */
#define QI_CC 0x1
#define QI_IOTLB 0x2
#define QI_IEC 0x4
#define QI_WAIT 0x5
#define QI_GLOBAL (1ull << 4)
#define QI_DOMAIN (2ull << 4)
#define QI_IOTLB_DR (1ull << 7)
#define QI_IOTLB_DW (1ull << 6)
#define QI_WAIT_SW (1ull << 5)
#define QI_ENTRIES 256

/* Root and context entries, §9.1, §9.3. */
#define CTX_P 1ull
#define CTX_TT_SL (0ull << 2)

/* Interrupt remapping table entries, §9.10. */
#define IRT_ENTRIES 256
#define IRTA_S 7 /* 2^(7+1) = 256 entries */
#define IRTA_EIME (1ull << 11)
#define IRTE_P 1ull
#define IRTE_SVT_RID (1ull << 18)

#define TIMEOUT_MS 100

struct vtd_unit {
	u64 base;
	u64 cap, ecap;
	bool coherent, qi, ir, x2;
	unsigned fro, nfr, iro;
	u64 root;                /* root table (phys) */
	u64 ctx[256];            /* context table per bus (phys), 0: none yet */
	u64 iq;                  /* invalidation queue (phys), 0: register interface */
	unsigned iq_tail;
	volatile u32 *wait_word; /* status word the wait descriptor writes */
	u64 irt;                 /* interrupt remapping table (phys), 0: none */
	u32 irt_user[IRT_ENTRIES]; /* (rid << 8 | index) + 1 of each entry, 0: free */
};

struct iommu_domain {
	u16 did;
	u32 owner;
	struct pt pt;
};

static spinlock_t vtd_lock;
static struct vtd_dmar dmar;
static struct vtd_unit units[VTD_MAX_UNITS];
static unsigned nunits;
static u8 levels;       /* the page-table depth every unit takes: 3 or 4 */
static u8 large;        /* large pages every unit takes */
static bool all_coherent;
static u16 ndomains;    /* domain IDs every unit has */
static u8 did_used[256 / 8]; /* [vtd_lock] domain ID 0 is never handed out */

static u32 rd32(const struct vtd_unit *u, unsigned r) { return mmio_read32(u->base + r); }
static void wr32(const struct vtd_unit *u, unsigned r, u32 v) { mmio_write32(u->base + r, v); }
static u64 rd64(const struct vtd_unit *u, unsigned r)
{
	return mmio_read32(u->base + r) | (u64)mmio_read32(u->base + r + 4) << 32;
}
static void wr64(const struct vtd_unit *u, unsigned r, u64 v)
{
	mmio_write32(u->base + r, (u32)v);
	mmio_write32(u->base + r + 4, (u32)(v >> 32));
}

static void clflush_range(const void *p, size_t len)
{
	for (uintptr_t a = (uintptr_t)p & ~63ul; a < (uintptr_t)p + len; a += 64)
		asm volatile("clflush (%0)" : : "r"(a) : "memory");
	asm volatile("mfence" ::: "memory");
}

static void sync_mem(const void *p, size_t len)
{
	if (!all_coherent)
		clflush_range(p, len);
	else
		asm volatile("sfence" ::: "memory");
}

static u64 alloc_page(void *ctx)
{
	u64 p = pmm_alloc(4096, 4096);

	(void)ctx;
	if (p)
		memset(phys_to_virt(p), 0, 4096);
	return p;
}

static void free_page(u64 p) { pmm_free(p, 4096); }

/* Poll until (register & @mask) == @want; false after TIMEOUT_MS. */
static bool wait32(const struct vtd_unit *u, unsigned r, u32 mask, u32 want)
{
	u64 end = rdtsc() + TIMEOUT_MS * tsc_khz();

	while ((rd32(u, r) & mask) != want)
		if (rdtsc() > end)
			return false;
	return true;
}

/* One global command bit on or off (§10.4.4: one bit per write). */
static bool gcmd(struct vtd_unit *u, u32 bit, bool on)
{
	u32 v = rd32(u, R_GSTS) & GSTS_ONESHOT;

	wr32(u, R_GCMD, on ? v | bit : v & ~bit);
	return wait32(u, R_GSTS, bit, on ? bit : 0);
}

/* A one-shot command (SRTP, SIRTP, WBF): its status bit reports it done
 * (set for SRTP / SIRTP, clear for WBF). */
static bool gcmd_oneshot(struct vtd_unit *u, u32 bit)
{
	wr32(u, R_GCMD, (rd32(u, R_GSTS) & GSTS_ONESHOT) | bit);
	return wait32(u, R_GSTS, bit, bit == GCMD_WBF ? 0 : bit);
}

/* ---- invalidation ---- */

static bool qi_submit(struct vtd_unit *u, u64 lo, u64 hi)
{
	u64 *q = phys_to_virt(u->iq);
	u64 wait_phys = virt_to_phys_direct((const void *)u->wait_word);
	u64 end;

	q[u->iq_tail * 2] = lo;
	q[u->iq_tail * 2 + 1] = hi;
	u->iq_tail = (u->iq_tail + 1) % QI_ENTRIES;
	*u->wait_word = 0;
	q[u->iq_tail * 2] = QI_WAIT | QI_WAIT_SW | (u64)1 << 32;
	q[u->iq_tail * 2 + 1] = wait_phys;
	u->iq_tail = (u->iq_tail + 1) % QI_ENTRIES;
	sync_mem(q, 4096);
	wr64(u, R_IQT, (u64)u->iq_tail << 4);
	end = rdtsc() + TIMEOUT_MS * tsc_khz();
	while (*u->wait_word != 1) {
		if (rd32(u, R_FSTS) & (FSTS_IQE | FSTS_ITE | FSTS_ICE)) {
			pr_err("iommu vtd unit at 0x%llx: invalidation queue error, fsts 0x%x",
			       (unsigned long long)u->base, rd32(u, R_FSTS));
			wr32(u, R_FSTS, FSTS_IQE | FSTS_ITE | FSTS_ICE);
			return false;
		}
		if (rdtsc() > end) {
			pr_err("iommu vtd unit at 0x%llx: invalidation wait timed out",
			       (unsigned long long)u->base);
			return false;
		}
	}
	return true;
}

static bool reg_invalidate(struct vtd_unit *u, unsigned r, u64 cmd, u64 busy)
{
	u64 end = rdtsc() + TIMEOUT_MS * tsc_khz();

	wr64(u, r, cmd);
	while (rd64(u, r) & busy)
		if (rdtsc() > end)
			return false;
	return true;
}

/* Forget every cached context entry and translation of the unit. */
static bool flush_all(struct vtd_unit *u)
{
	if (u->cap & CAP_RWBF)
		gcmd_oneshot(u, GCMD_WBF);
	if (u->iq)
		return qi_submit(u, QI_CC | QI_GLOBAL, 0) &&
		       qi_submit(u, QI_IOTLB | QI_GLOBAL | QI_IOTLB_DR | QI_IOTLB_DW, 0);
	return reg_invalidate(u, R_CCMD, CCMD_ICC | CCMD_GLOBAL, CCMD_ICC) &&
	       reg_invalidate(u, u->iro + 8, IOTLB_IVT | IOTLB_GLOBAL | IOTLB_DR | IOTLB_DW,
			      IOTLB_IVT);
}

/* Forget the unit's translations tagged with domain @did. */
static bool flush_domain(struct vtd_unit *u, u16 did)
{
	if (u->cap & CAP_RWBF)
		gcmd_oneshot(u, GCMD_WBF);
	if (u->iq)
		return qi_submit(u, QI_IOTLB | QI_DOMAIN | QI_IOTLB_DR | QI_IOTLB_DW | (u64)did << 16, 0);
	return reg_invalidate(u, u->iro + 8,
			      IOTLB_IVT | (2ull << 60) | IOTLB_DR | IOTLB_DW | (u64)did << 32, IOTLB_IVT);
}

/* ---- faults ---- */

static const char *fault_text(u32 reason)
{
	static const char *const dma[] = {
		[0x1] = "root entry not present: no device of this bus is assigned",
		[0x2] = "context entry not present: device not assigned",
		[0x3] = "invalid context entry",
		[0x4] = "address beyond the domain's width",
		[0x5] = "write to a page not mapped for writing",
		[0x6] = "read of a page not mapped for reading",
		[0x7] = "error accessing a page-table entry",
		[0x8] = "error accessing the root table",
		[0x9] = "error accessing a context table",
		[0xa] = "reserved bit set in a root entry",
		[0xb] = "reserved bit set in a context entry",
		[0xc] = "reserved bit set in a page-table entry",
		[0xd] = "request blocked by the context entry's translation type",
	};
	static const char *const intr[] = {
		[0x0] = "reserved field in a remappable interrupt request",
		[0x1] = "interrupt index beyond the remapping table",
		[0x2] = "interrupt remapping entry not present",
		[0x3] = "error accessing the interrupt remapping table",
		[0x4] = "reserved field in an interrupt remapping entry",
		[0x5] = "compatibility-format interrupt blocked",
		[0x6] = "interrupt blocked: requester ID does not match the entry",
	};

	if (reason < sizeof(dma) / sizeof(dma[0]) && dma[reason])
		return dma[reason];
	if (reason >= 0x20 && reason - 0x20 < sizeof(intr) / sizeof(intr[0]) && intr[reason - 0x20])
		return intr[reason - 0x20];
	return "see VT-d spec appendix A";
}

/* Log and clear every recorded fault of @u. Under vtd_lock. */
static void drain_faults(struct vtd_unit *u)
{
	u32 st = rd32(u, R_FSTS);
	unsigned idx = FSTS_FRI(st) % u->nfr;

	for (unsigned n = 0; (st & FSTS_PPF) && n < u->nfr; n++, idx = (idx + 1) % u->nfr) {
		unsigned r = u->fro + idx * 16;
		u64 hi = rd64(u, r + 8), lo;
		u32 reason;

		if (!(hi >> 63))
			break;
		lo = rd64(u, r);
		reason = (u32)(hi >> 32) & 0xff;
		iommu_fault_log(dmar.units[u - units].seg, (u16)hi, reason >= 0x20 ? lo >> 48 : lo & ~0xfffull,
				!(hi >> 62 & 1), reason, fault_text(reason));
		wr32(u, r + 12, 1u << 31); /* F is write-1-to-clear */
	}
	if (st & FSTS_PFO)
		pr_warn("iommu vtd unit at 0x%llx: fault records overflowed, some faults not logged",
			(unsigned long long)u->base);
	if (st & (FSTS_IQE | FSTS_ICE | FSTS_ITE))
		pr_err("iommu vtd unit at 0x%llx: invalidation error, fsts 0x%x",
		       (unsigned long long)u->base, st);
	wr32(u, R_FSTS, st & (FSTS_PFO | FSTS_IQE | FSTS_ICE | FSTS_ITE));
}

static void fault_irq(struct trap_frame *f)
{
	u64 fl = spin_lock_irqsave(&vtd_lock);

	(void)f;
	for (unsigned i = 0; i < nunits; i++)
		drain_faults(&units[i]);
	spin_unlock_irqrestore(&vtd_lock, fl);
	lapic_eoi();
}

/* ---- bring-up ---- */

static bool bridge_of(void *ctx, u16 seg, u8 bus, u8 dev, u8 fn, u8 *sec, u8 *sub)
{
	const struct hpci_dev *d = hpci_find(seg, bus, dev, fn);

	(void)ctx;
	if (!d || !d->bridge)
		return false;
	*sec = d->sec_bus;
	*sub = d->sub_bus;
	return true;
}

static const struct vtd_bus_lookup host_buses = { bridge_of, NULL };

static bool setup_irt(struct vtd_unit *u)
{
	u->irt = pmm_alloc(IRT_ENTRIES * 16, 4096);
	if (!u->irt)
		return false;
	memset(phys_to_virt(u->irt), 0, IRT_ENTRIES * 16);
	sync_mem(phys_to_virt(u->irt), IRT_ENTRIES * 16);
	wr64(u, R_IRTA, u->irt | (u->x2 ? IRTA_EIME : 0) | IRTA_S);
	return gcmd_oneshot(u, GCMD_SIRTP) && qi_submit(u, QI_IEC, 0) && gcmd(u, GCMD_IRE, true);
}

static bool unit_start(struct vtd_unit *u, u32 bsp_apic, char *why, size_t n)
{
	u64 page;

	u->cap = rd64(u, R_CAP);
	u->ecap = rd64(u, R_ECAP);
	if (u->cap == ~0ull || !u->cap) {
		snprintf(why, n, "unit at 0x%llx does not answer", (unsigned long long)u->base);
		return false;
	}
	u->coherent = u->ecap & ECAP_C;
	u->fro = CAP_FRO(u->cap);
	u->nfr = CAP_NFR(u->cap);
	u->iro = ECAP_IRO(u->ecap);
	/* Firmware may have left the unit translating or remapping. */
	if (rd32(u, R_GSTS) & GCMD_IRE)
		gcmd(u, GCMD_IRE, false);
	if (rd32(u, R_GSTS) & GCMD_TE)
		gcmd(u, GCMD_TE, false);
	if (rd32(u, R_GSTS) & GCMD_QIE)
		gcmd(u, GCMD_QIE, false);

	u->root = alloc_page(NULL);
	page = alloc_page(NULL);
	if (!u->root || !page) {
		snprintf(why, n, "out of memory");
		return false;
	}
	u->wait_word = phys_to_virt(page);
	sync_mem(phys_to_virt(u->root), 4096);
	wr64(u, R_RTADDR, u->root); /* legacy mode (TTM 00) */
	if (!gcmd_oneshot(u, GCMD_SRTP)) {
		snprintf(why, n, "unit at 0x%llx did not take its root table", (unsigned long long)u->base);
		return false;
	}

	/* Fault events to the BSP (§10.4.11-14). */
	wr32(u, R_FEDATA, VEC_IOMMU_FAULT);
	wr32(u, R_FEADDR, 0xfee00000u | (bsp_apic & 0xff) << 12);
	wr32(u, R_FEUADDR, bsp_apic >> 8 << 8);
	wr32(u, R_FECTL, 0);
	drain_faults(u);

	if (u->ecap & ECAP_QI) {
		u->iq = alloc_page(NULL);
		if (!u->iq) {
			snprintf(why, n, "out of memory");
			return false;
		}
		u->iq_tail = 0;
		wr64(u, R_IQT, 0);
		wr64(u, R_IQA, u->iq); /* QS 0: 256 128-bit descriptors */
		if (!gcmd(u, GCMD_QIE, true)) {
			snprintf(why, n, "unit at 0x%llx did not enable its invalidation queue",
				 (unsigned long long)u->base);
			return false;
		}
	}
	if (!flush_all(u) || !gcmd(u, GCMD_TE, true)) {
		snprintf(why, n, "unit at 0x%llx did not enable translation", (unsigned long long)u->base);
		return false;
	}
	if ((u->ecap & ECAP_IR) && u->iq && dmar.intr_remap) {
		u->x2 = lapic_is_x2apic() && (u->ecap & ECAP_EIM);
		u->ir = setup_irt(u);
		if (!u->ir)
			pr_warn("iommu vtd unit at 0x%llx: interrupt remapping did not start",
				(unsigned long long)u->base);
	}
	return true;
}

static unsigned vtd_init(const struct acpi_info *ai, char *why, size_t n)
{
	const struct acpi_table_ref *t = acpi_table_find(ai, "DMAR");
	unsigned sagaw = 0x1f, sllps = 3, nd = 7;
	u32 bsp = lapic_id();

	if (!t || !vtd_dmar_parse(phys_to_virt(t->phys), t->length, &dmar)) {
		snprintf(why, n, "DMAR table unusable");
		return 0;
	}
	for (unsigned i = 0; i < dmar.nwarn; i++)
		pr_warn("iommu vtd: %s", dmar.warn[i]);
	all_coherent = true;
	for (unsigned i = 0; i < dmar.nunits; i++) {
		struct vtd_unit *u = &units[i];

		u->base = dmar.units[i].base;
		if (!u->base || (u->base & 0xfff)) {
			snprintf(why, n, "unit %u's register base 0x%llx is not page aligned", i,
				 (unsigned long long)u->base);
			return 0;
		}
		paging_map_mmio(u->base, 0x1000);
		u->cap = rd64(u, R_CAP);
		u->ecap = rd64(u, R_ECAP);
		sagaw &= CAP_SAGAW(u->cap);
		sllps &= CAP_SLLPS(u->cap);
		nd = MIN(nd, (unsigned)CAP_ND(u->cap));
		all_coherent &= !!(u->ecap & ECAP_C);
	}
	levels = (sagaw & 4) ? 4 : (sagaw & 2) ? 3 : 0;
	if (!levels) {
		snprintf(why, n, "no page-table depth all units take (sagaw 0x%x)", sagaw);
		return 0;
	}
	large = (u8)sllps;
	ndomains = (u16)MIN(256u, 1u << (4 + 2 * nd));
	for (unsigned i = 0; i < dmar.nunits; i++) {
		if (!unit_start(&units[i], bsp, why, n))
			return 0;
		nunits = i + 1;
	}
	trap_set_handler(VEC_IOMMU_FAULT, fault_irq);
	return nunits;
}

static void vtd_describe(char *buf, size_t n)
{
	const struct vtd_unit *u = &units[0];
	unsigned ir = 0;

	for (unsigned i = 0; i < nunits; i++)
		ir += units[i].ir;
	snprintf(buf, n,
		 "units=%u intremap=%s qi=%s sagaw=0x%llx levels=%u mgaw=%u large=%s domains=%u "
		 "coherent=%s caching_mode=%s rmrr=%u ver=%u.%u",
		 nunits, ir == nunits ? "yes" : ir ? "partly" : "no", u->iq ? "yes" : "no",
		 (unsigned long long)CAP_SAGAW(u->cap), levels, CAP_MGAW(u->cap),
		 large == 3 ? "2M,1G" : large == 1 ? "2M" : "none", ndomains, all_coherent ? "yes" : "no",
		 (u->cap & CAP_CM) ? "yes" : "no", dmar.nrmrr, rd32(u, R_VER) >> 4 & 0xf,
		 rd32(u, R_VER) & 0xf);
}

static int vtd_unit_of(u16 seg, u16 rid)
{
	int i = vtd_dmar_unit_of(&dmar, seg, rid, &host_buses);

	return i >= 0 && (unsigned)i < nunits ? i : -1;
}

static unsigned vtd_reserved(u16 seg, u16 rid, struct iommu_region *out, unsigned max)
{
	unsigned k = 0;

	for (unsigned i = 0; i < dmar.nrmrr; i++) {
		const struct vtd_rmrr_desc *r = &dmar.rmrr[i];

		if (!vtd_rmrr_applies(r, seg, rid, &host_buses))
			continue;
		if (k < max)
			out[k] = (struct iommu_region){ r->base, r->limit - r->base + 1 };
		k++;
	}
	return MIN(k, max);
}

static struct iommu_domain *vtd_domain_new(u32 owner)
{
	struct iommu_domain *d;
	u64 page = alloc_page(NULL), fl;
	u16 did = 0;

	if (!page)
		return NULL;
	fl = spin_lock_irqsave(&vtd_lock);
	for (u16 i = 1; i < ndomains; i++)
		if (!(did_used[i / 8] & (1u << (i % 8)))) {
			did_used[i / 8] |= (u8)(1u << (i % 8));
			did = i;
			break;
		}
	spin_unlock_irqrestore(&vtd_lock, fl);
	d = phys_to_virt(page);
	if (!did) {
		free_page(page);
		return NULL;
	}
	/* The domain record lives at the start of its own page; its top
	 * table is another page. */
	d->did = did;
	d->owner = owner;
	if (!vtd_pt_init(&d->pt, levels, large, alloc_page, NULL,
			 all_coherent ? NULL : clflush_range)) {
		fl = spin_lock_irqsave(&vtd_lock);
		did_used[did / 8] &= (u8)~(1u << (did % 8));
		spin_unlock_irqrestore(&vtd_lock, fl);
		free_page(page);
		return NULL;
	}
	return d;
}

static bool vtd_map(struct iommu_domain *d, u64 iova, u64 hpa, u64 size, unsigned prot)
{
	u64 fl = spin_lock_irqsave(&vtd_lock);
	bool ok = pt_map_new(&d->pt, iova, hpa, size, prot & (IOMMU_READ | IOMMU_WRITE));

	/* A not-present entry may be cached under caching mode (§6.1). */
	for (unsigned i = 0; i < nunits; i++)
		if (units[i].cap & CAP_CM)
			flush_domain(&units[i], d->did);
	spin_unlock_irqrestore(&vtd_lock, fl);
	return ok;
}

/* The context entry for @rid on @u, its bus's table made if @make. */
static u64 *ctx_entry(struct vtd_unit *u, u16 rid, bool make)
{
	u8 bus = (u8)(rid >> 8);
	u64 *root = phys_to_virt(u->root);

	if (!u->ctx[bus]) {
		if (!make || !(u->ctx[bus] = alloc_page(NULL)))
			return NULL;
		sync_mem(phys_to_virt(u->ctx[bus]), 4096);
		root[bus * 2] = u->ctx[bus] | CTX_P;
		sync_mem(&root[bus * 2], 16);
	}
	return (u64 *)phys_to_virt(u->ctx[bus]) + (rid & 0xff) * 2;
}

static bool vtd_attach(struct iommu_domain *d, u16 seg, u16 rid)
{
	int i = vtd_unit_of(seg, rid);
	struct vtd_unit *u;
	u64 fl, *e;
	bool ok;

	if (i < 0)
		return false;
	u = &units[i];
	fl = spin_lock_irqsave(&vtd_lock);
	e = ctx_entry(u, rid, true);
	if (e) {
		e[1] = (u64)(levels - 2) | (u64)d->did << 8; /* AW: 1 = 3 levels, 2 = 4 */
		e[0] = d->pt.root | CTX_TT_SL | CTX_P;
		sync_mem(e, 16);
	}
	ok = e && flush_all(u);
	spin_unlock_irqrestore(&vtd_lock, fl);
	return ok;
}

static void vtd_detach(u16 seg, u16 rid)
{
	int i = vtd_unit_of(seg, rid);
	u64 fl, *e;

	if (i < 0)
		return;
	fl = spin_lock_irqsave(&vtd_lock);
	e = ctx_entry(&units[i], rid, false);
	if (e) {
		e[0] = e[1] = 0;
		sync_mem(e, 16);
		flush_all(&units[i]);
	}
	spin_unlock_irqrestore(&vtd_lock, fl);
}

static void vtd_domain_free(struct iommu_domain *d)
{
	u64 fl = spin_lock_irqsave(&vtd_lock);

	did_used[d->did / 8] &= (u8)~(1u << (d->did % 8));
	spin_unlock_irqrestore(&vtd_lock, fl);
	pt_destroy(&d->pt, free_page);
	free_page(virt_to_phys_direct(d));
}

/*
 * The IRTE of interrupt @index of requester @rid (the one it had, else a
 * free one): @vector, fixed and edge, to @apic_id, accepted only from
 * @rid. Its slot (the handle), or -1 when the table is full or the
 * invalidation failed.
 */
static int irte_set(struct vtd_unit *u, u16 rid, unsigned index, u32 apic_id, u8 vector)
{
	u32 user = ((u32)rid << 8 | (index & 0xff)) + 1;
	int slot = -1;
	u64 fl, *e;
	bool ok;

	fl = spin_lock_irqsave(&vtd_lock);
	for (unsigned k = 0; k < IRT_ENTRIES && slot < 0; k++)
		if (u->irt_user[k] == user)
			slot = (int)k;
	for (unsigned k = 0; k < IRT_ENTRIES && slot < 0; k++)
		if (!u->irt_user[k])
			slot = (int)k;
	if (slot < 0) {
		spin_unlock_irqrestore(&vtd_lock, fl);
		return -1;
	}
	u->irt_user[slot] = user;
	e = (u64 *)phys_to_virt(u->irt) + slot * 2;
	e[0] = 0; /* not present while it changes */
	sync_mem(e, 16);
	e[1] = rid | IRTE_SVT_RID; /* SQ 0: all 16 bits of the requester ID compared */
	e[0] = IRTE_P | (u64)vector << 16 | (u64)(u->x2 ? apic_id : (apic_id & 0xff) << 8) << 32;
	sync_mem(e, 16);
	ok = qi_submit(u, QI_IEC | 1ull << 4 | (u64)slot << 32, 0);
	spin_unlock_irqrestore(&vtd_lock, fl);
	return ok ? slot : -1;
}

static bool vtd_irq_remap(u16 seg, u16 rid, unsigned index, u32 apic_id, u8 vector, u64 *addr,
			  u32 *data)
{
	int i = vtd_unit_of(seg, rid), slot;

	if (i < 0 || !units[i].ir || index > 0xff ||
	    (slot = irte_set(&units[i], rid, index, apic_id, vector)) < 0)
		return false;
	/* Remappable format (§5.1.5.2): handle in bits 19:5 and 2, SHV 0. */
	*addr = 0xfee00000u | (u64)(slot & 0x7fff) << 5 | 1u << 4 | (u64)(slot >> 15 & 1) << 2;
	*data = 0;
	return true;
}

/* The requester ID I/O APIC @id's messages carry (its DMAR device scope,
 * one hop from its start bus) and the unit listing it. */
static bool ioapic_source(u8 id, u16 *sid, unsigned *unit)
{
	for (unsigned i = 0; i < dmar.nunits && i < nunits; i++) {
		for (unsigned k = 0; k < dmar.units[i].nscopes; k++) {
			const struct vtd_scope *s = &dmar.units[i].scopes[k];

			if (s->type != VTD_SCOPE_IOAPIC || s->enum_id != id || s->npath != 1)
				continue;
			*sid = (u16)(s->start_bus << 8 | (s->path[0][0] & 0x1f) << 3 |
				     (s->path[0][1] & 7));
			*unit = i;
			return true;
		}
	}
	return false;
}

/* Remappable-format I/O APIC redirection entry (VT-d §5.1.5.1): format
 * bit 48, handle[14:0] in bits 63:49 and handle[15] in bit 11, the
 * vector as in the IRTE. */
static bool vtd_ioapic_remap(u8 ioapic_id, unsigned pin, u32 apic_id, u8 vector, u64 *rte)
{
	unsigned i;
	u16 sid;
	int slot;

	if (!ioapic_source(ioapic_id, &sid, &i) || !units[i].ir ||
	    (slot = irte_set(&units[i], sid, pin, apic_id, vector)) < 0)
		return false;
	*rte = 1ull << 48 | (u64)(slot & 0x7fff) << 49 | (u64)(slot >> 15 & 1) << 11 | vector;
	return true;
}

static bool vtd_blocks_compat_irqs(void)
{
	for (unsigned i = 0; i < nunits; i++)
		if (units[i].ir)
			return true;
	return false;
}

const struct iommu_ops vtd_ops = {
	.name = "vtd",
	.init = vtd_init,
	.describe = vtd_describe,
	.unit_of = vtd_unit_of,
	.reserved = vtd_reserved,
	.domain_new = vtd_domain_new,
	.map = vtd_map,
	.attach = vtd_attach,
	.detach = vtd_detach,
	.domain_free = vtd_domain_free,
	.irq_remap = vtd_irq_remap,
	.blocks_compat_irqs = vtd_blocks_compat_irqs,
	.ioapic_remap = vtd_ioapic_remap,
};
