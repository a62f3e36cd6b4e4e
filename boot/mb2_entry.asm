; SPDX-License-Identifier: MIT
;
; The multiboot2 header and 32-bit entry. GRUB (multiboot2 spec §3.3) enters
; mb2_entry32 in 32-bit protected mode with paging off, EAX = 0x36d76289 and
; EBX = the physical address of the boot information. This code checks for
; long mode, builds boot page tables (identity map of the low 4 GiB and the
; kernel's -2 GiB window onto physical 0, both with 2 MiB pages), enters
; 64-bit mode (Intel SDM Vol. 3A §9.8.5) and jumps to mb2_entry64 in the
; kernel's high half with RDI = magic, RSI = boot information.
; Everything here runs at its physical address, in the .boot section.

MB2_MAGIC      equ 0xe85250d6
MB2_BOOT_MAGIC equ 0x36d76289
KERNEL_VOFF    equ 0xffffffff80000000

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_MAGIC
	dd 0				; architecture: i386 protected mode
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
	; entry address tag (type 3): where GRUB jumps (ELF e_entry is the
	; 64-bit UEFI entry)
	align 8
	dw 3, 0
	dd 12
	dd mb2_entry32
	; module alignment tag (type 6): page-aligned modules
	align 8
	dw 6, 0
	dd 8
	; end tag
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
bits 32
global mb2_entry32
mb2_entry32:
	cli
	cld
	mov esp, boot32_stack_top
	cmp eax, MB2_BOOT_MAGIC
	jne .bad_magic
	mov edi, eax
	mov esi, ebx

	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29		; LM
	jz .no_long_mode
	mov ebp, edx			; keep NX (bit 20) for EFER below

	call build_page_tables

	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, 0xc0000080		; EFER
	rdmsr
	or eax, 1 << 8			; LME
	test ebp, 1 << 20
	jz .no_nx
	or eax, 1 << 11			; NXE
.no_nx:
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16) | 1	; PG, WP, PE
	mov cr0, eax
	lgdt [boot_gdt_ptr]
	jmp 0x08:long_mode

.bad_magic:
	mov esi, msg_magic
	jmp boot_fail
.no_long_mode:
	mov esi, msg_lm
	jmp boot_fail

; Fill the boot page tables (all in .boot.bss, already zero).
build_page_tables:
	mov dword [boot_pml4], boot_pdpt_low + 3
	mov dword [boot_pml4 + 511 * 8], boot_pdpt_high + 3
	mov ecx, 0
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, boot_pd + 3
	mov [boot_pdpt_low + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jb .pdpt
	; -2 GiB maps onto physical 0: reuse the first PD
	mov dword [boot_pdpt_high + 510 * 8], boot_pd + 3
	mov ecx, 0
.pd:					; 2048 entries of 2 MiB = 4 GiB
	mov eax, ecx
	shl eax, 21
	or eax, 0x83			; present, writable, 2 MiB page
	mov [boot_pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11
	mov [boot_pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 2048
	jb .pd
	ret

; Print ESI (NUL-terminated) on COM1 and halt: nothing else can report.
boot_fail:
	mov dx, 0x3fd
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	lodsb
	test al, al
	jz .halt
	mov dx, 0x3f8
	out dx, al
	mov dx, 0x3fd
	jmp .wait
.halt:
	cli
	hlt
	jmp .halt

bits 64
long_mode:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov edi, edi			; upper halves are undefined after the switch
	mov esi, esi
	extern mb2_entry64
	mov rax, mb2_entry64
	jmp rax

section .boot.data progbits alloc noexec write align=16
msg_magic: db "hv: panic: not started by a multiboot2 loader", 13, 10, 0
msg_lm:    db "hv: panic: this CPU has no 64-bit long mode", 13, 10, 0
align 16
boot_gdt:
	dq 0
	dq 0x00af9a000000ffff		; 64-bit code
	dq 0x00cf92000000ffff		; data
boot_gdt_ptr:
	dw boot_gdt_ptr - boot_gdt - 1
	dd boot_gdt

section .boot.bss nobits alloc noexec write align=4096
boot_pml4:	resb 4096
boot_pdpt_low:	resb 4096
boot_pdpt_high:	resb 4096
boot_pd:	resb 4 * 4096
		resb 4096
boot32_stack_top:
