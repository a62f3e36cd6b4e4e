; SPDX-License-Identifier: MIT
;
; A bootable raw disk image that runs realmode.bin bare under a BIOS (QEMU
; with SeaBIOS: -drive format=raw,file=realmode.img), since a multiboot
; loader cannot start a guest in real mode. Sector 0 is a boot sector that
; moves itself out of the way to 0x600, reads the following sectors (the
; payload, realmode.bin) to 0x7c00 with INT 13h AH=02h, then jumps to
; 0000:7C00 with interrupts off, as the hypervisor starts the guest.
; Assemble with -DPAYLOAD="path/to/realmode.bin".

bits 16
org 0x600

LOAD_ADDR	equ 0x7c00

boot:
	cli
	cld
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x600
	mov si, LOAD_ADDR		; the BIOS put this sector at 0x7c00
	mov di, 0x600
	mov cx, 256
	rep movsw
	jmp 0:relocated

relocated:
	sti
	mov ax, 0x0200 | payload_sectors	; AH=02h read, AL=count
	mov cx, 0x0002				; cylinder 0, sector 2
	xor dh, dh				; head 0, DL = BIOS boot drive
	mov bx, LOAD_ADDR			; ES:BX = destination
	int 0x13
	jc .error
	cli
	jmp 0:LOAD_ADDR
.error:
	mov si, msg_error
.print:
	lodsb
	test al, al
	jz .halt
	mov dx, 0x3f8
	out dx, al
	jmp .print
.halt:
	cli
	hlt
	jmp .halt

msg_error	db "TEST realmode FAIL: boot sector could not read the payload", 13, 10, 0

	times 510 - ($ - $$) db 0
	dw 0xaa55

payload:
	incbin PAYLOAD
payload_end:
payload_sectors equ (payload_end - payload + 511) / 512

; SeaBIOS derives a CHS geometry from the disk size and does not boot a
; disk smaller than one cylinder (16 heads * 63 sectors of 512 bytes).
DISK_SIZE	equ 16 * 63 * 512
; The single INT 13h read stays within the first track (sectors 2-63):
; a larger payload makes this TIMES count negative, an assembly error.
	times -(payload_sectors > 62) db 0
	times DISK_SIZE - ($ - $$) db 0
