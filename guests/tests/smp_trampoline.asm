; SPDX-License-Identifier: MIT
;
; Real-mode start-up code for the test guests' application processors,
; copied to 0x8000 by lib/ap.c. A SIPI with vector 0x08 starts an AP here at
; CS:IP = 0800:0000 in real mode (Intel SDM Vol. 3A, "MP Initialization").
; The AP loads the trampoline's flat GDT, enters 32-bit protected mode,
; takes the next free stack with an atomic increment, and calls the C entry
; whose address lib/ap.c wrote into the parameter block. The block's layout
; is struct trampoline_params in lib/ap.c.

TRAMP_BASE	equ 0x8000
SEL_CODE32	equ 0x08
SEL_DATA32	equ 0x10

bits 16
org TRAMP_BASE

start:
	jmp short real16

align 4
params:					; filled in by the BSP (lib/ap.c)
p_entry		dd 0			; void entry(void), 32-bit
p_stack_base	dd 0			; lowest byte of the AP stacks
p_stack_size	dd 0			; bytes per AP stack
p_next		dd 0			; next stack index, taken atomically

real16:
	cli
	cld
	jmp 0:.cs_zero			; CS=0x0800,IP=x becomes CS=0,IP=0x8000+x
.cs_zero:
	xor ax, ax
	mov ds, ax
	o32 lgdt [gdt_desc]
	mov eax, cr0
	or eax, 1			; CR0.PE
	mov cr0, eax
	jmp dword SEL_CODE32:pm32

bits 32
pm32:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, 1
	lock xadd [p_next], eax		; eax = this AP's stack index
	inc eax
	imul eax, [p_stack_size]
	add eax, [p_stack_base]		; top of stack index
	mov esp, eax
	call [p_entry]
.halt:
	cli
	hlt
	jmp .halt

align 8
gdt:
	dq 0
	dq 0x00cf9a000000ffff		; 0x08 code32: base 0, 4 GiB
	dq 0x00cf92000000ffff		; 0x10 data32: base 0, 4 GiB
gdt_end:
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt
