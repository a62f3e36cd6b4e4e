# SPDX-License-Identifier: MIT
#
# Fuzzing (tests/fuzz/): libFuzzer harnesses built with clang from the
# production sources (like the unit tests, -DHV_HOST_TEST), the same
# harnesses built with gcc and a replay driver so that `make check`
# replays their corpus and regression inputs without libFuzzer, and the
# differential decoder test against Zydis (a cmocka test in the unit set).
#   make fuzz                    every harness FUZZ_SECONDS (180) each
#   make fuzz FUZZ=config FUZZ_SECONDS=3600   one harness, longer
#   FUZZ_JOBS=2                  two harnesses at a time
# Crashes land in tests/fuzz/crashes/<harness>/; the grown corpus in
# $(BUILD)/tests/fuzz/corpus/<harness>/.

FUZZ_HARNESSES :=
DEV := tests/fuzz/devfuzz.c vmm/bus.c

FUZZ_HARNESSES += insn
FUZZ_MMIO := vmm/insn.c vmm/vcpu_mode.c vmm/mmio.c vmm/mmio_operand.c vmm/bus.c vmm/alu.c tests/fuzz/fake_vcpu.c
fuzz_insn_SRCS := $(FUZZ_MMIO)

FUZZ_HARNESSES += insn_zydis
fuzz_insn_zydis_SRCS := $(FUZZ_MMIO) tests/fuzz/insn_ref.c
fuzz_insn_zydis_LIBS := -lZydis

FUZZ_HARNESSES += uart16550
fuzz_uart16550_SRCS := vmm/dev/uart16550.c $(DEV)

FUZZ_HARNESSES += pit8254
fuzz_pit8254_SRCS := vmm/dev/pit8254.c $(DEV)

FUZZ_HARNESSES += rtc_cmos
fuzz_rtc_cmos_SRCS := vmm/dev/rtc_cmos.c kernel/rtctime.c $(DEV)

FUZZ_HARNESSES += kbc8042
fuzz_kbc8042_SRCS := vmm/dev/kbc8042.c $(DEV)

FUZZ_HARNESSES += pic8259
fuzz_pic8259_SRCS := vmm/dev/pic8259.c $(DEV)

FUZZ_HARNESSES += ioapic
fuzz_ioapic_SRCS := vmm/dev/ioapic.c $(DEV)

FUZZ_HARNESSES += fw_cfg
fuzz_fw_cfg_SRCS := vmm/dev/fw_cfg.c $(DEV)

FUZZ_HARNESSES += acpi_pm
fuzz_acpi_pm_SRCS := vmm/dev/acpi_pm.c $(DEV)

FUZZ_HARNESSES += vlapic
fuzz_vlapic_SRCS := vmm/dev/vlapic.c vmm/dev/apic_dest.c tests/fuzz/fake_vm.c $(DEV)

FUZZ_HARNESSES += msr_cr
fuzz_msr_cr_SRCS := vmm/exit_msr.c vmm/pvclock.c vmm/exit_misc.c vmm/exit_cpuid.c vmm/cpu_policy.c \
	vmm/cpuid_view.c vmm/vcpu_mode.c vmm/dev/vlapic.c vmm/dev/apic_dest.c tests/fuzz/fake_vm.c

FUZZ_HARNESSES += loader
fuzz_loader_SRCS := vmm/loader.c vmm/loader_linux.c vmm/cpu_state.c vmm/gmem.c \
	kernel/cmdline.c

FUZZ_HARNESSES += virtqueue
fuzz_virtqueue_SRCS := vmm/virtio/virtqueue.c vmm/virtio/virtio.c vmm/virtio/virtio_blk.c \
	vmm/gmem.c

FUZZ_HARNESSES += config
fuzz_config_SRCS := kernel/config.c

FUZZ_HARNESSES += mb2
fuzz_mb2_SRCS := boot/mb2_parse.c boot/boot_info.c kernel/memmap.c

FUZZ_HARNESSES += acpi
fuzz_acpi_SRCS := drivers/acpi.c

FUZZ_HARNESSES += net_offload
fuzz_net_offload_SRCS := vmm/net/offload.c

FUZZ_HARNESSES += ivrs
fuzz_ivrs_SRCS := drivers/iommu/amdvi_ivrs.c kernel/format.c

FUZZ_HARNESSES += dmar
fuzz_dmar_SRCS := drivers/iommu/vtd_dmar.c kernel/format.c

FUZZ_HARNESSES += moncmd
fuzz_moncmd_SRCS := vmm/moncmd.c

FUZZ_HARNESSES += gdb_rsp
fuzz_gdb_rsp_SRCS := vmm/gdb_rsp.c

FUZZ_HARNESSES += gdb_regs
fuzz_gdb_regs_SRCS := vmm/gdb_regs.c vmm/gdb_rsp.c

FUZZ_HARNESSES += gdb_stub
fuzz_gdb_stub_SRCS := vmm/gdb_stub.c vmm/gdb_regs.c vmm/gdb_rsp.c vmm/gdb_hw.c vmm/moncmd.c vmm/gmem.c \
	kernel/string.c

FUZZ_HARNESSES += pci
fuzz_pci_SRCS := vmm/pci/pci.c vmm/pci/pci_host.c vmm/pci/msi.c $(DEV)


FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -DHV_HOST_TEST \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_BINS := $(addprefix $(BUILD)/tests/fuzz/bin/fuzz_,$(FUZZ_HARNESSES))
REPLAY_BINS := $(addprefix $(BUILD)/tests/fuzz/replay/fuzz_,$(FUZZ_HARNESSES))
FUZZ_SECONDS ?= 180
FUZZ_JOBS ?= 1
FUZZ ?=

.PHONY: fuzz fuzz-build fuzz-replay-build
fuzz-build: $(FUZZ_BINS)
fuzz-replay-build: $(REPLAY_BINS) $(BUILD)/tests/unit/test_insn_diff
unit-build: fuzz-replay-build

fuzz: deps fuzz-build fuzz-replay-build
	bash tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ)

$(BUILD)/tests/fuzz/bin/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_$$*_SRCS) $$(wildcard tests/fuzz/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(fuzz_$*_SRCS) $(fuzz_$*_LIBS)

$(BUILD)/tests/fuzz/replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $$(fuzz_$$*_SRCS) $$(wildcard tests/fuzz/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(fuzz_$*_SRCS) $(fuzz_$*_LIBS)

# The bounded differential decoder run: a cmocka test among the unit tests.
INSN_DIFF_SRCS := tests/fuzz/insn_ref.c $(FUZZ_MMIO)
$(BUILD)/tests/unit/test_insn_diff: tests/fuzz/insn_diff.c $(INSN_DIFF_SRCS) $(wildcard tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(INSN_DIFF_SRCS) -lcmocka -lZydis
