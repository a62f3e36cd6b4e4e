; SPDX-License-Identifier: MIT
;
; void svm_vmrun(u64 *gprs, u64 guest_vmcb_pa, u64 host_vmcb_pa)
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
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi			; [rsp+16] gprs
	push rdx			; [rsp+8]  host VMCB
	push rsi			; [rsp]    guest VMCB
	mov rax, rsi
	GUEST_GPRS_LOAD
	vmload
	vmrun
svm_vmrun_resume:			; the host's RIP after #VMEXIT
	vmsave				; RAX is the guest VMCB again after #VMEXIT
	push rdi
	mov rdi, [rsp + 24]
	GUEST_GPRS_STORE
	pop qword [rdi + GPR(GPR_RDI)]
	add rsp, 8			; guest VMCB
	pop rax				; host VMCB
	vmload
	add rsp, 8			; gprs
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret
