/* SPDX-License-Identifier: MIT */
/*
 * The paravirtual clock Linux knows as kvm-clock (the ABI of Linux's
 * Documentation/virt/kvm/x86/cpuid.rst and msr.rst): CPUID leaves at
 * 0x40000100 carry the "KVMKVMKVM" signature with only
 * KVM_FEATURE_CLOCKSOURCE2 and KVM_FEATURE_CLOCKSOURCE_STABLE_BIT, our own
 * leaves stay at 0x40000000. MSR_KVM_SYSTEM_TIME_NEW gives the guest
 * physical address of a vCPU's time-info area, MSR_KVM_WALL_CLOCK_NEW that
 * of the wall-clock record; the hypervisor fills them. With them a guest
 * knows its TSC frequency without calibrating it against the PIT (Linux
 * on AMD CPUs otherwise reads PIT port 0x42 about 17,000 times per boot,
 * each an exit) and reads time with RDTSC alone.
 *
 * Guest TSC = host TSC (no offset), and the host's TSCs are one clock
 * (arch/x86/tsc.c), so one scale serves every vCPU and never changes:
 * the areas are written once, when the guest registers them.
 */
#ifndef VMM_PVCLOCK_H
#define VMM_PVCLOCK_H

#include "kernel/types.h"

#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

#define PVCLOCK_CPUID_BASE 0x40000100
#define PVCLOCK_CPUID_FEATURES 0x40000101
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (1u << 24)
#define PVCLOCK_TSC_STABLE_BIT (1u << 0)

/* ns = ((tsc delta) << shift, or >> -shift) * mul / 2^32. */
struct pvclock_scale {
	u32 mul;
	s8 shift;
};

/* The scale of a @khz TSC (mul in [2^31, 2^32)); khz > 0. */
struct pvclock_scale pvclock_scale_of(u64 khz);

/* @delta TSC ticks in ns, as the guest computes it. */
u64 pvclock_ns(struct pvclock_scale s, u64 delta);

/* The time-info area (pvclock_vcpu_time_info, 32 bytes) for @tsc at
 * @system_ns ns of guest time, its version field @version (even). */
void pvclock_time_info(u8 out[32], u32 version, u64 tsc, u64 system_ns,
		       struct pvclock_scale s, u8 flags);

/* The wall-clock record (pvclock_wall_clock, 12 bytes): the time of day
 * at guest time 0. */
void pvclock_wall_clock(u8 out[12], u32 version, u64 sec, u32 nsec);

struct vcpu;

/* The MSR exits (vmm/exit_msr.c). A write false: refused (#GP). */
bool pvclock_system_time_write(struct vcpu *v, u64 val);
bool pvclock_wall_clock_write(struct vcpu *v, u64 val);

#endif
