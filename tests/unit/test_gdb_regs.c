// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the GDB stub's register file (vmm/gdb_regs.c) and
 * the protocol's number parser (gdb_rsp_num): the target description
 * served by qXfer (sliced by offset and length, 'm' then 'l'), register
 * numbers in the description's order, 'g' and 'p' hex (little endian,
 * x87 unavailable), and the checks on 'P' and 'G' writes (canonical or
 * 32-bit RIP, RFLAGS' system bits kept, read-only selectors and control
 * registers, malformed hex).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/gdb_regs.h"
#include "vmm/gdb_rsp.h"

static struct vcpu_snap s;
#define A64 (&gdb_arch_amd64)
#define A32 (&gdb_arch_i386)

static int setup(void **state)
{
	(void)state;
	memset(&s, 0, sizeof(s));
	for (unsigned i = 0; i < NR_GPRS; i++)
		s.gprs[i] = 0x1000 + i;
	s.regs[REG_RSP] = 0x7ff0;
	s.regs[REG_RIP] = 0xffffffff81000000ULL;
	s.regs[REG_RFLAGS] = 0x3202; /* IF, IOPL 3 */
	s.regs[REG_CR0] = 0x80050033;
	s.regs[REG_CR3] = 0x1234000;
	s.regs[REG_EFER] = 0xd01; /* LMA LME SCE NXE */
	s.segs[SEG_CS].sel = 0x10;
	s.segs[SEG_CS].attr = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_L | 0xb;
	s.segs[SEG_GS].base = 0xffff888000000000ULL;
	s.tpr = 0x20;
	return 0;
}

/* Register @n as a number, parsed back from its hex. */
static u64 read_num(unsigned n)
{
	char hex[32] = { 0 };
	u8 b[16] = { 0 };
	u64 v = 0;
	unsigned len = gdb_regs_read(A64, &s, n, hex);

	assert_int_equal(len, 2 * gdb_regs_size(A64, n));
	assert_true(gdb_rsp_unhex(hex, len / 2, b));
	memcpy(&v, b, len / 2 > 8 ? 8 : len / 2);
	return v;
}

static bool write_num(unsigned n, u64 v)
{
	char hex[32] = { 0 };

	gdb_rsp_hex((const u8 *)&v, gdb_regs_size(A64, n), hex);
	return gdb_regs_write(A64, &s, n, hex);
}

static void test_numbers(void **state)
{
	const char *p;
	u64 v;

	(void)state;
	p = "1f,2";
	assert_true(gdb_rsp_num(&p, &v));
	assert_int_equal(v, 0x1f);
	assert_int_equal(*p, ',');
	p = "FFFFFFFFFFFFFFFF";
	assert_true(gdb_rsp_num(&p, &v));
	assert_true(v == ~0ULL);
	p = "10000000000000000"; /* 17 digits */
	assert_false(gdb_rsp_num(&p, &v));
	p = ",1";
	assert_false(gdb_rsp_num(&p, &v));
	p = "";
	assert_false(gdb_rsp_num(&p, &v));
}

/* The registers appear in the description in enum gdb_regno order. */
static void test_description_order(void **state)
{
	static const char *const names[] = { "\"rax\"", "\"rbx\"", "\"rsp\"", "\"r15\"",
		"\"rip\"", "\"eflags\"", "\"cs\"", "\"gs\"", "\"st0\"", "\"fop\"",
		"\"fs_base\"", "\"gs_base\"", "\"cr0\"", "\"cr8\"", "\"efer\"" };
	const char *at = gdb_arch_amd64.xml;
	unsigned regs = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *q = strstr(gdb_arch_amd64.xml, names[i]);

		assert_non_null(q);
		assert_true(q > at);
		at = q;
	}
	for (const char *q = gdb_arch_amd64.xml; (q = strstr(q, "<reg ")); q++)
		regs++;
	assert_int_equal(regs, GDB_NREGS);
	assert_non_null(strstr(gdb_arch_amd64.xml, "<feature name=\"org.gnu.gdb.i386.core\">"));
	assert_non_null(strstr(gdb_arch_amd64.xml, "<feature name=\"org.gnu.gdb.i386.segments\">"));
	assert_non_null(strstr(gdb_arch_amd64.xml, "<architecture>i386:x86-64</architecture>"));
}

static void test_xfer(void **state)
{
	char out[64];
	size_t size = strlen(gdb_arch_amd64.xml);
	char args[32];

	(void)state;
	assert_true(gdb_regs_xfer(gdb_arch_amd64.xml, "0,10", out, sizeof(out)));
	assert_int_equal(out[0], 'm');
	assert_int_equal(strlen(out), 1 + 0x10);
	assert_memory_equal(out + 1, gdb_arch_amd64.xml, 0x10);
	snprintf(args, sizeof(args), "%zx,ffff", size - 5);
	assert_true(gdb_regs_xfer(gdb_arch_amd64.xml, args, out, sizeof(out)));
	assert_string_equal(out, "lrget>"); /* the last 5 bytes, and the end */
	snprintf(args, sizeof(args), "%zx,10", size + 100);
	assert_true(gdb_regs_xfer(gdb_arch_amd64.xml, args, out, sizeof(out)));
	assert_string_equal(out, "l");
	/* a reply never overruns the buffer, whatever length is asked */
	assert_true(gdb_regs_xfer(gdb_arch_amd64.xml, "0,fffffff", out, 8));
	assert_int_equal(strlen(out), 7);
	assert_false(gdb_regs_xfer(gdb_arch_amd64.xml, "0", out, sizeof(out)));
	assert_false(gdb_regs_xfer(gdb_arch_amd64.xml, "x,1", out, sizeof(out)));
	assert_false(gdb_regs_xfer(gdb_arch_amd64.xml, "0,1;", out, sizeof(out)));
}

static void test_read(void **state)
{
	static char all[GDB_REGS_HEX_MAX + 1];
	char hex[32] = { 0 };

	(void)state;
	assert_int_equal(gdb_regs_read_all(A64, &s, all), GDB_REGS_HEX_MAX);
	assert_memory_equal(all, "0010000000000000", 16); /* rax, little endian */
	assert_true(read_num(GDB_RBX) == 0x1003); /* GDB's rbx is x86 register 3 */
	assert_true(read_num(GDB_RSP) == 0x7ff0);  /* from the VMCS/VMCB, not gprs */
	assert_true(read_num(GDB_R15) == 0x100f);
	assert_true(read_num(GDB_RIP) == 0xffffffff81000000ULL);
	assert_int_equal(gdb_regs_size(A64, GDB_EFLAGS), 4);
	assert_true(read_num(GDB_CS) == 0x10);
	assert_true(read_num(GDB_GS_BASE) == 0xffff888000000000ULL);
	assert_true(read_num(GDB_CR3) == 0x1234000);
	assert_true(read_num(GDB_CR8) == 2);
	assert_true(read_num(GDB_EFER) == 0xd01);
	assert_int_equal(gdb_regs_read(A64, &s, GDB_ST0, hex), 20);
	assert_memory_equal(hex, "xxxxxxxxxxxxxxxxxxxx", 20);
	assert_int_equal(gdb_regs_read(A64, &s, GDB_NREGS, hex), 0);
	assert_int_equal(gdb_regs_size(A64, GDB_NREGS), 0);
}

static void test_write(void **state)
{
	(void)state;
	assert_true(write_num(GDB_RAX, 0x1122334455667788ULL));
	assert_true(s.gprs[GPR_RAX] == 0x1122334455667788ULL);
	assert_true(write_num(GDB_RSP, 0x8000));
	assert_true(s.regs[REG_RSP] == 0x8000 && s.gprs[GPR_RSP] == 0x1004);
	/* RIP in 64-bit mode: canonical only */
	assert_true(write_num(GDB_RIP, 0x00007fffffffffffULL));
	assert_false(write_num(GDB_RIP, 0x0000800000000000ULL));
	assert_true(s.regs[REG_RIP] == 0x00007fffffffffffULL);
	/* outside 64-bit mode: 32 bits */
	s.segs[SEG_CS].attr &= ~SEG_ATTR_L;
	assert_false(write_num(GDB_RIP, 0x100000000ULL));
	assert_true(write_num(GDB_RIP, 0xfffffff0));
	/* RFLAGS: flags change, IOPL and the reserved bit 1 stay */
	assert_true(write_num(GDB_EFLAGS, 0x1c1)); /* CF ZF SF TF, IOPL 0, bit 1 clear */
	assert_true(s.regs[REG_RFLAGS] == (0x3002 | 0x1c1));
	/* read-only: the same value is accepted, another refused */
	assert_true(write_num(GDB_CS, 0x10));
	assert_false(write_num(GDB_CS, 0x8));
	assert_false(write_num(GDB_CR0, 0));
	assert_false(write_num(GDB_EFER, 0));
	assert_true(s.regs[REG_CR0] == 0x80050033 && s.regs[REG_EFER] == 0xd01);
	/* FS/GS bases: canonical */
	assert_true(write_num(GDB_FS_BASE, 0x7f0000001000ULL));
	assert_false(write_num(GDB_GS_BASE, 0x8000000000000000ULL));
	assert_true(s.segs[SEG_FS].base == 0x7f0000001000ULL);
	/* malformed: wrong length, not hex, no such register */
	assert_false(gdb_regs_write(A64, &s, GDB_RAX, "0011"));
	assert_false(gdb_regs_write(A64, &s, GDB_RAX, "zz00000000000000"));
	assert_false(gdb_regs_write(A64, &s, GDB_NREGS, "00000000"));
	/* x87: accepted and ignored */
	assert_true(gdb_regs_write(A64, &s, GDB_ST0, "00000000000000000000"));
}

static void test_write_all(void **state)
{
	static char all[GDB_REGS_HEX_MAX + 1];
	struct vcpu_snap before;
	unsigned len;

	(void)state;
	len = gdb_regs_read_all(A64, &s, all);
	for (unsigned i = 0; i < len; i++)
		if (all[i] == 'x')
			all[i] = '0'; /* gdb sends what it holds for x87 */
	before = s;
	assert_true(gdb_regs_write_all(A64, &s, all, len));
	assert_memory_equal(&s, &before, sizeof(s));
	memcpy(all, "ffffffffffffffff", 16); /* rax */
	assert_true(gdb_regs_write_all(A64, &s, all, len));
	assert_true(s.gprs[GPR_RAX] == ~0ULL);
	/* one refused value (cs) leaves everything as it was */
	before = s;
	memcpy(all, "0000000000000000", 16);
	memcpy(all + 2 * (17 * 8 + 4), "08000000", 8);
	assert_false(gdb_regs_write_all(A64, &s, all, len));
	assert_memory_equal(&s, &before, sizeof(s));
	assert_false(gdb_regs_write_all(A64, &s, all, len - 1)); /* cut short */
}

/* i386 (a guest outside long mode): the same order without r8-r15, the
 * general registers, EIP and the bases in 32 bits; a 32-bit write keeps
 * the upper half of the 64-bit register. */
static void test_i386(void **state)
{
	static const char *const names[] = { "\"eax\"", "\"ebx\"", "\"esp\"", "\"eip\"",
		"\"eflags\"", "\"cs\"", "\"st0\"", "\"fop\"", "\"cr0\"", "\"efer\"" };
	static char all[GDB_REGS_HEX_MAX + 1];
	const char *at = A32->xml;
	struct vcpu_snap before;
	char hex[32] = { 0 };
	unsigned regs = 0, len;

	(void)state;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *q = strstr(A32->xml, names[i]);

		assert_non_null(q);
		assert_true(q > at);
		at = q;
	}
	for (const char *q = A32->xml; (q = strstr(q, "<reg ")); q++)
		regs++;
	assert_int_equal(regs, A32->nregs);
	assert_int_equal(A32->nregs, GDB_NREGS - 8 - 2);
	assert_null(strstr(A32->xml, "\"r8\""));
	assert_null(strstr(A32->xml, "fs_base"));
	assert_non_null(strstr(A32->xml, "<architecture>i386</architecture>"));
	/* the mode picks the file */
	assert_ptr_equal(gdb_arch_for(&s), A64);
	s.regs[REG_EFER] = 0;
	s.segs[SEG_CS].attr = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_DB | 0xb;
	s.regs[REG_RIP] = 0x100060;
	assert_ptr_equal(gdb_arch_for(&s), A32);
	/* sizes and values: eip is register 8, cs 10, cr0 32 */
	assert_int_equal(gdb_regs_size(A32, GDB_RAX), 4);
	assert_int_equal(gdb_regs_size(A32, 8), 4);
	assert_int_equal(gdb_regs_size(A32, 16), 10); /* st0 */
	assert_int_equal(gdb_regs_size(A32, 32), 8);  /* cr0 */
	assert_int_equal(gdb_regs_read(A32, &s, 34, hex), 16); /* cr3 */
	assert_memory_equal(hex, "0040230100000000", 16);
	assert_int_equal(gdb_regs_size(A32, A32->nregs), 0);
	assert_int_equal(gdb_regs_read(A32, &s, 8, hex), 8);
	assert_memory_equal(hex, "60001000", 8);
	assert_int_equal(gdb_regs_read(A32, &s, 10, hex), 8);
	assert_memory_equal(hex, "10000000", 8);
	/* ecx: the low half written, the high half kept */
	s.gprs[GPR_RCX] = 0xaaaaaaaa00000000ULL;
	assert_true(gdb_regs_write(A32, &s, GDB_RCX, "44332211"));
	assert_true(s.gprs[GPR_RCX] == 0xaaaaaaaa11223344ULL);
	/* eip: 32 bits */
	assert_true(gdb_regs_write(A32, &s, 8, "00001000"));
	assert_true(s.regs[REG_RIP] == 0x100000);
	assert_false(gdb_regs_write(A32, &s, 8, "0000100000000000"));
	/* 'g' then 'G' of the same values changes nothing */
	len = gdb_regs_read_all(A32, &s, all);
	assert_int_equal(len, 2 * (8 * 4 + 4 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 6 * 8));
	for (unsigned i = 0; i < len; i++)
		if (all[i] == 'x')
			all[i] = '0';
	before = s;
	assert_true(gdb_regs_write_all(A32, &s, all, len));
	assert_memory_equal(&s, &before, sizeof(s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_numbers, setup),
		cmocka_unit_test_setup(test_description_order, setup),
		cmocka_unit_test_setup(test_xfer, setup),
		cmocka_unit_test_setup(test_read, setup),
		cmocka_unit_test_setup(test_write, setup),
		cmocka_unit_test_setup(test_write_all, setup),
		cmocka_unit_test_setup(test_i386, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
