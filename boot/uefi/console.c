// SPDX-License-Identifier: MIT
/*
 * Text output of the UEFI loader: con_print() formats with the kernel's
 * vsnprintf (kernel/format.c) and sends "hv-loader: ..." lines to
 * EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL.OutputString (UEFI 2.10 §12.4.3) on
 * ConOut. OVMF and most PC firmware mirror ConOut to the serial port, so
 * these lines appear in the serial log before the hypervisor's own.
 */
#include "boot/uefi/loader.h"

/* OutputString takes UCS-2 and needs CR LF for a new line (§12.4.3). */
static void con_write(const char *s)
{
	CHAR16 wide[128];
	size_t n = 0;

	for (;; s++) {
		if (*s == '\n')
			wide[n++] = L'\r';
		if (*s)
			wide[n++] = (CHAR16)(u8)*s;
		if (!*s || n >= ARRAY_SIZE(wide) - 2) {
			wide[n] = 0;
			efi_st->ConOut->OutputString(efi_st->ConOut, wide);
			n = 0;
		}
		if (!*s)
			return;
	}
}

void con_print(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	con_write("hv-loader: ");
	con_write(line);
	con_write("\n");
}

/* Names of the common EFI status codes (UEFI 2.10 Appendix D). */
const char *efi_status_text(EFI_STATUS status)
{
	static char other[32];

	switch (status) {
	case EFI_SUCCESS: return "success";
	case EFI_LOAD_ERROR: return "load error";
	case EFI_INVALID_PARAMETER: return "invalid parameter";
	case EFI_UNSUPPORTED: return "unsupported";
	case EFI_BUFFER_TOO_SMALL: return "buffer too small";
	case EFI_DEVICE_ERROR: return "device error";
	case EFI_VOLUME_CORRUPTED: return "volume corrupted";
	case EFI_OUT_OF_RESOURCES: return "out of resources";
	case EFI_NO_MEDIA: return "no media";
	case EFI_NOT_FOUND: return "not found";
	case EFI_ACCESS_DENIED: return "access denied";
	}
	snprintf(other, sizeof(other), "EFI error %lu",
		   (unsigned long)(status & ~EFI_ERROR_MASK));
	return other;
}

void ucs2_to_ascii(char *dst, size_t size, const CHAR16 *src, size_t n)
{
	size_t i;

	if (!size)
		return;
	for (i = 0; i < n && i + 1 < size && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = 0;
}
