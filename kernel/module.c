// SPDX-License-Identifier: MIT
/* Boot module lookup by name (module.h). */
#include "kernel/module.h"
#include "kernel/string.h"

static const char *basename_of(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	return b;
}

const struct boot_module *module_find(const struct boot_module *mods,
				      unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(mods[i].name, name) ||
		    !strcmp(basename_of(mods[i].name), name))
			return &mods[i];
	return NULL;
}
