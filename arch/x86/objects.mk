# SPDX-License-Identifier: MIT
objs-y += arch/x86/desc.o arch/x86/isr.o arch/x86/safe.o arch/x86/trap.o \
	arch/x86/paging.o arch/x86/pgtable.o arch/x86/stacks.o arch/x86/lapic.o arch/x86/tsc.o \
	arch/x86/smp.o arch/x86/cpuinfo.o arch/x86/rng.o
objs-y += arch/x86/virt.o arch/x86/svm/svm.o arch/x86/svm/svm_check.o arch/x86/svm/svm_entry.o \
	arch/x86/vmx/vmx.o arch/x86/vmx/vmx_setup.o arch/x86/vmx/vmx_regs.o \
	arch/x86/vmx/vmx_exit.o arch/x86/vmx/vmx_fail.o arch/x86/vmx/vmx_entry.o
