// SPDX-License-Identifier: MIT
//
// A hostile guest for string I/O (INS/OUTS) whose memory operand faults,
// run beside a well-behaved neighbour (tests/system/configs/
// hostile-strio.cfg). The I/O exit comes before the CPU touches memory,
// so the hypervisor makes the checks itself and must raise what the CPU
// raises (Intel SDM Vol. 2B INS/OUTS "Protected Mode Exceptions"): #PF
// with the error code and CR2 of the page walk (Vol. 3A §4.7) for a
// missing page (also part-way through a REP: ECX and EDI then count the
// elements done) and for a write to a read-only page under CR0.WP, none
// without CR0.WP; #GP(0) for a null ES and for an offset past ES's limit.
// The same for MOVS from MMIO whose RAM destination is not mapped: the
// MMIO read exits, the store's page walk is the hypervisor's.
#include "lib/cpu.h"
#include "lib/fault.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"
#include "lib/trap.h"

#define UNCLAIMED_PORT 0x2f0
#define PAGE 0x1000u
#define P_RW 0x3fc000u // present, writable
#define P_NP 0x3fd000u // not present
#define P_RO 0x3fe000u // present, read-only
#define PTE_P 1u
#define PTE_RW 2u
#define PDE_PS 0x80u
#define CR0_WP 0x00010000u
#define CR4_PSE (1u << 4)
#define NOWHERE 0xc0000000u // PCI hole: nobody there
#define SEL_SMALL 0x18 // data segment, base P_RW, limit 0xfff

#define EXTABLE ".pushsection .extable, \"a\"\n\t.long 1b, 2b\n\t.popsection\n\t"

static u32 page_dir[1024] aligned(4096);
static u32 page_table[1024] aligned(4096);
static u64 gdt[4] aligned(8);

enum op { INSB, REP_INSB, OUTSB, INSW_ES_SMALL, INSB_ES_NULL, MOVSB_FROM_NOWHERE };

// Registers after the instruction (or the fault it raised).
struct sio {
	u32 vector, error, cr2, edi, esi, ecx;
};

static void arm(void)
{
	fault_last.vector = FAULT_NONE;
	fault_last.error = 0;
	asm volatile("mov %0, %%cr2" : : "r"(0u));
}

static struct sio run(enum op op, u32 ptr, u32 count)
{
	struct sio r = { 0, 0, 0, ptr, ptr, count };

	arm();
	switch (op) {
	case INSB:
		asm volatile("1: insb\n2:\n\t" EXTABLE : "+D"(r.edi) : "d"(UNCLAIMED_PORT) : "memory");
		break;
	case REP_INSB:
		asm volatile("1: rep insb\n2:\n\t" EXTABLE
			     : "+D"(r.edi), "+c"(r.ecx) : "d"(UNCLAIMED_PORT) : "memory");
		break;
	case OUTSB:
		asm volatile("1: outsb\n2:\n\t" EXTABLE : "+S"(r.esi) : "d"(UNCLAIMED_PORT) : "memory");
		break;
	case INSW_ES_SMALL:
		asm volatile("push %%es\n\tmov %w2, %%es\n1: insw\n2:\n\tpop %%es\n\t" EXTABLE
			     : "+D"(r.edi) : "d"(UNCLAIMED_PORT), "r"(SEL_SMALL) : "memory");
		break;
	case MOVSB_FROM_NOWHERE:
		r.esi = NOWHERE;
		asm volatile("1: movsb\n2:\n\t" EXTABLE : "+S"(r.esi), "+D"(r.edi) : : "memory");
		break;
	case INSB_ES_NULL:
		asm volatile("push %%es\n\tmov %w2, %%es\n1: insb\n2:\n\tpop %%es\n\t" EXTABLE
			     : "+D"(r.edi) : "d"(UNCLAIMED_PORT), "r"(0) : "memory");
		break;
	}
	r.vector = fault_last.vector;
	r.error = fault_last.error;
	asm volatile("mov %%cr2, %0" : "=r"(r.cr2));
	return r;
}

// Identity paging: 4 MiB pages, the first 4 MiB in 4 KiB pages with
// P_NP missing and P_RO read-only.
static void paging_on(void)
{
	for (u32 i = 0; i < 1024; i++) {
		page_dir[i] = (i << 22) | PDE_PS | PTE_RW | PTE_P;
		page_table[i] = (i << 12) | PTE_RW | PTE_P;
	}
	page_table[P_NP >> 12] = 0;
	page_table[P_RO >> 12] &= ~PTE_RW;
	page_dir[0] = (u32)page_table | PTE_RW | PTE_P;
	write_cr4(read_cr4() | CR4_PSE);
	asm volatile("mov %0, %%cr3; mov %%cr0, %%eax; or %1, %%eax; mov %%eax, %%cr0"
		     : : "r"(page_dir), "i"(CR0_PG) : "eax", "memory");
}

static void set_wp(bool on)
{
	u32 cr0 = read_cr0();

	cr0 = on ? cr0 | CR0_WP : cr0 & ~CR0_WP;
	asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
}

static void check_page_faults(void)
{
	struct sio r;

	r = run(INSB, P_NP + 0x10, 0);
	check(r.vector == VEC_PF && r.error == 2 && r.cr2 == P_NP + 0x10 && r.edi == P_NP + 0x10,
	      "INSB to a missing page: #PF (vector %u) error 0x%x cr2 0x%x, EDI 0x%x kept",
	      r.vector, r.error, r.cr2, r.edi);
	r = run(OUTSB, P_NP + 0x20, 0);
	check(r.vector == VEC_PF && r.error == 0 && r.cr2 == P_NP + 0x20 && r.esi == P_NP + 0x20,
	      "OUTSB from a missing page: #PF (vector %u) error 0x%x cr2 0x%x, ESI 0x%x kept",
	      r.vector, r.error, r.cr2, r.esi);
	memset((void *)(P_NP - 4), 0, 4);
	r = run(REP_INSB, P_NP - 4, 8);
	check(r.vector == VEC_PF && r.error == 2 && r.cr2 == P_NP && r.ecx == 4 && r.edi == P_NP &&
	      *(volatile u32 *)(P_NP - 4) == 0xffffffffu,
	      "REP INSB into a missing page: #PF (vector %u) error 0x%x cr2 0x%x after 4 "
	      "elements (ECX %u EDI 0x%x)", r.vector, r.error, r.cr2, r.ecx, r.edi);
	set_wp(true);
	r = run(INSB, P_RO + 8, 0);
	check(r.vector == VEC_PF && r.error == 3 && r.cr2 == P_RO + 8,
	      "INSB to a read-only page with CR0.WP: #PF (vector %u) error 0x%x cr2 0x%x",
	      r.vector, r.error, r.cr2);
	set_wp(false);
	r = run(INSB, P_RO + 8, 0);
	check(r.vector == FAULT_NONE && r.edi == P_RO + 9 && *(volatile u8 *)(P_RO + 8) == 0xff,
	      "INSB to a read-only page without CR0.WP: done (vector 0x%x)", r.vector);
	r = run(OUTSB, P_RO + 8, 0);
	check(r.vector == FAULT_NONE && r.esi == P_RO + 9, "OUTSB from a present page: done");
	r = run(MOVSB_FROM_NOWHERE, P_NP + 0x30, 0);
	check(r.vector == VEC_PF && r.error == 2 && r.cr2 == P_NP + 0x30 && r.edi == P_NP + 0x30,
	      "MOVSB from unclaimed MMIO to a missing page: #PF (vector %u) error 0x%x cr2 0x%x",
	      r.vector, r.error, r.cr2);
}

// A copy of the flat GDT (null, code 0x08, data 0x10) with a small data
// segment added at SEL_SMALL.
static void gdt_small_segment(void)
{
	struct { u16 limit; u32 base; } packed gdtr;

	asm volatile("sgdt %0" : "=m"(gdtr));
	memcpy(gdt, (void *)gdtr.base, 3 * sizeof(u64));
	gdt[3] = 0x0040923fc0000fffull; // base P_RW, limit 0xfff bytes, data RW, 32-bit
	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (u32)gdt;
	asm volatile("lgdt %0" : : "m"(gdtr));
}

static void check_segment_faults(void)
{
	struct sio r;

	gdt_small_segment();
	r = run(INSB_ES_NULL, P_RW, 0);
	check(r.vector == VEC_GP && r.error == 0, "INSB with a null ES: #GP (vector %u) error 0x%x",
	      r.vector, r.error);
	r = run(INSW_ES_SMALL, 0xfff, 0);
	check(r.vector == VEC_GP && r.error == 0 && r.edi == 0xfff,
	      "INSW past ES's limit: #GP (vector %u) error 0x%x", r.vector, r.error);
	r = run(INSW_ES_SMALL, 0xffe, 0);
	check(r.vector == FAULT_NONE && r.edi == 0x1000, "INSW at ES's limit: done (vector 0x%x)",
	      r.vector);
}

int main(void)
{
	test_start("hostile_strio");
	paging_on();
	check_page_faults();
	check_segment_faults();
	test_finish();
}
