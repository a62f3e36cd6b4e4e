; SPDX-License-Identifier: MIT
;
; u32 vmx_enter(u64 *gprs, u64 *host_rsp, u32 launched)
;
; Runs the guest of the current VMCS once (Intel SDM Vol. 3C §27, §28):
; saves the host's callee-saved registers, writes HOST_RSP if it differs
; from *host_rsp, loads the guest's general registers from gprs[] (x86
; encoding order; RSP lives in the VMCS), and enters with VMLAUNCH or, if
; launched, VMRESUME. A VM exit lands at vmx_exit_point (HOST_RIP) with the
; stack as it was at the entry (HOST_RSP) and RFLAGS cleared (§28.5.3); it
; stores the guest registers and returns VMX_ENTER_EXITED (0). If the
; instruction itself fails (§31.2), returns 1 for VMfailInvalid (CF) or 2
; for VMfailValid (ZF).

bits 64
section .text

%define G(r) (r * 8)
RAX_ equ 0
RCX_ equ 1
RDX_ equ 2
RBX_ equ 3
RBP_ equ 5
RSI_ equ 6
RDI_ equ 7

HOST_RSP equ 0x6c14			; Appendix B.4

global vmx_enter
global vmx_exit_point

vmx_enter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi			; [rsp] gprs, found again at the exit
	cmp rsp, [rsi]
	je .rsp_set
	mov [rsi], rsp
	mov eax, HOST_RSP
	vmwrite rax, rsp
.rsp_set:
	test edx, edx			; flags survive the loads below
	mov rax, [rdi + G(RAX_)]
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
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	mov eax, 1			; VMfailInvalid: CF = 1
	jc .fail_out
	mov eax, 2			; VMfailValid: ZF = 1
.fail_out:
	add rsp, 8			; gprs
	jmp vmx_exit_point.restore

vmx_exit_point:
	push rdi
	mov rdi, [rsp + 8]
	mov [rdi + G(RAX_)], rax
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
	add rsp, 8			; gprs
	xor eax, eax
.restore:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret
