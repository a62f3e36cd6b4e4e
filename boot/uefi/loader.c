// SPDX-License-Identifier: MIT
/*
 * BOOTX64.EFI, the UEFI loader of the hypervisor (a GNU-EFI application).
 * From the volume it was started from it reads \hv\hv.elf (the kernel),
 * \hv\hv.cfg (optional) and every boot module hv.cfg names, gathers what
 * the kernel needs to know about the machine into struct boot_info (ACPI
 * RSDP, framebuffer, command line, messages) and hands over through
 * handoff.c. Progress and problems go to the firmware console as
 * "hv-loader: ..." lines; problems the kernel should repeat are also
 * recorded with boot_info_message().
 *
 * Boot modules are loaded as "\hv\<name>" and named exactly as in hv.cfg;
 * hv.cfg itself is the module "hv.cfg" (cmdline.c builds the command line
 * that names it).
 */
#include "boot/uefi/loader.h"
#include "kernel/config.h"
#include "kernel/string.h"

#define KERNEL_PATH "\\hv\\hv.elf"
#define CONFIG_PATH "\\hv\\hv.cfg"
#define FATAL_STALL_US (5 * 1000 * 1000)

EFI_HANDLE efi_image;
EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;

/* Built here, copied into the hand-off block by handoff.c. */
static struct boot_info boot;
static struct config cfg;

/* Print "error: <text>" and record it for the kernel. */
static void report_error(struct boot_info *bi, const char *fmt, ...)
	__printf(2, 3);

static void report_error(struct boot_info *bi, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	con_print("error: %s", text);
	boot_info_message(bi, "error", text);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static void boot_info_init(struct boot_info *bi)
{
	char vendor[32];

	ucs2_to_ascii(vendor, sizeof(vendor), efi_st->FirmwareVendor, 31);
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->path = BOOT_PATH_UEFI;
	bi->efi_systab = (u64)(uintptr_t)efi_st;
	snprintf(bi->loader, sizeof(bi->loader), "hv-loader (UEFI %s 0x%x)",
		   vendor, efi_st->FirmwareRevision);
	con_print("UEFI %u.%u, firmware %s rev 0x%x",
		  efi_st->Hdr.Revision >> 16, efi_st->Hdr.Revision & 0xffff,
		  vendor, efi_st->FirmwareRevision);
}

/* ---- files ---- */

static EFI_STATUS load_kernel(EFI_FILE_HANDLE root, struct boot_info *bi,
			      u64 *entry)
{
	void *image;
	u64 size;
	EFI_STATUS st;

	st = file_read(root, KERNEL_PATH, &image, &size);
	if (st == EFI_NOT_FOUND) {
		con_print("error: kernel %s not found on the boot volume",
			  KERNEL_PATH);
		return st;
	}
	if (EFI_ERROR(st)) {
		con_print("error: cannot read %s: %s", KERNEL_PATH,
			  efi_status_text(st));
		return st;
	}
	st = elf_load_kernel(image, size, bi, entry);
	page_free(image, size);
	if (!EFI_ERROR(st))
		con_print("kernel %s: %lu KiB at 0x%lx, entry 0x%lx",
			  KERNEL_PATH, (unsigned long)(bi->kernel_size >> 10),
			  (unsigned long)bi->kernel_phys,
			  (unsigned long)*entry);
	return st;
}

static bool add_module(struct boot_info *bi, const char *name, void *data,
		       u64 size)
{
	struct boot_module *m;

	if (bi->nmods == BOOT_MAX_MODULES) {
		report_error(bi, "too many modules (max %u), '%s' not loaded",
			     BOOT_MAX_MODULES, name);
		page_free(data, size);
		return false;
	}
	m = &bi->mods[bi->nmods++];
	m->base = (u64)(uintptr_t)data;
	m->size = size;
	copy_str(m->name, sizeof(m->name), name);
	con_print("module '%s': %lu bytes at 0x%lx", name,
		  (unsigned long)size, (unsigned long)m->base);
	return true;
}

static void load_module(EFI_FILE_HANDLE root, struct boot_info *bi,
			const char *name)
{
	char path[BOOT_MOD_NAME_MAX + 8];
	void *data;
	u64 size;
	EFI_STATUS st;

	snprintf(path, sizeof(path), "\\hv\\%s", name);
	st = file_read(root, path, &data, &size);
	if (st == EFI_NOT_FOUND)
		report_error(bi, "module '%s' not found in \\hv", name);
	else if (EFI_ERROR(st))
		report_error(bi, "module '%s' unreadable in \\hv: %s", name,
			     efi_status_text(st));
	else
		add_module(bi, name, data, size);
}

/*
 * hv.cfg is passed on even when it does not parse, so the kernel reports
 * the error too; its modules are loaded only from a good config.
 */
static void load_config(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	const char *names[CFG_MAX_FILES];
	struct cfg_error err;
	unsigned n;
	void *data;
	u64 size;
	EFI_STATUS st;

	st = file_read(root, CONFIG_PATH, &data, &size);
	if (st == EFI_NOT_FOUND) {
		con_print("warn: %s not found, the hypervisor will use its "
			  "built-in defaults", CONFIG_PATH);
		return;
	}
	if (EFI_ERROR(st)) {
		report_error(bi, "cannot read %s: %s", CONFIG_PATH,
			     efi_status_text(st));
		return;
	}
	if (!add_module(bi, LOADER_CONFIG_MODULE, data, size))
		return;
	if (config_parse(data, size, &cfg, &err)) {
		con_print("error: hv.cfg line %u: %s", err.line, err.msg);
		return;
	}
	n = config_files(&cfg, names, ARRAY_SIZE(names));
	con_print("hv.cfg: %u guest(s), %u module(s)", cfg.nguests, n);
	for (unsigned i = 0; i < n; i++)
		load_module(root, bi, names[i]);
}

/* ---- firmware tables ---- */

static const void *config_table(EFI_GUID guid)
{
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &efi_st->ConfigurationTable[i];

		if (!memcmp(&t->VendorGuid, &guid, sizeof(guid)))
			return t->VendorTable;
	}
	return NULL;
}

/* RSDP (ACPI 6.5 §5.2.5.3): 20 bytes, 36 from revision 2 (byte 15). */
static void find_rsdp(struct boot_info *bi)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	const u8 *rsdp = config_table(acpi20);

	if (!rsdp)
		rsdp = config_table(acpi10);
	if (!rsdp) {
		con_print("warn: no ACPI RSDP in the EFI configuration table");
		boot_info_message(bi, "warn", "firmware gave no ACPI RSDP");
		return;
	}
	bi->rsdp_len = rsdp[15] >= 2 ? 36 : 20;
	memcpy(bi->rsdp, rsdp, bi->rsdp_len);
	bi->rsdp_phys = (u64)(uintptr_t)rsdp;
	con_print("ACPI RSDP at 0x%lx, revision %u",
		  (unsigned long)bi->rsdp_phys, rsdp[15]);
}

static u32 mask_bits(u32 mask)
{
	u32 top = 0;

	for (u32 b = 0; b < 32; b++)
		if (mask & (1u << b))
			top = b + 1;
	return top;
}

/* Linear framebuffer of the Graphics Output Protocol (§12.9). */
static void find_framebuffer(struct boot_info *bi)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	EFI_PIXEL_BITMASK *pm;
	u32 bpp = 32;

	if (EFI_ERROR(efi_bs->LocateProtocol(&gop_guid, NULL, (void **)&gop)) ||
	    !gop->Mode || !gop->Mode->Info ||
	    gop->Mode->Info->PixelFormat >= PixelBltOnly)
		return;
	info = gop->Mode->Info;
	pm = &info->PixelInformation;
	if (info->PixelFormat == PixelBitMask)
		bpp = ALIGN_UP(mask_bits(pm->RedMask | pm->GreenMask |
					 pm->BlueMask | pm->ReservedMask), 8);
	bi->fb.addr = gop->Mode->FrameBufferBase;
	bi->fb.width = info->HorizontalResolution;
	bi->fb.height = info->VerticalResolution;
	bi->fb.bpp = bpp;
	bi->fb.pitch = info->PixelsPerScanLine * (bpp / 8);
	con_print("framebuffer %ux%u, %u bpp at 0x%lx", bi->fb.width,
		  bi->fb.height, bpp, (unsigned long)bi->fb.addr);
}

/* ---- entry ---- */

static EFI_STATUS fail_to_firmware(EFI_STATUS st)
{
	con_print("error: cannot start the hypervisor (%s); back to the "
		  "firmware in 5 s", efi_status_text(st));
	efi_bs->Stall(FATAL_STALL_US);
	return st;
}

/* Called by GNU-EFI's crt0 (System V ABI) after self-relocation. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct boot_info *bi = &boot;
	EFI_FILE_HANDLE root;
	u64 entry;
	EFI_STATUS st;

	efi_image = image;
	efi_st = systab;
	efi_bs = systab->BootServices;
	boot_info_init(bi);
	st = file_open_boot_root(&root);
	if (EFI_ERROR(st)) {
		con_print("error: cannot open the boot volume: %s",
			  efi_status_text(st));
		return fail_to_firmware(st);
	}
	st = load_kernel(root, bi, &entry);
	if (EFI_ERROR(st))
		return fail_to_firmware(st);
	load_config(root, bi);
	root->Close(root);
	cmdline_build(bi);
	find_rsdp(bi);
	find_framebuffer(bi);
	st = handoff_exit_and_jump(bi, entry);
	return fail_to_firmware(st);
}
