// SPDX-License-Identifier: MIT
//
// Exercises the instructions that leave a guest (VM exits) and checks the
// answers: CPUID (hypervisor bit and signature; under hv, VMX and SVM
// hidden), RDMSR of allowed MSRs, #GP for a bogus MSR, port I/O to the UART
// scratch register and to an unregistered port, HLT woken by the LAPIC
// timer, NMIs sent to itself (a second one raised inside the NMI handler
// must wait for its IRET and come right after it), XSETBV valid and invalid, INVD/WBINVD and a
// PAUSE loop.
#include "lib/cpu.h"
#include "lib/fault.h"
#include "lib/hv.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/printf.h"
#include "lib/serial.h"
#include "lib/test.h"
#include "lib/trap.h"

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_BOGUS 0x12345678
#define UNREGISTERED_PORT 0x80e0
#define TIMER_VECTOR 0x40

#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID81_ECX_SVM (1u << 2)

static void check_cpuid(void)
{
	const struct hv_info *h = hv_info();
	struct cpuid_regs r;

	hv_report();
	check(h->hypervisor_bit, "cpuid.1:ecx[31] hypervisor bit set");
	check(h->max_leaf >= HV_CPUID_LEAF, "cpuid 0x40000000 max leaf 0x%x", h->max_leaf);
	if (!under_hv()) {
		skip_not_hv("signature hvhvhvhvhvhv, vmx/svm hidden");
		return;
	}
	check(h->ours, "signature \"%s\"", h->signature);
	r = cpuid(1, 0);
	check(!(r.ecx & CPUID1_ECX_VMX), "cpuid.1:ecx[5] vmx hidden");
	r = cpuid(0x80000000, 0);
	if (r.eax >= 0x80000001) {
		r = cpuid(0x80000001, 0);
		check(!(r.ecx & CPUID81_ECX_SVM), "cpuid.80000001:ecx[2] svm hidden");
	}
}

static void check_allowed_msrs(void)
{
	u64 base, efer, t0, t1;
	u32 v1, v2, v3;

	v1 = rdmsr_safe(MSR_APIC_BASE, &base);
	check(v1 == FAULT_NONE && (base & ~0xfffull) == LAPIC_BASE && (base >> 11 & 1),
	      "rdmsr IA32_APIC_BASE = 0x%llx (base 0xfee00000, enabled)", base);
	v2 = rdmsr_safe(MSR_EFER, &efer);
	check(v2 == FAULT_NONE && !(efer & (1 << 10)), "rdmsr EFER = 0x%llx (LMA clear)", efer);
	v1 = rdmsr_safe(MSR_TSC, &t0);
	v3 = rdmsr_safe(MSR_TSC, &t1);
	check(v1 == FAULT_NONE && v3 == FAULT_NONE, "rdmsr IA32_TIME_STAMP_COUNTER works");
	// QEMU 7.2 TCG reads this MSR as 0; RDTSC itself counts.
	if (!under_hv() && !t0 && !t1) {
		printf("rdmsr 0x10 reads 0 bare (rdtsc reads %llu)\n", rdtsc());
		skip_not_hv("IA32_TIME_STAMP_COUNTER increases");
		return;
	}
	check(t1 > t0, "IA32_TIME_STAMP_COUNTER increases (%llu -> %llu)", t0, t1);
}

// Bare QEMU TCG reads unknown MSRs as 0 and ignores writes to them, so the
// #GP is required only under our hypervisor.
static void check_bogus_msr(void)
{
	u64 v = 0;
	u32 rv = rdmsr_safe(MSR_BOGUS, &v);
	u32 wv = wrmsr_safe(MSR_BOGUS, 0x1234);

	printf("rdmsr 0x%x -> %s, wrmsr 0x%x -> %s\n", MSR_BOGUS,
	       rv == FAULT_NONE ? "no fault" : trap_name(rv), MSR_BOGUS,
	       wv == FAULT_NONE ? "no fault" : trap_name(wv));
	if (!under_hv() && (rv != VEC_GP || wv != VEC_GP)) {
		skip_not_hv("#GP on bogus msr");
		return;
	}
	check(rv == VEC_GP, "rdmsr 0x%x raises #GP (caught)", MSR_BOGUS);
	check(wv == VEC_GP, "wrmsr 0x%x raises #GP (caught)", MSR_BOGUS);
}

static void check_uart_scratch(void)
{
	outb(COM1 + UART_SCR, 0x5a);
	u8 a = inb(COM1 + UART_SCR);
	outb(COM1 + UART_SCR, 0xa5);
	u8 b = inb(COM1 + UART_SCR);

	check(a == 0x5a && b == 0xa5, "uart scratch 0x3ff round-trips (0x%x 0x%x)", a, b);
}

static void check_unregistered_port(void)
{
	u8 b = inb(UNREGISTERED_PORT);
	u16 w = inw(UNREGISTERED_PORT);
	u32 l = inl(UNREGISTERED_PORT);

	check(b == 0xff && w == 0xffff && l == 0xffffffff,
	      "unregistered port 0x%x reads 0x%x 0x%x 0x%x", UNREGISTERED_PORT, b, w, l);
}

/*
 * String I/O: REP OUTSB writes a line to the UART (the transcript shows
 * it), REP INSB from an unclaimed port fills a buffer with 0xff and leaves
 * ECX at 0 and EDI past the buffer.
 */
static void check_string_io(void)
{
	static const char line[] = "rep outsb reached the console\n";
	u8 buf[16];
	u32 ecx = sizeof(line) - 1, esi = (u32)line, edi = (u32)buf;
	bool all_ff = true;

	asm volatile("cld; rep outsb" : "+c"(ecx), "+S"(esi) : "d"(0x3f8) : "memory");
	check(ecx == 0 && esi == (u32)line + sizeof(line) - 1, "rep outsb: ecx 0, esi advanced");
	ecx = sizeof(buf);
	asm volatile("cld; rep insb" : "+c"(ecx), "+D"(edi) : "d"(UNREGISTERED_PORT) : "memory");
	for (unsigned i = 0; i < sizeof(buf); i++)
		all_ff &= buf[i] == 0xff;
	check(ecx == 0 && edi == (u32)buf + sizeof(buf) && all_ff,
	      "rep insb from port 0x%x: 16 bytes of 0xff", UNREGISTERED_PORT);
}

static volatile u32 timer_fired;

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	timer_fired++;
	lapic_eoi();
}

static void check_hlt_timer(void)
{
	irq_init();
	trap_set_handler(TIMER_VECTOR, timer_handler);
	timer_fired = 0;
	printf("hlt, waiting for the lapic timer (vector 0x%x)\n", TIMER_VECTOR);
	lapic_timer_oneshot(TIMER_VECTOR, 100000);
	while (!timer_fired)
		sti_hlt();
	cli();
	check(timer_fired == 1, "hlt woken by lapic timer interrupt");
	check(lapic_read(LAPIC_TIMER_CUR) == 0, "one-shot timer stopped at 0");
	lapic_timer_stop();
}

/*
 * NMI blocking (SDM Vol. 3A §6.7.1): from an NMI's delivery until the
 * next IRET no other NMI is taken; one more waits and comes after the
 * IRET. The handler of the first NMI sends a second one to its own APIC
 * and leaves the CPU time (and exits) to deliver it too early; it must
 * arrive after the IRET, not nested.
 */
#define ICR_NMI 0x00004400u // NMI, level assert, physical destination
#define UART_SCRATCH 0x3ff

static volatile u32 nmi_count, nmi_depth, nmi_max_depth;

static void nmi_handler(struct trap_frame *f)
{
	(void)f;
	if (++nmi_depth > nmi_max_depth)
		nmi_max_depth = nmi_depth;
	if (++nmi_count == 1) {
		lapic_send_ipi(lapic_id(), ICR_NMI);
		for (int i = 0; i < 200; i++)
			(void)inb(UART_SCRATCH);
	}
	nmi_depth--;
}

static void check_nmi(void)
{
	trap_set_handler(2, nmi_handler);
	if (!lapic_send_ipi(lapic_id(), ICR_NMI))
		printf("nmi: the ICR stayed busy\n");
	for (int i = 0; i < 100000 && nmi_count < 2; i++)
		(void)inb(UART_SCRATCH);
	check(nmi_count == 2, "two NMIs delivered (%u)", nmi_count);
	check(nmi_max_depth == 1, "the second NMI waited for the first one's IRET (depth %u)",
	      nmi_max_depth);
	trap_set_handler(2, NULL);
}

/*
 * The held NMI comes right after the IRET that ends the blocking (SDM
 * Vol. 3A §6.7.1), before the interrupted code runs one more instruction:
 * a hypervisor that lets it wait for some later exit delivers it inside
 * code that may hold a lock its handler takes. The first NMI is raised by
 * an ICR write (self shorthand) followed at once by a spin loop that
 * never leaves the guest; its handler raises the second one and returns
 * into that loop, which the second NMI must interrupt at the very
 * instruction the IRET went back to. A spin budget turns a lost or late
 * NMI into a failure instead of a hang.
 */
#define ICR_NMI_SELF 0x00044400u // NMI, level assert, shorthand self
#define NMI_SPIN_BUDGET 20000000u
#define EFLAGS_TF (1u << 8)
#define DR6_BS (1u << 14)

static volatile u32 nmi_iret_count, nmi_iret_eip[2], nmi_iret_eflags[2], nmi_iret_dr6;
static volatile bool nmi_iret_set_tf, nmi_iret_bad_cs;
static volatile u32 gp_count, gp_eflags, gp_error;
static volatile u32 db_count, db_eip, db_dr6;

static u32 read_dr6(void)
{
	u32 v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void write_dr6(u32 v)
{
	asm volatile("mov %0, %%dr6" : : "r"(v));
}

static void nmi_iret_handler(struct trap_frame *f)
{
	u32 n = nmi_iret_count++;

	if (n < 2) {
		nmi_iret_eip[n] = f->eip;
		nmi_iret_eflags[n] = f->eflags;
		nmi_iret_dr6 = read_dr6();
	}
	if (n == 0) {
		if (nmi_iret_set_tf)
			f->eflags |= EFLAGS_TF;
		if (nmi_iret_bad_cs)
			f->cs = 0x18; /* beyond the GDT: the IRET raises #GP */
		lapic_write(LAPIC_ICR_LO, ICR_NMI_SELF);
		for (int i = 0; i < 200; i++)
			(void)inb(UART_SCRATCH);
	}
}

static void db_handler(struct trap_frame *f)
{
	db_count++;
	db_eip = f->eip;
	db_dr6 = read_dr6();
	write_dr6(0xffff0ff0);
	f->eflags &= ~EFLAGS_TF;
}

/* Raise the first NMI and spin until the second came or the budget ran
 * out; false (with a line saying so) on a timeout. The handler stays: a
 * late NMI may still come in the printf of that line. */
static bool nmi_spin(void)
{
	u32 budget = NMI_SPIN_BUDGET;

	nmi_iret_count = 0;
	trap_set_handler(2, nmi_iret_handler);
	asm volatile("movl %[icr], (%[reg])\n"
		     "1:\tcmpl $2, %[count]\n\tjae 2f\n\tdecl %[budget]\n\tjnz 1b\n2:"
		     : [budget] "+r"(budget)
		     : [icr] "r"(ICR_NMI_SELF), [reg] "r"(LAPIC_BASE + LAPIC_ICR_LO),
		       [count] "m"(nmi_iret_count)
		     : "memory", "cc");
	if (!check(budget > 0, "second NMI within %u spins after the first one's IRET (%u NMIs)",
		   NMI_SPIN_BUDGET, nmi_iret_count))
		printf("nmi: timed out: the held NMI was not delivered at the IRET\n");
	return budget > 0;
}

static void check_nmi_after_iret(void)
{
	nmi_spin();
	check(nmi_iret_count >= 2 && nmi_iret_eip[1] == nmi_iret_eip[0],
	      "second NMI right after the IRET: at eip 0x%x, the IRET returned to 0x%x",
	      nmi_iret_eip[1], nmi_iret_eip[0]);
	check(!((nmi_iret_eflags[0] | nmi_iret_eflags[1] | read_eflags()) & EFLAGS_TF),
	      "no TF in the flags the NMIs pushed (0x%x 0x%x) nor after them", nmi_iret_eflags[0],
	      nmi_iret_eflags[1]);
}

/*
 * The same with the guest's own TF: the first handler sets TF in the
 * flags its IRET loads. The second NMI still comes at the IRET's target
 * (pushing TF: the guest's), DR6 shows no trap yet, and after its IRET
 * the instruction there runs and traps once (SDM Vol. 3B §18.3.1.4).
 */
static void check_nmi_after_iret_guest_tf(void)
{
	trap_set_handler(1, db_handler);
	write_dr6(0xffff0ff0);
	db_count = 0;
	nmi_iret_set_tf = true;
	nmi_spin();
	nmi_iret_set_tf = false;
	check(nmi_iret_count >= 2 && nmi_iret_eip[1] == nmi_iret_eip[0] &&
	      (nmi_iret_eflags[1] & EFLAGS_TF) && !(nmi_iret_dr6 & DR6_BS),
	      "guest TF: second NMI at eip 0x%x (want 0x%x), flags 0x%x with TF, dr6 0x%x no BS",
	      nmi_iret_eip[1], nmi_iret_eip[0], nmi_iret_eflags[1], nmi_iret_dr6);
	check(db_count == 1 && db_eip > nmi_iret_eip[0] && db_eip < nmi_iret_eip[0] + 16 &&
	      (db_dr6 & DR6_BS),
	      "guest TF: one #DB (%u) after the instruction at 0x%x: eip 0x%x dr6 0x%x", db_count,
	      nmi_iret_eip[0], db_eip, db_dr6);
	trap_set_handler(1, NULL);
}

/* The #GP of that IRET: the NMI's frame sits right above the #GP's (same
 * privilege, no ESP/SS); give it back the code selector. */
static void iret_gp_handler(struct trap_frame *f)
{
	u32 *nmi_frame = (u32 *)(&f->eflags + 1);

	gp_count++;
	gp_eflags = f->eflags;
	gp_error = f->error;
	nmi_frame[1] = 0x08;
}

/*
 * The same with an IRET that faults (a bad CS in the frame): the #GP
 * handler, which repairs the frame, must not see TF in the flags the
 * fault pushed, and the second NMI still comes, at the latest after the
 * repaired IRET. Where exactly differs among CPUs (some end the blocking
 * at an IRET that faults, then the NMI comes at the #GP handler), so only
 * that it came is checked.
 */
static void check_nmi_iret_fault(void)
{
	trap_set_handler(VEC_GP, iret_gp_handler);
	gp_count = 0;
	nmi_iret_bad_cs = true;
	nmi_spin();
	nmi_iret_bad_cs = false;
	check(gp_count == 1 && gp_error == 0x18 && !(gp_eflags & EFLAGS_TF),
	      "faulting IRET: one #GP (%u) error 0x%x, no TF in its flags 0x%x", gp_count,
	      gp_error, gp_eflags);
	printf("nmi: after the faulting IRET the second NMI came at eip 0x%x\n",
	       nmi_iret_eip[1]);
	trap_set_handler(VEC_GP, NULL);
	trap_set_handler(2, NULL);
}

/*
 * x2APIC (SDM Vol. 3A §11.12), when CPUID offers it: switch the local APIC
 * to x2APIC mode, read the ID and the derived logical ID through MSRs, and
 * take a self-IPI (MSR 0x83F) ended by an EOI through MSR 0x80B. Runs last:
 * the xAPIC MMIO interface is gone afterwards.
 */
#define X2APIC_VECTOR 0x45

static volatile u32 x2apic_fired;

static void x2apic_handler(struct trap_frame *f)
{
	(void)f;
	x2apic_fired++;
	wrmsr(0x80b, 0); /* EOI */
}

static void check_x2apic(void)
{
	u64 base;

	if (!(cpuid(1, 0).ecx & (1u << 21))) {
		printf("SKIP x2apic (not offered)\n");
		return;
	}
	base = rdmsr(0x1b);
	wrmsr(0x1b, base | (1u << 10));
	check(rdmsr(0x1b) & (1u << 10), "IA32_APIC_BASE.EXTD set: x2APIC mode");
	check((u32)rdmsr(0x802) == 0, "x2apic id %u (the boot CPU)", (u32)rdmsr(0x802));
	check((u32)rdmsr(0x80d) == 1, "x2apic logical id 0x%x (cluster 0, bit 0)",
	      (u32)rdmsr(0x80d));
	trap_set_handler(X2APIC_VECTOR, x2apic_handler);
	x2apic_fired = 0;
	wrmsr(0x83f, X2APIC_VECTOR); /* self IPI */
	sti();
	for (int i = 0; i < 1000 && !x2apic_fired; i++)
		cpu_pause();
	cli();
	check(x2apic_fired == 1, "x2apic self-IPI delivered and EOIed by MSR");
}

static void check_xsetbv(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	u64 supported, want;

	if (!(r.ecx & CPUID1_ECX_XSAVE)) {
		printf("SKIP xsetbv (cpu has no XSAVE)\n");
		return;
	}
	write_cr4(read_cr4() | CR4_OSXSAVE);
	r = cpuid(0xd, 0);
	supported = (u64)r.edx << 32 | r.eax;
	want = supported & 3; // x87 and, when supported, SSE
	check(xsetbv_safe(0, want) == FAULT_NONE && xgetbv(0) == want,
	      "xsetbv xcr0=0x%llx (supported 0x%llx) works", want, supported);
	check(xsetbv_safe(0, 2) == VEC_GP, "xsetbv xcr0=0x2 (sse without x87) raises #GP");
	check(xgetbv(0) == want, "xcr0 unchanged after the failed xsetbv");
}

static void check_cache_and_pause(void)
{
	wbinvd();
	invd();
	check(true, "wbinvd and invd return");
	for (int i = 0; i < 10000; i++)
		cpu_pause();
	check(true, "10000 pause instructions");
}

int main(void)
{
	test_start("exits");
	check_cpuid();
	check_allowed_msrs();
	check_bogus_msr();
	check_uart_scratch();
	check_unregistered_port();
	check_string_io();
	check_hlt_timer();
	check_nmi();
	check_nmi_after_iret();
	check_nmi_after_iret_guest_tf();
	check_nmi_iret_fault();
	check_xsetbv();
	check_cache_and_pause();
	check_x2apic();
	test_finish();
}
