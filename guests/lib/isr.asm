; SPDX-License-Identifier: MIT
;
; Entry stubs for all 256 interrupt vectors of the guest's 32-bit IDT. Each
; stub pushes a dummy error code when the CPU does not push one (it does for
; vectors 8, 10-14, 17, 21, 29 and 30; Intel SDM Vol. 3A, 6.3.1 and
; Table 6-1), then the vector, and joins isr_common, which saves the general
; registers (PUSHAD) and calls trap_dispatch(struct trap_frame *) in C. The
; C side may change the saved EIP (to resume at a fixup) before IRETD.

bits 32

section .text
extern trap_dispatch
global isr_stub_table

%macro ISR_STUB 1
isr_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
	push dword 0
%endif
	push dword %1
	jmp isr_common
%endmacro

%assign vec 0
%rep 256
ISR_STUB vec
%assign vec vec + 1
%endrep

isr_common:
	pushad
	cld
	mov eax, esp
	push eax
	call trap_dispatch
	add esp, 4
	popad
	add esp, 8		; vector and error code
	iretd

section .rodata
align 4
isr_stub_table:
%assign vec 0
%rep 256
	dd isr_stub_ %+ vec
%assign vec vec + 1
%endrep
