// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the QEMU-style fw_cfg interface (vmm/dev/fw_cfg.c):
 * selector and data ports (devfuzz.h), with the items the VM adds.
 */
#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/fw_cfg.h"

static struct fw_cfg fw;

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ FW_CFG_REG_LEN, fw_cfg_read, fw_cfg_write, &fw, "fw-cfg" },
	};
	static const struct devfuzz d = { r, 1, NULL, NULL };
	static const char table[] = "a small table";

	fw_cfg_init(&fw, 3ULL << 30, 4);
	fw_cfg_add(&fw, 0x20, table, sizeof(table));
	fw_cfg_add(&fw, 0x21, table, 0);
	devfuzz_run(&d, data, size);
	return 0;
}
