// SPDX-License-Identifier: MIT
/*
 * The hypervisor command line built by the UEFI loader: "config=hv.cfg",
 * then the image's load options when they are text. LoadOptions
 * (EFI_LOADED_IMAGE_PROTOCOL, UEFI 2.10 §9.1) hold whatever the starter
 * passed: the UEFI shell passes its command line as UCS-2 text, the image
 * name as typed first ("fs0:\hv\loader.efi", "loader"); a boot manager
 * entry may pass binary data (OVMF passes a GUID), which is ignored.
 */
#include "boot/uefi/loader.h"

#define NAME_MAX 64

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Case-insensitive comparison of @n bytes. */
static bool same_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool has_efi_suffix(const char *s, size_t len)
{
	return len >= 4 && same_ci(s + len - 4, ".efi", 4);
}

/* The load options as ASCII if they are printable UCS-2 text. */
static bool options_text(const EFI_LOADED_IMAGE_PROTOCOL *li, char *dst,
			 size_t size)
{
	const CHAR16 *w = li->LoadOptions;
	size_t n = li->LoadOptionsSize / 2, i;

	if (!w || li->LoadOptionsSize % 2)
		return false;
	for (i = 0; i < n && w[i] && i + 1 < size; i++) {
		if (w[i] == '\t')
			dst[i] = ' ';
		else if (w[i] >= 0x20 && w[i] < 0x7f)
			dst[i] = (char)w[i];
		else
			return false;
	}
	dst[i] = 0;
	return true;
}

/* Offset just past the last '\', '/' or ':' in s[0..len). */
static size_t path_base(const char *s, size_t len)
{
	size_t base = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\\' || s[i] == '/' || s[i] == ':')
			base = i + 1;
	return base;
}

/*
 * Last component of the image's file path: the last File Path Media
 * Device Path node (§10.3.5.4; type 4, subtype 4, a UCS-2 path), e.g.
 * "BOOTX64.EFI". Left "" when there is none.
 */
static void image_name(const EFI_LOADED_IMAGE_PROTOCOL *li, char *dst,
		       size_t size)
{
	const u8 *p = (const u8 *)li->FilePath;
	char path[2 * NAME_MAX] = "";
	size_t len = 0;

	for (int nodes = 0; p && nodes < 64; nodes++) {
		u16 n = (u16)(p[2] | p[3] << 8);

		if (p[0] == 0x7f || n < 4)
			break;
		if (p[0] == 4 && p[1] == 4)
			ucs2_to_ascii(path, sizeof(path),
				      (const CHAR16 *)(p + 4), (n - 4) / 2);
		p += n;
	}
	while (path[len])
		len++;
	snprintf(dst, size, "%s", path + path_base(path, len));
}

/* Is s[0..len) the image's own name as the shell passes it ("fs0:\x.efi",
 * "X.EFI", or the name without .efi)? */
static bool is_image_word(const char *s, size_t len, const char *name)
{
	size_t base = path_base(s, len), nlen = 0;

	s += base;
	len -= base;
	if (has_efi_suffix(s, len))
		return true;
	while (name[nlen])
		nlen++;
	if (has_efi_suffix(name, nlen))
		nlen -= 4;
	return len && len == nlen && same_ci(s, name, len);
}

/* The options after the image name, without leading blanks. */
static const char *skip_image_word(const char *s, const char *name)
{
	size_t len = 0;

	while (*s == ' ')
		s++;
	while (s[len] && s[len] != ' ')
		len++;
	if (is_image_word(s, len, name))
		s += len;
	while (*s == ' ')
		s++;
	return s;
}

void cmdline_build(struct boot_info *bi)
{
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE_PROTOCOL *li;
	char opts[BOOT_CMDLINE_MAX], name[NAME_MAX];
	const char *rest = "";

	if (!EFI_ERROR(efi_bs->HandleProtocol(efi_image, &li_guid,
					      (void **)&li)) &&
	    options_text(li, opts, sizeof(opts))) {
		image_name(li, name, sizeof(name));
		rest = skip_image_word(opts, name);
	}
	snprintf(bi->cmdline, sizeof(bi->cmdline), "config=%s%s%s",
		   LOADER_CONFIG_MODULE, *rest ? " " : "", rest);
	con_print("command line: %s", bi->cmdline);
}
