// SPDX-License-Identifier: MIT
/*
 * The GDB stub's x86-64 register file (gdb_regs.h): the target
 * description, and snapshot <-> hex for each register number. GDB's amd64
 * architecture checks that the org.gnu.gdb.i386.core feature has the x87
 * registers too (st0-st7, fctrl-fop), so they are described and always
 * read as unavailable ("xx").
 */
#include "kernel/string.h"
#include "vmm/gdb_regs.h"
#include "vmm/gdb_rsp.h"

#define EFER_LMA (1ULL << 10)
/* RFLAGS bits a debugger may change: CF PF AF ZF SF TF IF DF OF AC ID
 * (SDM Vol. 1 §3.4.3); the rest (bit 1, IOPL, NT, RF, VM, VIF, VIP and
 * the reserved bits) keep the guest's value. */
#define RFLAGS_DEBUGGER 0x240fd5ULL

#define REG(name, bits, type, group)                                            \
	"<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"" group "/>"
#define GPR(name) REG(name, 64, "int64", "")
#define SEL(name) REG(name, 32, "int32", "")
#define X87(name) REG(name, 32, "int", " group=\"float\"")
#define SYS(name) REG(name, 64, "uint64", " group=\"system\"")

const char gdb_regs_xml[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/><field name=\"NT\" start=\"14\" end=\"14\"/>"
	"<field name=\"RF\" start=\"16\" end=\"16\"/><field name=\"VM\" start=\"17\" end=\"17\"/>"
	"<field name=\"AC\" start=\"18\" end=\"18\"/><field name=\"ID\" start=\"21\" end=\"21\"/>"
	"</flags>"
	GPR("rax") GPR("rbx") GPR("rcx") GPR("rdx") GPR("rsi") GPR("rdi")
	REG("rbp", 64, "data_ptr", "") REG("rsp", 64, "data_ptr", "")
	GPR("r8") GPR("r9") GPR("r10") GPR("r11") GPR("r12") GPR("r13") GPR("r14") GPR("r15")
	REG("rip", 64, "code_ptr", "") REG("eflags", 32, "i386_eflags", "")
	SEL("cs") SEL("ss") SEL("ds") SEL("es") SEL("fs") SEL("gs")
	REG("st0", 80, "i387_ext", "") REG("st1", 80, "i387_ext", "")
	REG("st2", 80, "i387_ext", "") REG("st3", 80, "i387_ext", "")
	REG("st4", 80, "i387_ext", "") REG("st5", 80, "i387_ext", "")
	REG("st6", 80, "i387_ext", "") REG("st7", 80, "i387_ext", "")
	X87("fctrl") X87("fstat") X87("ftag") X87("fiseg") X87("fioff") X87("foseg")
	X87("fooff") X87("fop")
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.segments\">"
	REG("fs_base", 64, "int", "") REG("gs_base", 64, "int", "")
	"</feature>"
	"<feature name=\"org.hv.x86.control\">"
	SYS("cr0") SYS("cr2") SYS("cr3") SYS("cr4") SYS("cr8") SYS("efer")
	"</feature></target>";

/* GDB's order of the general registers, in x86 encoding numbers. */
static const u8 gpr_of[16] = { GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI,
			       GPR_RBP, GPR_RSP, GPR_R8, GPR_R9, GPR_R10, GPR_R11,
			       GPR_R12, GPR_R13, GPR_R14, GPR_R15 };
static const u8 seg_of[6] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };
static const u8 cr_of[6] = { REG_CR0, REG_CR2, REG_CR3, REG_CR4, 0xff /* cr8 */, REG_EFER };

unsigned gdb_regs_size(unsigned n)
{
	if (n <= GDB_RIP || (n >= GDB_FS_BASE && n < GDB_NREGS))
		return 8;
	if (n >= GDB_ST0 && n < GDB_FCTRL)
		return 10;
	return n < GDB_NREGS ? 4 : 0;
}

/* The value of @n (false: the x87 state the stub does not have). */
static bool value(const struct vcpu_snap *s, unsigned n, u64 *v)
{
	if (n < GDB_RIP)
		*v = gpr_of[n] == GPR_RSP ? s->regs[REG_RSP] : s->gprs[gpr_of[n]];
	else if (n == GDB_RIP)
		*v = s->regs[REG_RIP];
	else if (n == GDB_EFLAGS)
		*v = s->regs[REG_RFLAGS];
	else if (n <= GDB_GS)
		*v = s->segs[seg_of[n - GDB_CS]].sel;
	else if (n == GDB_FS_BASE || n == GDB_GS_BASE)
		*v = s->segs[n == GDB_FS_BASE ? SEG_FS : SEG_GS].base;
	else if (n >= GDB_CR0 && n < GDB_NREGS)
		*v = n == GDB_CR8 ? s->tpr >> 4 : s->regs[cr_of[n - GDB_CR0]];
	else
		return false;
	return true;
}

unsigned gdb_regs_read(const struct vcpu_snap *s, unsigned n, char *out)
{
	unsigned size = gdb_regs_size(n);
	u64 v;

	if (!size)
		return 0;
	if (!value(s, n, &v)) {
		memset(out, 'x', 2 * size);
		return 2 * size;
	}
	gdb_rsp_hex((const u8 *)&v, size, out);
	return 2 * size;
}

unsigned gdb_regs_read_all(const struct vcpu_snap *s, char *out)
{
	unsigned len = 0;

	for (unsigned n = 0; n < GDB_NREGS; n++)
		len += gdb_regs_read(s, n, out + len);
	return len;
}

static bool canonical(u64 v) { return (u64)((s64)(v << 16) >> 16) == v; }

/* In 64-bit mode (EFER.LMA and CS.L, SDM Vol. 3A §5.2.1) an address
 * must be canonical, else it has 32 bits. */
static bool address_ok(const struct vcpu_snap *s, u64 v)
{
	bool lm = (s->regs[REG_EFER] & EFER_LMA) && (s->segs[SEG_CS].attr & SEG_ATTR_L);

	return lm ? canonical(v) : v <= 0xffffffffULL;
}

/* Store @v into register @n of @s, or refuse it. */
static bool store(struct vcpu_snap *s, unsigned n, u64 v)
{
	u64 old;

	if (n < GDB_RIP && gpr_of[n] == GPR_RSP)
		s->regs[REG_RSP] = v;
	else if (n < GDB_RIP)
		s->gprs[gpr_of[n]] = v;
	else if (n == GDB_RIP && address_ok(s, v))
		s->regs[REG_RIP] = v;
	else if (n == GDB_EFLAGS)
		s->regs[REG_RFLAGS] = (s->regs[REG_RFLAGS] & ~RFLAGS_DEBUGGER) |
				      (v & RFLAGS_DEBUGGER);
	else if ((n == GDB_FS_BASE || n == GDB_GS_BASE) && canonical(v))
		s->segs[n == GDB_FS_BASE ? SEG_FS : SEG_GS].base = v;
	else
		return value(s, n, &old) && old == v; /* read-only: unchanged */
	return true;
}

bool gdb_regs_write(struct vcpu_snap *s, unsigned n, const char *hex)
{
	unsigned size = gdb_regs_size(n);
	u8 b[10];
	u64 v = 0;

	if (!size || strlen(hex) != 2 * size)
		return false;
	if (!value(s, n, &v))
		return true; /* x87: the stub keeps no such state; ignored */
	if (!gdb_rsp_unhex(hex, size, b))
		return false;
	v = 0;
	memcpy(&v, b, size);
	return store(s, n, v);
}

bool gdb_regs_write_all(struct vcpu_snap *s, const char *hex, u32 len)
{
	struct vcpu_snap t = *s;
	char one[21];
	u32 at = 0;

	for (unsigned n = 0; n < GDB_NREGS && at < len; n++) {
		unsigned w = 2 * gdb_regs_size(n);

		if (at + w > len)
			return false;
		memcpy(one, hex + at, w);
		one[w] = 0;
		at += w;
		if (n >= GDB_ST0 && n <= GDB_FOP)
			continue; /* x87: not kept, whatever gdb holds */
		if (!gdb_regs_write(&t, n, one))
			return false;
	}
	if (at != len)
		return false;
	*s = t;
	return true;
}

bool gdb_regs_xfer(const char *doc, const char *args, char *out, u32 max)
{
	u64 off, len, size = strlen(doc);

	if (!gdb_rsp_num(&args, &off) || *args++ != ',' || !gdb_rsp_num(&args, &len) ||
	    *args || max < 2)
		return false;
	if (off > size)
		off = size;
	len = MIN(len, MIN(size - off, (u64)max - 2));
	out[0] = off + len < size ? 'm' : 'l';
	memcpy(out + 1, doc + off, len);
	out[1 + len] = 0;
	return true;
}
