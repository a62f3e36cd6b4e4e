// SPDX-License-Identifier: MIT
/* Placeholder while the VMX back-end is written: refuses to enable. */
#include "arch/x86/virt.h"
#include "kernel/log.h"

static bool vmx_cpu_enable(char *why, size_t len)
{
	snprintf(why, len, "the VMX back-end is not built yet");
	return false;
}

static void vmx_describe(char *buf, size_t len) { snprintf(buf, len, "-"); }

const struct vcpu_ops vmx_ops = {
	.name = "vmx",
	.stage2_format = &pt_format_ept,
	.cpu_enable = vmx_cpu_enable,
	.describe = vmx_describe,
};
