# SPDX-License-Identifier: MIT
# Vendor-neutral virtualization: VMs, vCPUs, exits, devices.
objs-y += vmm/vm.o vmm/vcpu.o vmm/exit.o vmm/exit_io.o vmm/exit_cpuid.o \
	vmm/exit_msr.o vmm/exit_misc.o vmm/bus.o vmm/gmem.o vmm/gwalk.o \
	vmm/insn.o vmm/vcpu_mode.o vmm/trace.o vmm/cpu_state.o vmm/cpu_policy.o vmm/cpuid_view.o vmm/pvclock.o vmm/loader.o \
	vmm/loader_linux.o vmm/mmio.o vmm/mmio_operand.o vmm/alu.o \
	vmm/dev/devices.o vmm/dev/uart16550.o vmm/console_in.o \
	vmm/conmux.o vmm/console_route.o vmm/monitor.o vmm/moncmd.o \
	vmm/gdb_rsp.o vmm/gdb_stub.o vmm/gdb_regs.o vmm/gdb_hw.o vmm/gdb_target.o vmm/dev/debug_exit.o vmm/dev/uart_pt.o \
	vmm/dev/vlapic.o vmm/dev/apic_dest.o vmm/irq.o vmm/dev/pit8254.o vmm/dev/pic8259.o \
	vmm/dev/ioapic.o vmm/dev/rtc_cmos.o vmm/dev/kbc8042.o vmm/dev/vga.o
objs-y += vmm/acpi_tables.o vmm/smbios.o vmm/dev/acpi_pm.o vmm/dev/fw_cfg.o
objs-y += vmm/pci/pci.o vmm/pci/pci_host.o vmm/pci/msi.o vmm/pci/pci_testdev.o vmm/pci/passthru.o
# virtio: the virtqueue walker, the device core and the devices (vmm/virtio/),
# the virtual Ethernet switch (vmm/net/).
objs-y += vmm/virtio/virtqueue.o vmm/virtio/virtio.o vmm/virtio/virtio_blk.o \
	vmm/virtio/virtio_rng.o vmm/virtio/virtio_console.o vmm/virtio/virtio_net.o \
	vmm/virtio/virtio_pci.o
objs-y += vmm/net/switch.o vmm/net/offload.o vmm/net/registry.o vmm/virtio/virtio_guest.o
