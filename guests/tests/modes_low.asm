; SPDX-License-Identifier: MIT
;
; The low half of the modes guest: a flat blob that modes.c copies to
; 0x7000 and calls from 32-bit protected mode (paging off, interrupts off).
; It drops to real mode through a 16-bit code segment (CR0.PE cleared),
; prints and stores through a real-mode segment, returns to protected
; mode (checking the store landed at segment*16+offset), then enters long
; mode (PAE paging, EFER.LME, 64-bit code segment), checks EFER.LMA and a
; 64-bit register, prints "TEST modes PASS" and exits through port 0xf4.
; It never returns. The same steps, started from real mode, make up
; realmode.asm; both use lib/modes.inc.

%include "lib/modes.inc"

LOW_BASE	equ 0x7000
LOW_STACK	equ 0x7000	; grows down from the blob's start

bits 32
org LOW_BASE

entry32:
	cli
	cld
	lgdt [modes_gdt_desc]
	MODES_PROTECTED_TO_REAL real16

; bits 16 from here (set by the macro)
real16:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov sp, LOW_STACK
	MODES_CHECKS LOW_STACK

MODES_PUTS puts64

MODES_GDT

msg_real	db "modes: real mode (CR0.PE=0)", 13, 10, 0
msg_pm		db "modes: protected mode again (CR0.PE=1)", 13, 10, 0
msg_long	db "modes: long mode (64-bit, EFER.LMA=1)", 13, 10, 0
msg_pass	db "TEST modes PASS", 13, 10, 0
msg_fail	db "TEST modes FAIL: ", 0
why_pe		db "CR0.PE still set in real mode", 13, 10, 0
why_seg		db "real-mode store not at segment*16+offset", 13, 10, 0
why_lma		db "EFER.LMA clear in long mode", 13, 10, 0
why_64		db "64-bit arithmetic wrong", 13, 10, 0
why_cr8		db "CR8 does not read back", 13, 10, 0
why_tpr		db "CR8 is not the TPR (x2APIC MSR 0x808)", 13, 10, 0
