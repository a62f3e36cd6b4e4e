// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the host's ACPI table parser (drivers/acpi.c). The
 * input is physical memory from address 0, with the RSDP at 16 (address
 * 0 means "none" to the parser; byte 0 holds the harness's flag); the
 * parser reads it through struct acpi_mem, one mapping at a time (a fresh
 * heap copy of exactly the bytes asked for, so ASan sees any read past a
 * mapping). Checksums are what a fuzzer cannot guess: unless the first
 * byte has bit 7 set, the harness makes the checksum of every structure
 * the parser maps whole (RSDP 20/36 bytes, a table of its own length)
 * correct in the copy. The AML scanner (\_S5_) and the SPCR lookup run on
 * the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/acpi.h"

struct image {
	const u8 *mem;
	u64 size;
	bool fix_sums;
	u8 *last;
};

static u32 get32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static void fix_sum(u8 *t, u64 len, u64 at)
{
	u8 s = 0;

	t[at] = 0;
	for (u64 i = 0; i < len; i++)
		s = (u8)(s + t[i]);
	t[at] = (u8)-s;
}

static const void *image_map(void *ctx, u64 phys, u64 len)
{
	struct image *im = ctx;
	u8 *t;

	free(im->last);
	im->last = NULL;
	if (phys > im->size || len > im->size - phys)
		return NULL;
	t = im->last = malloc(len ? len : 1);
	memcpy(t, im->mem + phys, len);
	if (!im->fix_sums)
		return t;
	if (len >= 20 && !memcmp(t, "RSD PTR ", 8)) {
		fix_sum(t, 20, 8);
		if (len >= 36)
			fix_sum(t, 36, 32);
	} else if (len >= 36 && get32(t + 4) == len) {
		fix_sum(t, len, 9);
	}
	return t;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct acpi_info ai;
	struct image im = { data, size, !(size && (data[0] & 0x80)), NULL };
	struct acpi_mem am = { image_map, &im };
	u8 a, b;
	u16 port;
	u32 baud;

	if (acpi_parse(&am, NULL, 0, 16, &ai) == ACPI_OK)
		acpi_spcr_console_port(&ai, &port, &baud);
	free(im.last);
	acpi_aml_find_s5(data, (u32)size, &a, &b);
	return 0;
}
