// SPDX-License-Identifier: MIT
/*
 * kvm-clock for guests (pvclock.h). The layouts: pvclock_vcpu_time_info
 * { u32 version; u32 pad; u64 tsc_timestamp; u64 system_time; u32
 * tsc_to_system_mul; s8 tsc_shift; u8 flags; u8 pad[2]; } and
 * pvclock_wall_clock { u32 version; u32 sec; u32 nsec; }, little-endian.
 * A reader retries while the version is odd or changed, so an area is
 * written as: version odd, the fields, version even.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/string.h"
#include "kernel/wallclock.h"
#include "vmm/gmem.h"
#include "vmm/pvclock.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL

struct pvclock_scale pvclock_scale_of(u64 khz)
{
	/* mul * 2^(shift - 32) = ns per tick = NS_PER_MS / khz: the shift
	 * that puts mul in [2^31, 2^32), then mul rounded at that shift */
	u64 m = (NS_PER_MS << 32) / khz, num; /* < 2^52 */
	int shift = 0;

	while (m >= (1ULL << 32)) {
		m >>= 1;
		shift++;
	}
	while (m < (1ULL << 31)) {
		m <<= 1;
		shift--;
	}
	num = shift >= 0 ? (NS_PER_MS << 32) >> shift : (NS_PER_MS << 32) << -shift;
	m = (num + khz / 2) / khz;
	return (struct pvclock_scale){ m >> 32 ? 0xffffffffu : (u32)m, (s8)shift };
}

u64 pvclock_ns(struct pvclock_scale s, u64 delta)
{
	if (s.shift < 0)
		delta >>= -s.shift;
	else
		delta <<= s.shift;
	return (u64)(((unsigned __int128)delta * s.mul) >> 32);
}

static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

void pvclock_time_info(u8 out[32], u32 version, u64 tsc, u64 system_ns,
		       struct pvclock_scale s, u8 flags)
{
	memset(out, 0, 32);
	put32(out, version);
	put64(out + 8, tsc);
	put64(out + 16, system_ns);
	put32(out + 24, s.mul);
	out[28] = (u8)s.shift;
	out[29] = flags;
}

void pvclock_wall_clock(u8 out[12], u32 version, u64 sec, u32 nsec)
{
	put32(out, version);
	put32(out + 4, (u32)sec);
	put32(out + 8, nsec);
}

/*
 * Write @len bytes of @rec at @gpa the way a reader expects: the version
 * (the first 4 bytes) odd first, then the rest, then the even version.
 * False when the area is not all in the guest's RAM.
 */
static bool publish(struct vcpu *v, u64 gpa, const u8 *rec, unsigned len)
{
	u8 *p = gmem_ptr(&v->vm->mem, gpa, len);
	u32 version;

	if (!p)
		return false;
	memcpy(&version, rec, 4);
	__atomic_store_n((u32 *)p, version - 1, __ATOMIC_RELEASE);
	memcpy(p + 4, rec + 4, len - 4);
	__atomic_store_n((u32 *)p, version, __ATOMIC_RELEASE);
	return true;
}

/* Guest time is the time since this boot's first instruction. */
static u64 boot_tsc(struct vcpu *v)
{
	return v->vm->boot_tsc ? v->vm->boot_tsc : rdtsc();
}

/* Bit 0 enables; the area is 4-byte aligned (bit 1 clear) in RAM. */
bool pvclock_system_time_write(struct vcpu *v, u64 val)
{
	struct pvclock_scale s = pvclock_scale_of(tsc_khz());
	u64 now = rdtsc(), boot = boot_tsc(v);
	u8 rec[32];

	if (val & 2)
		return false;
	if (val & 1) {
		pvclock_time_info(rec, v->pvclock_version += 2, now,
				  pvclock_ns(s, now > boot ? now - boot : 0), s,
				  PVCLOCK_TSC_STABLE_BIT);
		if (!publish(v, val & ~3ULL, rec, sizeof(rec)))
			return false;
	}
	v->pvclock_msr = val;
	return true;
}

/* The time of day at guest time 0: the wall clock's reference moved to
 * this boot's first instruction. */
bool pvclock_wall_clock_write(struct vcpu *v, u64 val)
{
	struct pvclock_scale s = pvclock_scale_of(tsc_khz());
	u64 epoch, ref, boot = boot_tsc(v), ns;
	u8 rec[12];

	if (val & 3)
		return false;
	wallclock_ref(&epoch, &ref);
	ns = boot >= ref ? epoch * NS_PER_S + pvclock_ns(s, boot - ref) :
			   epoch * NS_PER_S - pvclock_ns(s, ref - boot);
	pvclock_wall_clock(rec, v->pvclock_version += 2, ns / NS_PER_S, (u32)(ns % NS_PER_S));
	if (!publish(v, val, rec, sizeof(rec)))
		return false;
	v->pvclock_wall_msr = val;
	return true;
}
