; SPDX-License-Identifier: MIT
;
; mb2: a multiboot2 guest (Multiboot2 spec 2.0, §3.1 header, §3.3 machine
; state, §3.6 information). It checks the boot magic, walks the tag list,
; prints the command line and what the memory map, basic memory info and
; ACPI RSDP tags hold, and passes when the command line, memory map and
; basic memory info are all there. Standalone (no guest library): the
; library speaks multiboot v1. Needs the hypervisor (QEMU -kernel loads
; multiboot v1 only).

bits 32

MB2_MAGIC      equ 0xe85250d6
MB2_BOOT_MAGIC equ 0x36d76289
COM1           equ 0x3f8
EXIT_PORT      equ 0xf4

section .multiboot align=8
header:
	dd MB2_MAGIC, 0, header_end - header
	dd -(MB2_MAGIC + (header_end - header))
	align 8
	dw 1, 0				; information request, required:
	dd 16
	dd 1, 6				; command line, memory map
	align 8
	dw 0, 0				; end
	dd 8
header_end:

section .text
global _start
_start:
	mov esp, stack_top
	mov esi, msg_magic
	cmp eax, MB2_BOOT_MAGIC
	jne fail
	mov esi, msg_start
	call puts
	lea edi, [ebx + 8]		; first tag
	mov ebp, ebx
	add ebp, [ebx]			; end of the information
.tag:
	cmp edi, ebp
	jae .done
	mov eax, [edi]			; type
	test eax, eax
	jz .done
	cmp eax, 1
	je .cmdline
	cmp eax, 4
	je .meminfo
	cmp eax, 6
	je .mmap
	cmp eax, 14
	je .rsdp
	cmp eax, 15
	je .rsdp
.next:
	mov eax, [edi + 4]		; size, then 8-byte alignment
	add eax, 7
	and eax, ~7
	add edi, eax
	jmp .tag
.cmdline:
	or byte [seen], 1
	mov esi, msg_cmdline
	call puts
	lea esi, [edi + 8]
	call puts
	mov esi, msg_quote_nl
	call puts
	jmp .next
.meminfo:
	or byte [seen], 2
	mov esi, msg_upper
	call puts
	mov eax, [edi + 12]		; mem_upper, KiB
	call put_hex
	call newline
	jmp .next
.mmap:
	or byte [seen], 4
	mov esi, msg_mmap
	call puts
	mov eax, [edi + 4]
	sub eax, 16
	xor edx, edx
	mov ecx, [edi + 8]		; entry size
	div ecx
	call put_hex
	call newline
	jmp .next
.rsdp:
	mov esi, msg_rsdp
	call puts
	jmp .next
.done:
	mov esi, msg_missing
	cmp byte [seen], 7
	jne fail
	mov esi, msg_pass
	call puts
	xor eax, eax
	jmp exit

fail:					; ESI = reason
	push esi
	mov esi, msg_fail
	call puts
	pop esi
	call puts
	call newline
	mov eax, 1
exit:
	mov dx, EXIT_PORT
	out dx, eax
	cli
	hlt

; Print the NUL-terminated string at ESI.
puts:
	push eax
	push edx
.loop:
	lodsb
	test al, al
	jz .end
	call putc
	jmp .loop
.end:
	pop edx
	pop eax
	ret

putc:
	push eax
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	pop eax
	mov dx, COM1
	out dx, al
	ret

newline:
	push eax
	mov al, 10
	call putc
	pop eax
	ret

; Print EAX as 0x%08x.
put_hex:
	push ecx
	push eax
	mov al, '0'
	call putc
	mov al, 'x'
	call putc
	pop eax
	mov ecx, 8
.digit:
	rol eax, 4
	push eax
	and al, 15
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'a' - '9' - 1
.out:
	call putc
	pop eax
	loop .digit
	pop ecx
	ret

section .data
seen: db 0
msg_start: db "mb2: multiboot2 guest started", 10, 0
msg_cmdline: db 'mb2: cmdline "', 0
msg_quote_nl: db '"', 10, 0
msg_upper: db "mb2: basic meminfo, mem_upper KiB ", 0
msg_mmap: db "mb2: memory map entries ", 0
msg_rsdp: db "mb2: ACPI RSDP tag", 10, 0
msg_pass: db "TEST mb2 PASS", 10, 0
msg_fail: db "TEST mb2 FAIL: ", 0
msg_magic: db "bad boot magic in EAX", 0
msg_missing: db "a required tag is missing", 0

section .bss
align 16
	resb 4096
stack_top:
