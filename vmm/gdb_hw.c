// SPDX-License-Identifier: MIT
/*
 * The GDB stub's hardware breakpoint table (gdb_hw.h).
 */
#include "kernel/string.h"
#include "vmm/gdb_hw.h"

void gdb_hw_init(struct gdb_hw *h) { memset(h, 0, sizeof(*h)); }

static bool same_request(const struct gdb_hw *h, unsigned i, unsigned type, u64 addr, u64 len)
{
	return h->type[i] == type && h->req_addr[i] == addr && h->req_len[i] == len;
}

/* The largest naturally aligned piece at @addr of at most @left bytes. */
static unsigned piece(u64 addr, u64 left, bool wide)
{
	unsigned size = wide ? 8 : 4;

	while (size > left || (addr & (size - 1)))
		size /= 2;
	return size;
}

static unsigned pieces(unsigned type, u64 addr, u64 len, bool wide)
{
	unsigned n = 0;

	if (type == GDB_HW_EXEC)
		return 1;
	for (u64 at = addr, end = addr + len; at != end; n++)
		at += piece(at, end - at, wide);
	return n;
}

static unsigned free_slots(const struct gdb_hw *h)
{
	return GDB_HW_SLOTS - gdb_hw_used(h);
}

static void take(struct gdb_hw *h, unsigned type, u64 at, unsigned size, u64 addr, u64 len)
{
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		if (h->type[i])
			continue;
		h->type[i] = (u8)type;
		h->len[i] = (u8)size;
		h->addr[i] = at;
		h->req_addr[i] = addr;
		h->req_len[i] = len;
		return;
	}
}

bool gdb_hw_insert(struct gdb_hw *h, unsigned type, u64 addr, u64 len, bool wide)
{
	if (type < GDB_HW_EXEC || type > GDB_HW_ACCESS || !len)
		return false;
	if (type != GDB_HW_EXEC && (len > GDB_HW_LEN_MAX || addr + len < addr))
		return false;
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
		if (same_request(h, i, type, addr, len))
			return true;
	if (pieces(type, addr, len, wide) > free_slots(h))
		return false;
	if (type == GDB_HW_EXEC) {
		take(h, type, addr, 1, addr, len);
		return true;
	}
	for (u64 at = addr, end = addr + len; at != end;) {
		unsigned size = piece(at, end - at, wide);

		take(h, type, at, size, addr, len);
		at += size;
	}
	return true;
}

bool gdb_hw_remove(struct gdb_hw *h, unsigned type, u64 addr, u64 len)
{
	bool found = false;

	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		if (h->type[i] && same_request(h, i, type, addr, len)) {
			h->type[i] = 0;
			found = true;
		}
	}
	return found;
}

unsigned gdb_hw_used(const struct gdb_hw *h)
{
	unsigned n = 0;

	for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
		n += h->type[i] != 0;
	return n;
}

/* R/W (§18.2.4): 00 execute, 01 write, 11 read or write; LEN: 00 one
 * byte, 01 two, 11 four, 10 eight. */
u64 gdb_hw_dr7(const struct gdb_hw *h)
{
	static const u8 rw[] = { 0, 0, 1, 3, 3 };
	u64 dr7 = 0;

	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		unsigned len = h->len[i] == 8 ? 2 : h->len[i] == 4 ? 3 : h->len[i] == 2 ? 1 : 0;

		if (!h->type[i])
			continue;
		dr7 |= 2ULL << (2 * i); /* Gn */
		dr7 |= (u64)(rw[h->type[i]] | (h->type[i] == GDB_HW_EXEC ? 0 : len << 2))
		       << (16 + 4 * i);
	}
	return dr7 ? dr7 | (1ULL << 9) : 0; /* GE */
}

bool gdb_hw_hit(const struct gdb_hw *h, unsigned hits, unsigned *type, u64 *addr)
{
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
		if (!(hits & (1u << i)) || !h->type[i])
			continue;
		*type = h->type[i];
		*addr = h->addr[i];
		return true;
	}
	return false;
}
