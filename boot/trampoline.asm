; SPDX-License-Identifier: MIT
;
; AP start-up trampoline, a flat blob copied to a page below 1 MiB. A
; STARTUP IPI with vector V starts the AP in real mode at CS = V << 8,
; IP = 0 (Intel SDM Vol. 3A §9.4.4.1). The code goes real -> 32-bit
; protected -> 64-bit long mode (§9.8.5) with the kernel's page tables and
; jumps to the kernel's AP entry. Parameters live in the page after the code
; (TRAMP_PARAMS), written by arch/x86/smp.c before each start:
;   +0 cr3  +8 efer bits to set  +16 stack top  +24 percpu  +32 entry
; All linear addresses are computed from CS at run time, so the blob works
; at any page. Real and protected mode run before paging, so the code may
; patch itself there; after paging is on the page is mapped read+execute.

bits 16
org 0

TRAMP_PARAMS equ 0x1000
P_CR3    equ TRAMP_PARAMS + 0
P_EFER   equ TRAMP_PARAMS + 8
P_STACK  equ TRAMP_PARAMS + 16
P_PERCPU equ TRAMP_PARAMS + 24
P_ENTRY  equ TRAMP_PARAMS + 32

start16:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4			; EBX = linear base of this page
	lea eax, [ebx + gdt]
	mov [gdt_ptr + 2], eax
	lea eax, [ebx + start32]
	mov [far32], eax
	lea eax, [ebx + start64]
	mov [far64], eax
	o32 lgdt [gdt_ptr]
	mov eax, cr0
	or eax, 1			; PE
	mov cr0, eax
	jmp dword far [far32]

bits 32
start32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov eax, [ebx + P_CR3]
	mov cr3, eax
	mov ecx, 0xc0000080		; EFER
	rdmsr
	or eax, [ebx + P_EFER]		; LME, and NXE when the PTEs use NX
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16)	; PG, WP
	mov cr0, eax
	jmp far [ebx + far64]

bits 64
start64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [rbx + P_STACK]
	mov rdi, [rbx + P_PERCPU]
	mov rax, [rbx + P_ENTRY]
	xor ebp, ebp
	jmp rax

; The Accessed bits are preset: the CPU would otherwise write them when
; loading a selector, and by then this page is mapped read-only (SDM Vol.
; 3A §3.4.5.1).
align 8
gdt:
	dq 0
	dq 0x00cf9b000000ffff		; 0x08: 32-bit code
	dq 0x00cf93000000ffff		; 0x10: data
	dq 0x00af9b000000ffff		; 0x18: 64-bit code
gdt_ptr:
	dw gdt_ptr - gdt - 1
	dd 0
far32:
	dd 0
	dw 0x08
far64:
	dd 0
	dw 0x18

%if ($ - $$) > TRAMP_PARAMS
%error "trampoline code overlaps its parameters"
%endif
