/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's virtual switches by name: the first NIC naming a switch
 * (config key net = NAME) creates it, later ones from any guest join it.
 * At most NET_REGISTRY_MAX switches.
 *
 * Locking: switches are looked up and created only while the VMs are being
 * created (the boot CPU, before any guest runs); the table is read-only
 * afterwards and its switches live as long as the hypervisor.
 */
#ifndef VMM_NET_REGISTRY_H
#define VMM_NET_REGISTRY_H

#include "vmm/net/switch.h"

#define NET_REGISTRY_MAX 8

/* The switch called @name, created empty if there is none yet; NULL when
 * the table is full. */
struct net_switch *net_switch_get(const char *name);

#endif
