// SPDX-License-Identifier: MIT
/* Placing the device models on a VM's buses (devices.h). */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"
#include "kernel/wallclock.h"
#include "vmm/acpi_tables.h"
#include "vmm/console_in.h"
#include "vmm/smbios.h"
#include "vmm/dev/debug_exit.h"
#include "vmm/dev/uart_pt.h"
#include "vmm/dev/devices.h"
#include "vmm/irq.h"
#include "vmm/pci/pci.h"
#include "vmm/pci/pci_testdev.h"
#include "vmm/vcpu.h"
#include "vmm/virtio/virtio_guest.h"
#include "vmm/vm.h"

#define COM1_PORT 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define FW_CFG_PORT 0x510
#define PIT_PORT 0x40
#define PIT_PORT_B 0x61
#define PIC_MASTER_PORT 0x20
#define PIC_SLAVE_PORT 0xa0
#define PIC_ELCR_PORT 0x4d0
#define RTC_PORT 0x70
#define KBC_DATA_PORT 0x60
#define KBC_CMD_PORT 0x64
#define PORT_A 0x92

/* The RTC's wall clock until the host's own RTC is read: 2024-01-01
 * 00:00:00 UTC at boot. */

static void com1_tx(void *ctx, u8 byte)
{
	vm_console_putc(ctx, (char)byte);
}

/* A text row the VGA finished (vga.h): one console line. */
static void vga_line(void *ctx, const char *text, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		vm_console_putc(ctx, text[i]);
	vm_console_putc(ctx, '\n');
}

static void com1_irq(void *ctx, bool level)
{
	vm_set_irq(ctx, IRQ_COM1, level);
}

/* COM1's receive FIFO has room: the guest's buffered input goes on. */
static void com1_rx_room(void *ctx)
{
	struct vm *vm = ctx;

	if (vm->con_in)
		console_in_feed(vm->con_in);
}

static unsigned com1_sink_room(void *dev) { return uart16550_rx_room(dev); }
static bool com1_sink_put(void *dev, u8 b) { return uart16550_receive(dev, b); }

void devices_console_sink(struct vm *vm, struct console_sink *s)
{
	s->room = com1_sink_room;
	s->put = com1_sink_put;
	s->dev = &vm->dev->com1;
}

static void pit_irq(void *ctx, bool level)
{
	vm_set_irq(ctx, IRQ_PIT, level);
}

static void rtc_irq(void *ctx, bool level)
{
	vm_set_irq(ctx, IRQ_RTC, level);
}

static void kbc_irq(void *ctx, bool level)
{
	vm_set_irq(ctx, IRQ_KEYBOARD, level);
}

/* A timed device was reprogrammed: vCPU 0 must poll the timers again. */
static void timer_rearm(void *ctx)
{
	struct vm *vm = ctx;

	if (vm->nvcpus)
		vcpu_request(vm->vcpus[0], VCPU_REQ_TIMERS);
}

static u64 pm_clock(void *ctx)
{
	(void)ctx;
	return rdtsc();
}

static void pm_poweroff(void *ctx)
{
	vm_stop(ctx, "poweroff");
}

static void pm_reset(void *ctx)
{
	vm_request_reset(ctx, "reset-register");
}

static void kbc_reset(void *ctx)
{
	vm_request_reset(ctx, "keyboard-controller");
}

/* The vCPUs vm_create() will make: one per CPU in the guest's mask. They
 * do not exist yet when the devices are created. */
static u32 vcpu_count(const struct vm *vm)
{
	u32 n = 0;

	if (vm->nvcpus)
		return vm->nvcpus;
	for (u64 m = vm->cpus; m; m &= m - 1)
		n++;
	return n;
}

/* The PC chips: timers on the TSC, interrupt lines through vmm/irq.c. */
static void devices_setup_pc(struct vm *vm, struct vm_devices *d)
{
	struct pit_hooks pit = {
		.clock = pm_clock, .clock_khz = tsc_khz(), .irq = pit_irq,
		.rearm = timer_rearm, .ctx = vm,
	};
	struct rtc_hooks rtc = {
		.clock = pm_clock, .clock_khz = tsc_khz(), .irq = rtc_irq,
		.rearm = timer_rearm, .ctx = vm,
	};
	struct kbc_hooks kbc = { .irq = kbc_irq, .reset = kbc_reset, .ctx = vm };

	wallclock_ref(&rtc.epoch, &rtc.epoch_clock);
	irq_init(vm, d, (u8)vcpu_count(vm));
	pit_init(&d->pit, &pit);
	rtc_init(&d->rtc, &rtc);
	kbc_init(&d->kbc, &kbc);
}

static void devices_setup(struct vm *vm, struct vm_devices *d)
{
	struct uart16550_hooks com1 = {
		.rx_room = com1_rx_room, .rearm = timer_rearm, .clock_khz = tsc_khz(),
	};
	struct acpi_pm_hooks pm = {
		.clock = pm_clock, .clock_khz = tsc_khz(),
		.poweroff = pm_poweroff, .reset = pm_reset, .ctx = vm,
	};

	devices_setup_pc(vm, d);
	uart16550_init(&d->com1, com1_tx, com1_irq, vm);
	uart16550_set_hooks(&d->com1, &com1);
	vga_init(&d->vga, vga_line, vm);
	acpi_pm_init(&d->pm, &pm);
	fw_cfg_init(&d->fw_cfg, vm->mem.ram_size, (u16)vcpu_count(vm));
}

struct dev_range {
	u64 base, len;
	bus_read_fn read;
	bus_write_fn write;
	void *dev;
	const char *name;
};

static bool devices_register(struct vm *vm, struct vm_devices *d)
{
	const struct dev_range pio[] = {
		vm->uart_pt ? (struct dev_range){ COM1_PORT, 8, uart_pt_read, uart_pt_write, vm,
						  "com1-passthrough" } :
			      (struct dev_range){ COM1_PORT, 8, uart16550_read, uart16550_write,
						  &d->com1, "com1" },
		{ DEBUG_EXIT_PORT, 4, NULL, debug_exit_write, vm, "debug-exit" },
		{ ACPI_TABLES_PM_PORT, ACPI_PM_BLOCK_LEN, acpi_pm_read, acpi_pm_write,
		  &d->pm, "acpi-pm" },
		{ FW_CFG_PORT, FW_CFG_REG_LEN, fw_cfg_read, fw_cfg_write, &d->fw_cfg, "fw-cfg" },
		{ PIT_PORT, PIT_REG_LEN, pit_read, pit_write, &d->pit, "pit" },
		{ PIT_PORT_B, PIT_PORT_B_LEN, pit_port_b_read, pit_port_b_write, &d->pit,
		  "port-61" },
		{ PIC_MASTER_PORT, PIC_REG_LEN, pic_master_read, pic_master_write, &d->pic,
		  "pic-master" },
		{ PIC_SLAVE_PORT, PIC_REG_LEN, pic_slave_read, pic_slave_write, &d->pic,
		  "pic-slave" },
		{ PIC_ELCR_PORT, PIC_ELCR_LEN, pic_elcr_read, pic_elcr_write, &d->pic, "elcr" },
		{ RTC_PORT, RTC_REG_LEN, rtc_read, rtc_write, &d->rtc, "rtc" },
		{ KBC_DATA_PORT, KBC_PORT_LEN, kbc_data_read, kbc_data_write, &d->kbc,
		  "kbc-data" },
		{ KBC_CMD_PORT, KBC_PORT_LEN, kbc_status_read, kbc_command_write, &d->kbc,
		  "kbc-cmd" },
		{ PORT_A, KBC_PORT_A_LEN, kbc_port_a_read, kbc_port_a_write, &d->kbc,
		  "port-92" },
		{ VGA_PORT_BASE, VGA_PORT_LEN, vga_port_read, vga_port_write, &d->vga, "vga" },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(pio); i++)
		if (!bus_register(&vm->pio, pio[i].base, pio[i].len, pio[i].read,
				  pio[i].write, pio[i].dev, pio[i].name))
			return false;
	return bus_register(&vm->mmio, ACPI_TABLES_IOAPIC_ADDR, IOAPIC_MMIO_LEN,
			    ioapic_read, ioapic_write, &d->ioapic, "ioapic") &&
	       bus_register(&vm->mmio, VGA_WINDOW_BASE, VGA_WINDOW_LEN, vga_mem_read,
			    vga_mem_write, &d->vga, "vga");
}

static void pci_gsi(void *ctx, unsigned gsi, bool level)
{
	vm_set_irq(ctx, gsi, level);
}

static void pci_msi(void *ctx, u64 addr, u32 data)
{
	vm_msi(ctx, addr, data);
}

static bool pci_map(void *ctx, u64 gpa, u64 hpa, u64 size)
{
	return vm_map_mmio(ctx, gpa, hpa, size);
}

static void pci_unmap(void *ctx, u64 gpa, u64 size)
{
	vm_unmap_mmio(ctx, gpa, size);
}

/* The virtual PCI bus; the reset register at 0xCF9 sits inside its
 * 0xCF8-0xCFF ports, as on a PC's chipset. */
static bool devices_pci(struct vm *vm, struct vm_devices *d)
{
	struct pci_irq_hooks irq = { .set_gsi = pci_gsi, .msi = pci_msi, .ctx = vm };
	struct pci_map_hooks maps = { .map = pci_map, .unmap = pci_unmap, .ctx = vm };
	u64 pa = pmm_alloc(ALIGN_UP(sizeof(struct pci_bus), PAGE_SIZE), PAGE_SIZE);

	BUILD_ASSERT(ACPI_TABLES_RESET_PORT == PCI_CF8_PORT + 1);
	BUILD_ASSERT(PCI_MMIO_BASE == GMEM_LOW_TOP); /* the hole starts where RAM stops */
	BUILD_ASSERT(PCI_GSI_BASE == IRQ_PCI_FIRST && PCI_GSIS == IRQ_PCI_LINES);
	BUILD_ASSERT(PCI_ECAM_BASE + PCI_ECAM_SIZE <= ACPI_TABLES_IOAPIC_ADDR);
	if (!pa)
		return false;
	vm->pci = phys_to_virt(pa);
	if (!pci_bus_init(vm->pci, &irq, &vm->pio, &vm->mmio, acpi_pm_reset_read,
			  acpi_pm_reset_write, &d->pm))
		return false;
	pci_bus_set_map_hooks(vm->pci, &maps);
	/* The 64-bit window where the guest's CPU (the host's address width,
	 * CPUID 0x80000008) reaches it and its RAM stays below it. */
	if ((cpuid(0x80000000, 0).eax >= 0x80000008 &&
	     1ULL << (cpuid(0x80000008, 0).eax & 0xff) >= PCI_MMIO64_END) &&
	    vm->mem.r[vm->mem.n - 1].gpa + vm->mem.r[vm->mem.n - 1].size <= PCI_MMIO64_BASE &&
	    !pci_bus_enable_mmio64(vm->pci, &vm->mmio))
		return false;
	return true;
}

bool devices_pci_testdev(struct vm *vm)
{
	u64 pa = pmm_alloc(ALIGN_UP(sizeof(struct pci_testdev), PAGE_SIZE), PAGE_SIZE);
	struct pci_testdev *t = pa ? phys_to_virt(pa) : NULL;

	if (!t || !pci_testdev_init(t, vm->pci)) {
		printk(LOG_ERR, "guest %s: cannot add the PCI test device", vm->name);
		return false;
	}
	printk(LOG_INFO, "guest %s pci 00:%02x.%x test device %04x:%04x", vm->name,
	       t->pci.devfn >> 3, t->pci.devfn & 7, PCI_TESTDEV_VENDOR, PCI_TESTDEV_DEVICE);
	return true;
}

void devices_reset(struct vm *vm)
{
	struct vm_devices *d = vm->dev;
	struct rtc_cmos rtc = d->rtc;
	struct irq_ack ack[IOAPIC_PINS];

	memcpy(ack, d->irq_ack, sizeof(ack)); /* who listens is not the guest's state */
	memset(d, 0, sizeof(*d));
	devices_setup(vm, d);
	memcpy(d->irq_ack, ack, sizeof(ack));
	d->rtc = rtc; /* on battery */
	rtc_reset(&d->rtc);
	pci_bus_reset(vm->pci);
}

u64 devices_timer_poll(struct vm *vm, u64 now)
{
	struct vm_devices *d = vm->dev;
	u64 next[3] = { pit_poll(&d->pit, now), rtc_poll(&d->rtc, now),
			uart16550_poll(&d->com1, now) };
	u64 soonest = 0;

	if (virtio_guest_poll(vm)) /* console input waits for the port's room */
		next[0] = next[0] ? MIN(next[0], now + tsc_khz()) : now + tsc_khz();
	for (unsigned i = 0; i < ARRAY_SIZE(next); i++)
		if (next[i] && (!soonest || next[i] < soonest))
			soonest = next[i];
	return soonest;
}

bool devices_init(struct vm *vm)
{
	u64 pa = pmm_alloc(sizeof(struct vm_devices), PAGE_SIZE);
	struct vm_devices *d;

	if (!pa)
		return false;
	d = phys_to_virt(pa);
	memset(d, 0, sizeof(*d));
	vm->dev = d;
	devices_setup(vm, d);
	if (!devices_register(vm, d) || !devices_pci(vm, d)) {
		printk(LOG_ERR, "guest %s: device ranges overlap", vm->name);
		return false;
	}
	return devices_firmware_tables(vm);
}

bool devices_firmware_tables(struct vm *vm)
{
	struct cpuid_regs id = cpuid(1, 0);
	struct smbios_cpu cpu = {
		.count = vcpu_count(vm), .mhz = (u32)(tsc_khz() / 1000),
		.cpuid1_eax = id.eax, .cpuid1_edx = id.edx,
		.vendor = cpu_is_intel() ? "GenuineIntel" : cpu_is_amd() ? "AuthenticAMD" : NULL,
	};

	if (!acpi_tables_build(vm, cpu.count)) {
		printk(LOG_ERR, "guest %s: cannot build the ACPI tables", vm->name);
		return false;
	}
	if (!smbios_build(vm, &cpu)) {
		printk(LOG_ERR, "guest %s: cannot build the SMBIOS tables", vm->name);
		return false;
	}
	return true;
}
