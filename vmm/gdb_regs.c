// SPDX-License-Identifier: MIT
/*
 * The GDB stub's register files (gdb_regs.h): x86-64 and i386, each a
 * target description and snapshot <-> hex for each register number.
 * Both describe the registers as the x86-64 numbering does (enum
 * gdb_regno), i386 without r8-r15 and with 32-bit general registers, EIP
 * and segment bases. GDB's i386 and amd64 architectures check that the
 * org.gnu.gdb.i386.core feature has the x87 registers too (st0-st7,
 * fctrl-fop), so they are described and always read as unavailable
 * ("xx").
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
#define GPR32(name) REG(name, 32, "int32", "")
#define SEL(name) REG(name, 32, "int32", "")
#define X87(name) REG(name, 32, "int", " group=\"float\"")
#define SYS(name) REG(name, 64, "uint64", " group=\"system\"")

#define XML_HEAD(arch)                                                          \
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"      \
	"<target version=\"1.0\"><architecture>" arch "</architecture>"            \
	"<feature name=\"org.gnu.gdb.i386.core\">"                                 \
	"<flags id=\"i386_eflags\" size=\"4\">"                                    \
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"PF\" start=\"2\" end=\"2\"/>" \
	"<field name=\"AF\" start=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/>" \
	"<field name=\"SF\" start=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/>" \
	"<field name=\"IF\" start=\"9\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/>" \
	"<field name=\"OF\" start=\"11\" end=\"11\"/><field name=\"NT\" start=\"14\" end=\"14\"/>" \
	"<field name=\"RF\" start=\"16\" end=\"16\"/><field name=\"VM\" start=\"17\" end=\"17\"/>" \
	"<field name=\"AC\" start=\"18\" end=\"18\"/><field name=\"ID\" start=\"21\" end=\"21\"/>" \
	"</flags>"

#define XML_SEGS_X87                                                            \
	SEL("cs") SEL("ss") SEL("ds") SEL("es") SEL("fs") SEL("gs")                 \
	REG("st0", 80, "i387_ext", "") REG("st1", 80, "i387_ext", "")               \
	REG("st2", 80, "i387_ext", "") REG("st3", 80, "i387_ext", "")               \
	REG("st4", 80, "i387_ext", "") REG("st5", 80, "i387_ext", "")               \
	REG("st6", 80, "i387_ext", "") REG("st7", 80, "i387_ext", "")               \
	X87("fctrl") X87("fstat") X87("ftag") X87("fiseg") X87("fioff") X87("foseg") \
	X87("fooff") X87("fop")                                                     \
	"</feature>"

#define XML_CONTROL                                                             \
	"<feature name=\"org.hv.x86.control\">"                                    \
	SYS("cr0") SYS("cr2") SYS("cr3") SYS("cr4") SYS("cr8") SYS("efer")          \
	"</feature></target>"

static const char xml_amd64[] =
	XML_HEAD("i386:x86-64")
	GPR("rax") GPR("rbx") GPR("rcx") GPR("rdx") GPR("rsi") GPR("rdi")
	REG("rbp", 64, "data_ptr", "") REG("rsp", 64, "data_ptr", "")
	GPR("r8") GPR("r9") GPR("r10") GPR("r11") GPR("r12") GPR("r13") GPR("r14") GPR("r15")
	REG("rip", 64, "code_ptr", "") REG("eflags", 32, "i386_eflags", "")
	XML_SEGS_X87
	"<feature name=\"org.gnu.gdb.i386.segments\">"
	REG("fs_base", 64, "int", "") REG("gs_base", 64, "int", "")
	"</feature>"
	XML_CONTROL;

static const char xml_i386[] =
	XML_HEAD("i386")
	GPR32("eax") GPR32("ebx") GPR32("ecx") GPR32("edx") GPR32("esi") GPR32("edi")
	REG("ebp", 32, "data_ptr", "") REG("esp", 32, "data_ptr", "")
	REG("eip", 32, "code_ptr", "") REG("eflags", 32, "i386_eflags", "")
	XML_SEGS_X87
	XML_CONTROL;

/*
 * An architecture's register n as the register it is (enum gdb_regno,
 * the x86-64 numbering): i386 has no r8-r15, and no segments feature
 * (gdb 13's i386 numbers fs_base/gs_base beyond its register count
 * unless the AVX-512 and PKU features come too, and fails an assertion).
 */
#define I386_NO_R8 (GDB_R15 - GDB_R8 + 1)
#define I386_NO_BASES 2
const struct gdb_arch gdb_arch_amd64 = { xml_amd64, GDB_NREGS, true };
const struct gdb_arch gdb_arch_i386 = { xml_i386, GDB_NREGS - I386_NO_R8 - I386_NO_BASES,
					false };

static unsigned role(const struct gdb_arch *a, unsigned n)
{
	if (a->wide || n < GDB_R8)
		return n;
	n += I386_NO_R8;
	return n < GDB_FS_BASE ? n : n + I386_NO_BASES;
}

const struct gdb_arch *gdb_arch_for(const struct vcpu_snap *s)
{
	return (s->regs[REG_EFER] & EFER_LMA) ? &gdb_arch_amd64 : &gdb_arch_i386;
}

/* GDB's order of the general registers, in x86 encoding numbers. */
static const u8 gpr_of[16] = { GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI,
			       GPR_RBP, GPR_RSP, GPR_R8, GPR_R9, GPR_R10, GPR_R11,
			       GPR_R12, GPR_R13, GPR_R14, GPR_R15 };
static const u8 seg_of[6] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };
static const u8 cr_of[6] = { REG_CR0, REG_CR2, REG_CR3, REG_CR4, 0xff /* cr8 */, REG_EFER };

/* The size of role @n (enum gdb_regno) in @a's layout. */
static unsigned role_size(const struct gdb_arch *a, unsigned n)
{
	if (n <= GDB_RIP || n == GDB_FS_BASE || n == GDB_GS_BASE)
		return a->wide ? 8 : 4;
	if (n > GDB_GS_BASE && n < GDB_NREGS)
		return 8;
	if (n >= GDB_ST0 && n < GDB_FCTRL)
		return 10;
	return n < GDB_NREGS ? 4 : 0;
}

unsigned gdb_regs_size(const struct gdb_arch *a, unsigned n)
{
	return n < a->nregs ? role_size(a, role(a, n)) : 0;
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

unsigned gdb_regs_read(const struct gdb_arch *a, const struct vcpu_snap *s, unsigned n,
			char *out)
{
	unsigned size = gdb_regs_size(a, n);
	u64 v;

	if (!size)
		return 0;
	if (!value(s, role(a, n), &v)) {
		memset(out, 'x', 2 * size);
		return 2 * size;
	}
	gdb_rsp_hex((const u8 *)&v, size, out);
	return 2 * size;
}

unsigned gdb_regs_read_all(const struct gdb_arch *a, const struct vcpu_snap *s, char *out)
{
	unsigned len = 0;

	for (unsigned n = 0; n < a->nregs; n++)
		len += gdb_regs_read(a, s, n, out + len);
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

bool gdb_regs_write(const struct gdb_arch *a, struct vcpu_snap *s, unsigned n, const char *hex)
{
	unsigned size = gdb_regs_size(a, n);
	u8 b[10];
	u64 v = 0, old;

	if (!size || strlen(hex) != 2 * size)
		return false;
	n = role(a, n);
	if (!value(s, n, &old))
		return true; /* x87: the stub keeps no such state; ignored */
	if (!gdb_rsp_unhex(hex, size, b))
		return false;
	memcpy(&v, b, size);
	if (size == 4 && role_size(&gdb_arch_amd64, n) == 8 && n != GDB_RIP)
		v |= old & ~0xffffffffULL; /* a 32-bit view: the upper half stays */
	return store(s, n, v);
}

bool gdb_regs_write_all(const struct gdb_arch *a, struct vcpu_snap *s, const char *hex, u32 len)
{
	struct vcpu_snap t = *s;
	char one[21];
	u32 at = 0;

	for (unsigned n = 0; n < a->nregs && at < len; n++) {
		unsigned w = 2 * gdb_regs_size(a, n);

		if (at + w > len)
			return false;
		memcpy(one, hex + at, w);
		one[w] = 0;
		at += w;
		if (role(a, n) >= GDB_ST0 && role(a, n) <= GDB_FOP)
			continue; /* x87: not kept, whatever gdb holds */
		if (!gdb_regs_write(a, &t, n, one))
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
