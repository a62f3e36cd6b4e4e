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

%include "arch/x86/guest_regs.inc"

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
	mov rax, [rdi + GPR(GPR_RAX)]
	GUEST_GPRS_LOAD
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
	mov [rdi + GPR(GPR_RAX)], rax
	GUEST_GPRS_STORE
	pop qword [rdi + GPR(GPR_RDI)]
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
