// SPDX-License-Identifier: MIT
/*
 * Host unit tests for MMIO emulation (vmm/mmio.c with the real decoder,
 * vmm/insn.c, and bus, vmm/bus.c) on a fake vCPU: guest RAM at
 * [0, 64 KiB) and [128 KiB, 192 KiB), paging off, a recording device at
 * the LAPIC page. Covered: MOV loads and stores, MOVZX/MOVSX and byte
 * register merges against a device and against nothing (all-ones, dropped
 * writes, counted, the first four logged); accesses across a region's edge
 * (device/nothing, nothing/device) stop the guest naming the region; an
 * access split by a page boundary between RAM and nothing is done in two
 * parts (operand addresses from ModR/M, SIB, RIP-relative and 16-bit
 * forms); instructions the emulator does not do stop it with exactly the
 * bytes fetched ("no bytes" when none could be); MOVS/STOS with and
 * without REP, DF, 16-bit addressing, slicing of a huge rCX by count and
 * by time; REX.W C7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/fake_vcpu_stubs.h"
#include "vmm/gwalk.h"
#include "vmm/mmio.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define RAM1_END 0x10000
#define RAM2_BASE 0x20000
#define RAM2_END 0x30000
#define CODE 0x1000
#define LAPIC 0xfee00000ULL
#define NOWHERE 0xc0000000ULL

static u8 ram[RAM2_END];
static u64 fake_tsc_khz = ~0ULL >> 24; /* time never runs out */
static u64 regs[NR_REGS];
static struct segment cs;
static u64 ss_base;
static struct vcpu vcpu;
static struct vm vm;
static char stop_msg[256];

/* ---- the fake machine ---- */

static bool in_ram(u64 gpa, u64 len)
{
	return (gpa + len <= RAM1_END) || (gpa >= RAM2_BASE && gpa + len <= RAM2_END);
}

FAKE_GMEM(ram, in_ram)

u64 tsc_khz(void)
{
	return fake_tsc_khz;
}

bool gwalk_translate(struct vcpu *v, u64 lin, enum gwalk_access acc, u64 *gpa)
{
	(void)v, (void)acc;
	*gpa = lin; /* paging off */
	return true;
}

/* The instruction fetch's walk: paging off as well. */
bool gwalk_translate_view(struct vcpu *v, const struct vcpu_code_view *cv, u64 lin, u64 *gpa)
{
	(void)cv;
	return gwalk_translate(v, lin, GWALK_FETCH, gpa);
}

FAKE_GWALK_NO_MEMO

/* Paging off too, but the page at not_present (0: none) is missing. */
static u64 not_present;

bool gwalk_check(struct vcpu *v, u64 lin, bool write, bool user, u64 *gpa, u32 *pf_error)
{
	(void)v;
	*gpa = lin;
	*pf_error = (write ? GWALK_PF_W : 0) | (user ? GWALK_PF_U : 0);
	return !not_present || (lin & ~0xfffULL) != not_present;
}

static unsigned injected, inj_vector, inj_error;

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	(void)v, (void)has_error;
	injected++;
	inj_vector = vector;
	inj_error = error;
}

bool vm_running(const struct vm *v)
{
	return v->state == VM_RUNNING;
}

u64 vcpu_gpr(struct vcpu *v, unsigned gpr)
{
	return v->hw.gprs[gpr];
}

void vcpu_set_gpr(struct vcpu *v, unsigned gpr, u64 val)
{
	v->hw.gprs[gpr] = val;
}

FAKE_VCPU_REGS(regs)

static void fake_get_seg(struct vcpu_hw *v, enum vcpu_seg s, struct segment *out)
{
	(void)v;
	*out = s == SEG_CS ? cs : (struct segment){ .attr = 0x93, .base = s == SEG_SS ? ss_base : 0 };
}

static const struct vcpu_ops fake_ops = { .get_seg = fake_get_seg };
const struct vcpu_ops *vm_ops = &fake_ops;

void vm_stop(struct vm *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(stop_msg, sizeof(stop_msg), fmt, ap);
	va_end(ap);
	v->state = VM_STOPPED;
}

#include "tests/unit/fake_printk.h"

static unsigned region_calls; /* accesses that took the VM's device lock */

void vm_region_access(struct vm *v, const struct bus_region *r, u64 addr, unsigned size,
		      bool write, u64 *val)
{
	(void)v;
	region_calls++;
	if (write)
		bus_region_write(r, addr, size, *val);
	else
		*val = bus_region_read(r, addr, size);
}

/* exit.c's single-step trap of a REP iteration: counted, taken with TF. */
static unsigned rep_traps;

bool exit_rep_step(struct vcpu *v)
{
	(void)v;
	if (!(regs[REG_RFLAGS] & (1ULL << 8)))
		return false;
	rep_traps++;
	return true;
}

/* A device that records its accesses and reads 0x80 + offset per byte. */
static struct {
	unsigned reads, writes;
	u64 offset, val;
	unsigned size;
} dev;

static u64 dev_read(void *d, u64 offset, unsigned size)
{
	u64 v = 0;

	(void)d;
	dev.reads++;
	dev.offset = offset;
	dev.size = size;
	for (unsigned i = 0; i < size; i++)
		v |= (u64)(u8)(0x80 + offset + i) << (8 * i);
	return v;
}

static void dev_write(void *d, u64 offset, unsigned size, u64 val)
{
	(void)d;
	dev.writes++;
	dev.offset = offset;
	dev.size = size;
	dev.val = val;
}

static int setup(void **state)
{
	static u64 vm_id;

	(void)state;
	memset(ram, 0xcc, sizeof(ram));
	fake_tsc_khz = ~0ULL >> 24;
	ss_base = 0;
	memset(regs, 0, sizeof(regs));
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&vm, 0, sizeof(vm));
	memset(&dev, 0, sizeof(dev));
	stop_msg[0] = log_msg[0] = 0;
	logs = 0;
	rep_traps = 0;
	region_calls = 0;
	not_present = 0;
	injected = inj_vector = inj_error = 0;
	vm.id = (u32)(vm_id++ % VM_MAX); /* fresh unclaimed counters each test */
	snprintf(vm.name, sizeof(vm.name), "t");
	vm.state = VM_RUNNING;
	vcpu.vm = &vm;
	regs[REG_CR0] = 1;
	regs[REG_RIP] = CODE;
	cs = (struct segment){ .attr = 0x9b | SEG_ATTR_DB };
	assert_true(bus_register(&vm.mmio, LAPIC, 0x1000, dev_read, dev_write, NULL, "lapic"));
	return 0;
}

/* The VM's unclaimed-access count, as mmio_stats_log() says it. */
static unsigned long long unclaimed_count(void)
{
	unsigned long long n = 0;
	unsigned before = logs;

	mmio_stats_log(&vm);
	if (logs != before)
		assert_int_equal(sscanf(log_msg, "guest t unclaimed-mmio %llu", &n), 1);
	return n;
}

/* Put @n instruction bytes at RIP and emulate a fault at @gpa. */
static enum exit_action run(u64 gpa, const u8 *code, unsigned n)
{
	memcpy(ram + regs[REG_RIP], code, n);
	return mmio_emulate(&vcpu, gpa);
}

#define RUN(gpa, ...) ({ static const u8 c_[] = { __VA_ARGS__ }; run(gpa, c_, sizeof(c_)); })

static u64 *gpr = vcpu.hw.gprs;

/* ---- loads and stores ---- */

static void test_device_load_store(void **state)
{
	(void)state;
	/* mov eax, [0xfee00020] */
	assert_int_equal(RUN(LAPIC + 0x20, 0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RAX], 0xa3a2a1a0);
	assert_int_equal(vcpu.hw.exit.insn_len, 6);
	assert_int_equal(dev.offset, 0x20);
	/* mov dword [0xfee000b0], 0x12345678 */
	assert_int_equal(RUN(LAPIC + 0xb0, 0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0x78, 0x56, 0x34,
			     0x12), EXIT_ADVANCE);
	assert_int_equal(dev.val, 0x12345678);
	assert_int_equal(dev.size, 4);
	assert_int_equal(vcpu.hw.exit.insn_len, 10);
	assert_int_equal(logs, 0);
}

/* The decode memo (vcpu.mmio_memo) serves a repeated instruction and
 * follows new bytes at the same RIP. */
static void test_memo_follows_bytes(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) { /* mov eax, [0xfee00020], twice */
		gpr[GPR_RAX] = 0;
		assert_int_equal(RUN(LAPIC + 0x20, 0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe), EXIT_ADVANCE);
		assert_int_equal(gpr[GPR_RAX], 0xa3a2a1a0);
	}
	assert_int_equal(vcpu.mmio_memo.in.len, 6);
	assert_int_equal(dev.reads, 2);
	/* the guest rewrote it: mov ecx, [0xfee00024] */
	gpr[GPR_RAX] = 0x5a5a;
	assert_int_equal(RUN(LAPIC + 0x24, 0x8b, 0x0d, 0x24, 0x00, 0xe0, 0xfe), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RCX], 0xa7a6a5a4);
	assert_int_equal(gpr[GPR_RAX], 0x5a5a);
	/* a store now, one byte longer: mov byte [0xfee00030], 0x42 */
	assert_int_equal(RUN(LAPIC + 0x30, 0xc6, 0x05, 0x30, 0x00, 0xe0, 0xfe, 0x42), EXIT_ADVANCE);
	assert_int_equal(dev.writes, 1);
	assert_int_equal(dev.val, 0x42);
	assert_int_equal(vcpu.hw.exit.insn_len, 7);
	/* the same bytes in 16-bit code are another instruction: mov ax, [di] */
	cs.attr &= ~SEG_ATTR_DB;
	gpr[GPR_RAX] = 0;
	assert_int_equal(RUN(LAPIC + 0x20, 0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RAX], 0xa1a0);
	assert_int_equal(vcpu.hw.exit.insn_len, 2);
}

/* A lockless region (the local APIC's) is served without the VM's device
 * lock: its callbacks straight from the exit; others through
 * vm_region_access(). */
static void test_lockless_region(void **state)
{
	(void)state;
	assert_int_equal(RUN(LAPIC + 0x20, 0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe), EXIT_ADVANCE);
	assert_int_equal(region_calls, 1);
	assert_true(bus_set_lockless(&vm.mmio, LAPIC));
	assert_int_equal(RUN(LAPIC + 0x20, 0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RAX], 0xa3a2a1a0);
	assert_int_equal(RUN(LAPIC + 0xb0, 0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0x78, 0x56, 0x34,
			     0x12), EXIT_ADVANCE);
	assert_int_equal(dev.val, 0x12345678);
	assert_int_equal(dev.reads, 2);
	assert_int_equal(dev.writes, 1);
	assert_int_equal(region_calls, 1);
}

static void test_unclaimed_loads(void **state)
{
	(void)state;
	gpr[GPR_RAX] = 0x1111111122222222ULL;
	gpr[GPR_RCX] = 0x3333333344444444ULL;
	/* mov eax, [nowhere]: zero-extends into RAX */
	assert_int_equal(RUN(NOWHERE, 0x8b, 0x05, 0x00, 0x00, 0x00, 0xc0), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RAX], 0xffffffffULL);
	/* mov ch, [nowhere]: merges into bits 8-15 */
	assert_int_equal(RUN(NOWHERE + 1, 0x8a, 0x2d, 0x01, 0x00, 0x00, 0xc0), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RCX], 0x333333334444ff44ULL);
	/* movsx edx, byte [nowhere]; movzx ebx, word [nowhere] */
	assert_int_equal(RUN(NOWHERE + 2, 0x0f, 0xbe, 0x15, 0x02, 0x00, 0x00, 0xc0), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RDX], 0xffffffffULL);
	assert_int_equal(RUN(NOWHERE + 4, 0x0f, 0xb7, 0x1d, 0x04, 0x00, 0x00, 0xc0), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RBX], 0xffffULL);
	/* mov [nowhere], eax: dropped, counted */
	assert_int_equal(RUN(NOWHERE, 0x89, 0x05, 0x00, 0x00, 0x00, 0xc0), EXIT_ADVANCE);
	assert_int_equal(dev.reads + dev.writes, 0);
	assert_int_equal(logs, 4); /* the first four only (a fresh VM id) */
	mmio_stats_log(&vm);
	assert_string_equal(log_msg, "guest t unclaimed-mmio 5");
}

static void test_unclaimed_logged_line(void **state)
{
	(void)state;
	assert_int_equal(RUN(NOWHERE + 8, 0x8b, 0x05, 0x08, 0x00, 0x00, 0xc0), EXIT_ADVANCE);
	assert_string_equal(log_msg, "guest t unclaimed-mmio read gpa 0xc0000008 size 4 vcpu 0 "
			    "rip 0x1000");
}

static void test_rex_w_store_sign_extends(void **state)
{
	(void)state;
	regs[REG_EFER] = 1ULL << 10;
	cs.attr = 0x9b | SEG_ATTR_L;
	gpr[GPR_RAX] = LAPIC + 0x40;
	/* mov qword [rax], -2 */
	assert_int_equal(RUN(LAPIC + 0x40, 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff), EXIT_ADVANCE);
	assert_int_equal(dev.size, 8);
	assert_int_equal(dev.val, 0xfffffffffffffffeULL);
}

/* ---- edges ---- */

static void test_straddles_stop(void **state)
{
	(void)state;
	assert_int_equal(RUN(LAPIC + 0xffe, 0x8b, 0x05, 0xfe, 0x0f, 0xe0, 0xfe), EXIT_STOP);
	assert_string_equal(stop_msg, "mmio-straddle gpa 0xfee00ffe size 4 read lapic vcpu 0 "
			    "rip 0x1000");
	assert_int_equal(dev.reads, 0);
	setup(state);
	assert_int_equal(RUN(LAPIC - 2, 0x89, 0x05, 0xfe, 0xff, 0xdf, 0xfe), EXIT_STOP);
	assert_string_equal(stop_msg, "mmio-straddle gpa 0xfedffffe size 4 write lapic vcpu 0 "
			    "rip 0x1000");
	assert_int_equal(dev.writes, 0);
	setup(state);
	/* unclaimed and then RAM, without a page boundary in between cannot
	 * be (RAM is in pages); without the instruction's operand address
	 * (fetch fails) the access is taken from the faulting address */
	regs[REG_RIP] = RAM1_END + 0x100;
	assert_int_equal(mmio_emulate(&vcpu, RAM2_BASE - 2), EXIT_STOP);
	assert_string_equal(stop_msg, "unsupported-mmio-instruction gpa 0x1fffe vcpu 0 "
			    "rip 0x10100 no bytes (undecodable)");
}

/* An access split by a page boundary between RAM and nothing: each part
 * as the CPU does it, whichever page the fault named. */
static void test_page_split_ram_and_nothing(void **state)
{
	unsigned long long before = unclaimed_count();

	(void)state;
	memcpy(ram + RAM1_END - 2, "\x11\x22", 2);
	gpr[GPR_RBX] = RAM1_END - 2;
	/* mov eax, [ebx]: faults on the page after RAM */
	assert_int_equal(RUN(RAM1_END, 0x8b, 0x03), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RAX], 0xffff2211);
	/* mov [ebx+ecx*4+0x10], eax with the RAM page second */
	gpr[GPR_RBX] = RAM2_BASE - 0x20;
	gpr[GPR_RCX] = 3;
	gpr[GPR_RAX] = 0xa1b2c3d4;
	assert_int_equal(RUN(RAM2_BASE - 1, 0x89, 0x44, 0x8b, 0x13), EXIT_ADVANCE);
	assert_int_equal(ram[RAM2_BASE], 0xc3);
	assert_int_equal(ram[RAM2_BASE + 1], 0xb2);
	assert_int_equal(ram[RAM2_BASE + 2], 0xa1);
	assert_int_equal(ram[RAM2_BASE + 3], 0xcc);
	assert_int_equal(unclaimed_count() - before, 2);
	assert_int_equal(vcpu.hw.exit.insn_len, 4);
}

/* The page split reaches a device: stopped, naming the access's start. */
static void test_page_split_into_device(void **state)
{
	(void)state;
	gpr[GPR_RSI] = 0x2;
	/* mov ax, [bp+si-4] in 16-bit code, SS base 0xfedf0000 */
	regs[REG_CR0] = 0;
	ss_base = 0xfedf0000;
	gpr[GPR_RBP] = 0xfffe;
	assert_int_equal(RUN(LAPIC - 4, 0x8b, 0x42, 0xfc), EXIT_ADVANCE); /* fits below */
	assert_int_equal(gpr[GPR_RAX] & 0xffff, 0xffff);
	gpr[GPR_RBP] = 0x0000;
	gpr[GPR_RSI] = 0xffff; /* bp+si-2 wraps to 0xfffd */
	assert_int_equal(RUN(LAPIC, 0x66, 0x8b, 0x42, 0xfe), EXIT_STOP); /* eax: 4 bytes */
	assert_string_equal(stop_msg, "mmio-straddle gpa 0xfedffffd size 4 read lapic vcpu 0 "
			    "rip 0x1000");
	assert_int_equal(dev.reads, 0);
}

/* 64-bit RIP-relative: a qword that starts 4 bytes before RAM's end. */
static void test_rip_relative_split(void **state)
{
	(void)state;
	regs[REG_EFER] = 1ULL << 10;
	cs.attr = 0x9b | SEG_ATTR_L;
	memcpy(ram + RAM1_END - 4, "\x01\x02\x03\x04", 4);
	/* mov rax, [rip + (0xfffc - 0x1007)] */
	assert_int_equal(RUN(RAM1_END, 0x48, 0x8b, 0x05, 0xf5, 0xef, 0x00, 0x00), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RAX], 0xffffffff04030201ULL);
}

/* ---- what it cannot do ---- */

static void test_unsupported_names_bytes(void **state)
{
	(void)state;
	/* xchg [0xfee00080], eax */
	assert_int_equal(RUN(LAPIC + 0x80, 0x87, 0x05, 0x80, 0x00, 0xe0, 0xfe, 0x90, 0x90, 0x90),
			 EXIT_STOP);
	assert_string_equal(stop_msg, "unsupported-mmio-instruction gpa 0xfee00080 vcpu 0 "
			    "rip 0x1000 bytes 87 05 80 00 e0 fe 90 90");
	assert_int_equal(dev.reads + dev.writes, 0);
}

/* ---- read-modify-write where nobody is: all-ones read, write dropped ---- */

#define NOWHERE_DISP 0x00, 0x00, 0x00, 0xc0 /* disp32 0xc0000000 */
#define FL_CF 0x1ULL
#define FL_ZF 0x40ULL
#define FL_SF 0x80ULL

static void test_rmw_cmpxchg_to_nowhere(void **state)
{
	unsigned long long before = unclaimed_count();

	(void)state;
	/* lock cmpxchg [nowhere], ecx; eax 0: no match, eax gets all-ones */
	gpr[GPR_RAX] = 0xffffffff00000000ULL;
	gpr[GPR_RCX] = 7;
	assert_int_equal(RUN(NOWHERE, 0xf0, 0x0f, 0xb1, 0x0d, NOWHERE_DISP), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RAX], 0xffffffff); /* zero-extended */
	assert_int_equal(regs[REG_RFLAGS] & FL_ZF, 0);
	assert_int_equal(vcpu.hw.exit.insn_len, 8);
	assert_int_equal(unclaimed_count() - before, 2); /* the read and the write back */
	/* eax all-ones: a match, ZF set, eax kept */
	assert_int_equal(RUN(NOWHERE, 0xf0, 0x0f, 0xb1, 0x0d, NOWHERE_DISP), EXIT_ADVANCE);
	assert_int_equal(regs[REG_RFLAGS] & FL_ZF, FL_ZF);
	assert_int_equal(gpr[GPR_RAX], 0xffffffff);
	assert_int_equal(gpr[GPR_RCX], 7);
	assert_int_equal(dev.reads + dev.writes, 0);
}

static void test_rmw_xadd_xchg_alu_to_nowhere(void **state)
{
	(void)state;
	/* lock xadd [nowhere], ecx: ecx = all-ones, flags of 5 + all-ones */
	gpr[GPR_RCX] = 5;
	assert_int_equal(RUN(NOWHERE, 0xf0, 0x0f, 0xc1, 0x0d, NOWHERE_DISP), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RCX], 0xffffffff);
	assert_int_equal(regs[REG_RFLAGS] & (FL_CF | FL_ZF | FL_SF), FL_CF);
	/* xchg [nowhere], cl (byte) */
	gpr[GPR_RCX] = 0x1234;
	assert_int_equal(RUN(NOWHERE, 0x86, 0x0d, NOWHERE_DISP), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RCX], 0x12ff);
	/* lock or dword [nowhere], 1: result all-ones, SF */
	assert_int_equal(RUN(NOWHERE, 0xf0, 0x83, 0x0d, NOWHERE_DISP, 0x01), EXIT_ADVANCE);
	assert_int_equal(regs[REG_RFLAGS] & (FL_CF | FL_ZF | FL_SF), FL_SF);
	assert_int_equal(vcpu.hw.exit.insn_len, 8);
	/* add ecx, [nowhere]: ecx = 2 + all-ones = 1, CF */
	gpr[GPR_RCX] = 2;
	assert_int_equal(RUN(NOWHERE, 0x03, 0x0d, NOWHERE_DISP), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RCX], 1);
	assert_int_equal(regs[REG_RFLAGS] & FL_CF, FL_CF);
	/* lock inc dword [nowhere]: all-ones + 1 = 0, ZF, CF kept */
	assert_int_equal(RUN(NOWHERE, 0xf0, 0xff, 0x05, NOWHERE_DISP), EXIT_ADVANCE);
	assert_int_equal(regs[REG_RFLAGS] & (FL_CF | FL_ZF), FL_CF | FL_ZF);
	/* cmp dword [nowhere], 5: read only */
	{
		unsigned long long before = unclaimed_count();

		assert_int_equal(RUN(NOWHERE, 0x83, 0x3d, NOWHERE_DISP, 0x05), EXIT_ADVANCE);
		assert_int_equal(unclaimed_count() - before, 1);
		assert_int_equal(regs[REG_RFLAGS] & (FL_CF | FL_ZF | FL_SF), FL_SF);
	}
	assert_int_equal(dev.reads + dev.writes, 0);
	assert_string_equal(stop_msg, "");
}

/* On a device a read-modify-write stops the guest, the device untouched. */
static void test_rmw_on_device_stops(void **state)
{
	(void)state;
	/* lock or dword [0xfee00080], 1 */
	assert_int_equal(RUN(LAPIC + 0x80, 0xf0, 0x83, 0x0d, 0x80, 0x00, 0xe0, 0xfe, 0x01),
			 EXIT_STOP);
	assert_true(strstr(stop_msg, "unsupported-mmio-instruction gpa 0xfee00080") != NULL);
	assert_int_equal(dev.reads + dev.writes, 0);
}

/* Only the bytes that could be fetched are printed (RAM ends at 64 KiB). */
static void test_partial_fetch(void **state)
{
	(void)state;
	regs[REG_RIP] = RAM1_END - 2;
	assert_int_equal(RUN(LAPIC, 0x8b, 0x05), EXIT_STOP);
	assert_string_equal(stop_msg, "unsupported-mmio-instruction gpa 0xfee00000 vcpu 0 "
			    "rip 0xfffe bytes 8b 05 (undecodable)");
	setup(state);
	regs[REG_RIP] = RAM1_END + 0x100;
	assert_int_equal(mmio_emulate(&vcpu, LAPIC), EXIT_STOP);
	assert_string_equal(stop_msg, "unsupported-mmio-instruction gpa 0xfee00000 vcpu 0 "
			    "rip 0x10100 no bytes (undecodable)");
}

/* ---- string instructions ---- */

static void test_rep_stos_to_nowhere(void **state)
{
	unsigned long long before = unclaimed_count();

	(void)state;
	gpr[GPR_RDI] = NOWHERE;
	gpr[GPR_RCX] = 10;
	assert_int_equal(RUN(NOWHERE, 0xf3, 0xab), EXIT_ADVANCE); /* rep stosd */
	assert_int_equal(gpr[GPR_RCX], 0);
	assert_int_equal(gpr[GPR_RDI], NOWHERE + 40);
	assert_int_equal(vcpu.hw.exit.insn_len, 2);
	assert_int_equal(unclaimed_count() - before, 10);
}

/* With TF a REP stops after each iteration for its trap, RIP kept (SDM
 * Vol. 3B §18.3.1.4); the last iteration completes the instruction. */
static void test_rep_stos_single_steps(void **state)
{
	(void)state;
	regs[REG_RFLAGS] = 1ULL << 8;
	gpr[GPR_RDI] = NOWHERE;
	gpr[GPR_RCX] = 2;
	assert_int_equal(RUN(NOWHERE, 0xf3, 0xab), EXIT_RESUME);
	assert_int_equal(gpr[GPR_RCX], 1);
	assert_int_equal(gpr[GPR_RDI], NOWHERE + 4);
	assert_int_equal(rep_traps, 1);
	assert_int_equal(RUN(NOWHERE + 4, 0xf3, 0xab), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RCX], 0);
	assert_int_equal(gpr[GPR_RDI], NOWHERE + 8);
	assert_int_equal(rep_traps, 1); /* the last one's trap comes with the advance */
}

static void test_rep_movs_device_to_ram_backwards(void **state)
{
	(void)state;
	regs[REG_RFLAGS] = 1ULL << 10; /* DF */
	gpr[GPR_RSI] = LAPIC + 0x23;
	gpr[GPR_RDI] = 0x2003;
	gpr[GPR_RCX] = 4;
	assert_int_equal(RUN(LAPIC + 0x23, 0xf3, 0xa4), EXIT_ADVANCE); /* rep movsb */
	assert_int_equal(ram[0x2000], 0xa0);
	assert_int_equal(ram[0x2003], 0xa3);
	assert_int_equal(ram[0x1fff], 0xcc);
	assert_int_equal(gpr[GPR_RSI], LAPIC + 0x1f);
	assert_int_equal(gpr[GPR_RDI], 0x1fff);
	assert_int_equal(dev.reads, 4);
}

/* MOVS from a device into a page the guest's tables do not map: the #PF
 * the CPU raises for it (error code, CR2), the elements done kept. */
static void test_movs_to_unmapped_page_faults(void **state)
{
	(void)state;
	not_present = 0x3000;
	gpr[GPR_RSI] = LAPIC + 0x20;
	gpr[GPR_RDI] = 0x2ffe;
	gpr[GPR_RCX] = 4;
	assert_int_equal(RUN(LAPIC + 0x20, 0xf3, 0xa4), EXIT_RESUME); /* rep movsb */
	assert_int_equal(injected, 1);
	assert_int_equal(inj_vector, 14);
	assert_int_equal(inj_error, 2);
	assert_int_equal(regs[REG_CR2], 0x3000);
	assert_int_equal(gpr[GPR_RCX], 2);
	assert_int_equal(gpr[GPR_RDI], 0x3000);
	assert_int_equal(ram[0x2fff], 0xa1);
	assert_string_equal(stop_msg, "");
}

static void test_movs_without_rep_ignores_rcx(void **state)
{
	(void)state;
	gpr[GPR_RSI] = 0x3000;
	gpr[GPR_RDI] = LAPIC + 0x10;
	gpr[GPR_RCX] = 77;
	memcpy(ram + 0x3000, "\x11\x22\x33\x44", 4);
	assert_int_equal(RUN(LAPIC + 0x10, 0xa5), EXIT_ADVANCE); /* movsd */
	assert_int_equal(dev.val, 0x44332211);
	assert_int_equal(gpr[GPR_RCX], 77);
	assert_int_equal(gpr[GPR_RDI], LAPIC + 0x14);
}

static void test_huge_rep_is_sliced(void **state)
{
	(void)state;
	gpr[GPR_RDI] = NOWHERE;
	gpr[GPR_RCX] = 0xffffffffULL;
	assert_int_equal(RUN(NOWHERE, 0xf3, 0xaa), EXIT_RESUME); /* rep stosb */
	assert_int_equal(gpr[GPR_RCX], 0xffffffffULL - 4096);
	assert_int_equal(gpr[GPR_RDI], NOWHERE + 4096);
	gpr[GPR_RCX] = 3;
	assert_int_equal(mmio_emulate(&vcpu, NOWHERE + 4096), EXIT_ADVANCE);
	assert_int_equal(gpr[GPR_RCX], 0);
}

/* A slow slice ends on time, at a multiple of 64 elements. */
static void test_slice_ends_on_time(void **state)
{
	(void)state;
	fake_tsc_khz = 1; /* a TSC tick is a millisecond: time is up at once */
	gpr[GPR_RDI] = NOWHERE;
	gpr[GPR_RCX] = 100000;
	assert_int_equal(RUN(NOWHERE, 0xf3, 0xab), EXIT_RESUME);
	assert_int_equal(gpr[GPR_RCX], 100000 - 64);
	assert_true(mmio_slice_over(4096, 0));
	assert_false(mmio_slice_over(0, 0));
	assert_false(mmio_slice_over(63, 0));
	fake_tsc_khz = 0; /* unknown: only the count */
	assert_false(mmio_slice_over(64, 0));
}

static void test_16bit_addressing_wraps(void **state)
{
	(void)state;
	/* a32 code with a 67 prefix: DI wraps at 64 KiB, EDI's top kept */
	gpr[GPR_RDI] = 0x0000fffe;
	gpr[GPR_RCX] = 0x12340002; /* CX = 2 */
	gpr[GPR_RAX] = 0x5a;
	assert_int_equal(RUN(0xfffe, 0xf3, 0x67, 0xaa), EXIT_ADVANCE); /* stosb: RAM */
	assert_int_equal(gpr[GPR_RDI], 0);
	assert_int_equal(gpr[GPR_RCX], 0x12340000);
	assert_int_equal(ram[0xfffe], 0x5a);
	assert_int_equal(ram[0xffff], 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_device_load_store, setup),
		cmocka_unit_test_setup(test_memo_follows_bytes, setup),
		cmocka_unit_test_setup(test_lockless_region, setup),
		cmocka_unit_test_setup(test_unclaimed_loads, setup),
		cmocka_unit_test_setup(test_unclaimed_logged_line, setup),
		cmocka_unit_test_setup(test_rex_w_store_sign_extends, setup),
		cmocka_unit_test_setup(test_straddles_stop, setup),
		cmocka_unit_test_setup(test_page_split_ram_and_nothing, setup),
		cmocka_unit_test_setup(test_page_split_into_device, setup),
		cmocka_unit_test_setup(test_rip_relative_split, setup),
		cmocka_unit_test_setup(test_unsupported_names_bytes, setup),
		cmocka_unit_test_setup(test_partial_fetch, setup),
		cmocka_unit_test_setup(test_rep_stos_to_nowhere, setup),
		cmocka_unit_test_setup(test_rmw_cmpxchg_to_nowhere, setup),
		cmocka_unit_test_setup(test_rmw_xadd_xchg_alu_to_nowhere, setup),
		cmocka_unit_test_setup(test_rmw_on_device_stops, setup),
		cmocka_unit_test_setup(test_rep_stos_single_steps, setup),
		cmocka_unit_test_setup(test_rep_movs_device_to_ram_backwards, setup),
		cmocka_unit_test_setup(test_movs_to_unmapped_page_faults, setup),
		cmocka_unit_test_setup(test_movs_without_rep_ignores_rcx, setup),
		cmocka_unit_test_setup(test_huge_rep_is_sliced, setup),
		cmocka_unit_test_setup(test_slice_ends_on_time, setup),
		cmocka_unit_test_setup(test_16bit_addressing_wraps, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
