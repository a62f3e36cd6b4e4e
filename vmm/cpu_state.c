// SPDX-License-Identifier: MIT
/* vCPU start states (cpu_state.h). */
#include "kernel/string.h"
#include "vmm/cpu_state.h"

#define PAT_POWER_ON 0x0007040600070406ULL

/* Access bytes: present, S=1, type; flags nibble in bits 8-11. */
#define ATTR_CODE16 0x09b
#define ATTR_DATA16 0x093
#define ATTR_CODE32 0xc9b /* G, D/B */
#define ATTR_DATA32 0xc93
#define ATTR_TSS_BUSY 0x08b
#define ATTR_LDT 0x082

static void common(struct vcpu_state *s)
{
	memset(s, 0, sizeof(*s));
	s->regs[REG_RFLAGS] = 0x2;
	s->regs[REG_DR6] = 0xffff0ff0;
	s->regs[REG_DR7] = 0x400;
	s->regs[REG_PAT] = PAT_POWER_ON;
	s->segs[SEG_TR] = (struct segment){ 0, ATTR_TSS_BUSY, 0xffff, 0 };
	s->segs[SEG_LDTR] = (struct segment){ 0, ATTR_LDT, 0xffff, 0 };
	s->segs[SEG_GDTR] = (struct segment){ 0, 0, 0xffff, 0 };
	s->segs[SEG_IDTR] = (struct segment){ 0, 0, 0xffff, 0 };
}

void cpu_state_real(struct vcpu_state *s, u16 cs, u16 ip)
{
	common(s);
	s->regs[REG_CR0] = 0x60000010; /* CD, NW, ET */
	s->regs[REG_RIP] = ip;
	s->segs[SEG_CS] = (struct segment){ cs, ATTR_CODE16, 0xffff, (u64)cs << 4 };
	for (int i = SEG_ES; i <= SEG_GS; i++)
		if (i != SEG_CS)
			s->segs[i] = (struct segment){ 0, ATTR_DATA16, 0xffff, 0 };
}

void cpu_state_prot32(struct vcpu_state *s, u32 eip)
{
	common(s);
	s->regs[REG_CR0] = 0x11; /* PE, ET */
	s->regs[REG_RIP] = eip;
	s->segs[SEG_CS] = (struct segment){ 0x08, ATTR_CODE32, 0xffffffff, 0 };
	for (int i = SEG_ES; i <= SEG_GS; i++)
		if (i != SEG_CS)
			s->segs[i] = (struct segment){ 0x10, ATTR_DATA32, 0xffffffff, 0 };
}
