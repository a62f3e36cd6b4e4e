// SPDX-License-Identifier: MIT
//
// Single-stepping over the instructions a hypervisor emulates: with
// EFLAGS.TF set, each instruction is followed by a debug exception with
// DR6.BS set, a trap whose saved EIP is the next instruction (Intel SDM
// Vol. 3B §18.3.1.4, AMD APM Vol. 2 §13.1.4). Each step runs one
// instruction (CPUID, IN, OUT, INS, OUTS, REP INS, MMIO read and write,
// REP INS/OUTS/STOS of three iterations, one trap after each,
// RDMSR, WRMSR, WBINVD, INVD, MOV to CR4, XSETBV; under hv also HLT and
// the hypercall) with TF turned on by POPF just before it; the #DB handler
// records every trap and turns TF off at the expected address, so a step
// must see exactly one #DB there. Also: STI before CPUID (the CPUID's
// trap; one after the STI too on CPUs that do not hold it in the STI
// shadow), MOV SS before CPUID (the MOV SS trap is held and merges into
// the one after CPUID), and an XSETBV that raises #GP (the fault, no
// trap). The same again in user mode (ring 3, IOPL 3) for CPUID, IN,
// OUT, INS, OUTS and an MMIO read. Runs bare too: the expectations are
// the architecture's. Not checked bare: HLT and PAUSE, after which QEMU's
// TCG loses the trap.
#include "lib/cpu.h"
#include "lib/fault.h"
#include "lib/hv.h"
#include "lib/lapic.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

#define VEC_DB 1
#define EFLAGS_TF (1u << 8)
#define DR6_BS (1u << 14)
#define DR6_INIT 0xffff0ff0u
#define TIMER_VECTOR 0x40
#define MAX_TRAPS 4

static volatile u32 db_count, db_stop;
static volatile u32 db_eip[MAX_TRAPS], db_dr6[MAX_TRAPS], db_cs[MAX_TRAPS];
static volatile u32 timer_fired;
u8 step_buf[16];

// Every #DB: record where and DR6, reset DR6 (its bits are sticky); at
// the step's end address turn TF off so nothing after it traps.
static void db_handler(struct trap_frame *f)
{
	u32 dr6;

	asm volatile("mov %%dr6, %0" : "=r"(dr6));
	if (db_count < MAX_TRAPS) {
		db_eip[db_count] = f->eip;
		db_dr6[db_count] = dr6;
		db_cs[db_count] = f->cs;
	}
	db_count++;
	asm volatile("mov %0, %%dr6" : : "r"(DR6_INIT));
	if (f->eip == db_stop || db_count >= MAX_TRAPS)
		f->eflags &= ~EFLAGS_TF;
}

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	timer_fired++;
	lapic_eoi();
}

/*
 * One step as a function: save the registers, run @setup, turn TF on
 * with POPF (no trap after the POPF itself: TF was clear when it began),
 * run @insn, then <name>_after, where the trap must land.
 */
#define STEP(name, setup, insn)                                              \
	void name(void);                                                         \
	extern const char name##_mid[], name##_after[];                          \
	asm(".text\n.globl " #name "\n.globl " #name "_mid\n.globl " #name       \
	    "_after\n" #name ":\n\tpushal\n\t" setup "\n\tpushfl\n\t"            \
	    "orl $0x100, (%esp)\n\tpopfl\n" #name "_mid:\n\t" insn "\n" #name    \
	    "_after:\n\tpushfl\n\tandl $~0x100, (%esp)\n\tpopfl\n\tpopal\n\tret\n")

STEP(step_cpuid, "xorl %eax, %eax; xorl %ecx, %ecx", "cpuid");
STEP(step_in, "movw $0x3ff, %dx", "inb %dx, %al");
STEP(step_out, "movw $0x3ff, %dx; movb $0x5a, %al", "outb %al, %dx");
STEP(step_ins, "movw $0x3ff, %dx; movl $step_buf, %edi", "insb");
STEP(step_outs, "movw $0x3ff, %dx; movl $step_buf, %esi", "outsb");
STEP(step_rep_ins, "movw $0x3ff, %dx; movl $step_buf, %edi; movl $1, %ecx", "rep insb");
// REP with ECX = 3: a trap after each iteration, the first two at the
// instruction itself (ECX not yet 0), the last after it.
STEP(step_rep_ins3, "movw $0x3ff, %dx; movl $step_buf, %edi; movl $3, %ecx", "rep insb");
STEP(step_rep_outs3, "movw $0x3ff, %dx; movl $step_buf, %esi; movl $3, %ecx", "rep outsb");
STEP(step_rep_stos_mmio, "movl $0xc0000000, %edi; movl $3, %ecx; xorl %eax, %eax", "rep stosl");
STEP(step_mmio_read, "", "movl 0xfee00030, %eax");
STEP(step_mmio_write, "movl 0xfee00080, %eax", "movl %eax, 0xfee00080");
STEP(step_rdmsr, "movl $0xc0000080, %ecx", "rdmsr");
STEP(step_wrmsr, "movl $0xc0000080, %ecx; rdmsr", "wrmsr");
STEP(step_wbinvd, "", "wbinvd");
STEP(step_invd, "", "invd");
STEP(step_cr4, "movl %cr4, %eax", "movl %eax, %cr4");
STEP(step_xsetbv, "xorl %ecx, %ecx; xgetbv", "xsetbv");
STEP(step_vmmcall, "xorl %eax, %eax", "vmmcall");
STEP(step_vmcall, "xorl %eax, %eax", "vmcall");
STEP(step_hlt, "sti", "hlt");
// STI with TF: a trap after the STI (at CPUID), one after the CPUID.
STEP(step_sti_cpuid, "cli; xorl %eax, %eax; xorl %ecx, %ecx", "sti; cpuid");
// MOV SS holds its trap until after the next instruction: one #DB.
STEP(step_movss_cpuid, "xorl %eax, %eax; xorl %ecx, %ecx; movl %ss, %ebx",
     "movl %ebx, %ss; cpuid");

// Run @fn and check the traps: @n of them, the last at @fn's end, DR6.BS
// in each; @first, when not 0, is where the first of two lands.
static void expect(const char *what, void (*fn)(void), const char *after, u32 n,
		   const char *first)
{
	bool ok;

	db_count = 0;
	memset((void *)db_eip, 0, sizeof(db_eip));
	db_stop = (u32)after;
	fn();
	ok = db_count == n && db_eip[n - 1] == (u32)after && (db_dr6[n - 1] & DR6_BS);
	if (n == 2)
		ok = ok && db_eip[0] == (u32)first && (db_dr6[0] & DR6_BS);
	check(ok, "%s: %u #DB (want %u) at eip 0x%x (want 0x%x) dr6 0x%x", what, db_count, n,
	      db_eip[n - 1], (u32)after, db_dr6[n - 1]);
	if (!ok)
		printf("  traps at 0x%x 0x%x 0x%x 0x%x\n", db_eip[0], db_eip[1], db_eip[2], db_eip[3]);
}

#define EXPECT1(what, name) expect(what, name, name##_after, 1, 0)

// A REP of @n iterations under TF (SDM Vol. 3B §18.3.1.4): @n traps with
// DR6.BS, the first @n - 1 at the instruction (@mid), the last at @after.
static void expect_rep(const char *what, void (*fn)(void), const char *mid, const char *after,
		       u32 n)
{
	bool ok;

	db_count = 0;
	memset((void *)db_eip, 0, sizeof(db_eip));
	db_stop = (u32)after;
	fn();
	ok = db_count == n;
	for (u32 i = 0; ok && i < n; i++)
		ok = db_eip[i] == (u32)(i + 1 < n ? mid : after) && (db_dr6[i] & DR6_BS);
	check(ok, "%s: %u #DB (want %u), at the instruction then after it", what, db_count, n);
	if (!ok)
		printf("  traps at 0x%x 0x%x 0x%x 0x%x (insn 0x%x, after 0x%x)\n", db_eip[0],
		       db_eip[1], db_eip[2], db_eip[3], (u32)mid, (u32)after);
}

#define EXPECT_REP(what, name, n) expect_rep(what, name, name##_mid, name##_after, n)

static void check_io_steps(void)
{
	EXPECT1("cpuid", step_cpuid);
	EXPECT1("in", step_in);
	EXPECT1("out", step_out);
	EXPECT1("insb", step_ins);
	EXPECT1("outsb", step_outs);
	EXPECT1("rep insb (ecx=1)", step_rep_ins);
	EXPECT_REP("rep insb (ecx=3)", step_rep_ins3, 3);
	EXPECT_REP("rep outsb (ecx=3)", step_rep_outs3, 3);
	EXPECT_REP("rep stosl to mmio (ecx=3)", step_rep_stos_mmio, 3);
	EXPECT1("mmio read (lapic version)", step_mmio_read);
	EXPECT1("mmio write (lapic tpr)", step_mmio_write);
}

static void check_misc_steps(void)
{
	EXPECT1("rdmsr efer", step_rdmsr);
	EXPECT1("wrmsr efer", step_wrmsr);
	EXPECT1("wbinvd", step_wbinvd);
	EXPECT1("invd", step_invd);
	EXPECT1("mov to cr4", step_cr4);
	if (cpuid(1, 0).ecx & (1u << 26)) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
		EXPECT1("xsetbv", step_xsetbv);
	} else {
		printf("SKIP xsetbv (cpu has no XSAVE)\n");
	}
	if (under_hv() && cpu_is_amd())
		EXPECT1("hypercall (vmmcall)", step_vmmcall);
	else if (under_hv())
		EXPECT1("hypercall (vmcall)", step_vmcall);
	else
		skip_not_hv("hypercall");
}

// HLT woken by the LAPIC timer: one trap, after the HLT (which ends the
// halt under hv, as under KVM).
static void check_hlt_step(void)
{
	if (!under_hv()) {
		skip_not_hv("hlt (TCG loses the trap after HLT)");
		return;
	}
	trap_set_handler(TIMER_VECTOR, timer_handler);
	timer_fired = 0;
	lapic_enable();
	lapic_timer_oneshot(TIMER_VECTOR, 100000);
	EXPECT1("hlt (woken by the lapic timer)", step_hlt);
	sti();
	for (int i = 0; i < 10000000 && !timer_fired; i++)
		cpu_pause();
	cli();
	check(timer_fired == 1, "the timer interrupt came (%u)", timer_fired);
	lapic_timer_stop();
}

// An XSETBV that raises #GP (SSE without x87): the fault, no trap.
STEP(step_xsetbv_gp, "xorl %ecx, %ecx; xorl %edx, %edx; movl $2, %eax", "xsetbv");

static volatile u32 gp_count;

static void gp_handler(struct trap_frame *f)
{
	gp_count++;
	f->eip = (u32)step_xsetbv_gp_after;
	f->eflags &= ~EFLAGS_TF;
}

static void check_shadow_and_fault(void)
{
	db_count = 0;
	db_stop = (u32)step_sti_cpuid_after;
	step_sti_cpuid();
	if (db_count == 2)
		expect("sti (trap), cpuid", step_sti_cpuid, step_sti_cpuid_after, 2,
		       step_sti_cpuid_mid + 1);
	else
		expect("sti (no trap in its shadow), cpuid", step_sti_cpuid,
		       step_sti_cpuid_after, 1, 0);
	EXPECT1("mov ss; cpuid", step_movss_cpuid);
	if (!(read_cr4() & CR4_OSXSAVE))
		return;
	trap_set_handler(VEC_GP, gp_handler);
	db_count = gp_count = 0;
	db_stop = 0;
	step_xsetbv_gp();
	check(gp_count == 1 && db_count == 0, "xsetbv xcr0=2 raises #GP (%u), no #DB (%u)",
	      gp_count, db_count);
	trap_set_handler(VEC_GP, NULL);
}

/*
 * Ring 3 (SDM Vol. 3A §5.8, §7.2): a GDT with user code and data (DPL 3)
 * and a TSS for the way back to ring 0; user_enter() IRETs to user_run
 * with IOPL 3 (IN/OUT allowed), which calls user_fn and returns with
 * INT 0x81; that handler IRETs to user_resume at ring 0, which takes back
 * the kernel stack user_enter() left.
 */
#define SEL_USER_CODE 0x1b
#define SEL_USER_DATA 0x23
#define SEL_TSS 0x28
#define VEC_USER_RETURN 0x81

static u64 user_gdt[6] aligned(8) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull, // as lib/boot.asm
	0x00cffa000000ffffull, 0x00cff2000000ffffull, 0, // user code, data; TSS
};
static u32 tss[26] aligned(8);
static u8 kernel_stack[4096] aligned(16);
u8 user_stack[4096] aligned(16);
u32 user_kernel_esp;
void (*volatile user_fn)(void);

void user_enter(void);
void user_run(void);
void user_resume(void);
asm(".text\n"
    "user_enter:\n\tpushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n"
    "\tmovl %esp, user_kernel_esp\n"
    "\tpushl $0x23\n\tpushl $user_stack + 4096\n\tpushl $0x3002\n"
    "\tpushl $0x1b\n\tpushl $user_run\n"
    "\tmovw $0x23, %dx\n\tmovw %dx, %ds\n\tmovw %dx, %es\n\tiretl\n"
    "user_run:\n\tcall *user_fn\n\tint $0x81\n"
    "user_resume:\n\tmovw $0x10, %dx\n\tmovw %dx, %ds\n\tmovw %dx, %es\n"
    "\tmovl user_kernel_esp, %esp\n"
    "\tpopl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\tret\n");

static void user_return_handler(struct trap_frame *f)
{
	f->eip = (u32)user_resume;
	f->cs = 0x08;
	f->eflags = 0x2;
}

static void user_mode_init(void)
{
	u32 base = (u32)tss, limit = sizeof(tss) - 1;
	struct { u16 limit; u32 base; } packed gdtr = { sizeof(user_gdt) - 1, (u32)user_gdt };

	tss[1] = (u32)kernel_stack + sizeof(kernel_stack); // ESP0
	tss[2] = 0x10;                                     // SS0
	tss[25] = sizeof(tss) << 16;                       // no I/O bitmap
	user_gdt[5] = (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) | (0x89ull << 40) |
		      ((u64)(base >> 24) << 56);
	asm volatile("lgdt %0" : : "m"(gdtr));
	asm volatile("ltr %w0" : : "r"(SEL_TSS));
	trap_set_handler(VEC_USER_RETURN, user_return_handler);
	trap_set_gate_dpl(VEC_USER_RETURN, 3);
}

// Run @fn in ring 3: one trap after its instruction, taken from ring 3.
static void expect_user(const char *what, void (*fn)(void), const char *after)
{
	db_count = 0;
	memset((void *)db_cs, 0, sizeof(db_cs));
	db_stop = (u32)after;
	user_fn = fn;
	user_enter();
	check(db_count == 1 && db_eip[0] == (u32)after && (db_dr6[0] & DR6_BS) &&
	      db_cs[0] == SEL_USER_CODE,
	      "ring 3 %s: %u #DB at cs:eip 0x%x:0x%x (want 0x%x:0x%x) dr6 0x%x", what,
	      db_count, db_cs[0], db_eip[0], SEL_USER_CODE, (u32)after, db_dr6[0]);
}

#define EXPECT_USER(what, name) expect_user(what, name, name##_after)

static void check_user_steps(void)
{
	user_mode_init();
	EXPECT_USER("cpuid", step_cpuid);
	EXPECT_USER("in", step_in);
	EXPECT_USER("out", step_out);
	EXPECT_USER("insb", step_ins);
	EXPECT_USER("outsb", step_outs);
	EXPECT_USER("mmio read (lapic version)", step_mmio_read);
}

int main(void)
{
	test_start("singlestep");
	trap_set_handler(VEC_DB, db_handler);
	check_io_steps();
	check_misc_steps();
	check_shadow_and_fault();
	check_hlt_step();
	check_user_steps();
	test_finish();
}
