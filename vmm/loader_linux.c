// SPDX-License-Identifier: MIT
/*
 * Loading a Linux bzImage with the 32-bit boot protocol (Linux
 * Documentation/arch/x86/boot.rst, protocol 2.10 and later; zero page
 * layout in zero-page.rst). The setup header is copied from the image into
 * a zeroed struct boot_params (the "zero page"), which then receives the
 * E820 map, the command line pointer and the initrd; the protected-mode
 * kernel goes to 1 MiB and starts at code32_start in flat 32-bit protected
 * mode with __BOOT_CS (0x10) / __BOOT_DS (0x18) from a GDT we provide,
 * ESI = the zero page, interrupts off.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/cmdline.h"
#include "kernel/log.h"
#include "kernel/string.h"
#include "vmm/cpu_state.h"
#include "vmm/gmem.h"
#include "vmm/loader.h"
#include "vmm/vm.h"

/* Zero page offsets (zero-page.rst) and setup header fields (boot.rst). */
#define BP_ACPI_RSDP 0x070
#define BP_E820_ENTRIES 0x1e8
#define BP_SENTINEL 0x1ef
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define HDR_START 0x1f1
#define HDR_SETUP_SECTS 0x1f1
#define HDR_VID_MODE 0x1fa
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x201
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_CMDLINE_SIZE 0x238

#define LOADED_HIGH 0x01
#define KEEP_SEGMENTS 0x40
#define CAN_USE_HEAP 0x80
#define PROTOCOL_MIN 0x020a
#define KERNEL_LOAD 0x100000

/* Where things go in the loader's reserved low memory. */
#define ZERO_PAGE LOADER_INFO_BASE
#define CMDLINE_ADDR (LOADER_INFO_BASE + 0x1000)
#define CMDLINE_MAX 0x1000
#define GDT_ADDR (LOADER_INFO_BASE + 0x2000)

#define ERR(...) loader_error(err, errlen, __VA_ARGS__)



static u16 get16(const u8 *p, u32 off) { return p[off] | (p[off + 1] << 8); }
static u32 get32(const u8 *p, u32 off) { return get16(p, off) | ((u32)get16(p, off + 2) << 16); }
static void put16(u8 *p, u32 off, u16 v) { p[off] = v; p[off + 1] = v >> 8; }
static void put32(u8 *p, u32 off, u32 v) { put16(p, off, v); put16(p, off + 2, v >> 16); }
static void put64(u8 *p, u32 off, u64 v) { put32(p, off, v); put32(p, off + 4, v >> 32); }

bool loader_is_bzimage(const u8 *img, u64 len)
{
	return len > 0x400 && get16(img, HDR_BOOT_FLAG) == 0xaa55 &&
	       !memcmp(img + HDR_MAGIC, "HdrS", 4);
}

static void fill_e820(const struct vm *vm, u8 *bp)
{
	struct guest_mem_entry map[LOADER_MAP_MAX];
	unsigned n = loader_memory_map(vm, map);

	for (unsigned i = 0; i < n && i < BP_E820_MAX; i++) {
		put64(bp, BP_E820_TABLE + i * 20, map[i].base);
		put64(bp, BP_E820_TABLE + i * 20 + 8, map[i].len);
		put32(bp, BP_E820_TABLE + i * 20 + 16, map[i].type);
	}
	bp[BP_E820_ENTRIES] = (u8)n;
}

/* The initrd goes as high as the kernel allows, below the low RAM end. */
static bool place_initrd(struct vm *vm, u8 *bp, const struct loader_file *initrd,
			 u64 kernel_end, char *err, size_t errlen)
{
	u64 at;

	if (!initrd)
		return true;
	at = loader_place_high(vm, initrd, (u64)get32(bp, HDR_INITRD_ADDR_MAX) + 1,
			       kernel_end);
	if (!at)
		return ERR("initrd of %llu MiB and the kernel do not fit in %llu MiB of RAM",
			   (unsigned long long)(initrd->len >> 20),
			   (unsigned long long)(vm->mem.ram_size >> 20));
	put32(bp, HDR_RAMDISK_IMAGE, (u32)at);
	put32(bp, HDR_RAMDISK_SIZE, (u32)initrd->len);
	return true;
}

/*
 * What Linux is told about the TSC on its command line (parameters of
 * Documentation/admin-guide/kernel-parameters.txt), each only when the
 * configured command line does not set it already:
 *  - tsc_early_khz=<kHz> where CPUID leaf 0x15 is not read (Linux reads it
 *    on Intel only): Linux then takes tsc_khz from it instead of
 *    calibrating against the PIT. It sets tsc_khz only: Linux 6.1 still
 *    calibrates cpu_khz (native_calibrate_cpu_early) against PIT channel 2
 *    on a non-Intel CPU, whatever this says (README.md, "Image formats").
 *  - tsc=reliable when the host's TSC is invariant (@invariant, CPUID
 *    0x80000007 EDX[8]): every vCPU reads the host's TSC itself, unscaled
 *    and with no offset, so it runs at a constant rate, does not stop and
 *    agrees across vCPUs as the host's CPUs do. The parameter is documented
 *    for this ("...and in virtualized environment"): it turns off Linux's
 *    clocksource watchdog and boot-time TSC checks, which otherwise judge
 *    the TSC against jiffies or the PM timer, both served by exits: under
 *    emulation lost jiffies made Linux call the TSC unstable and fall back
 *    to the PM timer, an exit for every clock read (32,000 per boot).
 *  - no_timer_check, always: Linux's boot-time test that the timer IRQ
 *    reaches it through the I/O APIC (check_timer) counts ticks over a
 *    TSC-timed 40 ms busy wait. A vCPU that its host did not run for that
 *    long sees the PIT's ticks merge into one and Linux panics ("IO-APIC +
 *    timer doesn't work!"), seen under emulation on a loaded machine. The
 *    routing is the MADT's and is tested here; KVM turns the check off for
 *    its guests the same way.
 */
void loader_linux_tsc_hints(char *cmdline, size_t size, bool intel, bool invariant, u64 khz)
{
	size_t n = strlen(cmdline);
	char v[2];

	if (!intel && !cmdline_get(cmdline, "tsc_early_khz", v, sizeof(v)) && n < size)
		n += (size_t)snprintf(cmdline + n, size - n, "%stsc_early_khz=%llu", n ? " " : "",
				      (unsigned long long)khz);
	if (invariant && !cmdline_get(cmdline, "tsc", v, sizeof(v)) && n < size)
		n += (size_t)snprintf(cmdline + n, size - n, "%stsc=reliable", n ? " " : "");
	if (!cmdline_get(cmdline, "no_timer_check", v, sizeof(v)) && n < size)
		snprintf(cmdline + n, size - n, "%sno_timer_check", n ? " " : "");
}

static bool host_tsc_invariant(void)
{
	return cpuid(0x80000000, 0).eax >= 0x80000007 &&
	       (cpuid(0x80000007, 0).edx & (1u << 8));
}

static bool set_cmdline(struct vm *vm, u8 *bp, char *err, size_t errlen)
{
	u64 len;

	loader_linux_tsc_hints(vm->cmdline, sizeof(vm->cmdline), cpu_is_intel(),
			       host_tsc_invariant(), tsc_khz());
	len = strlen(vm->cmdline);
	u32 max = get32(bp, HDR_CMDLINE_SIZE);

	if (max && len > max)
		return ERR("command line of %llu bytes exceeds the kernel's limit of %u",
			   (unsigned long long)len, max);
	if (len >= CMDLINE_MAX)
		return ERR("command line too long");
	gmem_write(&vm->mem, CMDLINE_ADDR, vm->cmdline, len + 1);
	put32(bp, HDR_CMD_LINE_PTR, CMDLINE_ADDR);
	return true;
}

/* GDT: null, null, __BOOT_CS (0x10) 32-bit flat code, __BOOT_DS (0x18). */
static void start_state(struct vm *vm, u32 entry, struct vcpu_state *boot)
{
	static const u64 gdt[4] = { 0, 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL };

	gmem_write(&vm->mem, GDT_ADDR, gdt, sizeof(gdt));
	cpu_state_prot32(boot, entry);
	boot->segs[SEG_CS].sel = 0x10;
	for (int s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			boot->segs[s].sel = 0x18;
	boot->segs[SEG_GDTR] = (struct segment){ 0, 0, sizeof(gdt) - 1, GDT_ADDR };
	boot->gprs[GPR_RSI] = ZERO_PAGE;
}

bool loader_load_linux(struct vm *vm, const u8 *img, u64 len,
		       const struct loader_file *initrd, struct vcpu_state *boot,
		       char *err, size_t errlen)
{
	u8 *bp = gmem_ptr(&vm->mem, ZERO_PAGE, PAGE_SIZE);
	u32 setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
	u64 pm_off = (setup_sects + 1) * 512ULL, hdr_end = 0x202 + img[HDR_JUMP];
	u16 version = get16(img, HDR_VERSION);

	if (version < PROTOCOL_MIN)
		return ERR("boot protocol %u.%02u is older than 2.10", version >> 8, version & 0xff);
	if (pm_off >= len || hdr_end > pm_off)
		return ERR("the setup header or kernel lies outside the file");
	if (!(img[HDR_LOADFLAGS] & LOADED_HIGH))
		return ERR("not a bzImage (zImage loads low)");
	if (!bp || !gmem_write(&vm->mem, KERNEL_LOAD, img + pm_off, len - pm_off))
		return ERR("%llu MiB of RAM is too little for this kernel",
			   (unsigned long long)(vm->mem.ram_size >> 20));
	memset(bp, 0, PAGE_SIZE);
	memcpy(bp + HDR_START, img + HDR_START, hdr_end - HDR_START);
	bp[HDR_TYPE_OF_LOADER] = 0xff;
	bp[HDR_LOADFLAGS] = (bp[HDR_LOADFLAGS] & ~(CAN_USE_HEAP | KEEP_SEGMENTS)) | LOADED_HIGH;
	put16(bp, HDR_VID_MODE, 0xffff); /* "normal" */
	put64(bp, BP_ACPI_RSDP, LOADER_RSDP_ADDR);
	fill_e820(vm, bp);
	if (!set_cmdline(vm, bp, err, errlen) ||
	    !place_initrd(vm, bp, initrd, KERNEL_LOAD + (len - pm_off), err, errlen))
		return false;
	start_state(vm, get32(bp, HDR_CODE32_START), boot);
	return true;
}
