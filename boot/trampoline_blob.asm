; SPDX-License-Identifier: MIT
; The assembled AP trampoline (boot/trampoline.asm) as data in the kernel.
section .rodata
global trampoline_blob
global trampoline_blob_end
trampoline_blob:
	incbin "build/boot/trampoline.bin"
trampoline_blob_end:
