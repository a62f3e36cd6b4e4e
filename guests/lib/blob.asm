; SPDX-License-Identifier: MIT
;
; Wraps a flat binary (a real-mode trampoline assembled with -f bin) into an
; ELF32 object so a guest can copy it below 1 MiB at run time. Assemble
; with -DBLOB_NAME=name -DBLOB_FILE="path"; defines name_start, name_end.

section .rodata
align 16
global BLOB_NAME %+ _start
global BLOB_NAME %+ _end
BLOB_NAME %+ _start:
	incbin BLOB_FILE
BLOB_NAME %+ _end:
