// SPDX-License-Identifier: MIT
//
// Hypervisor detection through CPUID for lib/hv.h; computed once.
#include "lib/hv.h"
#include "lib/cpu.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct hv_info info;
static bool probed;

static void hv_probe(void)
{
	struct cpuid_regs r = cpuid(1, 0);

	probed = true;
	info.hypervisor_bit = r.ecx >> 31;
	if (!info.hypervisor_bit)
		return;
	r = cpuid(HV_CPUID_LEAF, 0);
	info.max_leaf = r.eax;
	memcpy(info.signature, &r.ebx, 4);
	memcpy(info.signature + 4, &r.ecx, 4);
	memcpy(info.signature + 8, &r.edx, 4);
	info.signature[12] = 0;
	for (int i = 0; i < 12; i++)
		if (info.signature[i] && (info.signature[i] < 0x20 || info.signature[i] > 0x7e))
			info.signature[i] = '?';
	info.ours = !memcmp(info.signature, HV_SIGNATURE, 12);
}

const struct hv_info *hv_info(void)
{
	if (!probed)
		hv_probe();
	return &info;
}

bool under_hv(void)
{
	return hv_info()->ours;
}

void hv_report(void)
{
	const struct hv_info *h = hv_info();

	if (!h->hypervisor_bit)
		printf("hypervisor: none\n");
	else
		printf("hypervisor: \"%s\" max leaf 0x%x (%s)\n", h->signature,
		       h->max_leaf, h->ours ? "ours" : "not ours");
}

bool cpu_is_amd(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[12];

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	return !memcmp(vendor, "AuthenticAMD", 12) || !memcmp(vendor, "HygonGenuine", 12);
}
