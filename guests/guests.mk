# SPDX-License-Identifier: MIT
#
# Build rules for the test guests (see guests/README.md). Included by the
# top-level Makefile, or used alone:
#   make -f guests/guests.mk BUILD=build guests
# Produces $(BUILD)/guests/<name>.elf (multiboot v1 ELF32 kernels linked at
# 1 MiB), $(BUILD)/guests/realmode.bin (flat, org 0x7c00) and
# $(BUILD)/guests/realmode.img (the same behind a BIOS boot sector). Guests are
# 32-bit freestanding code with their own flags; nothing here touches the
# hypervisor's variables. Every variable starts with GUEST_ or guest-.

BUILD ?= build

GUEST_OUT := $(BUILD)/guests
GUEST_CC := gcc
GUEST_LD := ld
GUEST_NASM := nasm

GUEST_CFLAGS := -std=gnu11 -m32 -march=i686 -O2 -g -Wall -Wextra -Werror \
	-Iguests -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-nostdlib -mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fcf-protection=none -MMD -MP
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=4096 \
	-z noexecstack --no-warn-rwx-segments -T guests/lib/guest.ld

# The library every multiboot guest links in full.
guest-lib := lib/boot.o lib/isr.o lib/start.o lib/serial.o lib/printf.o \
	lib/string.o lib/trap.o lib/fault.o lib/test.o lib/multiboot.o \
	lib/fwcfg.o lib/acpi.o lib/pmtimer.o lib/lapic.o lib/irq.o lib/hv.o \
	lib/pci.o

# Multiboot guests and their own objects.
GUEST_NAMES := hello modes exits memtest smp triplefault hammer bench reset
GUEST_NAMES += heartbeat
GUEST_NAMES += singlestep
GUEST_NAMES += vga hostile_mmio
GUEST_NAMES += hostile_wedge hostile_storm hostile_ipi apicmode
GUEST_NAMES += loginject
GUEST_NAMES += hostile_strio
guest-objs-hello := tests/hello.o
guest-objs-modes := tests/modes.o tests/modes_low_blob.o
guest-objs-exits := tests/exits.o
guest-objs-memtest := tests/memtest.o
guest-objs-smp := tests/smp.o lib/ap.o tests/smp_trampoline_blob.o
guest-objs-triplefault := tests/triplefault.o
guest-objs-hammer := tests/hammer.o
guest-objs-bench := tests/bench.o lib/ap.o tests/smp_trampoline_blob.o
guest-objs-reset := tests/reset.o
guest-objs-heartbeat := tests/heartbeat.o
guest-objs-singlestep := tests/singlestep.o
guest-objs-vga := tests/vga.o
guest-objs-hostile_mmio := tests/hostile_mmio.o
guest-objs-hostile_strio := tests/hostile_strio.o
guest-objs-hostile_wedge := tests/hostile_wedge.o lib/ap.o tests/smp_trampoline_blob.o
guest-objs-hostile_storm := tests/hostile_storm.o
guest-objs-hostile_ipi := tests/hostile_ipi.o lib/ap.o tests/smp_trampoline_blob.o
guest-objs-apicmode := tests/apicmode.o
guest-objs-loginject := tests/loginject.o

# Flat real-mode blobs embedded in a guest (name -> tests/<name>_blob.o).
GUEST_BLOBS := modes_low smp_trampoline

# The virtual PCI bus (issue 10): probed through 0xCF8/0xCFC and ECAM.
GUEST_NAMES += pci_probe hostile_pci
guest-objs-pci_probe := tests/pci_probe.o
guest-objs-hostile_pci := tests/hostile_pci.o
# A passed-through QEMU edu device driven by hand (issue 11).
GUEST_NAMES += passthru
guest-objs-passthru := tests/passthru.o
# virtio-blk driven by hand, its ring broken while work is queued.
GUEST_NAMES += hostile_virtio
guest-objs-hostile_virtio := tests/hostile_virtio.o

# Console input held while the guest does not read (issue 12).
GUEST_NAMES += rxhold echo park
guest-objs-rxhold := tests/rxhold.o
guest-objs-echo := tests/echo.o
guest-objs-park := tests/park.o
# The GDB stub's run control: breakpoints, single step, own INT3 (issue 12).
GUEST_NAMES += gdbtarget
guest-objs-gdbtarget := tests/gdbtarget.o

# Hostile guests (issue 9), one block each.
GUEST_NAMES += hostile_cpu
guest-objs-hostile_cpu := tests/hostile_cpu.o

# The TSC-deadline timer (issue 13), in xAPIC and x2APIC mode.
GUEST_NAMES += tscdeadline
guest-objs-tscdeadline := tests/tscdeadline.o

# x2APIC interrupts, EOIs, TPR, level EOIs (issue 13): APIC virtualization.
GUEST_NAMES += apicv
guest-objs-apicv := tests/apicv.o

# The paravirtual EOI (issue 13): EOIs without an exit.
GUEST_NAMES += pveoi
guest-objs-pveoi := tests/pveoi.o

# kvm-clock (issue 13): the KVM-compatible paravirtual clock.
GUEST_NAMES += pvclock
guest-objs-pvclock := tests/pvclock.o

# uart = passthrough (issue 11): the real COM1 and its interrupt.
GUEST_NAMES += uartpt
guest-objs-uartpt := tests/uartpt.o

# INTx passthrough (issue 11): a function without MSI.
GUEST_NAMES += intx
guest-objs-intx := tests/intx.o

GUEST_ELFS := $(GUEST_NAMES:%=$(GUEST_OUT)/%.elf)
GUEST_ALL_OBJS := $(sort $(guest-lib) $(foreach g,$(GUEST_NAMES),$(guest-objs-$(g))))
GUEST_BLOB_OBJS := $(GUEST_BLOBS:%=$(GUEST_OUT)/tests/%_blob.o)
GUEST_ASM_OBJS := $(addprefix $(GUEST_OUT)/,$(filter lib/boot.o lib/isr.o,$(GUEST_ALL_OBJS)))
GUEST_C_OBJS := $(filter-out $(GUEST_ASM_OBJS) $(GUEST_BLOB_OBJS), \
	$(addprefix $(GUEST_OUT)/,$(GUEST_ALL_OBJS)))
GUEST_LIB_OBJS := $(addprefix $(GUEST_OUT)/,$(guest-lib))

# Used alone, "make -f guests/guests.mk" builds the guests by default; when
# included, the including Makefile keeps its own default goal.
ifeq ($(notdir $(firstword $(MAKEFILE_LIST))),guests.mk)
.DEFAULT_GOAL := guests
else
guest-saved-goal := $(.DEFAULT_GOAL)
endif

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_OUT)/realmode.bin $(GUEST_OUT)/realmode.img \
	$(GUEST_OUT)/mb2.elf

# The multiboot2 guest: standalone NASM (the library speaks multiboot v1).
$(GUEST_OUT)/mb2.elf: guests/tests/mb2.asm guests/lib/guest.ld
	@mkdir -p $(GUEST_OUT)/tests
	$(GUEST_NASM) -f elf32 $< -o $(GUEST_OUT)/tests/mb2.o
	$(GUEST_LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_OUT)/tests/mb2.o

$(GUEST_C_OBJS): $(GUEST_OUT)/%.o: guests/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

# NASM 2.16's -MD leaves %include files out of the dependency file, so the
# dependencies come from a separate -M run.
guest-nasm-deps = $(GUEST_NASM) $(1) -M -MT $@ -MF $(2) -MP $<

$(GUEST_ASM_OBJS): $(GUEST_OUT)/%.o: guests/%.asm
	@mkdir -p $(dir $@)
	$(call guest-nasm-deps,-f elf32 -Iguests/,$(@:.o=.d))
	$(GUEST_NASM) -f elf32 -Iguests/ $< -o $@

# Flat binaries: the real-mode guest and the embedded trampolines.
$(GUEST_OUT)/realmode.bin: guests/tests/realmode.asm
	@mkdir -p $(dir $@)
	$(call guest-nasm-deps,-f bin -Iguests/,$(@:.bin=.d))
	$(GUEST_NASM) -f bin -Iguests/ $< -o $@

# realmode.img: realmode.bin behind a boot sector, to run it bare (BIOS).
$(GUEST_OUT)/realmode.img: guests/tests/realmode_disk.asm $(GUEST_OUT)/realmode.bin
	$(GUEST_NASM) -f bin -DPAYLOAD='"$(GUEST_OUT)/realmode.bin"' $< -o $@

$(GUEST_BLOBS:%=$(GUEST_OUT)/tests/%.bin): $(GUEST_OUT)/tests/%.bin: guests/tests/%.asm
	@mkdir -p $(dir $@)
	$(call guest-nasm-deps,-f bin -Iguests/,$(@:.bin=.d))
	$(GUEST_NASM) -f bin -Iguests/ $< -o $@

$(GUEST_BLOB_OBJS): $(GUEST_OUT)/tests/%_blob.o: $(GUEST_OUT)/tests/%.bin guests/lib/blob.asm
	$(GUEST_NASM) -f elf32 -DBLOB_NAME=$* -DBLOB_FILE='"$<"' guests/lib/blob.asm -o $@

# Bad images for the bad-images hostile test, made from a good guest.
guests: $(GUEST_OUT)/bad-images.stamp
$(GUEST_OUT)/bad-images.stamp: tools/mkbadimages.py $(GUEST_OUT)/heartbeat.elf
	python3 $^ $(GUEST_OUT)
	@touch $@

define GUEST_ELF_RULE
$(GUEST_OUT)/$(1).elf: $(addprefix $(GUEST_OUT)/,$(guest-objs-$(1))) \
		$(GUEST_LIB_OBJS) guests/lib/guest.ld
	$$(GUEST_LD) $$(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call GUEST_ELF_RULE,$(g))))

-include $(GUEST_C_OBJS:.o=.d) $(GUEST_ASM_OBJS:.o=.d)
-include $(GUEST_OUT)/realmode.d $(GUEST_BLOBS:%=$(GUEST_OUT)/tests/%.d)

# Last, after every rule and dependency file above: hand the default goal
# back (empty means "the next target the includer defines").
ifneq ($(notdir $(firstword $(MAKEFILE_LIST))),guests.mk)
.DEFAULT_GOAL := $(guest-saved-goal)
endif
