/* SPDX-License-Identifier: MIT */
/*
 * Virtual machines. A VM owns its guest memory, its second-level tables
 * (hw), its buses and devices, and its vCPUs, each pinned to one physical
 * CPU. Field owners: (c) set at creation, read-only after start; (v) any
 * vCPU of this VM, under vm->lock; (a) atomics.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include "arch/x86/percpu.h"
#include "arch/x86/virt.h"
#include "kernel/config.h"
#include "kernel/module.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "vmm/bus.h"
#include "vmm/gmem.h"
#include "vmm/loader.h"

#define VM_MAX 8
#define VM_MAX_VCPUS 16
#define VM_PIO_PORTS 0x10000 /* the x86 I/O space */

struct vcpu;
struct vm_devices;
struct console_in;
struct con_ring;
struct pci_bus;
struct iommu_domain;
struct passthru_fn;
struct virtio_guest;

enum vm_state {
	VM_CREATED,
	VM_RUNNING,
	VM_STOPPED,
};

struct vm {
	struct vm_hw hw;             /* (c) second-level tables */
	char name[CFG_NAME_MAX];     /* (c) */
	u32 id;                      /* (c) 0-based */
	struct gmem mem;             /* (c) */
	struct bus pio, mmio;        /* (c) */
	u8 *pio_index;               /* (c) the PIO bus's port index (bus_set_index) */
	bool uart_pt;                /* (c) uart = passthrough (vmm/dev/uart_pt.h) */
	struct vm_devices *dev;      /* (c) device models */
	struct console_in *con_in;   /* (c) pointer; contents [dev_lock]:
					console input not yet in the guest */
	struct con_ring *con_out;    /* (c) pointer; contents [console_route.c's
					lock]: output kept while out of focus */
	struct pci_bus *pci;         /* (c) the virtual PCI bus (vmm/pci/pci.h) */
	/* (c) passed-through functions (vmm/pci/passthru.h) and the IOMMU
	 * domain mapping this VM's RAM for them; released by the final stop */
	struct iommu_domain *dma;
	struct passthru_fn *passthru[4];
	u32 npassthru;
	struct virtio_guest *virtio; /* (c) its virtio devices, NULL if none */
	u32 nvcpus;                  /* (c) */
	struct vcpu *vcpus[VM_MAX_VCPUS]; /* (c) */
	bool console_owner;          /* (c) output unprefixed */
	volatile u32 state;          /* (a) enum vm_state */
	volatile u32 vcpus_live;     /* (a) vCPU loops not yet returned */
	spinlock_t lock;             /* state changes (stop); vcpu.stuck */
	spinlock_t dev_lock;         /* device models: every bus access and
					each input or timer event into them */
	struct percpu *volatile dev_bus_cpu; /* [dev_lock] the CPU inside a bus
					access (a device may stop the VM
					from there), NULL outside */
	struct vcpu_state boot;      /* (c) where vCPU 0 starts */
	char cmdline[CFG_CMDLINE_MAX]; /* (c) the guest's command line */
	u64 cpus;                    /* (c) physical CPUs, bit n = CPU n */
	/* (c) the images, loaded again at each reset; names point into
	 * image_names */
	struct loader_file kernel, initrd;
	char image_names[2][CFG_FILE_MAX];
	/* Platform reset: (a) pending from the request until vCPU 0 has
	 * rebooted the VM; parked counts the other vCPUs back in their INIT
	 * state; resets and reset_reason are vCPU 0's, under the handshake. */
	volatile u32 reset_pending;
	volatile u32 reset_parked;
	const char *volatile reset_reason;
	u32 resets;
	/* on_stop = restart: (c) the config's choice and limit; under
	 * vm->lock from a stop until vCPU 0's vm_reboot: restart_pending;
	 * restarts_done by the one vm_stop() that set restart_pending */
	bool restart_on_stop;
	u32 max_restarts;
	bool restart_pending;
	u32 restarts_done;
	u64 boot_tsc;                /* vCPU 0's: TSC at this boot's first entry */
	/* [console_route.c's lock] console line buffer when the console is
	 * shared; the owner's held line start (up to "hv:") */
	char line[128];
	unsigned line_len;
};

extern const struct vcpu_ops *vm_ops; /* the back-end in use */

/* Create every guest in @cfg (memory, tables, devices, image). Returns
 * how many were created; failures are logged and the guest skipped. */
unsigned vm_create_all(const struct config *cfg, const struct boot_module *mods,
		       unsigned nmods, const struct vcpu_ops *ops);

/* Start the vCPUs of every created VM on their CPUs; this CPU runs its own
 * vCPU if it has one, and returns when every VM has stopped. */
void vm_run_all(void);

/*
 * Stop @vm: log "hv: guest <name> stop <reason>", its exit statistics and
 * "hv: mem free <KiB> KiB at guest <name> stop" once, and make every vCPU of
 * it leave its loop. With on_stop = restart and restarts left (and unless
 * the reason is final: poweroff, reset-failed, ...) the VM is reset
 * instead (vm_request_reset, reason "restart"): its vCPUs stay in their
 * loops, and a vCPU whose exit handler returned EXIT_STOP carries on.
 */
void vm_stop(struct vm *vm, const char *fmt, ...) __printf(2, 3);

bool vm_running(const struct vm *vm);

/* The VMs created, in config order (vm_at() is NULL past the end). */
unsigned vm_count(void);
struct vm *vm_at(unsigned i);

/* Ask every vCPU of every VM to print its state (Ctrl-T r). */
void vm_dump_all(void);

/*
 * A platform reset (the reset register, the 8042, port 0x92), safe to call
 * from a device model under dev_lock: every vCPU is asked to reset
 * (VCPU_REQ_RESET). The others go back to their INIT state; vCPU 0 waits
 * for them and calls vm_reboot(). Further requests until then are merged.
 */
void vm_request_reset(struct vm *vm, const char *reason);

/*
 * On vCPU 0 with every other vCPU parked: put the VM back to its power-on
 * state (device models reset, CMOS RAM and the clock kept; RAM cleared;
 * ACPI tables and images loaded again into vm->boot) and log "hv: guest
 * <name> reset <reason> count <n>". False, with the VM stopped, when the
 * images no longer load.
 */
bool vm_reboot(struct vm *vm);

/* Guest console output from a device model. */
void vm_console_putc(struct vm *vm, char c);

/* Show one byte of @vm's console output, unprefixed (@raw) or in whole
 * lines after its name; only under console_route.c's lock
 * (console_route_out, the replay). */
void vm_console_emit(struct vm *vm, char c, bool raw);

/* Let @vm's vCPUs reach host ports [@port, @port + @count) without an exit
 * (a port range given to it, uart = passthrough), where the back-end can;
 * before the vCPUs start. False when out of memory. */
bool vm_io_direct(struct vm *vm, u16 port, u16 count);

/* Access region @r that bus_find() gave (the buses are constant once the
 * VM is built, so a region found without the lock stays), serialized
 * with the VM's other device users under dev_lock, unless the region is
 * lockless (bus_set_lockless). For exit handlers only: they run with
 * interrupts off (the vCPU loop's), so the lock is taken without saving
 * and clearing RFLAGS.IF (interrupt handlers take dev_lock too: a caller
 * with interrupts on would deadlock against them). Inline: a port exit's
 * whole path. */
static inline __attribute__((always_inline)) void
vm_region_access_inline(struct vm *vm, const struct bus_region *r, u64 addr, unsigned size,
			bool write, u64 *val)
{
	if (r->lockless) {
		if (write)
			bus_region_write(r, addr, size, *val);
		else
			*val = bus_region_read(r, addr, size);
		return;
	}
	spin_lock(&vm->dev_lock);
	vm->dev_bus_cpu = this_cpu();
	if (write)
		bus_region_write(r, addr, size, *val);
	else
		*val = bus_region_read(r, addr, size);
	vm->dev_bus_cpu = NULL;
	spin_unlock(&vm->dev_lock);
}

/* The same out of line. */
void vm_region_access(struct vm *vm, const struct bus_region *r, u64 addr, unsigned size,
		      bool write, u64 *val);

/* Bus access from an exit handler, as vm_region_access() for the region
 * claiming the address. Returns false when nothing claims it (reads give
 * all-ones). */
static inline __attribute__((always_inline)) bool vm_bus_read(struct vm *vm, struct bus *b, u64 addr,
							       unsigned size, u64 *val)
{
	const struct bus_region *r = bus_find(b, addr, size); /* constant buses */

	if (!r) {
		*val = bus_all_ones(size);
		return false;
	}
	vm_region_access_inline(vm, r, addr, size, false, val);
	return true;
}

static inline __attribute__((always_inline)) bool vm_bus_write(struct vm *vm, struct bus *b, u64 addr,
								unsigned size, u64 val)
{
	const struct bus_region *r = bus_find(b, addr, size);

	if (!r)
		return false;
	vm_region_access_inline(vm, r, addr, size, true, &val);
	return true;
}

/*
 * Host MMIO straight into @vm's stage 2 (a passed-through BAR): map guest
 * [gpa, gpa + size) to host [hpa, ...) uncached, read/write, no execute;
 * or unmap it, after which every vCPU drops what it cached of it before
 * its next guest instruction (VCPU_REQ_S2FLUSH). Serialized by the
 * caller (the VM's dev_lock: bus accesses); the tables are the VM's.
 */
bool vm_map_mmio(struct vm *vm, u64 gpa, u64 hpa, u64 size);
void vm_unmap_mmio(struct vm *vm, u64 gpa, u64 size);

/*
 * Console input for @vm: the one way input reaches a guest's console
 * device (console_in.h: buffered, CONSOLE_IN_BUF bytes, passed on as the
 * device takes it). Returns how many of the @len bytes were taken (fewer
 * when the buffer is full: the caller keeps the rest); 0 when @vm is not
 * running.
 */
u32 vm_console_input(struct vm *vm, const u8 *buf, u32 len);

/* Bytes vm_console_input() would take now, at least (read without the
 * lock; only CPU 0's console poll may add input). */
u32 vm_console_input_room(struct vm *vm);

/*
 * Read the hypervisor console and route it through the multiplexer
 * (vmm/console_route.c, keys in vmm/conmux.h): to the focused guest (the
 * first guest of the config until the user picks another), or to the
 * monitor. CPU 0 calls this between guest entries and while idle; it
 * polls at most every VM_CONSOLE_POLL_US and returns the TSC time of the
 * next poll (for the caller's wake-up timer). When the console UART
 * interrupts on input (console_irq_init), it polls at once after the
 * interrupt, every VM_CONSOLE_POLL_US while input flows, and otherwise
 * only every VM_CONSOLE_IDLE_POLL_US.
 */
#define VM_CONSOLE_POLL_US 1000
#define VM_CONSOLE_IDLE_POLL_US 50000
u64 vm_console_poll(void);

#endif
