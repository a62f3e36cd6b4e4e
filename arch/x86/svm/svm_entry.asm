; SPDX-License-Identifier: MIT
;
; svm_vmrun: RDI = gprs, RSI = guest VMCB physical address, RDX = host
; VMCB physical address. Called from svm_run's inline assembly, which
; declares every general register but RSP and RBP clobbered, so the stub
; saves none of the C callee-saved registers itself (the caller's prologue
; already holds them); RBP, the frame pointer, it keeps.
;
; Runs the guest once (AMD APM Vol. 2 §15.5): loads its general registers
; from gprs[] (x86 encoding order; RAX and RSP live in the VMCB), VMLOADs
; the guest's FS/GS/TR/LDTR and syscall state, VMRUNs, VMSAVEs them back,
; stores the guest registers and VMLOADs the host's (our GS base is the
; per-CPU pointer). Called with GIF clear (CLGI) so no host interrupt can
; slip in between.

bits 64
section .text

%include "arch/x86/guest_regs.inc"

global svm_vmrun
global svm_vmrun_resume
svm_vmrun:
	push rbp
	push rdx			; [rsp+8] host VMCB
	push rdi			; [rsp]   gprs
	mov rax, rsi
	GUEST_GPRS_LOAD
	vmload
	vmrun
svm_vmrun_resume:			; the host's RIP after #VMEXIT
	vmsave				; RAX is the guest VMCB again after #VMEXIT
	push rdi
	mov rdi, [rsp + 8]
	GUEST_GPRS_STORE
	pop qword [rdi + GPR(GPR_RDI)]
	add rsp, 8			; gprs
	pop rax				; host VMCB
	vmload
	pop rbp
	ret
