// SPDX-License-Identifier: MIT
//
// Is this guest running under our hypervisor? CPUID.1:ECX bit 31 says "some
// hypervisor"; leaf 0x40000000 names it in EBX, ECX, EDX. Ours answers
// "hvhvhvhvhvhv"; bare QEMU TCG answers "TCGTCGTCGTCG", and then guests skip
// the checks that only our hypervisor can pass.
#ifndef GUEST_HV_H
#define GUEST_HV_H

#include "lib/types.h"

#define HV_CPUID_LEAF 0x40000000u
#define HV_SIGNATURE "hvhvhvhvhvhv"

struct hv_info {
	bool hypervisor_bit; // CPUID.1:ECX[31]
	u32 max_leaf; // EAX of leaf 0x40000000
	char signature[13]; // EBX, ECX, EDX as text
	bool ours; // signature is HV_SIGNATURE
};

const struct hv_info *hv_info(void);
bool under_hv(void);
// Print "hypervisor: <signature> (ours|not ours)" or "hypervisor: none".
void hv_report(void);
// True on AMD and Hygon CPUs (hypercalls use VMMCALL, else VMCALL).
bool cpu_is_amd(void);

#endif
