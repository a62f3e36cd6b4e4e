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

%define G(r) (r * 8)
RCX_ equ 1
RDX_ equ 2
RBX_ equ 3
RBP_ equ 5
RSI_ equ 6
RDI_ equ 7

global svm_vmrun
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
	mov rcx, [rdi + G(RCX_)]
	mov rdx, [rdi + G(RDX_)]
	mov rbx, [rdi + G(RBX_)]
	mov rbp, [rdi + G(RBP_)]
	mov rsi, [rdi + G(RSI_)]
	mov r8,  [rdi + G(8)]
	mov r9,  [rdi + G(9)]
	mov r10, [rdi + G(10)]
	mov r11, [rdi + G(11)]
	mov r12, [rdi + G(12)]
	mov r13, [rdi + G(13)]
	mov r14, [rdi + G(14)]
	mov r15, [rdi + G(15)]
	mov rdi, [rdi + G(RDI_)]
	vmload
	vmrun
	vmsave				; RAX is the guest VMCB again after #VMEXIT
	push rdi
	mov rdi, [rsp + 24]
	mov [rdi + G(RCX_)], rcx
	mov [rdi + G(RDX_)], rdx
	mov [rdi + G(RBX_)], rbx
	mov [rdi + G(RBP_)], rbp
	mov [rdi + G(RSI_)], rsi
	mov [rdi + G(8)], r8
	mov [rdi + G(9)], r9
	mov [rdi + G(10)], r10
	mov [rdi + G(11)], r11
	mov [rdi + G(12)], r12
	mov [rdi + G(13)], r13
	mov [rdi + G(14)], r14
	mov [rdi + G(15)], r15
	pop qword [rdi + G(RDI_)]
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
