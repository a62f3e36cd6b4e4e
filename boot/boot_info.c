// SPDX-License-Identifier: MIT
/*
 * Helpers on struct boot_info shared by the UEFI loader, the multiboot2
 * entry and the kernel. Freestanding: no library calls, so every world
 * that builds boot_info can link it.
 */
#include "boot/boot_info.h"

static size_t msg_used(const struct boot_info *bi)
{
	size_t n = 0;

	while (n < BOOT_MSG_MAX - 1 && bi->messages[n])
		n++;
	return n;
}

/* Append @s to bi->messages at *pos, keeping room for "\n" and NUL.
 * Line ends inside @s become spaces so each message stays one line. */
static void msg_append(struct boot_info *bi, size_t *pos, const char *s)
{
	for (; *s && *pos < BOOT_MSG_MAX - 2; s++)
		bi->messages[(*pos)++] = (*s == '\n' || *s == '\r') ? ' ' : *s;
}

void boot_info_message(struct boot_info *bi, const char *level,
		       const char *text)
{
	size_t pos;

	bi->messages[BOOT_MSG_MAX - 1] = 0;
	pos = msg_used(bi);
	/* a line needs at least "x\n" plus the NUL */
	if (pos + 3 > BOOT_MSG_MAX)
		return;
	msg_append(bi, &pos, level);
	msg_append(bi, &pos, ": ");
	msg_append(bi, &pos, text);
	bi->messages[pos++] = '\n';
	bi->messages[pos] = 0;
}
