; SPDX-License-Identifier: MIT
;
; 64-bit entries of the kernel image, in its high half.
;  uefi_entry64: ELF e_entry, jumped to by the UEFI loader with RDI = the
;                physical (identity-mapped) address of struct boot_info.
;  mb2_entry64:  reached from the multiboot2 32-bit entry with RDI = magic,
;                RSI = multiboot2 information (physical).
; Both switch to the boot stack in .bss and call into C; neither returns.

section .text.entry progbits alloc exec nowrite align=16
bits 64
extern kernel_main
extern mb2_start
global uefi_entry64
uefi_entry64:
	cli
	cld
	mov rsp, boot_stack_top
	xor ebp, ebp
	call kernel_main
	jmp halt

global mb2_entry64
mb2_entry64:
	cli
	cld
	mov rsp, boot_stack_top
	xor ebp, ebp
	call mb2_start
halt:
	cli
	hlt
	jmp halt

section .bss nobits alloc noexec write align=4096
global boot_stack_bottom
boot_stack_bottom:
	resb 16384
global boot_stack_top
boot_stack_top:
