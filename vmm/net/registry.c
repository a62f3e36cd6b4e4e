// SPDX-License-Identifier: MIT
/* The switches by name (registry.h): a small static table. */
#include "kernel/string.h"
#include "vmm/net/registry.h"

static struct net_switch switches[NET_REGISTRY_MAX];
static unsigned nswitches;

struct net_switch *net_switch_get(const char *name)
{
	for (unsigned i = 0; i < nswitches; i++)
		if (!strncmp(switches[i].name, name, NET_SWITCH_NAME - 1))
			return &switches[i];
	if (nswitches == NET_REGISTRY_MAX)
		return NULL;
	net_switch_init(&switches[nswitches], name);
	return &switches[nswitches++];
}
