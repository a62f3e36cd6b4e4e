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
	MODES_CHECKS 0x7c00

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
why_cr8		db "CR8 does not read back", 13, 10, 0
why_tpr		db "CR8 is not the TPR (x2APIC MSR 0x808)", 13, 10, 0
