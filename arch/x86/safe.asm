; SPDX-License-Identifier: MIT
;
; Instructions that may fault on purpose, with their recovery points: the
; #GP/#UD handler looks the faulting RIP up in trap_fixups and resumes at
; the paired address with RAX = -1 instead of panicking.

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

section .rodata
global trap_fixups
global trap_fixups_count
align 8
trap_fixups:
	dq rdmsr_safe.insn, rdmsr_safe.fixup
trap_fixups_count:
	dq 1
