# SPDX-License-Identifier: MIT
# One block per unit test: its name and the production sources it compiles.

UNIT_TESTS += config
unit_config_SRCS := kernel/config.c

UNIT_TESTS += memmap
unit_memmap_SRCS := kernel/memmap.c

UNIT_TESTS += pmm
unit_pmm_SRCS := kernel/pmm.c kernel/memmap.c

UNIT_TESTS += mb2
unit_mb2_SRCS := boot/mb2_parse.c boot/boot_info.c kernel/memmap.c

UNIT_TESTS += boot_info
unit_boot_info_SRCS := boot/boot_info.c

UNIT_TESTS += cmdline
unit_cmdline_SRCS := kernel/cmdline.c

UNIT_TESTS += module
unit_module_SRCS := kernel/module.c

UNIT_TESTS += acpi
unit_acpi_SRCS := drivers/acpi.c

# format.c and log.c are compiled into the test itself (their snprintf
# would clash with the C library's), so they are prerequisites, not sources.
UNIT_TESTS += format
unit_format_SRCS :=
$(BUILD)/tests/unit/test_format: kernel/format.c kernel/log.c

UNIT_TESTS += fw_cfg
unit_fw_cfg_SRCS := vmm/dev/fw_cfg.c

UNIT_TESTS += acpi_pm
unit_acpi_pm_SRCS := vmm/dev/acpi_pm.c

UNIT_TESTS += acpi_guest
unit_acpi_guest_SRCS := vmm/acpi_tables.c vmm/gmem.c drivers/acpi.c $(BUILD)/vmm/dsdt_aml.c

UNIT_TESTS += smbios
unit_smbios_SRCS := vmm/smbios.c vmm/gmem.c kernel/format.c

UNIT_TESTS += pgtable
unit_pgtable_SRCS := arch/x86/pgtable.c

# insn.c's guest-fetch helpers need vcpu/gwalk/gmem symbols: the test file
# has link stubs for them (never called).
UNIT_TESTS += insn
unit_insn_SRCS := vmm/insn.c vmm/vcpu_mode.c

UNIT_TESTS += bus
unit_bus_SRCS := vmm/bus.c

UNIT_TESTS += uart16550
unit_uart16550_SRCS := vmm/dev/uart16550.c
UNIT_TESTS += console_in
unit_console_in_SRCS := vmm/console_in.c vmm/dev/uart16550.c
UNIT_TESTS += conmux
unit_conmux_SRCS := vmm/conmux.c
UNIT_TESTS += moncmd
unit_moncmd_SRCS := vmm/moncmd.c
UNIT_TESTS += gdb_rsp
unit_gdb_rsp_SRCS := vmm/gdb_rsp.c

UNIT_TESTS += gdb_regs
unit_gdb_regs_SRCS := vmm/gdb_regs.c vmm/gdb_rsp.c

UNIT_TESTS += gdb_hw
unit_gdb_hw_SRCS := vmm/gdb_hw.c

# exit.c calls into the handler files, the vCPU and the log: the test file
# has link stubs for those symbols (never called).
UNIT_TESTS += exit_table
unit_exit_table_SRCS := vmm/exit.c vmm/trace.c

UNIT_TESTS += exit_step
unit_exit_step_SRCS := vmm/exit.c vmm/trace.c

UNIT_TESTS += trace
unit_trace_SRCS := vmm/trace.c

UNIT_TESTS += gmem
unit_gmem_SRCS := vmm/gmem.c arch/x86/pgtable.c

UNIT_TESTS += pit8254
unit_pit8254_SRCS := vmm/dev/pit8254.c

UNIT_TESTS += pic8259
unit_pic8259_SRCS := vmm/dev/pic8259.c

UNIT_TESTS += ioapic
unit_ioapic_SRCS := vmm/dev/ioapic.c

UNIT_TESTS += rtc_cmos
unit_rtc_cmos_SRCS := vmm/dev/rtc_cmos.c kernel/rtctime.c

UNIT_TESTS += kbc8042
unit_kbc8042_SRCS := vmm/dev/kbc8042.c

# irq.c delivers to vCPUs: the test file stubs vlapic_raise_level() and
# vcpu_request() and records what they are asked.
UNIT_TESTS += irq
unit_irq_SRCS := vmm/irq.c vmm/dev/pic8259.c vmm/dev/ioapic.c vmm/dev/apic_dest.c

UNIT_TESTS += cpu_policy
unit_cpu_policy_SRCS := vmm/cpu_policy.c

UNIT_TESTS += cpuid_view
unit_cpuid_view_SRCS := vmm/cpuid_view.c

UNIT_TESTS += host_ioapic
unit_host_ioapic_SRCS := drivers/ioapic.c kernel/format.c

UNIT_TESTS += pvclock
unit_pvclock_SRCS := vmm/pvclock.c

UNIT_TESTS += entry_fail
unit_entry_fail_SRCS := arch/x86/svm/svm_check.c arch/x86/vmx/vmx_fail.c
UNIT_TESTS += vga
unit_vga_SRCS := vmm/dev/vga.c

# mmio.c with the real decoder and bus; the test file fakes the vCPU, guest
# RAM, the page walk and vm_stop()/printk() (it records what they say).
UNIT_TESTS += mmio
unit_mmio_SRCS := vmm/mmio.c vmm/mmio_operand.c vmm/insn.c vmm/vcpu_mode.c vmm/bus.c \
	vmm/alu.c

# vlapic.c with stubs for the vCPU, the VM and the TSC clock; two cases run
# real threads (pthreads) against the cross-CPU rules of vlapic.h.
UNIT_TESTS += vlapic
unit_vlapic_SRCS := vmm/dev/vlapic.c vmm/dev/apic_dest.c
$(BUILD)/tests/unit/test_vlapic: UNIT_CFLAGS += -pthread

# The same under ThreadSanitizer (it cannot be combined with ASan).
UNIT_TESTS += vlapic_tsan
unit_vlapic_tsan_SRCS := vmm/dev/vlapic.c vmm/dev/apic_dest.c
$(BUILD)/tests/unit/test_vlapic_tsan: tests/unit/test_vlapic.c
$(BUILD)/tests/unit/test_vlapic_tsan: UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. \
	-DHV_HOST_TEST -fsanitize=thread -fno-omit-frame-pointer -pthread

# The image loaders; the test file stubs tsc_khz() (the bzImage TSC hint).
UNIT_TESTS += loader
unit_loader_SRCS := vmm/loader.c vmm/loader_linux.c vmm/gmem.c vmm/cpu_state.c kernel/cmdline.c

# The virtual PCI bus on the production PIO/MMIO buses; the interrupt
# controllers are the test's hooks.
UNIT_TESTS += vtd
unit_vtd_SRCS := drivers/iommu/vtd_dmar.c drivers/iommu/vtd_pt.c arch/x86/pgtable.c kernel/format.c

UNIT_TESTS += pci_host
unit_pci_host_SRCS := drivers/pci/pci_enum.c

# AMD-Vi: IVRS parsing; the I/O page tables and the device table,
# interrupt remapping, command and event formats.
UNIT_TESTS += amdvi_ivrs
unit_amdvi_ivrs_SRCS := drivers/iommu/amdvi_ivrs.c kernel/format.c
UNIT_TESTS += amdvi
unit_amdvi_SRCS := drivers/iommu/amdvi_pt.c arch/x86/pgtable.c drivers/iommu/amdvi_hw.c

UNIT_TESTS += pci
unit_pci_SRCS := vmm/pci/pci.c vmm/pci/pci_host.c vmm/pci/msi.c vmm/bus.c

# The split virtqueue walker against a fake driver in fake guest RAM
# (virtq_driver.h).
UNIT_TESTS += virtqueue
unit_virtqueue_SRCS := vmm/virtio/virtqueue.c vmm/gmem.c

# The virtio device core with a dummy device; the test file fakes printk().
UNIT_TESTS += virtio
unit_virtio_SRCS := vmm/virtio/virtio.c vmm/virtio/virtqueue.c vmm/gmem.c

# virtio-blk through the core, driven by the fake driver; printk() faked.
UNIT_TESTS += virtio_blk
unit_virtio_blk_SRCS := vmm/virtio/virtio_blk.c vmm/virtio/virtio.c vmm/virtio/virtqueue.c vmm/gmem.c

# virtio-rng; the test file stubs arch/x86/rng.h (RDSEED/RDRAND) and printk().
UNIT_TESTS += virtio_rng
unit_virtio_rng_SRCS := vmm/virtio/virtio_rng.c vmm/virtio/virtio.c vmm/virtio/virtqueue.c vmm/gmem.c

# virtio-console: transmit callback and the lossless receive ring.
UNIT_TESTS += virtio_console
unit_virtio_console_SRCS := vmm/virtio/virtio_console.c vmm/virtio/virtio.c vmm/virtio/virtqueue.c vmm/gmem.c

# The virtual Ethernet switch; one case runs two sender threads.
UNIT_TESTS += switch
unit_switch_SRCS := vmm/net/switch.c vmm/net/offload.c
$(BUILD)/tests/unit/test_switch: UNIT_CFLAGS += -pthread

# Checksum completion and TCP segmentation of GSO frames for the switch.
UNIT_TESTS += net_offload
unit_net_offload_SRCS := vmm/net/offload.c

# The switches by name (net = SWITCH): one per name, apart, bounded.
UNIT_TESTS += net_registry
unit_net_registry_SRCS := vmm/net/registry.c vmm/net/switch.c vmm/net/offload.c

# virtio-net: two NICs and a raw port on one switch.
UNIT_TESTS += virtio_net
unit_virtio_net_SRCS := vmm/virtio/virtio_net.c vmm/net/switch.c vmm/net/offload.c vmm/virtio/virtio.c \
	vmm/virtio/virtqueue.c vmm/gmem.c

# The modern virtio PCI transport's registers, with virtio-blk behind them
# and fake PCI glue (MSI-X, INTx).
UNIT_TESTS += virtio_pci
unit_virtio_pci_SRCS := vmm/virtio/virtio_pci.c vmm/virtio/virtio_blk.c vmm/virtio/virtio.c \
	vmm/virtio/virtqueue.c vmm/gmem.c

# The switch's two-sender case again under ThreadSanitizer.
UNIT_TESTS += switch_tsan
unit_switch_tsan_SRCS := vmm/net/switch.c vmm/net/offload.c
$(BUILD)/tests/unit/test_switch_tsan: tests/unit/test_switch.c
$(BUILD)/tests/unit/test_switch_tsan: UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. \
	-DHV_HOST_TEST -fsanitize=thread -fno-omit-frame-pointer -pthread
# The MMIO emulator's ALU against the host CPU's own instructions.
UNIT_TESTS += alu
unit_alu_SRCS := vmm/alu.c

# The guest page walk and its permission checks on fake page tables.
UNIT_TESTS += gwalk
unit_gwalk_SRCS := vmm/gwalk.c vmm/insn.c vmm/vcpu_mode.c
