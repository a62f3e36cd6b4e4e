// SPDX-License-Identifier: MIT
/*
 * The monitor (monitor.h): the line editor, and each command of moncmd.h
 * carried out on the VMs. Output lines start with the command's name and
 * use "key value" pairs, so that a script can grep them.
 */
#include "arch/x86/smp.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/pgtable.h"
#include "kernel/format.h"
#include "kernel/log.h"
#include "kernel/platform.h"
#include "kernel/string.h"
#include "vmm/exit.h"
#include "vmm/gmem.h"
#include "vmm/moncmd.h"
#include "vmm/monitor.h"
#include "vmm/trace.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define SNAP_WAIT_MS 1000

static char line[MONCMD_LINE_MAX];
static unsigned line_len;
static u8 last_key;

static void out(const char *fmt, ...) __printf(1, 2);
static void out(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	n = MIN(n, (int)sizeof(buf) - 2);
	buf[n++] = '\n';
	log_write(buf, (size_t)n);
}

void monitor_enter(void)
{
	line_len = 0;
	log_write("hv> ", 4);
}

void monitor_key(u8 c)
{
	u8 prev = last_key;

	last_key = c;
	if (c == '\n' && prev == '\r')
		return; /* CR LF: one Enter */
	if (c == '\r' || c == '\n') {
		log_write("\n", 1);
		line[line_len] = 0;
		monitor_exec(line);
		monitor_enter();
	} else if ((c == 0x7f || c == '\b') && line_len) {
		line_len--;
		log_write("\b \b", 3);
	} else if (c >= 0x20 && c < 0x7f && line_len + 1 < sizeof(line)) {
		line[line_len++] = (char)c;
		log_write((const char *)&c, 1);
	}
}

/* The guest named @name, or the first guest for "". */
static struct vm *find_vm(const char *name)
{
	for (unsigned i = 0; i < vm_count(); i++)
		if (!name[0] || !strcmp(vm_at(i)->name, name))
			return vm_at(i);
	out("error no guest %s", name[0] ? name : "(none configured)");
	return NULL;
}

static struct vcpu *find_vcpu(struct vm *vm, u32 id)
{
	if (id < vm->nvcpus)
		return vm->vcpus[id];
	out("error guest %s has no vcpu %u", vm->name, id);
	return NULL;
}

static const char *vcpu_state_name(struct vcpu *v)
{
	if (!vm_running(v->vm))
		return "stopped";
	if (v->paused)
		return "paused";
	if (v->wait_sipi)
		return "wait-sipi";
	return v->halted ? "halted" : "running";
}

/*
 * Fresh registers of @v in v->snap, and the translation of @gva: on this
 * CPU directly when @v is the vCPU running here, else by a request to its
 * CPU with a bounded wait (a stopped VM's vCPUs answer no more).
 */
bool monitor_snapshot(struct vcpu *v, u64 gva)
{
	u32 seq = __atomic_load_n(&v->snap_seq, __ATOMIC_ACQUIRE);
	u64 end;

	v->snap.gva = gva;
	if (vcpu_current() == v) {
		vcpu_snapshot(v);
		return true;
	}
	if (!vm_running(v->vm) || v->pcpu == smp_this_cpu()) {
		out("error guest %s vcpu %u is not running", v->vm->name, v->id);
		return false;
	}
	vcpu_request(v, VCPU_REQ_SNAP);
	end = rdtsc() + SNAP_WAIT_MS * tsc_khz();
	while (__atomic_load_n(&v->snap_seq, __ATOMIC_ACQUIRE) == seq)
		if (rdtsc() > end) {
			out("error guest %s vcpu %u did not answer", v->vm->name, v->id);
			return false;
		}
	return true;
}

static void cmd_help(void)
{
	static const char *const lines[] = {
		"help: guests | vcpus [guest] | regs [guest] [vcpu] | platform",
		"help: exits [guest] | exits reset [guest]",
		"help: trace [guest] [vcpu] [n] | trace on | trace off",
		"help: mem guest gva|gpa ADDR LEN | translate guest GVA (hex addresses)",
		"help: pause|resume|reset|stop guest | loglevel 0-3",
		"help: keys: Ctrl-T 1..9 a guest, Ctrl-T a all, Ctrl-T m monitor, Ctrl-T r registers",
	};

	for (unsigned i = 0; i < ARRAY_SIZE(lines); i++)
		out("%s", lines[i]);
}

static void cmd_guests(void)
{
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_at(i);
		u64 exits = 0;
		u32 paused = 0;

		for (u32 j = 0; j < vm->nvcpus; j++) {
			exits += vm->vcpus[j]->exits_total;
			paused += vm->vcpus[j]->paused;
		}
		out("guests %s id %u state %s vcpus %u cpumask 0x%llx mem-mib %llu exits %llu resets %u",
		    vm->name, vm->id,
		    !vm_running(vm) ? "stopped" : paused == vm->nvcpus ? "paused" : "running",
		    vm->nvcpus, (unsigned long long)vm->cpus,
		    (unsigned long long)(vm->mem.ram_size >> 20), (unsigned long long)exits,
		    vm->resets);
	}
}

static void cmd_vcpus(struct vm *only)
{
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_at(i);

		if (only && vm != only)
			continue;
		for (u32 j = 0; j < vm->nvcpus; j++) {
			struct vcpu *v = vm->vcpus[j];

			out("vcpus %s %u cpu %u state %s exits %llu", vm->name, v->id, v->pcpu,
			    vcpu_state_name(v), (unsigned long long)v->exits_total);
		}
	}
}

static void regs_line(const char *pfx, const char *const *names, const u64 *vals, unsigned n)
{
	char buf[200];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "%s", pfx);

	for (unsigned i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s %016llx", names[i],
					(unsigned long long)vals[i]);
	out("%s", buf);
}

static void cmd_regs(struct vcpu *v)
{
	static const char *const gpr[NR_GPRS] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp",
		"rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	static const char *const seg[NR_SEGS] = { "es", "cs", "ss", "ds", "fs", "gs", "ldtr",
		"tr", "gdtr", "idtr" };
	static const char *const ctl[] = { "rip", "rflags", "cr0", "cr2", "cr3", "cr4", "efer",
					   "dr7", "dr0", "dr1", "dr2", "dr3", "dr6" };
	static const u8 dr[] = { REG_DR0, REG_DR1, REG_DR2, REG_DR3, REG_DR6 };
	const struct vcpu_snap *s = &v->snap;
	u64 c[ARRAY_SIZE(ctl)];
	char pfx[64];

	if (!monitor_snapshot(v, 0))
		return;
	snprintf(pfx, sizeof(pfx), "regs %s %u", v->vm->name, v->id);
	for (unsigned i = 0; i < NR_GPRS; i += 4)
		regs_line(pfx, gpr + i, s->gprs + i, 4);
	c[0] = s->regs[REG_RIP];
	c[1] = s->regs[REG_RFLAGS];
	c[2] = s->regs[REG_CR0];
	c[3] = s->regs[REG_CR2];
	c[4] = s->regs[REG_CR3];
	c[5] = s->regs[REG_CR4];
	c[6] = s->regs[REG_EFER];
	c[7] = s->regs[REG_DR7];
	for (unsigned i = 0; i < ARRAY_SIZE(dr); i++)
		c[8 + i] = s->regs[dr[i]]; /* the guest's own, also under gdb */
	regs_line(pfx, ctl, c, 4);
	regs_line(pfx, ctl + 4, c + 4, 4);
	regs_line(pfx, ctl + 8, c + 8, 5);
	for (unsigned i = 0; i < NR_SEGS; i++)
		out("%s %s sel %04x base %016llx limit %08x attr %04x", pfx, seg[i], s->segs[i].sel,
		    (unsigned long long)s->segs[i].base, s->segs[i].limit, s->segs[i].attr);
	out("%s state %s irr-top %d isr-top %d tpr %x", pfx,
	    s->wait_sipi ? "wait-sipi" : s->halted ? "halted" : "running", s->irr_top, s->isr_top,
	    s->tpr);
}

static void cmd_exits(struct vm *vm)
{
	u64 count[NR_EXIT_CODES] = { 0 }, ticks[NR_EXIT_CODES] = { 0 }, total = 0;
	u64 samples[NR_EXIT_CODES] = { 0 };

	for (u32 j = 0; j < vm->nvcpus; j++)
		for (u32 c = 0; c < NR_EXIT_CODES; c++) {
			count[c] += vm->vcpus[j]->exits[c];
			ticks[c] += vm->vcpus[j]->exit_ticks[c];
			samples[c] += vm->vcpus[j]->exit_samples[c];
		}
	for (u32 c = 0; c < NR_EXIT_CODES; c++) {
		total += count[c];
		if (count[c])
			out("exits %s %s count %llu avg-ticks %llu", vm->name, exit_name(c),
			    (unsigned long long)count[c],
			    (unsigned long long)(samples[c] ? ticks[c] / samples[c] : 0));
	}
	out("exits %s total %llu", vm->name, (unsigned long long)total);
}

static void cmd_exits_reset(struct vm *only)
{
	for (unsigned i = 0; i < vm_count(); i++) {
		struct vm *vm = vm_at(i);

		if (only && vm != only)
			continue;
		for (u32 j = 0; j < vm->nvcpus; j++)
			vcpu_request(vm->vcpus[j], VCPU_REQ_EXITS_RESET);
		out("exits %s reset requested", vm->name);
	}
}

static void cmd_trace(struct vm *vm, const struct moncmd *c)
{
	for (u32 j = 0; j < vm->nvcpus; j++)
		if (!c->has_vcpu || c->vcpu == j)
			trace_dump(&vm->vcpus[j]->trace, vm->name, j, c->n);
	if (c->has_vcpu && c->vcpu >= vm->nvcpus)
		out("error guest %s has no vcpu %u", vm->name, c->vcpu);
	if (!trace_on)
		out("trace is off (trace on)");
}

static void hexdump(const char *what, u64 addr, const u8 *p, u32 len)
{
	char buf[120];

	for (u32 off = 0; off < len; off += 16) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "mem %s %016llx:", what,
					    (unsigned long long)(addr + off));

		for (u32 i = off; i < len && i < off + 16; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %02x", p[i]);
		out("%s", buf);
	}
}

/* Guest-physical of @gva through the page tables of vCPU 0. */
static bool gva_to_gpa(struct vm *vm, u64 gva, u64 *gpa)
{
	struct vcpu *v = vm->vcpus[0];

	if (!monitor_snapshot(v, gva))
		return false;
	if (!v->snap.gva_ok) {
		out("error %s gva %llx not mapped", vm->name, (unsigned long long)gva);
		return false;
	}
	*gpa = v->snap.gpa;
	return true;
}

static void cmd_mem(struct vm *vm, const struct moncmd *c)
{
	static u8 buf[MONCMD_MEM_MAX];
	u32 done = 0;

	while (done < c->len) {
		u64 a = c->addr + done, gpa = a;
		u32 chunk = MIN(c->len - done, 4096 - (u32)(a & 4095));

		if (c->gva && !gva_to_gpa(vm, a, &gpa))
			return;
		if (!gmem_read(&vm->mem, gpa, buf + done, chunk)) {
			out("error %s gpa %llx is not RAM", vm->name, (unsigned long long)gpa);
			return;
		}
		done += chunk;
	}
	hexdump(c->gva ? "gva" : "gpa", c->addr, buf, c->len);
}

#define PTE_P 1ULL
#define PTE_PS (1ULL << 7)
#define CR0_PG (1ULL << 31)
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define EFER_LMA (1ULL << 10)

/* The guest's paging mode (SDM Vol. 3A §4.1.1): levels, entry size, and
 * the top table's address from CR3. */
struct walk_mode {
	const char *name;
	int levels;
	unsigned esize;
	u64 table, addr_mask;
};

static bool walk_mode(const struct vcpu_snap *s, struct walk_mode *m)
{
	u64 cr3 = s->regs[REG_CR3], cr4 = s->regs[REG_CR4];

	if (!(s->regs[REG_CR0] & CR0_PG))
		return false;
	if (!(cr4 & CR4_PAE))
		*m = (struct walk_mode){ "32-bit", 2, 4, cr3 & 0xfffff000, 0xfffff000 };
	else if (!(s->regs[REG_EFER] & EFER_LMA))
		*m = (struct walk_mode){ "pae", 3, 8, cr3 & 0xffffffe0, 0x000ffffffffff000ULL };
	else
		*m = (struct walk_mode){ (cr4 & CR4_LA57) ? "5-level" : "4-level",
					 (cr4 & CR4_LA57) ? 5 : 4, 8, cr3 & 0x000ffffffffff000ULL,
					 0x000ffffffffff000ULL };
	return true;
}

/* Each level of the guest's walk of @gva, as the guest's tables say
 * (§4.3-4.5; presence and page size only). */
static void print_walk(struct vm *vm, const struct walk_mode *m, u64 gva, bool pse)
{
	u64 table = m->table;

	for (int l = m->levels; l >= 1; l--) {
		unsigned shift = m->esize == 4 ? 12 + 10 * (unsigned)(l - 1) : 12 + 9 * (unsigned)(l - 1);
		u64 mask = m->esize == 4 ? 0x3ff : (m->levels == 3 && l == 3) ? 3 : 0x1ff;
		u64 at = table + ((gva >> shift) & mask) * m->esize, e = 0;
		bool large;

		if (!gmem_read(&vm->mem, at, &e, m->esize)) {
			out("translate %s level %d entry-at %016llx not-ram", vm->name, l,
			    (unsigned long long)at);
			return;
		}
		large = l > 1 && (e & PTE_PS) && !(m->levels == 3 && l == 3) &&
			(m->esize == 8 || pse) && l <= 3;
		out("translate %s level %d entry-at %016llx entry %016llx%s", vm->name, l,
		    (unsigned long long)at, (unsigned long long)e,
		    !(e & PTE_P) ? " not-present" : large ? " large" : "");
		if (!(e & PTE_P) || large)
			return;
		table = e & m->addr_mask;
	}
}

/* The guest's walk, the result, then the second-level (EPT/NPT) walk. */
static void cmd_translate(struct vm *vm, u64 gva)
{
	struct vcpu *v = vm->vcpus[0];
	struct walk_mode m;
	u64 gpa, hpa, leaf;
	int level;

	if (!monitor_snapshot(v, gva))
		return;
	if (walk_mode(&v->snap, &m)) {
		out("translate %s paging %s cr3 %016llx", vm->name, m.name,
		    (unsigned long long)v->snap.regs[REG_CR3]);
		print_walk(vm, &m, gva, v->snap.regs[REG_CR4] & CR4_PSE);
	} else {
		out("translate %s paging off", vm->name);
	}
	if (!v->snap.gva_ok) {
		out("translate %s gva %016llx not-mapped", vm->name, (unsigned long long)gva);
		return;
	}
	gpa = v->snap.gpa;
	out("translate %s gva %016llx gpa %016llx %s", vm->name, (unsigned long long)gva,
	    (unsigned long long)gpa, gmem_ptr(&vm->mem, gpa, 1) ? "ram" : "not-ram");
	if (pt_lookup(&vm->hw.s2, gpa, &hpa, &leaf, &level))
		out("translate %s stage2 level %d entry %016llx hpa %016llx", vm->name, level,
		    (unsigned long long)leaf, (unsigned long long)hpa);
	else
		out("translate %s stage2 not-mapped", vm->name);
}

void monitor_pause(struct vm *vm, bool on)
{
	for (u32 j = 0; j < vm->nvcpus; j++) {
		vm->vcpus[j]->paused = on;
		vcpu_request(vm->vcpus[j], VCPU_REQ_INTR); /* leave the guest / wake */
	}
}

static void set_paused(struct vm *vm, bool on)
{
	monitor_pause(vm, on);
	out("%s %s", on ? "pause" : "resume", vm->name);
}

static void run_guest_op(const struct moncmd *c, struct vm *vm)
{
	switch (c->op) {
	case MON_VCPUS: cmd_vcpus(c->guest[0] ? vm : NULL); break;
	case MON_EXITS: cmd_exits(vm); break;
	case MON_EXITS_RESET: cmd_exits_reset(c->guest[0] ? vm : NULL); break;
	case MON_TRACE: cmd_trace(vm, c); break;
	case MON_MEM: cmd_mem(vm, c); break;
	case MON_TRANSLATE: cmd_translate(vm, c->addr); break;
	case MON_PAUSE: set_paused(vm, true); break;
	case MON_RESUME: set_paused(vm, false); break;
	case MON_RESET:
		out("reset %s", vm->name);
		vm_request_reset(vm, "monitor");
		break;
	case MON_STOP:
		out("stop %s", vm->name);
		vm_stop(vm, "monitor");
		break;
	case MON_REGS: {
		struct vcpu *v = find_vcpu(vm, c->has_vcpu ? c->vcpu : 0);

		if (v)
			cmd_regs(v);
		break;
	}
	default: break;
	}
}

bool monitor_exec(const char *text)
{
	struct moncmd c;
	const char *err;
	struct vm *vm;

	if (!moncmd_parse(text, &c, &err)) {
		out("error %s", err);
		return false;
	}
	switch (c.op) {
	case MON_EMPTY: return true;
	case MON_HELP: cmd_help(); return true;
	case MON_GUESTS: cmd_guests(); return true;
	case MON_TRACE_ON: case MON_TRACE_OFF:
		trace_on = c.op == MON_TRACE_ON;
		out("trace %s", trace_on ? "on" : "off");
		return true;
	case MON_LOGLEVEL:
		log_set_level(c.level);
		out("loglevel %d", c.level);
		return true;
	case MON_PLATFORM:
		if (!platform_report_again())
			out("error no platform report yet");
		return true;
	default:
		break;
	}
	vm = find_vm(c.guest);
	if (vm)
		run_guest_op(&c, vm);
	return vm != NULL;
}
