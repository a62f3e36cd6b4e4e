// SPDX-License-Identifier: MIT
/*
 * Multiboot v1 and flat-binary loading (loader.h). Multiboot information
 * layout: Multiboot spec 0.6.96 §3.3; ELF program headers: System V gABI
 * (ELF32 and ELF64 PT_LOAD segments, loaded at p_paddr).
 */
#include "kernel/log.h"
#include "kernel/string.h"
#include "vmm/cpu_state.h"
#include "vmm/gmem.h"
#include "vmm/loader.h"
#include "vmm/pci/pci.h"
#include "vmm/vm.h"

#define MB1_MAGIC 0x1badb002
#define MB1_BOOT_MAGIC 0x2badb002
#define MB1_AOUT_KLUDGE (1u << 16)
#define MB1_SEARCH 8192

#define MBI_MEM (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MBI_LOADER (1u << 9)

struct mb1_header {
	u32 magic, flags, checksum;
	u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
	u32 mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	u32 drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb1_module {
	u32 mod_start, mod_end, string, reserved;
};

/* Where the pieces of the multiboot v1 information go. */
#define MB1_MMAP_AT (LOADER_INFO_BASE + 0x100)
#define MB1_NAME_AT (LOADER_INFO_BASE + 0x1e0)
#define MB1_CMDLINE_AT (LOADER_INFO_BASE + 0x200)
#define MB1_MODS_AT (LOADER_INFO_BASE + 0xa00)
#define MB1_MODNAME_AT (LOADER_INFO_BASE + 0xa10)

struct mb1_mmap {
	u32 size;
	u64 base, len;
	u32 type;
} __packed;

bool loader_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

#define ERR(...) loader_error(err, errlen, __VA_ARGS__)

/* Image fields at any offset: an image's headers need not be aligned
 * (an ELF's e_phoff may be odd), so they are copied, never dereferenced. */
static u16 rd16(const u8 *p) { u16 v; memcpy(&v, p, sizeof(v)); return v; }
static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, sizeof(v)); return v; }
static u64 rd64(const u8 *p) { u64 v; memcpy(&v, p, sizeof(v)); return v; }

/* The multiboot header copied into @h; its offset in the file, or -1. */
static s64 find_mb1(const u8 *img, u64 len, struct mb1_header *h)
{
	for (u64 off = 0; off + sizeof(*h) <= MIN(len, MB1_SEARCH); off += 4) {
		memcpy(h, img + off, sizeof(*h));
		if (h->magic == MB1_MAGIC && h->magic + h->flags + h->checksum == 0)
			return (s64)off;
	}
	return -1;
}

static bool load_segment(struct vm *vm, const u8 *img, u64 len, u64 off, u64 filesz,
			 u64 memsz, u64 paddr, char *err, size_t errlen)
{
	void *dst = gmem_ptr(&vm->mem, paddr, memsz);

	if (filesz > memsz || off > len || filesz > len - off)
		return ERR("segment at 0x%llx lies outside the file", (unsigned long long)paddr);
	if (!dst)
		return ERR("segment 0x%llx-0x%llx is outside the guest's RAM",
			   (unsigned long long)paddr, (unsigned long long)(paddr + memsz));
	memcpy(dst, img + off, filesz);
	memset((u8 *)dst + filesz, 0, memsz - filesz);
	return true;
}

/* ELF32 and ELF64 PT_LOAD segments: the entry point in *entry and the
 * end of the highest segment in *end. */
static bool load_elf(struct vm *vm, const u8 *img, u64 len, u64 *entry, u64 *end,
		     char *err, size_t errlen)
{
	bool is64 = len > 4 && img[4] == 2;
	u64 phoff, phnum, phentsize;

	if (len < 64 || (img[4] != 1 && img[4] != 2) || img[5] != 1)
		return ERR("not a little-endian ELF32/ELF64 file");
	*entry = is64 ? rd64(img + 24) : rd32(img + 24);
	phoff = is64 ? rd64(img + 32) : rd32(img + 28);
	phentsize = rd16(img + (is64 ? 54 : 42));
	phnum = rd16(img + (is64 ? 56 : 44));
	if (phoff > len || phnum * phentsize > len - phoff || phentsize < (is64 ? 56u : 32u))
		return ERR("program headers lie outside the file");
	for (u64 i = 0; i < phnum; i++) {
		const u8 *ph = img + phoff + i * phentsize;
		u64 off, paddr, filesz, memsz;

		if (rd32(ph) != 1) /* PT_LOAD */
			continue;
		off = is64 ? rd64(ph + 8) : rd32(ph + 4);
		paddr = is64 ? rd64(ph + 24) : rd32(ph + 12);
		filesz = is64 ? rd64(ph + 32) : rd32(ph + 16);
		memsz = is64 ? rd64(ph + 40) : rd32(ph + 20);
		if (!load_segment(vm, img, len, off, filesz, memsz, paddr, err, errlen))
			return false;
		*end = MAX(*end, paddr + memsz);
	}
	if (!*end)
		return ERR("the ELF file has no loadable segment");
	return true;
}

/* a.out kludge: the header (at @hoff) says where the file goes (spec §3.1.3). */
static bool load_aout(struct vm *vm, const u8 *img, u64 len, const struct mb1_header *h,
		      u64 hoff, u64 *entry, u64 *image_end, char *err, size_t errlen)
{
	u64 start = hoff - ((u64)h->header_addr - h->load_addr);
	u64 end = h->load_end_addr ? h->load_end_addr : h->load_addr + (len - start);
	u64 bss = h->bss_end_addr ? h->bss_end_addr : end;

	if (h->header_addr < h->load_addr || start > hoff || end < h->load_addr || bss < end)
		return ERR("inconsistent a.out addresses in the multiboot header");
	if (!load_segment(vm, img, len, start, end - h->load_addr, bss - h->load_addr,
			  h->load_addr, err, errlen))
		return false;
	*image_end = bss;
	*entry = h->entry_addr;
	return true;
}

u64 loader_place_high(struct vm *vm, const struct loader_file *f, u64 limit, u64 floor)
{
	u64 top = MIN(limit, gmem_low_end(&vm->mem)), at;

	if (f->len > top)
		return 0;
	at = ALIGN_DOWN(top - f->len, PAGE_SIZE);
	if (at < floor || !gmem_write(&vm->mem, at, f->data, f->len))
		return 0;
	return at;
}

unsigned loader_memory_map(const struct vm *vm, struct guest_mem_entry *map)
{
	u64 low = gmem_low_end(&vm->mem);
	unsigned n = 0;

	map[n++] = (struct guest_mem_entry){ 0, LOADER_INFO_BASE, E820_RAM };
	map[n++] = (struct guest_mem_entry){ LOADER_INFO_BASE, LOADER_INFO_END - LOADER_INFO_BASE,
					     E820_RESERVED };
	map[n++] = (struct guest_mem_entry){ 0xf0000, 0x10000, E820_RESERVED };
	map[n++] = (struct guest_mem_entry){ 1 * MiB, low - 1 * MiB, E820_RAM };
	/* the PCI ECAM window (MCFG), reserved as PCI Firmware Spec 3.0 §4.1.2 asks */
	map[n++] = (struct guest_mem_entry){ PCI_ECAM_BASE, PCI_ECAM_SIZE, E820_RESERVED };
	if (vm->mem.ram_size > low)
		map[n++] = (struct guest_mem_entry){ 4 * GiB, vm->mem.ram_size - low, E820_RAM };
	return n;
}

static const char loader_name[] = "hv";

/* Spec 0.6.96 §3.3; the block lives in [LOADER_INFO_BASE, LOADER_INFO_END). */
static u32 build_mb1_info(struct vm *vm, const struct loader_file *mod, u64 mod_at)
{
	struct guest_mem_entry map[LOADER_MAP_MAX];
	struct mb1_mmap mmap[LOADER_MAP_MAX];
	unsigned n = loader_memory_map(vm, map);
	struct mb1_info info = {
		.flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER,
		.mem_lower = LOADER_INFO_BASE / 1024,
		.mem_upper = (gmem_low_end(&vm->mem) - 1 * MiB) / 1024,
		.cmdline = MB1_CMDLINE_AT,
		.mmap_length = n * sizeof(mmap[0]),
		.mmap_addr = MB1_MMAP_AT,
		.boot_loader_name = MB1_NAME_AT,
	};

	if (mod) {
		struct mb1_module m = { (u32)mod_at, (u32)(mod_at + mod->len), MB1_MODNAME_AT, 0 };

		info.flags |= MBI_MODS;
		info.mods_count = 1;
		info.mods_addr = MB1_MODS_AT;
		gmem_write(&vm->mem, MB1_MODS_AT, &m, sizeof(m));
		gmem_write(&vm->mem, MB1_MODNAME_AT, mod->name,
			   MIN(strlen(mod->name) + 1, (u64)0x1f0));
	}

	for (unsigned i = 0; i < n; i++)
		mmap[i] = (struct mb1_mmap){ 20, map[i].base, map[i].len, map[i].type };
	gmem_write(&vm->mem, LOADER_INFO_BASE, &info, sizeof(info));
	gmem_write(&vm->mem, info.mmap_addr, mmap, info.mmap_length);
	gmem_write(&vm->mem, info.boot_loader_name, loader_name, sizeof(loader_name));
	gmem_write(&vm->mem, info.cmdline, vm->cmdline, strlen(vm->cmdline) + 1);
	return LOADER_INFO_BASE;
}

/* The one module of a multiboot guest, above its image. */
static bool place_module(struct vm *vm, const struct loader_file *mod, u64 image_end,
			 u64 *at, char *err, size_t errlen)
{
	if (!mod)
		return true;
	*at = loader_place_high(vm, mod, 4 * GiB, ALIGN_UP(image_end, PAGE_SIZE));
	if (!*at)
		return ERR("module '%s' (%llu KiB) does not fit in RAM above the kernel",
			   mod->name, (unsigned long long)(mod->len >> 10));
	return true;
}

/* The entry point must be a RAM address the image can start at. */
static bool check_entry(struct vm *vm, u64 entry, char *err, size_t errlen)
{
	if (!entry)
		return ERR("the entry point is 0");
	if (entry >= 4 * GiB || !gmem_ptr(&vm->mem, entry, 1))
		return ERR("the entry point 0x%llx is outside the guest's RAM",
			   (unsigned long long)entry);
	return true;
}

static bool load_multiboot(struct vm *vm, const u8 *img, u64 len, const struct mb1_header *h,
			   u64 hoff, const struct loader_file *mod, struct vcpu_state *boot,
			   char *err, size_t errlen)
{
	bool elf = len >= 4 && !memcmp(img, "\x7f" "ELF", 4);
	u64 entry = 0, end = 0, mod_at = 0;
	bool ok;

	if (gmem_low_end(&vm->mem) < 2 * MiB)
		return ERR("a multiboot guest needs at least 2 MiB of RAM");
	if (elf && !(h->flags & MB1_AOUT_KLUDGE))
		ok = load_elf(vm, img, len, &entry, &end, err, errlen);
	else if (h->flags & MB1_AOUT_KLUDGE)
		ok = load_aout(vm, img, len, h, hoff, &entry, &end, err, errlen);
	else
		return ERR("multiboot header without addresses in a non-ELF image");
	if (!ok || !check_entry(vm, entry, err, errlen) ||
	    !place_module(vm, mod, end, &mod_at, err, errlen))
		return false;
	cpu_state_prot32(boot, (u32)entry);
	boot->gprs[GPR_RAX] = MB1_BOOT_MAGIC;
	boot->gprs[GPR_RBX] = build_mb1_info(vm, mod, mod_at);
	return true;
}

/* ---- multiboot2 (Multiboot2 spec 2.0) ---- */

#define MB2_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC 0x36d76289
#define MB2_SEARCH 32768
#define MB2_HDR_END 0
#define MB2_HDR_INFO_REQUEST 1
#define MB2_HDR_ENTRY 3
#define MB2_TAG_OPTIONAL 1

struct mb2_hdr {
	u32 magic, arch, length, checksum;
};

struct mb2_hdr_tag {
	u16 type, flags;
	u32 size;
};

/* Information tags hv provides (spec §3.6). */
static bool mb2_provided(u32 type)
{
	return type == 1 || type == 2 || type == 4 || type == 6 || type == 14 ||
	       type == 15;
}

static const struct mb2_hdr *find_mb2(const u8 *img, u64 len)
{
	for (u64 off = 0; off + sizeof(struct mb2_hdr) <= MIN(len, MB2_SEARCH); off += 8) {
		const struct mb2_hdr *h = (const void *)(img + off);

		if (h->magic == MB2_MAGIC && h->arch == 0 &&
		    h->magic + h->arch + h->length + h->checksum == 0 &&
		    h->length >= sizeof(*h) + 8 && h->length <= len - off)
			return h;
	}
	return NULL;
}

/* Walk the header tags: the entry address, and refuse a required
 * information tag that hv does not provide (spec §3.1.4). */
static bool mb2_header_tags(const struct mb2_hdr *h, u32 *entry, char *err, size_t errlen)
{
	const u8 *p = (const u8 *)(h + 1), *end = (const u8 *)h + h->length;

	while (p + sizeof(struct mb2_hdr_tag) <= end) {
		const struct mb2_hdr_tag *t = (const void *)p;

		if (t->type == MB2_HDR_END)
			return true;
		if (t->size < sizeof(*t) || t->size > (u64)(end - p))
			return ERR("malformed multiboot2 header tag %u", t->type);
		if (t->type == MB2_HDR_ENTRY && t->size >= 12)
			*entry = *(const u32 *)(p + 8);
		if (t->type == MB2_HDR_INFO_REQUEST && !(t->flags & MB2_TAG_OPTIONAL))
			for (u32 o = 8; o + 4 <= t->size; o += 4)
				if (!mb2_provided(*(const u32 *)(p + o)))
					return ERR("requires multiboot2 information tag %u, which hv does not provide",
						   *(const u32 *)(p + o));
		p += ALIGN_UP(t->size, 8);
	}
	return true;
}

struct mb2_writer {
	u8 buf[LOADER_INFO_END - LOADER_INFO_BASE];
	u32 len;
};

/* Append a tag of @type with @size payload bytes; returns the payload. */
static void *mb2_tag(struct mb2_writer *w, u32 type, u32 size)
{
	u8 *t = w->buf + w->len;

	if (w->len + 8 + size > sizeof(w->buf) - 8)
		return NULL;
	((u32 *)t)[0] = type;
	((u32 *)t)[1] = 8 + size;
	w->len += ALIGN_UP(8 + size, 8);
	return t + 8;
}

static void mb2_tag_string(struct mb2_writer *w, u32 type, const char *s)
{
	char *p = mb2_tag(w, type, strlen(s) + 1);

	if (p)
		memcpy(p, s, strlen(s) + 1);
}

static void mb2_tag_mmap(struct mb2_writer *w, const struct vm *vm)
{
	struct guest_mem_entry map[LOADER_MAP_MAX];
	unsigned n = loader_memory_map(vm, map);
	u32 *p = mb2_tag(w, 6, 8 + n * 24);

	if (!p)
		return;
	p[0] = 24; /* entry size */
	p[1] = 0;  /* entry version */
	for (unsigned i = 0; i < n; i++) {
		u32 *e = p + 2 + i * 6;

		*(u64 *)&e[0] = map[i].base;
		*(u64 *)&e[2] = map[i].len;
		e[4] = map[i].type;
		e[5] = 0;
	}
}

/* The RSDP in the guest's BIOS area, if the platform built ACPI tables. */
static void mb2_tag_rsdp(struct mb2_writer *w, const struct vm *vm)
{
	const u8 *rsdp = gmem_ptr(&vm->mem, LOADER_RSDP_ADDR, 36);
	u8 *p;

	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8))
		return;
	p = mb2_tag(w, rsdp[15] >= 2 ? 15 : 14, rsdp[15] >= 2 ? 36 : 20);
	if (p)
		memcpy(p, rsdp, rsdp[15] >= 2 ? 36 : 20);
}

static void mb2_tag_module(struct mb2_writer *w, const struct loader_file *mod, u64 at)
{
	u32 *p = mb2_tag(w, 3, 8 + strlen(mod->name) + 1);

	if (!p)
		return;
	p[0] = (u32)at;
	p[1] = (u32)(at + mod->len);
	memcpy(p + 2, mod->name, strlen(mod->name) + 1);
}

static u32 build_mb2_info(struct vm *vm, const struct loader_file *mod, u64 mod_at)
{
	static struct mb2_writer w; /* boot-time only, one VM at a time */
	u32 *mem;

	memset(&w, 0, sizeof(w));
	w.len = 8;
	mb2_tag_string(&w, 1, vm->cmdline);
	mb2_tag_string(&w, 2, loader_name);
	mem = mb2_tag(&w, 4, 8);
	if (mem) {
		mem[0] = LOADER_INFO_BASE / 1024;
		mem[1] = (gmem_low_end(&vm->mem) - 1 * MiB) / 1024;
	}
	mb2_tag_mmap(&w, vm);
	mb2_tag_rsdp(&w, vm);
	if (mod)
		mb2_tag_module(&w, mod, mod_at);
	mb2_tag(&w, 0, 0); /* end */
	((u32 *)w.buf)[0] = w.len;
	gmem_write(&vm->mem, LOADER_INFO_BASE, w.buf, w.len);
	return LOADER_INFO_BASE;
}

static bool load_multiboot2(struct vm *vm, const u8 *img, u64 len, const struct mb2_hdr *h,
			    const struct loader_file *mod, struct vcpu_state *boot,
			    char *err, size_t errlen)
{
	u32 entry_tag = 0;
	u64 entry = 0, end = 0, mod_at = 0;

	if (gmem_low_end(&vm->mem) < 2 * MiB)
		return ERR("a multiboot2 guest needs at least 2 MiB of RAM");
	if (len < 4 || memcmp(img, "\x7f" "ELF", 4))
		return ERR("multiboot2 images must be ELF files");
	if (!mb2_header_tags(h, &entry_tag, err, errlen))
		return false;
	if (!load_elf(vm, img, len, &entry, &end, err, errlen))
		return false;
	if (entry_tag)
		entry = entry_tag;
	if (!check_entry(vm, entry, err, errlen) ||
	    !place_module(vm, mod, end, &mod_at, err, errlen))
		return false;
	cpu_state_prot32(boot, (u32)entry);
	boot->gprs[GPR_RAX] = MB2_BOOT_MAGIC;
	boot->gprs[GPR_RBX] = build_mb2_info(vm, mod, mod_at);
	return true;
}

static bool load_flat(struct vm *vm, const u8 *img, u64 len, const struct loader_file *initrd,
		      struct vcpu_state *boot, char *err, size_t errlen)
{
	if (!len)
		return ERR("the image is empty");
	if (initrd)
		return ERR("a flat binary takes no initrd");
	if (len > LOADER_INFO_BASE - LOADER_FLAT_BASE)
		return ERR("flat binary of %llu bytes does not fit below 0x%x",
			   (unsigned long long)len, LOADER_INFO_BASE);
	if (!gmem_write(&vm->mem, LOADER_FLAT_BASE, img, len))
		return ERR("the guest has too little RAM for a flat binary");
	cpu_state_real(boot, 0, LOADER_FLAT_BASE);
	return true;
}

static bool load_any(struct vm *vm, const struct loader_file *kernel,
		     const struct loader_file *initrd, struct vcpu_state *boot,
		     char *err, size_t errlen)
{
	const u8 *img = kernel->data;
	u64 len = kernel->len;
	struct mb1_header h;
	s64 hoff = find_mb1(img, len, &h);
	const struct mb2_hdr *h2 = find_mb2(img, len);

	if (loader_is_bzimage(img, len))
		return loader_load_linux(vm, img, len, initrd, boot, err, errlen);
	if (h2)
		return load_multiboot2(vm, img, len, h2, initrd, boot, err, errlen);
	if (hoff >= 0)
		return load_multiboot(vm, img, len, &h, (u64)hoff, initrd, boot, err, errlen);
	return load_flat(vm, img, len, initrd, boot, err, errlen);
}

/*
 * The message buffer belongs to this one load: cleared first, and a
 * failure that left no message (a loader bug) still gets one, so a caller
 * never prints text from an earlier load.
 */
bool loader_load(struct vm *vm, const struct loader_file *kernel,
		 const struct loader_file *initrd, struct vcpu_state *boot,
		 char *err, size_t errlen)
{
	if (!errlen)
		return false;
	err[0] = 0;
	if (load_any(vm, kernel, initrd, boot, err, errlen))
		return true;
	if (!err[0])
		ERR("refused for no stated reason (a loader bug)");
	return false;
}
