// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the hypervisor config parser (kernel/config.c) on
 * whatever text a boot medium carries. Checks its contract: on success
 * the guests found fit the table and config_files() stays in bounds,
 * each guest's disks and NICs fit theirs, and every MAC is unicast, not
 * zero and unique among all guests; on failure the config is left at the defaults and the message is a
 * terminated string.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/config.h"

/* The MACs of all NICs: unicast, not all zero, no two alike. */
static bool macs_sound(const struct config *cfg)
{
	const u8 *seen[CFG_MAX_GUESTS * CFG_MAX_NICS];
	unsigned n = 0;
	static const u8 zero[CFG_MAC_LEN];

	for (u32 g = 0; g < cfg->nguests; g++) {
		const struct cfg_guest *gu = &cfg->guests[g];

		if (gu->ndisks > CFG_MAX_DISKS || gu->nnics > CFG_MAX_NICS)
			return false;
		for (u32 k = 0; k < gu->nnics; k++) {
			const u8 *mac = gu->nics[k].mac;

			if ((mac[0] & 1) || !memcmp(mac, zero, CFG_MAC_LEN))
				return false;
			for (unsigned i = 0; i < n; i++)
				if (!memcmp(seen[i], mac, CFG_MAC_LEN))
					return false;
			seen[n++] = mac;
		}
	}
	return true;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct config cfg, dflt;
	struct cfg_error err;
	const char *names[CFG_MAX_FILES + 1];
	char *text = malloc(size ? size : 1);

	memcpy(text, data, size); /* exactly size bytes: no terminator */
	memset(&err, 0x5a, sizeof(err));
	if (config_parse(text, size, &cfg, &err) == 0) {
		if (cfg.nguests > CFG_MAX_GUESTS || !macs_sound(&cfg) ||
		    config_files(&cfg, names, ARRAY_SIZE(names)) > ARRAY_SIZE(names))
			abort();
	} else {
		config_defaults(&dflt);
		if (memcmp(&cfg, &dflt, sizeof(cfg)) || !memchr(err.msg, 0, sizeof(err.msg)))
			abort();
	}
	free(text);
	return 0;
}
