// SPDX-License-Identifier: MIT
/*
 * Choosing the virtualization back-end once from CPUID and enabling it on
 * every online CPU (each CPU must do it itself: VMXON and EFER.SVME are
 * per-CPU state).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/cpuinfo.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/virt.h"
#include "kernel/log.h"

static bool cpu_ready[MAX_CPUS];
static char cpu_why[MAX_CPUS][96];
static const struct vcpu_ops *enabling;

const struct vcpu_ops *virt_probe(const struct cpuinfo *ci)
{
	if (ci->vmx)
		return &vmx_ops;
	if (ci->svm)
		return &svm_ops;
	printk(LOG_ERR, "virt: this CPU has neither VMX nor SVM: guests cannot run");
	return NULL;
}

/* Guests set XCR0 through XSETBV exits, executed on their behalf: the
 * host needs CR4.OSXSAVE for that (SDM Vol. 1 §13.3). */
static void enable_xsave(void)
{
	if (cpuid(1, 0).ecx & (1u << 26))
		write_cr4(read_cr4() | (1ULL << 18));
}

static void enable_this_cpu(void *arg)
{
	unsigned cpu = this_cpu()->cpu;

	(void)arg;
	enable_xsave();
	cpu_ready[cpu] = enabling->cpu_enable(cpu_why[cpu], sizeof(cpu_why[cpu]));
}

unsigned virt_enable_all(const struct vcpu_ops *ops)
{
	char features[96];
	unsigned ok = 0, online = 0;

	enabling = ops;
	smp_call_all(enable_this_cpu, NULL);
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		if (!percpu_area[c].online)
			continue;
		online++;
		if (cpu_ready[c])
			ok++;
		else
			printk(LOG_ERR, "virt: cpu %u: %s", c, cpu_why[c]);
	}
	ops->describe(features, sizeof(features));
	printk(LOG_INFO, "virt %s %s on %u/%u cpus", ops->name, features, ok, online);
	return ok;
}

bool virt_cpu_ready(unsigned cpu)
{
	return cpu < MAX_CPUS && cpu_ready[cpu];
}
