// SPDX-License-Identifier: MIT
/*
 * Host PCI enumeration as pure logic (pci.h): every configuration access
 * goes through a struct hpci_cfg_access, so the unit tests run it over a
 * simulated configuration space and pci_host.c over ECAM or CF8/CFC. Also
 * the BDF parser and the one-line description of a function that the
 * platform report prints.
 */
#include "drivers/pci/pci.h"
#include "kernel/format.h"
#include "kernel/string.h"

#define BAR_IO_FLAG 0x1u
#define BAR_MEM_TYPE(v) (((v) >> 1) & 3u) /* 0: 32-bit, 1: below 1 MiB, 2: 64-bit */
#define BAR_MEM_TYPE_64 2u
#define BAR_PREFETCH (1u << 3)
#define CAP_MAX 48     /* (256 - 0x40) / 4: more means the list loops */
#define CAP_FIRST 0x40 /* capabilities live after the standard header */

/* One enumeration run: the access, the segment, where to put functions. */
struct scan {
	struct hpci_table *t;
	const struct hpci_cfg_access *a;
	u16 seg;
	u8 seen[256 / 8];        /* buses scanned or queued */
	u8 queue[256];           /* buses still to scan ... */
	u16 queue_parent[256];   /* ... and the bridge each hangs off */
	unsigned head, tail;
};

static u32 rd(const struct scan *s, u8 bus, u8 devfn, u16 off, unsigned size)
{
	return s->a->read(s->a->ctx, s->seg, bus, devfn, off, size);
}

static void wr(const struct scan *s, u8 bus, u8 devfn, u16 off, unsigned size, u32 v)
{
	s->a->write(s->a->ctx, s->seg, bus, devfn, off, size, v);
}

static bool bus_seen(const struct scan *s, u8 bus) { return s->seen[bus / 8] & (1u << (bus % 8)); }

static void queue_bus(struct scan *s, u8 bus, u16 parent)
{
	s->seen[bus / 8] |= (u8)(1u << (bus % 8));
	s->queue[s->tail] = bus;
	s->queue_parent[s->tail++] = parent;
}

/* Write all ones to the BAR dword at @off and return what sticks; the
 * original value is put back. Decoding is off while this runs. */
static u32 bar_probe(const struct scan *s, const struct hpci_dev *d, u16 off, u32 orig)
{
	u8 devfn = (u8)(d->dev << 3 | d->fn);
	u32 r;

	wr(s, d->bus, devfn, off, 4, 0xffffffffu);
	r = rd(s, d->bus, devfn, off, 4);
	wr(s, d->bus, devfn, off, 4, orig);
	return r;
}

/* The size a BAR decodes: the lowest writable address bit (PCI 3.0
 * §6.2.5.1). Bits that do not stick above it would make a bogus BAR; the
 * lowest one is the safe reading. */
static u64 lowest_bit(u64 mask) { return mask & (~mask + 1); }

/* Size BAR @i (and @i+1 for a 64-bit BAR); returns how many slots it used. */
static unsigned bar_size(const struct scan *s, struct hpci_dev *d, unsigned i)
{
	u8 devfn = (u8)(d->dev << 3 | d->fn);
	u16 off = (u16)(HPCI_BAR0 + 4 * i);
	u32 orig = rd(s, d->bus, devfn, off, 4);
	struct hpci_bar *b = &d->bar[i];
	u64 mask;

	if (orig & BAR_IO_FLAG) {
		mask = bar_probe(s, d, off, orig) & ~3u; /* 16 or 32 address bits */
		b->size = lowest_bit(mask);
		b->base = orig & ~3u;
		b->kind = b->size ? HPCI_BAR_IO : HPCI_BAR_NONE;
		return 1;
	}
	b->prefetch = orig & BAR_PREFETCH;
	if (BAR_MEM_TYPE(orig) == BAR_MEM_TYPE_64) {
		u32 orig_hi;

		if (i + 1 >= d->nbars) { /* a 64-bit BAR in the last slot: bogus */
			b->prefetch = false;
			return 1;
		}
		orig_hi = rd(s, d->bus, devfn, (u16)(off + 4), 4);
		mask = (bar_probe(s, d, off, orig) & ~0xfu) |
		       (u64)bar_probe(s, d, (u16)(off + 4), orig_hi) << 32;
		b->size = lowest_bit(mask);
		b->base = ((u64)orig_hi << 32 | orig) & ~0xfull;
		b->kind = b->size ? HPCI_BAR_MEM64 : HPCI_BAR_NONE;
		return 2;
	}
	mask = bar_probe(s, d, off, orig) & ~0xfu;
	b->size = lowest_bit(mask);
	b->base = orig & ~0xfu;
	b->kind = b->size ? HPCI_BAR_MEM32 : HPCI_BAR_NONE;
	return 1;
}

/* Size every BAR with I/O and memory decode off, as sizing moves the BAR
 * for a moment (PCI 3.0 §6.2.5.1), then put the command register back. */
static void bars_size(const struct scan *s, struct hpci_dev *d)
{
	u8 devfn = (u8)(d->dev << 3 | d->fn);
	u16 cmd = (u16)rd(s, d->bus, devfn, HPCI_COMMAND, 2);
	u16 off = cmd & (u16)~(HPCI_COMMAND_IO | HPCI_COMMAND_MEM);

	if (off != cmd)
		wr(s, d->bus, devfn, HPCI_COMMAND, 2, off);
	for (unsigned i = 0; i < d->nbars;)
		i += bar_size(s, d, i);
	if (off != cmd)
		wr(s, d->bus, devfn, HPCI_COMMAND, 2, cmd);
}

static void pcie_cap(const struct scan *s, struct hpci_dev *d, u8 p)
{
	u8 devfn = (u8)(d->dev << 3 | d->fn);

	d->cap_pcie = p;
	d->pcie_type = (u8)(rd(s, d->bus, devfn, (u16)(p + HPCI_PCIE_FLAGS), 2) >> 4 & 0xf);
	d->flr = rd(s, d->bus, devfn, (u16)(p + HPCI_PCIE_DEVCAP), 4) & HPCI_PCIE_DEVCAP_FLR;
}

/* Walk the capability list (PCI 3.0 §6.7): pointers have their two low
 * bits masked, must lie after the header, and at most CAP_MAX entries
 * fit, so a looping or corrupt list ends. The first of each ID counts. */
static void caps_walk(const struct scan *s, struct hpci_dev *d)
{
	u8 devfn = (u8)(d->dev << 3 | d->fn);
	u8 p;

	if (!(rd(s, d->bus, devfn, HPCI_STATUS, 2) & HPCI_STATUS_CAP_LIST))
		return;
	p = (u8)rd(s, d->bus, devfn, HPCI_CAP_PTR, 1) & 0xfc;
	for (unsigned n = 0; n < CAP_MAX && p >= CAP_FIRST; n++) {
		u8 id = (u8)rd(s, d->bus, devfn, p, 1);

		if (id == HPCI_CAP_ID_PM && !d->cap_pm)
			d->cap_pm = p;
		else if (id == HPCI_CAP_ID_MSI && !d->cap_msi)
			d->cap_msi = p;
		else if (id == HPCI_CAP_ID_MSIX && !d->cap_msix)
			d->cap_msix = p;
		else if (id == HPCI_CAP_ID_PCIE && !d->cap_pcie)
			pcie_cap(s, d, p);
		p = (u8)rd(s, d->bus, devfn, (u16)(p + 1), 1) & 0xfc;
	}
}

/* Record the function at @bus/@dev/@fn (present: its vendor ID is valid). */
static struct hpci_dev *add_function(struct scan *s, u8 bus, u8 dev, u8 fn, bool mf, u16 parent)
{
	u8 devfn = (u8)(dev << 3 | fn);
	u32 id = rd(s, bus, devfn, HPCI_VENDOR_ID, 4);
	u32 cr = rd(s, bus, devfn, HPCI_CLASS_REV, 4);
	struct hpci_dev *d;

	if (s->t->n == HPCI_MAX_DEVS) {
		s->t->truncated = true;
		return NULL;
	}
	d = &s->t->d[s->t->n++];
	memset(d, 0, sizeof(*d));
	d->seg = s->seg;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (u16)id;
	d->device = (u16)(id >> 16);
	d->class = cr >> 8;
	d->revision = (u8)cr;
	d->header_type = (u8)rd(s, bus, devfn, HPCI_HEADER_TYPE, 1) & 0x7f;
	d->multifunction = mf;
	d->bridge = d->header_type == 1;
	d->nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	d->irq_pin = (u8)rd(s, bus, devfn, HPCI_INTERRUPT_PIN, 1);
	d->parent = parent;
	d->owner = HPCI_OWNER_NONE;
	d->iommu_unit = -1;
	if (d->bridge) {
		d->sec_bus = (u8)rd(s, bus, devfn, HPCI_SECONDARY_BUS, 1);
		d->sub_bus = (u8)rd(s, bus, devfn, HPCI_SUBORDINATE_BUS, 1);
	}
	bars_size(s, d);
	caps_walk(s, d);
	return d;
}

/* A bridge's secondary bus is followed only when the firmware numbered it
 * sanely: above the bridge's own bus, inside its subordinate range, and
 * not reached before (a loop or two bridges claiming one bus). */
static void follow_bridge(struct scan *s, const struct hpci_dev *b)
{
	if (b->sec_bus == 0 || b->sec_bus <= b->bus || b->sub_bus < b->sec_bus ||
	    bus_seen(s, b->sec_bus))
		return;
	queue_bus(s, b->sec_bus, (u16)(b - s->t->d));
}

static bool present(const struct scan *s, u8 bus, u8 devfn)
{
	u16 v = (u16)rd(s, bus, devfn, HPCI_VENDOR_ID, 2);

	return v != 0xffff && v != 0;
}

static void scan_bus(struct scan *s, u8 bus, u16 parent)
{
	for (u8 dev = 0; dev < 32; dev++) {
		bool mf;

		if (!present(s, bus, (u8)(dev << 3)))
			continue;
		mf = rd(s, bus, (u8)(dev << 3), HPCI_HEADER_TYPE, 1) & 0x80;
		for (u8 fn = 0; fn < (mf ? 8 : 1); fn++) {
			struct hpci_dev *d;

			if (!present(s, bus, (u8)(dev << 3 | fn)))
				continue;
			d = add_function(s, bus, dev, fn, mf, parent);
			if (!d)
				return;
			if (d->bridge)
				follow_bridge(s, d);
		}
	}
}

void hpci_enumerate(struct hpci_table *t, const struct hpci_cfg_access *a, u16 seg, u8 bus0)
{
	static struct scan s; /* 1 KiB: not on the stack; boot CPU only */

	memset(&s, 0, sizeof(s));
	s.t = t;
	s.a = a;
	s.seg = seg;
	/* Buses of this segment already in the table (an earlier root). */
	for (unsigned i = 0; i < t->n; i++)
		if (t->d[i].seg == seg)
			s.seen[t->d[i].bus / 8] |= (u8)(1u << (t->d[i].bus % 8));
	if (bus_seen(&s, bus0))
		return;
	queue_bus(&s, bus0, HPCI_NO_PARENT);
	while (s.head < s.tail) {
		u8 bus = s.queue[s.head];
		u16 parent = s.queue_parent[s.head++];

		scan_bus(&s, bus, parent);
	}
}

/* Is @bus claimed by a bridge of @seg in the table (its secondary range;
 * a bogus one whose subordinate is below its secondary still claims its
 * secondary bus)? */
static bool behind_bridge(const struct hpci_table *t, u16 seg, u8 bus)
{
	for (unsigned i = 0; i < t->n; i++) {
		const struct hpci_dev *b = &t->d[i];

		if (b->seg == seg && b->bridge && b->sec_bus && bus >= b->sec_bus &&
		    bus <= MAX(b->sub_bus, b->sec_bus))
			return true;
	}
	return false;
}

static bool bus_has_devices(const struct hpci_cfg_access *a, u16 seg, u8 bus)
{
	for (u8 dev = 0; dev < 32; dev++) {
		u16 v = (u16)a->read(a->ctx, seg, bus, (u8)(dev << 3), HPCI_VENDOR_ID, 2);

		if (v != 0xffff && v != 0)
			return true;
	}
	return false;
}

unsigned hpci_enumerate_segment(struct hpci_table *t, const struct hpci_cfg_access *a, u16 seg,
				u8 first, u8 last)
{
	unsigned roots = 0;

	for (unsigned bus = first; bus <= last; bus++) {
		bool known = false;

		for (unsigned i = 0; i < t->n && !known; i++)
			known = t->d[i].seg == seg && t->d[i].bus == bus;
		if (bus != first && (known || behind_bridge(t, seg, (u8)bus) ||
				     !bus_has_devices(a, seg, (u8)bus)))
			continue;
		hpci_enumerate(t, a, seg, (u8)bus);
		roots++;
	}
	return roots;
}

struct hpci_dev *hpci_table_find(struct hpci_table *t, u16 seg, u8 bus, u8 dev, u8 fn)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct hpci_dev *d = &t->d[i];

		if (d->seg == seg && d->bus == bus && d->dev == dev && d->fn == fn)
			return d;
	}
	return NULL;
}

struct hpci_dev *hpci_table_find_io(struct hpci_table *t, u16 port)
{
	for (unsigned i = 0; i < t->n; i++)
		for (unsigned k = 0; k < t->d[i].nbars; k++) {
			const struct hpci_bar *b = &t->d[i].bar[k];

			if (b->kind == HPCI_BAR_IO && port >= b->base && port - b->base < b->size)
				return &t->d[i];
		}
	return NULL;
}

/* @s[0..@len) as a hex number of 1 to @digits digits, at most @max. */
static bool hex_part(const char *s, size_t len, unsigned digits, u32 max, u32 *out)
{
	u32 v = 0;

	if (!len || len > digits)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		u32 h;

		if (c >= '0' && c <= '9')
			h = (u32)(c - '0');
		else if (c >= 'a' && c <= 'f')
			h = (u32)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			h = (u32)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | h;
	}
	*out = v;
	return v <= max;
}

bool hpci_parse_bdf(const char *s, size_t len, u16 *seg, u8 *bus, u8 *dev, u8 *fn)
{
	size_t colon[2], ncolon = 0, dot = len, start = 0;
	u32 sg = 0, b, d, f;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == ':') {
			if (ncolon == 2 || dot != len)
				return false;
			colon[ncolon++] = i;
		} else if (s[i] == '.') {
			if (dot != len)
				return false;
			dot = i;
		}
	}
	if (!ncolon || dot == len || dot < colon[ncolon - 1])
		return false;
	if (ncolon == 2) {
		if (!hex_part(s, colon[0], 4, 0xffff, &sg))
			return false;
		start = colon[0] + 1;
	}
	if (!hex_part(s + start, colon[ncolon - 1] - start, 2, 0xff, &b) ||
	    !hex_part(s + colon[ncolon - 1] + 1, dot - colon[ncolon - 1] - 1, 2, 0x1f, &d) ||
	    !hex_part(s + dot + 1, len - dot - 1, 1, 7, &f))
		return false;
	*seg = (u16)sg;
	*bus = (u8)b;
	*dev = (u8)d;
	*fn = (u8)f;
	return true;
}

/* ---- the report line ---- */

struct line {
	char *buf;
	size_t size, len;
};

static void put(struct line *l, const char *fmt, ...) __printf(2, 3);
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len + 1 >= l->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len = MIN(l->len + (size_t)n, l->size - 1);
}

/* 4096 -> "4K", 1 MiB -> "1M", 32 -> "32". */
static void put_size(struct line *l, u64 size)
{
	static const char unit[] = "KMGT";
	unsigned u = 0;

	if (!size || size & 1023) {
		put(l, "%llu", (unsigned long long)size);
		return;
	}
	size >>= 10;
	while (u + 1 < sizeof(unit) - 1 && size >= 1024 && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	put(l, "%llu%c", (unsigned long long)size, unit[u]);
}

static const char *const bar_kind_name[] = {
	[HPCI_BAR_NONE] = "none", [HPCI_BAR_IO] = "io",
	[HPCI_BAR_MEM32] = "mem32", [HPCI_BAR_MEM64] = "mem64",
};

static const char *pcie_type_name(u8 t)
{
	static const char *const names[] = {
		[0] = "endpoint", [1] = "legacy-endpoint", [4] = "root-port",
		[5] = "upstream-port", [6] = "downstream-port", [7] = "pcie-to-pci",
		[8] = "pci-to-pcie", [9] = "rc-endpoint", [10] = "rc-event-collector",
	};

	return t < ARRAY_SIZE(names) && names[t] ? names[t] : "other";
}

static void put_bars(struct line *l, const struct hpci_dev *d)
{
	bool any = false;

	put(l, " bars");
	for (unsigned i = 0; i < d->nbars; i++) {
		const struct hpci_bar *b = &d->bar[i];

		if (b->kind == HPCI_BAR_NONE || b->kind > HPCI_BAR_MEM64)
			continue;
		put(l, " %u:%s%s:0x%llx+", i, bar_kind_name[b->kind], b->prefetch ? "p" : "",
		    (unsigned long long)b->base);
		put_size(l, b->size);
		any = true;
	}
	if (!any)
		put(l, " none");
}

static void put_caps(struct line *l, const struct hpci_dev *d)
{
	const char *sep = " ";

	put(l, " caps");
	if (d->cap_pm) {
		put(l, "%spm", sep);
		sep = ",";
	}
	if (d->cap_msi) {
		put(l, "%smsi", sep);
		sep = ",";
	}
	if (d->cap_msix) {
		put(l, "%smsix", sep);
		sep = ",";
	}
	if (d->cap_pcie) {
		put(l, "%spcie", sep);
		sep = ",";
	}
	if (sep[0] == ' ')
		put(l, " none");
	if (d->cap_pcie)
		put(l, " pcie=%s", pcie_type_name(d->pcie_type));
}

void hpci_describe(const struct hpci_dev *d, char *buf, size_t size)
{
	struct line l = { buf, size, 0 };
	const char *owner = d->owner == HPCI_OWNER_HV ? "hv" :
			    d->owner == HPCI_OWNER_GUEST ? (d->owner_name ? d->owner_name : "guest") :
			    "none";

	if (size)
		buf[0] = 0;
	put(&l, "%04x:%02x:%02x.%x %04x:%04x class %06x hdr %u", d->seg, d->bus, d->dev, d->fn,
	    d->vendor, d->device, d->class, d->header_type);
	if (d->bridge)
		put(&l, " bus %02x-%02x", d->sec_bus, d->sub_bus);
	put_bars(&l, d);
	put_caps(&l, d);
	put(&l, " flr=%s", d->flr ? "yes" : "no");
	put(&l, " owner %s", owner);
	if (d->iommu_unit >= 0)
		put(&l, " iommu %d", d->iommu_unit);
	else
		put(&l, " iommu -");
}
