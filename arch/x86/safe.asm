; SPDX-License-Identifier: MIT
;
; Instructions that may fault on purpose, with their recovery points: the
; #GP/#UD handler looks the faulting RIP up in trap_fixups and resumes at
; the paired address instead of panicking; each function then returns
; false (0).
;
; The rule (DESIGN.md, "Guests are contained"): a guest-controlled value
; never reaches a privileged host instruction (WRMSR, XSETBV, XRSTOR,
; INVLPGA, ...) without first being validated by the policy in vmm/
; (vmm/cpu_policy.c) AND being executed through one of the functions
; here, so that a check the policy missed becomes a #GP for the guest,
; never a host panic. Plain wrmsr()/xsetbv in arch/x86/cpu.h are for
; values the hypervisor chose itself.

bits 64
section .text

; bool rdmsr_safe(u32 msr, u64 *val)
global rdmsr_safe
rdmsr_safe:
	mov ecx, edi
.insn:
	rdmsr
	shl rdx, 32
	or rax, rdx
	mov [rsi], rax
	mov eax, 1
	ret
.fixup:
	xor eax, eax
	ret

; bool wrmsr_safe(u32 msr, u64 val)
global wrmsr_safe
wrmsr_safe:
	mov ecx, edi
	mov eax, esi
	mov rdx, rsi
	shr rdx, 32
.insn:
	wrmsr
	mov eax, 1
	ret
.fixup:
	xor eax, eax
	ret

; bool xsetbv_safe(u32 xcr, u64 val): XSETBV (SDM Vol. 2D) raises #GP for
; an unsupported XCR or an invalid XCR0 combination, #UD without
; CR4.OSXSAVE.
global xsetbv_safe
xsetbv_safe:
	mov ecx, edi
	mov eax, esi
	mov rdx, rsi
	shr rdx, 32
.insn:
	xsetbv
	mov eax, 1
	ret
.fixup:
	xor eax, eax
	ret

section .rodata
global trap_fixups
global trap_fixups_count
align 8
trap_fixups:
	dq rdmsr_safe.insn, rdmsr_safe.fixup
	dq wrmsr_safe.insn, wrmsr_safe.fixup
	dq xsetbv_safe.insn, xsetbv_safe.fixup
trap_fixups_count:
	dq 3
