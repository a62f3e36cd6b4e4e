// SPDX-License-Identifier: MIT
//
// The triple-fault guest. First a double fault it handles: INT 0x80 through
// a not-present gate raises #NP, whose own gate is not present either, so a
// second #NP during the first one's delivery makes a #DF (SDM Vol. 3A
// §6.15, Table 6-5: contributory then contributory); its handler must run
// with error code 0 (the hypervisor intercepts #DF, reports it and gives it
// back). Then it loads an IDT with limit 0 and executes INT3. The
// breakpoint cannot be delivered (#GP), nor can the #GP (#DF), nor the #DF:
// a triple fault, which resets a bare machine (QEMU -no-reboot then quits)
// and must make the hypervisor stop this guest. It never passes; if
// anything returns, it fails.
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

struct idt_desc {
	u16 limit;
	u32 base;
} packed;

static volatile u32 double_faults, df_error;
extern char df_resume[];

// A #DF's saved EIP is undefined (SDM Vol. 3A §6.15, Interrupt 8): go on
// after the INT instead.
static void on_double_fault(struct trap_frame *f)
{
	double_faults++;
	df_error = f->error;
	f->eip = (u32)df_resume;
}

static void double_fault(void)
{
	trap_set_handler(VEC_DF, on_double_fault);
	trap_set_gate_present(0x80, false);
	trap_set_gate_present(VEC_NP, false);
	asm volatile("int $0x80\n.globl df_resume\ndf_resume:" : : : "memory");
	trap_set_gate_present(VEC_NP, true);
	trap_set_gate_present(0x80, true);
	if (double_faults != 1 || df_error != 0)
		test_fail("double fault: %u handler runs, error code 0x%x (want 1, 0)",
			  double_faults, df_error);
	printf("double fault handled: error code 0, once\n");
}

int main(void)
{
	static const struct idt_desc empty = { 0, 0 };

	test_start("triplefault");
	double_fault();
	printf("about to triple fault\n");
	asm volatile("lidt %0; int3" : : "m"(empty) : "memory");
	test_fail("still running after the triple fault");
}
