// SPDX-License-Identifier: MIT
//
// The formatter behind lib/printf.h. A conversion is parsed into a
// struct spec, its digits produced into a small scratch buffer, then
// padded into the output; the output never overruns and is always
// NUL-terminated, and the return value is the length that was wanted.
#include "lib/printf.h"
#include "lib/div64.h"
#include "lib/serial.h"
#include "lib/string.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

struct spec {
	bool left;
	bool zero;
	int width;
	int longs; // number of 'l' modifiers
	char conv;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_padded(struct out *o, const struct spec *sp, const char *s,
		       int n, bool negative)
{
	int pad = sp->width - n - negative;
	char fill = sp->zero && !sp->left ? '0' : ' ';

	if (negative && fill == '0')
		out_char(o, '-');
	for (; !sp->left && pad > 0; pad--)
		out_char(o, fill);
	if (negative && fill != '0')
		out_char(o, '-');
	while (n--)
		out_char(o, *s++);
	for (; pad > 0; pad--)
		out_char(o, ' ');
}

// Digits of v in base 10 or 16 written backwards from end; returns count.
static int format_digits(char *end, u64 v, u32 base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		*--end = digits[div64_32(&v, base)];
		n++;
	} while (v);
	return n;
}

static u64 fetch_unsigned(const struct spec *sp, va_list *ap)
{
	if (sp->longs >= 2)
		return va_arg(*ap, u64);
	return va_arg(*ap, u32);
}

static s64 fetch_signed(const struct spec *sp, va_list *ap)
{
	if (sp->longs >= 2)
		return va_arg(*ap, s64);
	return va_arg(*ap, s32);
}

static void format_number(struct out *o, const struct spec *sp, va_list *ap)
{
	char tmp[24];
	bool negative = false;
	u64 v;
	int n;

	if (sp->conv == 'd' || sp->conv == 'i') {
		s64 s = fetch_signed(sp, ap);

		negative = s < 0;
		v = negative ? -(u64)s : (u64)s;
	} else if (sp->conv == 'p') {
		v = (u32)va_arg(*ap, void *);
	} else {
		v = fetch_unsigned(sp, ap);
	}
	n = format_digits(tmp + sizeof(tmp), v,
			  sp->conv == 'd' || sp->conv == 'i' || sp->conv == 'u' ? 10 : 16,
			  sp->conv == 'X');
	out_padded(o, sp, tmp + sizeof(tmp) - n, n, negative);
}

// Parse flags, width and length after '%'; returns the conversion's end.
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	while (*f == 'l' || *f == 'h' || *f == 'z')
		sp->longs += *f++ == 'l';
	sp->conv = *f;
	return *f ? f + 1 : f;
}

static void format_one(struct out *o, const struct spec *sp, va_list *ap)
{
	const char *s;
	char c;

	switch (sp->conv) {
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		out_padded(o, sp, s, strlen(s), false);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		out_padded(o, sp, &c, 1, false);
		break;
	case 'd': case 'i': case 'u': case 'x': case 'X': case 'p':
		format_number(o, sp, ap);
		break;
	case '%':
		out_char(o, '%');
		break;
	default:
		out_char(o, '?');
		break;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		format_one(&o, &sp, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[256];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	serial_write(buf, strlen(buf));
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%s\n", s);

	serial_write(buf, strlen(buf));
	return n;
}
