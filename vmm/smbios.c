// SPDX-License-Identifier: MIT
/*
 * The guest's SMBIOS tables (smbios.h). Every structure is a formatted
 * area (type, length, handle, fields at the offsets DSP0134 3.0 gives in
 * its tables) followed by its strings, each NUL-terminated, the set ended
 * by one more NUL (two when there are none, §6.1.3). Strings are numbered
 * from 1 in the order they follow; 0 means "none".
 */
#include "kernel/format.h"
#include "kernel/string.h"
#include "vmm/gmem.h"
#include "vmm/smbios.h"
#include "vmm/vm.h"

#define SMB_WINDOW (SMBIOS_END - SMBIOS_BASE)
#define SMB_EP_LEN 0x18
#define SMB_TABLE_AT 0x20  /* the structure table, after the entry point */
#define SMB_MAX_STRINGS 8
#define SMB_MAX_FORMATTED 0x30

/* Strings this build of the hypervisor puts in the tables. */
#define SMB_VENDOR "hv"
#define SMB_VERSION "1.0"
#define SMB_DATE "11/21/2026"  /* mm/dd/yyyy, §7.1 */

struct smb_writer {
	u8 *win;      /* the window in guest RAM */
	u32 pos;      /* next free byte */
	bool full;
	u16 handle;   /* next handle */
	u16 count;    /* structures written */
	u16 max_len;  /* the largest structure, strings included */
};

/* One structure being assembled: formatted area plus its strings. */
struct smb_struct {
	u8 f[SMB_MAX_FORMATTED];
	u8 len;
	const char *str[SMB_MAX_STRINGS];
	u8 nstr;
};

static void put16(u8 *p, u16 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static void put32(u8 *p, u32 v) { put16(p, (u16)v); put16(p + 2, (u16)(v >> 16)); }
static void put64(u8 *p, u64 v) { put32(p, (u32)v); put32(p + 4, (u32)(v >> 32)); }

static void smb_start(struct smb_struct *s, u8 type, u8 len)
{
	memset(s, 0, sizeof(*s));
	s->f[0] = type;
	s->f[1] = len;
	s->len = len;
}

/* Add a string to @s; returns its number, 0 for NULL or "". */
static u8 smb_str(struct smb_struct *s, const char *str)
{
	if (!str || !str[0] || s->nstr == SMB_MAX_STRINGS)
		return 0;
	s->str[s->nstr++] = str;
	return s->nstr;
}

/* Append @s with the next handle; returns that handle. */
static u16 smb_emit(struct smb_writer *w, struct smb_struct *s)
{
	u32 need = s->len + 1, at;
	u16 handle = w->handle++;

	for (u8 i = 0; i < s->nstr; i++)
		need += strlen(s->str[i]) + 1;
	if (!s->nstr)
		need++;
	if (w->full || need > SMB_WINDOW - w->pos) {
		w->full = true;
		return handle;
	}
	put16(s->f + 2, handle);
	at = w->pos;
	memcpy(w->win + at, s->f, s->len);
	at += s->len;
	for (u8 i = 0; i < s->nstr; i++) {
		size_t n = strlen(s->str[i]) + 1;

		memcpy(w->win + at, s->str[i], n);
		at += n;
	}
	w->win[at++] = 0;
	if (!s->nstr)
		w->win[at++] = 0;
	w->count++;
	w->max_len = (u16)MAX(w->max_len, need);
	w->pos = at;
	return handle;
}

/* Type 0, BIOS Information (§7.1): no characteristics but "ACPI" and "this
 * is a virtual machine" (extension byte 2, bit 4). */
static void smb_bios(struct smb_writer *w)
{
	struct smb_struct s;

	smb_start(&s, 0, 0x18);
	s.f[0x04] = smb_str(&s, SMB_VENDOR);
	s.f[0x05] = smb_str(&s, SMB_VERSION);
	put16(s.f + 0x06, 0xf000);     /* starting segment */
	s.f[0x08] = smb_str(&s, SMB_DATE);
	s.f[0x09] = 0;                 /* ROM size 64 KiB */
	put64(s.f + 0x0a, 1u << 3);    /* characteristics not supported */
	s.f[0x12] = 1u << 0;           /* ACPI */
	s.f[0x13] = 1u << 4;           /* a virtual machine */
	s.f[0x14] = 1;                 /* release 1.0 */
	s.f[0x15] = 0;
	s.f[0x16] = 0xff;              /* no embedded controller */
	s.f[0x17] = 0xff;
	smb_emit(w, &s);
}

/* FNV-1a over @name, from @seed. */
static u64 name_hash(const char *name, u64 seed)
{
	u64 h = seed;

	for (; *name; name++)
		h = (h ^ (u8)*name) * 0x100000001b3ULL;
	return h;
}

/*
 * A UUID stable for the guest's name: RFC 9562 version 8 (custom) with
 * the RFC variant, stored as §7.2.1 says: the first three fields little-
 * endian, the rest in order.
 */
static void smb_uuid(u8 *out, const char *name)
{
	u64 hi = name_hash(name, 0xcbf29ce484222325ULL);
	u64 lo = name_hash(name, 0x84222325cbf29ce4ULL);
	u8 b[16];

	for (int i = 0; i < 8; i++) {
		b[i] = (u8)(hi >> (56 - 8 * i));
		b[8 + i] = (u8)(lo >> (56 - 8 * i));
	}
	b[6] = (u8)((b[6] & 0x0f) | 0x80);  /* version 8 */
	b[8] = (u8)((b[8] & 0x3f) | 0x80);  /* variant 10 */
	out[0] = b[3], out[1] = b[2], out[2] = b[1], out[3] = b[0];
	out[4] = b[5], out[5] = b[4];
	out[6] = b[7], out[7] = b[6];
	memcpy(out + 8, b + 8, 8);
}

/* Type 1, System Information (§7.2): the guest's name is its serial. */
static void smb_system(struct smb_writer *w, const struct vm *vm)
{
	struct smb_struct s;

	smb_start(&s, 1, 0x1b);
	s.f[0x04] = smb_str(&s, SMB_VENDOR);
	s.f[0x05] = smb_str(&s, "hv virtual machine");
	s.f[0x06] = smb_str(&s, SMB_VERSION);
	s.f[0x07] = smb_str(&s, vm->name);
	smb_uuid(s.f + 0x08, vm->name);
	s.f[0x18] = 0x06;              /* woken by the power switch */
	s.f[0x19] = 0;                 /* SKU */
	s.f[0x1a] = smb_str(&s, "Virtual Machine");
	smb_emit(w, &s);
}

/* Type 3, System Enclosure (§7.4). */
static void smb_chassis(struct smb_writer *w)
{
	struct smb_struct s;

	smb_start(&s, 3, 0x16);
	s.f[0x04] = smb_str(&s, SMB_VENDOR);
	s.f[0x05] = 0x01;              /* other */
	s.f[0x09] = 0x03;              /* boot-up, power supply, thermal: safe */
	s.f[0x0a] = 0x03;
	s.f[0x0b] = 0x03;
	s.f[0x0c] = 0x03;              /* security: none */
	smb_emit(w, &s);
}

/* Type 4, Processor Information (§7.5), one per vCPU: one core, one thread. */
static void smb_processor(struct smb_writer *w, const struct smbios_cpu *cpu, u32 n)
{
	struct smb_struct s;
	char socket[16];

	snprintf(socket, sizeof(socket), "CPU %u", n);
	smb_start(&s, 4, 0x30);
	s.f[0x04] = smb_str(&s, socket);
	s.f[0x05] = 0x03;              /* central processor */
	s.f[0x06] = 0xfe;              /* family: see 0x28 */
	s.f[0x07] = smb_str(&s, cpu->vendor);
	put32(s.f + 0x08, cpu->cpuid1_eax);
	put32(s.f + 0x0c, cpu->cpuid1_edx);
	put16(s.f + 0x14, (u16)MIN(cpu->mhz, 0xffffu));
	put16(s.f + 0x16, (u16)MIN(cpu->mhz, 0xffffu));
	s.f[0x18] = 0x41;              /* socket populated, CPU enabled */
	s.f[0x19] = 0x01;              /* upgrade: other */
	put16(s.f + 0x1a, 0xffff);     /* no cache structures */
	put16(s.f + 0x1c, 0xffff);
	put16(s.f + 0x1e, 0xffff);
	s.f[0x23] = 1;                 /* cores, enabled cores, threads */
	s.f[0x24] = 1;
	s.f[0x25] = 1;
	put16(s.f + 0x26, 1u << 2);    /* 64-bit capable */
	put16(s.f + 0x28, 0x01);       /* family 2: other */
	put16(s.f + 0x2a, 1);
	put16(s.f + 0x2c, 1);
	put16(s.f + 0x2e, 1);
	smb_emit(w, &s);
}

/* Types 16, 17 and 19 (§7.17, §7.18, §7.20): one array holding one
 * device of all the RAM, mapped below 3 GiB and from 4 GiB. */
static void smb_memory(struct smb_writer *w, const struct vm *vm)
{
	u64 size = vm->mem.ram_size, low = MIN(size, (u64)GMEM_LOW_TOP);
	u64 mib = size >> 20;
	struct smb_struct s;
	u16 array;

	smb_start(&s, 16, 0x17);
	s.f[0x04] = 0x03;              /* system board */
	s.f[0x05] = 0x03;              /* system memory */
	s.f[0x06] = 0x03;              /* no error correction */
	put32(s.f + 0x07, 0x80000000u); /* capacity: see 0x0f */
	put16(s.f + 0x0b, 0xfffe);     /* no error information */
	put16(s.f + 0x0d, 1);
	put64(s.f + 0x0f, size);
	array = smb_emit(w, &s);

	smb_start(&s, 17, 0x28);
	put16(s.f + 0x04, array);
	put16(s.f + 0x06, 0xfffe);
	put16(s.f + 0x08, 0xffff);     /* widths unknown */
	put16(s.f + 0x0a, 0xffff);
	put16(s.f + 0x0c, mib < 0x7fff ? (u16)mib : 0x7fff);
	s.f[0x0e] = 0x01;              /* form factor: other */
	s.f[0x10] = smb_str(&s, "RAM");
	s.f[0x12] = 0x07;              /* type: RAM */
	put16(s.f + 0x13, 1u << 1);    /* detail: other */
	s.f[0x17] = smb_str(&s, SMB_VENDOR);
	put32(s.f + 0x1c, mib < 0x7fff ? 0 : (u32)MIN(mib, 0x7fffffffULL));
	smb_emit(w, &s);

	for (int hi = 0; hi < 2; hi++) {
		u64 start = hi ? 4 * GiB : 0, end = hi ? 4 * GiB + size - low : low;

		if (start == end)
			continue;
		smb_start(&s, 19, 0x1f);
		if ((end >> 10) <= 0xffffffffULL) {
			put32(s.f + 0x04, (u32)(start >> 10));
			put32(s.f + 0x08, (u32)((end >> 10) - 1));
		} else {
			put32(s.f + 0x04, 0xffffffffu);
			put32(s.f + 0x08, 0xffffffffu);
			put64(s.f + 0x0f, start);
			put64(s.f + 0x17, end - 1);
		}
		put16(s.f + 0x0c, array);
		s.f[0x0e] = 1;             /* partition width */
		smb_emit(w, &s);
	}
}

/* Type 32, System Boot Information (§7.33): no errors. */
static void smb_boot(struct smb_writer *w)
{
	struct smb_struct s;

	smb_start(&s, 32, 0x0b);
	smb_emit(w, &s);
}

/* The 64-bit entry point (§5.2.2). */
static void smb_entry_point(u8 *ep, u32 table_len)
{
	u8 sum = 0;

	memcpy(ep, "_SM3_", 5);
	ep[0x06] = SMB_EP_LEN;
	ep[0x07] = 3;                  /* SMBIOS 3.0.0 */
	ep[0x08] = 0;
	ep[0x09] = 0;
	ep[0x0a] = 1;                  /* entry point revision 3.0 */
	put32(ep + 0x0c, table_len);
	put64(ep + 0x10, SMBIOS_BASE + SMB_TABLE_AT);
	for (int i = 0; i < SMB_EP_LEN; i++)
		sum = (u8)(sum + ep[i]);
	ep[0x05] = (u8)-sum;
}

bool smbios_build(struct vm *vm, const struct smbios_cpu *cpu)
{
	struct smb_writer w = { .pos = SMB_TABLE_AT };
	struct smb_struct end;

	w.win = gmem_ptr(&vm->mem, SMBIOS_BASE, SMB_WINDOW);
	if (!w.win || !cpu->count)
		return false;
	memset(w.win, 0, SMB_WINDOW);
	smb_bios(&w);
	smb_system(&w, vm);
	smb_chassis(&w);
	for (u32 i = 0; i < cpu->count; i++)
		smb_processor(&w, cpu, i);
	smb_memory(&w, vm);
	smb_boot(&w);
	smb_start(&end, 127, 4);
	smb_emit(&w, &end);
	if (w.full)
		return false;
	smb_entry_point(w.win, w.pos - SMB_TABLE_AT);
	return true;
}
