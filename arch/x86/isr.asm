; SPDX-License-Identifier: MIT
;
; Entry stubs for all 256 IDT vectors. Vectors where the CPU pushes an
; error code (Intel SDM Vol. 3A §6.13: 8, 10-14, 17, 21, 29, 30) keep it;
; the others push 0, so every handler sees one struct trap_frame layout
; (arch/x86/trap.h).

bits 64
section .text
extern trap_dispatch

%macro STUB 1
align 16
trap_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
	push 0
%endif
	push %1
	jmp trap_common
%endmacro

%assign i 0
%rep 256
STUB i
%assign i i + 1
%endrep

trap_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	; keep the ABI's 16-byte stack alignment for the C handler
	mov rbx, rsp
	and rsp, -16
	call trap_dispatch
	mov rsp, rbx
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16			; vector and error code
	iretq

section .rodata
global trap_stub_table
align 8
trap_stub_table:
%assign i 0
%rep 256
	dq trap_stub_%[i]
%assign i i + 1
%endrep
