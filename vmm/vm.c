// SPDX-License-Identifier: MIT
/*
 * VM creation from the config, start on the guests' own CPUs, stop, and
 * the guest console (vm.h). Each guest gets one contiguous block of host
 * memory for its RAM; nothing else of the host is mapped into its
 * second-level tables.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"
#include "vmm/conmux.h"
#include "vmm/console_in.h"
#include "vmm/console_route.h"
#include "vmm/cpu_state.h"
#include "vmm/dev/devices.h"
#include "vmm/exit.h"
#include "vmm/dev/uart_pt.h"
#include "vmm/loader.h"
#include "vmm/vcpu.h"
#include "vmm/pci/passthru.h"
#include "vmm/virtio/virtio_guest.h"
#include "vmm/vm.h"

const struct vcpu_ops *vm_ops;

static struct vm *vms[VM_MAX];
static unsigned nr_vms;
static volatile u32 vms_running;
static u32 next_tag = 1;

static void *alloc_zeroed(u64 size)
{
	u64 pa = pmm_alloc(ALIGN_UP(size, PAGE_SIZE), PAGE_SIZE);

	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, ALIGN_UP(size, PAGE_SIZE));
	return phys_to_virt(pa);
}

#define IO_BITMAP_SIZE (3 * PAGE_SIZE) /* vm_hw.io_bitmap */

bool vm_io_direct(struct vm *vm, u16 port, u16 count)
{
	u8 *map;

	if (!vm->hw.io_bitmap) {
		u64 pa = pmm_alloc(IO_BITMAP_SIZE, PAGE_SIZE);

		if (!pa)
			return false;
		memset(phys_to_virt(pa), 0xff, IO_BITMAP_SIZE); /* every port exits */
		vm->hw.io_bitmap = pa;
	}
	map = phys_to_virt(vm->hw.io_bitmap);
	for (u32 p = port; p < (u32)port + count && p <= 0xffff; p++)
		map[p / 8] &= (u8)~(1u << (p % 8));
	return true;
}

static u64 stage2_table_alloc(void *ctx)
{
	void *p = alloc_zeroed(PAGE_SIZE);

	(void)ctx;
	return p ? virt_to_phys_direct(p) : 0;
}

bool vm_running(const struct vm *vm) { return vm->state == VM_RUNNING; }

unsigned vm_count(void) { return nr_vms; }

struct vm *vm_at(unsigned i) { return i < nr_vms ? vms[i] : NULL; }

static unsigned cpu_count(u64 mask)
{
	unsigned n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static bool check_cpus(const struct cfg_guest *g)
{
	for (unsigned c = 0; c < 64; c++) {
		if (!(g->cpus & (1ULL << c)))
			continue;
		if (!smp_cpu_online(c)) {
			printk(LOG_ERR, "config line %u: guest %s: cpu %u is not online", g->line, g->name, c);
			return false;
		}
		if (!virt_cpu_ready(c)) {
			printk(LOG_ERR, "config line %u: guest %s: cpu %u cannot run guests", g->line, g->name, c);
			return false;
		}
	}
	if (cpu_count(g->cpus) > VM_MAX_VCPUS) {
		printk(LOG_ERR, "config line %u: guest %s: more than %u cpus", g->line, g->name, VM_MAX_VCPUS);
		return false;
	}
	return true;
}

/* How stage 2 maps the guest's RAM: the second-level page sizes (a
 * CPU-bound guest is as fast as bare only with large pages). */
static void stage2_report(const struct vm *vm)
{
	u64 sum[3] = { 0, 0, 0 };

	for (unsigned i = 0; i < vm->mem.n; i++) {
		u64 b[3];

		pt_leaf_bytes(&vm->hw.s2, vm->mem.r[i].gpa, vm->mem.r[i].size, b);
		for (unsigned k = 0; k < 3; k++)
			sum[k] += b[k];
	}
	printk(LOG_INFO, "guest %s stage2 ram pages 1g %llu 2m %llu 4k %llu", vm->name,
	       (unsigned long long)(sum[2] >> 30), (unsigned long long)(sum[1] >> 21),
	       (unsigned long long)(sum[0] >> 12));
}

/* Guest RAM: 2 MiB aligned (1 GiB when large), so stage 2 uses big pages. */
static bool alloc_ram(struct vm *vm, u64 size, u32 line)
{
	u64 align = size >= GiB && (vm->hw.s2.large & PT_LARGE_1G) ? GiB : 2 * MiB;
	u64 hpa = pmm_alloc(size, align);

	if (!hpa && align == GiB)
		hpa = pmm_alloc(size, align = 2 * MiB);
	if (!hpa) {
		printk(LOG_ERR, "config line %u: guest %s: memory %llu MiB is too large (%llu MiB free)",
		       line, vm->name, (unsigned long long)(size >> 20),
		       (unsigned long long)(pmm_free_bytes() >> 20));
		return false;
	}
	memset(phys_to_virt(hpa), 0, size);
	gmem_layout(&vm->mem, size, hpa);
	return true;
}

static bool create_vcpus(struct vm *vm)
{
	for (unsigned c = 0; c < 64; c++) {
		struct vcpu *v;

		if (!(vm->cpus & (1ULL << c)))
			continue;
		v = alloc_zeroed(sizeof(*v));
		if (!v)
			return false;
		v->vm = vm;
		v->id = vm->nvcpus;
		v->pcpu = c;
		v->hw.vm = &vm->hw;
		v->hw.tag = next_tag++;
		vlapic_init(&v->lapic, v->id);
		v->dev_poll = true;
		vm->vcpus[vm->nvcpus++] = v;
	}
	return true;
}

static bool load_image(struct vm *vm, const struct cfg_guest *g,
		       const struct boot_module *mods, unsigned nmods)
{
	const struct boot_module *m = module_find(mods, nmods, g->kernel);
	const struct boot_module *rd = g->initrd[0] ? module_find(mods, nmods, g->initrd) : NULL;
	char err[128];

	if (!m || (g->initrd[0] && !rd)) {
		printk(LOG_ERR, "config line %u: guest %s: image '%s' is not loaded", g->line, g->name,
		       m ? g->initrd : g->kernel);
		return false;
	}
	hv_strlcpy(vm->image_names[0], g->kernel, sizeof(vm->image_names[0]));
	hv_strlcpy(vm->image_names[1], g->initrd, sizeof(vm->image_names[1]));
	vm->kernel = (struct loader_file){ phys_to_virt(m->base), m->size, vm->image_names[0] };
	vm->initrd = (struct loader_file){ rd ? phys_to_virt(rd->base) : NULL,
					   rd ? rd->size : 0, vm->image_names[1] };
	if (!loader_load(vm, &vm->kernel, rd ? &vm->initrd : NULL, &vm->boot, err,
			 sizeof(err))) {
		printk(LOG_ERR, "config line %u: guest %s: image '%s': %s", g->line, g->name, g->kernel, err);
		return false;
	}
	printk(LOG_DEBUG, "guest %s image '%s' %llu bytes loaded, entry 0x%llx, ram at host 0x%llx",
	       vm->name, g->kernel, (unsigned long long)m->size,
	       (unsigned long long)(vm->boot.segs[SEG_CS].base + vm->boot.regs[REG_RIP]),
	       (unsigned long long)vm->mem.host_base);
	return true;
}

/* The guest's console input buffer, feeding its COM1, and the ring that
 * keeps its output while another has the console (conmux.h). */
static bool console_in_create(struct vm *vm)
{
	struct console_sink sink;

	vm->con_in = alloc_zeroed(sizeof(*vm->con_in));
	vm->con_out = alloc_zeroed(sizeof(*vm->con_out));
	if (!vm->con_in || !vm->con_out) {
		printk(LOG_ERR, "guest %s: out of memory for its console input", vm->name);
		return false;
	}
	devices_console_sink(vm, &sink);
	console_in_init(vm->con_in, &sink);
	return true;
}

static struct vm *vm_create(const struct cfg_guest *g, u32 id,
			    const struct boot_module *mods, unsigned nmods)
{
	struct vm *vm;

	if (!check_cpus(g))
		return NULL;
	vm = alloc_zeroed(sizeof(*vm));
	if (!vm) {
		printk(LOG_ERR, "guest %s: out of memory", g->name);
		return NULL;
	}
	hv_strlcpy(vm->name, g->name, sizeof(vm->name));
	hv_strlcpy(vm->cmdline, g->cmdline, sizeof(vm->cmdline));
	vm->restart_on_stop = g->restart;
	vm->max_restarts = g->max_restarts;
	vm->id = vm->hw.id = id;
	vm->cpus = g->cpus;
	vm->pio.name = "pio";
	vm->mmio.name = "mmio";
	vm->uart_pt = g->uart_passthrough;
	vm->pio_index = alloc_zeroed(VM_PIO_PORTS);
	if (!vm->pio_index) {
		printk(LOG_ERR, "guest %s: out of memory", g->name);
		return NULL;
	}
	bus_set_index(&vm->pio, vm->pio_index, VM_PIO_PORTS);
	if (!pt_init(&vm->hw.s2, vm_ops->stage2_format, stage2_table_alloc, NULL))
		return NULL;
	if (vm_ops->stage2_1g())
		vm->hw.s2.large |= PT_LARGE_1G;
	if (!alloc_ram(vm, g->memory, g->line) || !gmem_map_stage2(vm) || !devices_init(vm) ||
	    !console_in_create(vm) ||
	    (g->pci_testdev && !devices_pci_testdev(vm)) ||
	    !virtio_guest_init(vm, g, mods, nmods) || !passthru_init(vm, g) ||
	    !bus_register(&vm->mmio, VLAPIC_BASE, PAGE_SIZE, vlapic_mmio_read,
			  vlapic_mmio_write, vm, "lapic") ||
	    !bus_set_lockless(&vm->mmio, VLAPIC_BASE) || /* as its MSRs */
	    !load_image(vm, g, mods, nmods) || !create_vcpus(vm)) {
		passthru_release(vm); /* functions already given go back, blocked */
		return NULL; /* what failed was logged; its memory is not reused */
	}
	if (vm->uart_pt && !uart_pt_hand_over(vm, g->uart_line)) {
		passthru_release(vm);
		return NULL;
	}
	return vm;
}

unsigned vm_create_all(const struct config *cfg, const struct boot_module *mods,
		       unsigned nmods, const struct vcpu_ops *ops)
{
	vm_ops = ops;
	for (u32 i = 0; i < cfg->nguests && nr_vms < VM_MAX; i++) {
		struct vm *vm = vm_create(&cfg->guests[i], nr_vms, mods, nmods);

		if (vm)
			vms[nr_vms++] = vm;
		else
			printk(LOG_ERR, "guest %s: not started", cfg->guests[i].name);
	}
	for (unsigned i = 0; i < nr_vms; i++)
		vms[i]->console_owner = nr_vms == 1;
	return nr_vms;
}

static void vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;

	if (!vm_ops->vcpu_init(&v->hw)) {
		vm_stop(vm, "vcpu-init-failed vcpu %u", v->id);
	} else if (v->id == 0) {
		vcpu_boot(v);
		vcpu_run(v);
	} else {
		struct vcpu_state s;

		cpu_state_real(&s, 0, 0);
		vm_ops->vcpu_load(&v->hw, &s);
		v->wait_sipi = true; /* until its BSP starts it */
		vcpu_run(v);
	}
	__atomic_sub_fetch(&vm->vcpus_live, 1, __ATOMIC_ACQ_REL);
}

static void cpu_list(u64 mask, char *buf, size_t len)
{
	int n = 0;

	buf[0] = 0;
	for (unsigned c = 0; c < 64; c++)
		if (mask & (1ULL << c))
			n += snprintf(buf + n, len - n, "%s%u", n ? "," : "", c);
}

static struct vcpu *start_vm(struct vm *vm)
{
	struct vcpu *mine = NULL;
	char cpus[64];

	cpu_list(vm->cpus, cpus, sizeof(cpus));
	vm->vcpus_live = vm->nvcpus;
	vm->state = VM_RUNNING;
	__atomic_add_fetch(&vms_running, 1, __ATOMIC_ACQ_REL);
	printk(LOG_INFO, "guest %s start cpus %s mem %llu", vm->name, cpus,
	       (unsigned long long)(vm->mem.ram_size >> 20));
	stage2_report(vm);
	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (v->pcpu == smp_this_cpu())
			mine = v;
		else if (!smp_run_on(v->pcpu, vcpu_thread, v))
			vm_stop(vm, "cpu-busy cpu %u", v->pcpu);
	}
	return mine;
}

void vm_run_all(void)
{
	struct vcpu *mine = NULL;

	for (unsigned i = 0; i < nr_vms; i++) {
		struct vcpu *v = start_vm(vms[i]);

		if (v)
			mine = v;
	}
	if (mine)
		vcpu_thread(mine);
	while (__atomic_load_n(&vms_running, __ATOMIC_ACQUIRE)) {
		lapic_timer_arm(vm_console_poll());
		asm volatile("sti; hlt; cli" ::: "memory");
	}
	lapic_timer_arm(0);
	/* Let every vCPU loop return before the machine goes away. */
	for (unsigned i = 0; i < nr_vms; i++)
		while (__atomic_load_n(&vms[i]->vcpus_live, __ATOMIC_ACQUIRE))
			asm volatile("sti; pause; cli" ::: "memory");
}

/* Reasons after which a guest is not restarted: it powered its machine
 * off, or it cannot run again. */
static bool stop_is_final(const char *reason)
{
	static const char *const final[] = { "poweroff", "reset-failed", "vcpu-init-failed",
					     "cpu-busy" };

	for (unsigned i = 0; i < ARRAY_SIZE(final); i++)
		if (!strncmp(reason, final[i], strlen(final[i])))
			return true;
	return false;
}

/* A stop the guest asked for (its exit device, ACPI power-off), or one
 * that says nothing about what the guest ran, carries no exit trace. */
static bool stop_wants_trace(const char *reason)
{
	static const char *const quiet[] = { "exit-device", "poweroff", "cpu-busy",
					     "vcpu-init-failed", "reset-failed" };

	for (unsigned i = 0; i < ARRAY_SIZE(quiet); i++)
		if (!strncmp(reason, quiet[i], strlen(quiet[i])))
			return false;
	return true;
}

#define STOP_TRACE_LINES 16

/*
 * The VGA text row the guest was writing when it stopped (vga_flush()),
 * printed like the console's unfinished line. A device model may stop the
 * VM from inside a bus access, dev_lock held on this CPU (the exit device,
 * the ACPI power-off): then the lock is already ours.
 */
static void flush_screen(struct vm *vm)
{
	bool held = __atomic_load_n(&vm->dev_bus_cpu, __ATOMIC_RELAXED) == this_cpu();
	u64 f = 0;

	if (!vm->dev)
		return;
	if (!held)
		f = spin_lock_irqsave(&vm->dev_lock);
	vga_flush(&vm->dev->vga);
	if (!held)
		spin_unlock_irqrestore(&vm->dev_lock, f);
}

/* The stop line and what goes with it: the guest's last text, the exits
 * that led to an abnormal stop on the vCPU that hit it, run time, exit
 * statistics and the host's free memory (a leak shows as a shrinking
 * figure over restarts). */
static void log_stop(struct vm *vm, const char *reason)
{
	struct vcpu *cur = vcpu_current();
	u64 ms;

	flush_screen(vm);
	if (vm->line_len || (console_route_raw(vm) && !log_at_line_start()))
		vm_console_putc(vm, '\n'); /* its half line ends before the stop's */
	printk(LOG_INFO, "guest %s stop %s", vm->name, reason);
	if (cur && cur->vm == vm && stop_wants_trace(reason))
		trace_dump(&cur->trace, vm->name, cur->id, STOP_TRACE_LINES);
	if (vm->boot_tsc && tsc_khz()) {
		ms = (rdtsc() - vm->boot_tsc) / tsc_khz();
		printk(LOG_INFO, "guest %s ran %llu.%03llu s since its %s", vm->name,
		       (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
		       vm->resets ? "last reset" : "first instruction");
	}
	exit_stats_log_vm(vm);
	for (u32 i = 0; i < vm->nvcpus; i++)
		exit_stats_log(vm->name, vm->vcpus[i]);
	virtio_guest_report(vm);
	printk(LOG_INFO, "mem free %llu KiB at guest %s stop",
	       (unsigned long long)(pmm_free_bytes() >> 10), vm->name);
}

enum stop_action { STOP_NONE, STOP_FINAL, STOP_RESTART };

/* Decide under the lock: stop for good, restart (on_stop = restart and
 * restarts left), or nothing when the VM is stopped or restarting. */
static enum stop_action stop_decide(struct vm *vm, const char *reason)
{
	u64 flags = spin_lock_irqsave(&vm->lock);
	enum stop_action what = STOP_FINAL;

	if (vm->state == VM_STOPPED || vm->restart_pending)
		what = STOP_NONE;
	else if (vm->restart_on_stop && vm->restarts_done < vm->max_restarts &&
		 !stop_is_final(reason))
		what = STOP_RESTART;
	if (what == STOP_RESTART)
		vm->restart_pending = true;
	else if (what == STOP_FINAL)
		vm->state = VM_STOPPED;
	spin_unlock_irqrestore(&vm->lock, flags);
	return what;
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	char reason[160];
	va_list ap;
	enum stop_action what;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	what = stop_decide(vm, reason);
	if (what == STOP_NONE)
		return;
	if (what == STOP_FINAL)
		uart_pt_take_back(vm); /* before the stop line: the log is held till then */
	log_stop(vm, reason);
	if (what == STOP_RESTART) {
		vm->restarts_done++;
		printk(LOG_INFO, "guest %s restart %u of %u", vm->name, vm->restarts_done,
		       vm->max_restarts);
		vm_request_reset(vm, "restart");
		return;
	}
	for (u32 i = 0; i < vm->nvcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_STOP);
	passthru_release(vm);
	if (!__atomic_sub_fetch(&vms_running, 1, __ATOMIC_ACQ_REL) && smp_this_cpu() != 0)
		smp_kick(0);
}

bool vm_map_mmio(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	return pt_map(&vm->hw.s2, gpa, hpa, size, PT_PROT_R | PT_PROT_W, PT_MEM_UC);
}

void vm_unmap_mmio(struct vm *vm, u64 gpa, u64 size)
{
	pt_unmap(&vm->hw.s2, gpa, size);
	for (u32 i = 0; i < vm->nvcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_S2FLUSH);
}

void vm_request_reset(struct vm *vm, const char *reason)
{
	if (__atomic_exchange_n(&vm->reset_pending, 1, __ATOMIC_ACQ_REL))
		return; /* one is under way */
	vm->reset_reason = reason;
	for (u32 i = 0; i < vm->nvcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_RESET);
}

bool vm_reboot(struct vm *vm)
{
	char err[128];
	u64 f = spin_lock_irqsave(&vm->lock);

	vm->restart_pending = false; /* a stop from now on is the new boot's */
	spin_unlock_irqrestore(&vm->lock, f);
	f = spin_lock_irqsave(&vm->dev_lock);
	devices_reset(vm);
	spin_unlock_irqrestore(&vm->dev_lock, f);
	memset(phys_to_virt(vm->mem.host_base), 0, vm->mem.host_size);
	vm->resets++;
	printk(LOG_INFO, "guest %s reset %s count %u", vm->name, vm->reset_reason, vm->resets);
	printk(LOG_INFO, "mem free %llu KiB at guest %s reset",
	       (unsigned long long)(pmm_free_bytes() >> 10), vm->name);
	if (!devices_firmware_tables(vm)) {
		vm_stop(vm, "reset-failed firmware tables");
		return false;
	}
	if (!loader_load(vm, &vm->kernel, vm->initrd.data ? &vm->initrd : NULL, &vm->boot, err,
			 sizeof(err))) {
		vm_stop(vm, "reset-failed image '%s': %s", vm->kernel.name, err);
		return false;
	}
	return true;
}

/*
 * The owner's bytes pass through, except that a line starting "hv:" (the
 * hypervisor's own prefix) gets "[<name>] " in front, so that no guest can
 * print a line a reader or a script takes for the hypervisor's. A line
 * starts where the console shows the byte at its left edge (after a line
 * feed, a carriage return, a line of the hypervisor's cutting in, or
 * another guest's output the focus left there: log_at_line_start()). The
 * first bytes of a line are held in vm->line until they match "hv:" or
 * cannot.
 */
static void console_owner_putc(struct vm *vm, char c)
{
	static const char hv[] = "hv:";
	char out[CFG_NAME_MAX + 8];
	int n;

	if (c == '\n' || c == '\r') {
		log_write(vm->line, vm->line_len);
		log_write(&c, 1);
		vm->line_len = 0;
		return;
	}
	if (!vm->line_len && !log_at_line_start()) {
		log_write(&c, 1);
		return;
	}
	vm->line[vm->line_len++] = c;
	if (c != hv[vm->line_len - 1]) {
		log_write(vm->line, vm->line_len);
	} else if (vm->line_len == sizeof(hv) - 1) {
		n = snprintf(out, sizeof(out), "[%s] %s", vm->name, hv);
		log_write(out, MIN((size_t)n, sizeof(out) - 1));
	} else {
		return; /* still a possible "hv:" */
	}
	vm->line_len = 0;
}

/* Raw: bytes pass through (console_owner_putc). Otherwise whole lines
 * with the guest's name in front. */
void vm_console_emit(struct vm *vm, char c, bool raw)
{
	char out[CFG_NAME_MAX + sizeof(vm->line) + 4];
	int n;

	if (raw) {
		console_owner_putc(vm, c);
		return;
	}
	if (c != '\n' && vm->line_len < sizeof(vm->line)) {
		vm->line[vm->line_len++] = c;
		return;
	}
	n = snprintf(out, sizeof(out), "[%s] %.*s\n", vm->name, (int)vm->line_len, vm->line);
	log_write(out, MIN((size_t)n, sizeof(out) - 1));
	vm->line_len = 0;
	if (c != '\n')
		vm->line[vm->line_len++] = c;
}

void vm_console_putc(struct vm *vm, char c)
{
	console_route_out(vm, c);
}

void vm_region_access(struct vm *vm, const struct bus_region *r, u64 addr, unsigned size,
		      bool write, u64 *val)
{
	vm_region_access_inline(vm, r, addr, size, write, val);
}

void vm_dump_all(void)
{
	printk(LOG_INFO, "state dump (Ctrl-T):");
	for (unsigned i = 0; i < nr_vms; i++)
		for (u32 j = 0; j < vms[i]->nvcpus; j++)
			vcpu_request(vms[i]->vcpus[j], VCPU_REQ_DUMP);
}

u32 vm_console_input(struct vm *vm, const u8 *buf, u32 len)
{
	u64 f;
	u32 n;

	if (!vm_running(vm))
		return 0;
	f = spin_lock_irqsave(&vm->dev_lock);
	n = console_in_push(vm->con_in, buf, len);
	spin_unlock_irqrestore(&vm->dev_lock, f);
	return n;
}

/* Without dev_lock: only this caller's CPU adds to the buffer, so the
 * room can only grow between this read and vm_console_input(), and the
 * console poll never waits for a busy guest's lock while nobody types. */
u32 vm_console_input_room(struct vm *vm)
{
	if (!vm_running(vm))
		return 0;
	return CONSOLE_IN_BUF - __atomic_load_n(&vm->con_in->count, __ATOMIC_RELAXED);
}
