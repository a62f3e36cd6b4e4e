// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the hypervisor config parser (kernel/config.c) on
 * whatever text a boot medium carries. Checks its contract: on success
 * the guests found fit the table and config_files() stays in bounds; on
 * failure the config is left at the defaults and the message is a
 * terminated string.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/config.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct config cfg, dflt;
	struct cfg_error err;
	const char *names[2 * CFG_MAX_GUESTS + 1];
	char *text = malloc(size ? size : 1);

	memcpy(text, data, size); /* exactly size bytes: no terminator */
	memset(&err, 0x5a, sizeof(err));
	if (config_parse(text, size, &cfg, &err) == 0) {
		if (cfg.nguests > CFG_MAX_GUESTS ||
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
