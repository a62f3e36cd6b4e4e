// SPDX-License-Identifier: MIT
//
// fw_cfg access for lib/fwcfg.h. Items are little-endian, as is the guest.
#include "lib/fwcfg.h"
#include "lib/io.h"
#include "lib/string.h"

void fw_cfg_read(u16 key, void *buf, u32 n)
{
	u8 *p = buf;

	outw(FW_CFG_PORT_SEL, key);
	while (n--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

bool fw_cfg_present(void)
{
	char sig[4];

	fw_cfg_read(FW_CFG_SIGNATURE, sig, sizeof(sig));
	return !memcmp(sig, "QEMU", 4);
}

u16 fw_cfg_read16(u16 key)
{
	u16 v;

	fw_cfg_read(key, &v, sizeof(v));
	return v;
}

u64 fw_cfg_read64(u16 key)
{
	u64 v;

	fw_cfg_read(key, &v, sizeof(v));
	return v;
}
