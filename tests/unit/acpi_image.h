// SPDX-License-Identifier: MIT
/*
 * Helpers for the ACPI unit tests: a fake physical memory (a host buffer
 * whose offset is the physical address) with a struct acpi_mem accessor,
 * and builders that write RSDPs, RSDT/XSDTs and tables with correct
 * lengths and checksums into it. Every map() returns a fresh heap copy of
 * exactly the requested bytes and frees the previous one, so AddressSanitizer
 * reports any read past a mapping and any use of a stale mapping.
 */
#ifndef TESTS_UNIT_ACPI_IMAGE_H
#define TESTS_UNIT_ACPI_IMAGE_H

#include <stdlib.h>
#include <string.h>

#include "drivers/acpi.h"

struct img {
	u8 *mem;
	u64 size;
	void *last; /* copy handed out by the last map() */
	u32 maps;
	struct acpi_mem am;
};

/* A growing byte string for table bodies and AML. */
struct bytes {
	u8 b[16384];
	u32 n;
};

static inline const void *img_map(void *ctx, u64 phys, u64 len)
{
	struct img *im = ctx;

	free(im->last);
	im->last = NULL;
	if (phys > im->size || len > im->size - phys)
		return NULL;
	im->last = malloc(len ? len : 1);
	memcpy(im->last, im->mem + phys, len);
	im->maps++;
	return im->last;
}

static inline void img_init(struct img *im, u64 size)
{
	memset(im, 0, sizeof(*im));
	im->mem = calloc(1, size);
	im->size = size;
	im->am.map = img_map;
	im->am.ctx = im;
}

static inline void img_free(struct img *im)
{
	free(im->last);
	free(im->mem);
}

static inline u8 img_sum(const u8 *p, u32 len)
{
	u8 s = 0;

	while (len--)
		s = (u8)(s + *p++);
	return s;
}

static inline void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static inline void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

static inline void b8(struct bytes *s, u64 v)
{
	s->b[s->n++] = (u8)v;
}

static inline void b16(struct bytes *s, u64 v)
{
	put16(s->b + s->n, (u16)v);
	s->n += 2;
}

static inline void b32(struct bytes *s, u64 v)
{
	put32(s->b + s->n, (u32)v);
	s->n += 4;
}

static inline void b64(struct bytes *s, u64 v)
{
	put64(s->b + s->n, v);
	s->n += 8;
}

static inline void bfill(struct bytes *s, u8 v, u32 n)
{
	memset(s->b + s->n, v, n);
	s->n += n;
}

static inline void bmem(struct bytes *s, const void *p, u32 n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

/* Generic Address Structure (ACPI §5.2.3.2). */
static inline void bgas(struct bytes *s, u8 space, u8 width, u8 access, u64 addr)
{
	b8(s, space);
	b8(s, width);
	b8(s, 0);
	b8(s, access);
	b64(s, addr);
}

/* Write header + body at @phys with a valid checksum; returns the length. */
static inline u32 img_table(struct img *im, u64 phys, const char *sig, u8 rev,
			    const struct bytes *body)
{
	u8 *t = im->mem + phys;
	u32 len = 36 + (body ? body->n : 0);

	memset(t, 0, 36);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "HVOEM ", 6);
	memcpy(t + 16, "HVTABLE ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "HVTC", 4);
	put32(t + 32, 1);
	if (body)
		memcpy(t + 36, body->b, body->n);
	t[9] = (u8)-img_sum(t, len);
	return len;
}

static inline void img_corrupt(struct img *im, u64 phys)
{
	im->mem[phys + 9] ^= 0x55;
}

static inline void img_root(struct img *im, u64 phys, const char *sig,
			    const u64 *addrs, u32 n)
{
	struct bytes *s = calloc(1, sizeof(*s));
	bool x = sig[0] == 'X';

	for (u32 i = 0; i < n; i++) {
		if (x)
			b64(s, addrs[i]);
		else
			b32(s, addrs[i]);
	}
	img_table(im, phys, sig, 1, s);
	free(s);
}

/* RSDP (ACPI §5.2.5.3) of @rev (0 or 2) into @out (36 bytes). */
static inline void rsdp_build(u8 *out, u8 rev, u32 rsdt, u64 xsdt)
{
	memset(out, 0, 36);
	memcpy(out, "RSD PTR ", 8);
	memcpy(out + 9, "HVOEM ", 6);
	out[15] = rev;
	put32(out + 16, rsdt);
	out[8] = (u8)-img_sum(out, 20);
	if (rev < 2)
		return;
	put32(out + 20, 36);
	put64(out + 24, xsdt);
	out[32] = (u8)-img_sum(out, 36);
}

static inline void img_rsdp(struct img *im, u64 phys, u8 rev, u32 rsdt, u64 xsdt)
{
	rsdp_build(im->mem + phys, rev, rsdt, xsdt);
}

#endif
