// SPDX-License-Identifier: MIT
//
// A hostile guest for the virtio devices: it drives the virtio-blk
// function on its PCI bus by hand (virtio spec v1.2 §3.1.1 driver
// initialisation over the modern PCI transport, §4.1; one split
// virtqueue, §2.7) and breaks its ring while the device has work queued:
// a good request and a broken one in the same notification. Each broken
// kind -- a descriptor loop, a buffer in MMIO (the function's own BAR), a
// buffer beyond RAM, the available index jumping past the queue size, a
// used ring in MMIO -- must leave the device in DEVICE_NEEDS_RESET
// (status bit 0x40, printed), the good request before it served, and the
// device working again after a reset. The hypervisor and the neighbour
// must not notice. The BAR layout is the hypervisor's (vmm/virtio/
// virtio_pci.h); a real driver would read it from the capabilities.
#include "lib/multiboot.h"
#include "lib/pci.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"

#define QSZ 8
#define VIRTIO_BLK_ID 0x10421af4u  /* device << 16 | vendor */
/* common configuration (§4.1.4.3) */
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_STATUS 0x14
#define C_Q_SELECT 0x16
#define C_Q_SIZE 0x18
#define C_Q_ENABLE 0x1c
#define C_Q_DESC 0x20
#define C_Q_AVAIL 0x28
#define C_Q_USED 0x30
#define NOTIFY_OFF 0x3000
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40
#define D_NEXT 1
#define D_WRITE 2

struct vdesc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

static struct vdesc desc[QSZ] aligned(4096);
static struct {
	u16 flags, idx, ring[QSZ], used_event;
} avail aligned(4096);
static struct {
	u16 flags, idx;
	struct { u32 id, len; } ring[QSZ];
	u16 avail_event;
} used aligned(4096);
static struct { u32 type, reserved; u64 sector; } hdr;
static u8 data[512] aligned(512);
static volatile u8 blk_status;
static u32 bar;

static void w8(u32 off, u8 v) { *(volatile u8 *)(bar + off) = v; }
static void w16(u32 off, u16 v) { *(volatile u16 *)(bar + off) = v; }
static void w32(u32 off, u32 v) { *(volatile u32 *)(bar + off) = v; }
static u8 r8(u32 off) { return *(volatile u8 *)(bar + off); }

/* BAR 0 of the first virtio-blk function on bus 0 (placed below 4 GiB). */
static u32 find_blk(void)
{
	for (u32 s = 0; s < 32; s++)
		if (pci_cfg_read(s, 0) == VIRTIO_BLK_ID && !pci_cfg_read(s, 0x14))
			return pci_cfg_read(s, 0x10) & ~0xfu;
	return 0;
}

static void w64(u32 off, u32 v)
{
	w32(off, v);
	w32(off + 4, 0);
}

/* Reset and bring the device up with VERSION_1 only, queue 0 of QSZ
 * entries with its used ring at @used_at; the status it ends with. */
static u8 dev_init(u32 used_at)
{
	w8(C_STATUS, 0);
	w8(C_STATUS, S_ACK);
	w8(C_STATUS, S_ACK | S_DRIVER);
	w32(C_GFSELECT, 1);
	w32(C_GF, 1); /* VERSION_1 (bit 32) */
	w32(C_GFSELECT, 0);
	w32(C_GF, 0);
	w8(C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	w16(C_Q_SELECT, 0);
	w16(C_Q_SIZE, QSZ);
	w64(C_Q_DESC, (u32)desc);
	w64(C_Q_AVAIL, (u32)&avail);
	w64(C_Q_USED, used_at);
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	w16(C_Q_ENABLE, 1);
	w8(C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return r8(C_STATUS);
}

/* A read of sector 0 as descriptors @d, @d + 1, @d + 2. */
static void good_chain(u16 d)
{
	hdr = (typeof(hdr)){ 0, 0, 0 }; /* VIRTIO_BLK_T_IN */
	blk_status = 0xff;
	desc[d] = (struct vdesc){ (u32)&hdr, sizeof(hdr), D_NEXT, (u16)(d + 1) };
	desc[d + 1] = (struct vdesc){ (u32)data, sizeof(data), D_NEXT | D_WRITE, (u16)(d + 2) };
	desc[d + 2] = (struct vdesc){ (u32)&blk_status, 1, D_WRITE, 0 };
}

static void post(u16 head)
{
	avail.ring[avail.idx % QSZ] = head;
	asm volatile("" ::: "memory");
	avail.idx++;
}

static void notify(void)
{
	asm volatile("" ::: "memory");
	w16(NOTIFY_OFF, 0);
}

/* A good read alone: the device works. */
static bool good_read(void)
{
	u16 before = used.idx;

	memset(data, 0, sizeof(data));
	good_chain(0);
	post(0);
	notify();
	return used.idx == (u16)(before + 1) && blk_status == 0 &&
	       !memcmp(data, "sector 0 ", 9);
}

/* Descriptors 3.. hold the broken chain of @kind; 0-2 a good one. */
static void broken_chain(int kind)
{
	good_chain(3);
	if (kind == 0) {        /* 3 -> 4 -> 3 ... */
		desc[4].next = 3;
	} else if (kind == 1) { /* data into the function's own BAR */
		desc[4].addr = bar;
	} else {                /* data far beyond the 32 MiB of RAM */
		desc[4].addr = 0x7ff00000u;
	}
}

static const char *const kinds[] = { "descriptor loop", "buffer in MMIO",
				     "buffer beyond RAM", "avail idx jump",
				     "used ring in MMIO" };

/* One broken kind while a good request is queued with it. */
static void attack(int kind)
{
	u8 st = dev_init(kind == 4 ? bar + 0x100 : (u32)&used);

	if (kind < 3) {
		good_chain(0);
		broken_chain(kind);
		post(0);
		post(3);
	} else if (kind == 3) { /* the index is checked before any chain is
				 * popped: the good one goes first on its own */
		good_chain(0);
		post(0);
		notify();
		avail.idx += QSZ + 5;
	}
	if (kind != 4)
		notify();
	st = r8(C_STATUS);
	check(st & S_NEEDS_RESET, "%s: device status 0x%x (NEEDS_RESET %s)", kinds[kind], st,
	      st & S_NEEDS_RESET ? "set" : "NOT set");
	if (kind < 4)
		check(used.idx == 1 && blk_status == 0,
		      "%s: the good request before it served (used idx %u)", kinds[kind], used.idx);
	check(dev_init((u32)&used) == 0x0f && good_read(), "%s: works again after a reset",
	      kinds[kind]);
}

int main(void)
{
	test_start("hostile_virtio");
	bar = find_blk();
	if (!check(bar != 0, "virtio-blk found, BAR 0 at 0x%x", bar))
		test_finish();
	check(dev_init((u32)&used) == 0x0f && good_read(), "sector 0 read through the ring");
	for (int k = 0; k < 5; k++)
		attack(k);
	test_finish();
}
