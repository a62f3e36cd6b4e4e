; SPDX-License-Identifier: MIT
;
; Multiboot v1 entry of every multiboot guest. The loader (QEMU -kernel, or
; the hypervisor doing the same) enters _start in 32-bit protected mode with
; paging off, EAX = 0x2BADB002 and EBX = the multiboot information
; (Multiboot Specification 0.6.96, section 3.2). The segment registers and
; GDTR it leaves behind may not be used, so we load our own flat GDT, clear
; .bss, switch to our stack and call guest_start(magic, info) in C.
; gdt_reload lets application processors load the same GDT.

bits 32

MB_MAGIC	equ 0x1BADB002
MB_FLAGS	equ 0x00000003	; bit 0: page-aligned modules, bit 1: memory info
SEL_CODE	equ 0x08
SEL_DATA	equ 0x10
STACK_SIZE	equ 16384

section .multiboot progbits alloc noexec nowrite align=4
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)

; Load our GDT and reload every segment register (uses no stack).
%macro LOAD_FLAT_GDT 0
	lgdt [gdt_desc]
	jmp SEL_CODE:%%cs_done
%%cs_done:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
%endmacro

section .text
global _start
global gdt_reload
extern guest_start
extern __bss_start
extern __bss_end

_start:
	cli
	cld
	mov esi, eax
	mov ebp, ebx
	LOAD_FLAT_GDT
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb
	mov esp, boot_stack_top
	push ebp
	push esi
	call guest_start
.hang:
	cli
	hlt
	jmp .hang

; C-callable: void gdt_reload(void). Flat segments keep ESP valid.
gdt_reload:
	LOAD_FLAT_GDT
	ret

section .data
align 8
gdt:
	dq 0
	dq 0x00CF9A000000FFFF	; 0x08: code, base 0, limit 4 GiB, 32-bit
	dq 0x00CF92000000FFFF	; 0x10: data, base 0, limit 4 GiB
gdt_end:
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt

section .bss
align 16
boot_stack:
	resb STACK_SIZE
boot_stack_top:
