// SPDX-License-Identifier: MIT
/*
 * Text output of the UEFI loader: a small printf subset that formats into
 * a byte buffer, and con_print(), which sends "hv-loader: ..." lines to
 * EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL.OutputString (UEFI 2.10 §12.4.3) on
 * ConOut. OVMF and most PC firmware mirror ConOut to the serial port, so
 * these lines appear in the serial log before the hypervisor's own.
 */
#include "boot/uefi/loader.h"

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_str(struct fmt_out *o, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		out_char(o, *s++);
}

static void out_num(struct fmt_out *o, u64 v, unsigned base, bool neg)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		out_char(o, '-');
	while (n)
		out_char(o, digits[--n]);
}

/* Fetch the argument of an integer conversion of size @lng (0, 1 = l, 2 =
 * ll or z); signed when @sign. */
static u64 fetch_int(va_list *ap, int lng, bool sign, bool *neg)
{
	s64 s;

	*neg = false;
	if (!sign)
		return lng ? va_arg(*ap, u64) : va_arg(*ap, unsigned int);
	s = lng ? va_arg(*ap, s64) : va_arg(*ap, int);
	if (s < 0) {
		*neg = true;
		return (u64)0 - (u64)s;
	}
	return (u64)s;
}

static void out_conv(struct fmt_out *o, char c, int lng, va_list *ap)
{
	bool neg;
	u64 v;

	switch (c) {
	case 's':
		out_str(o, va_arg(*ap, const char *));
		return;
	case 'c':
		out_char(o, (char)va_arg(*ap, int));
		return;
	case 'd':
	case 'i':
	case 'u':
	case 'x':
		v = fetch_int(ap, lng, c == 'd' || c == 'i', &neg);
		out_num(o, v, c == 'x' ? 16 : 10, neg);
		return;
	default:
		out_char(o, '%');
		out_char(o, c);
	}
}

int str_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };
	va_list args;

	va_copy(args, ap);
	for (; *fmt; fmt++) {
		int lng = 0;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		if (*++fmt == '%') {
			out_char(&o, '%');
			continue;
		}
		while (*fmt == 'l' || *fmt == 'z')
			lng++, fmt++;
		if (!*fmt)
			break;
		out_conv(&o, *fmt, lng, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int str_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = str_vformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

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
	str_vformat(line, sizeof(line), fmt, ap);
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
	str_format(other, sizeof(other), "EFI error %lu",
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
