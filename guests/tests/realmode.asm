; SPDX-License-Identifier: MIT
;
; The real-mode guest: a flat binary the hypervisor loads at 0x7c00 and
; starts in real mode at CS:IP = 0000:7C00 with the architectural reset
; state otherwise. It prints a line in real mode, switches to 32-bit
; protected mode (checking that real-mode segment arithmetic wrote where
; protected mode expects), then to 64-bit long mode (checking EFER.LMA and
; a 64-bit register), prints "TEST realmode PASS" and exits with 0 through
; port 0xf4. Any failed check prints "TEST realmode FAIL: ..." and exits 1.
; To run it bare, tests/realmode_disk.asm wraps it in a bootable disk
; image whose boot sector loads it at 0x7c00 the same way.

%include "lib/modes.inc"

bits 16
org 0x7c00

start:
	cli
	cld
	jmp 0:.cs_zero			; CS=0 whatever way we were entered
.cs_zero:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00
	mov si, msg_real
	call puts16
	smsw ax
	test al, CR0_PE
	mov si, why_pe
	jnz fail16
	mov ax, SEG_PROBE_SEG
	mov es, ax
	mov word [es:SEG_PROBE_OFF], SEG_PROBE_VAL
	MODES_REAL_TO_PROTECTED pm32

fail16:
	push si
	mov si, msg_fail
	call puts16
	pop si
	call puts16
	MODES_EXIT 1

MODES_PUTS puts16

bits 32
pm32:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, 0x7c00
	mov esi, msg_pm
	call puts32
	mov esi, why_seg
	cmp word [SEG_PROBE_LIN], SEG_PROBE_VAL
	jne fail32
	MODES_PROTECTED_TO_LONG lm64

fail32:
	push esi
	mov esi, msg_fail
	call puts32
	pop esi
	call puts32
	MODES_EXIT 1

MODES_PUTS puts32

bits 64
lm64:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, 0x7c00
	MODES_LONG_CHECKS

MODES_PUTS puts64

MODES_GDT

msg_real	db "realmode: real mode", 13, 10, 0
msg_pm		db "realmode: protected mode", 13, 10, 0
msg_long	db "realmode: long mode", 13, 10, 0
msg_pass	db "TEST realmode PASS", 13, 10, 0
msg_fail	db "TEST realmode FAIL: ", 0
why_pe		db "CR0.PE set at entry", 13, 10, 0
why_seg		db "segment*16+offset store not found", 13, 10, 0
why_lma		db "EFER.LMA clear", 13, 10, 0
why_64		db "64-bit arithmetic wrong", 13, 10, 0
