# SPDX-License-Identifier: MIT
#
# Top-level build of the hypervisor. Each folder lists its objects in an
# objects.mk; this file turns them into the kernel ELF (build/hv.elf), the
# UEFI loader (build/BOOTX64.EFI) and the two boot images:
#   build/hv-usb.img  GPT disk with an EFI System Partition (UEFI path)
#   build/hv.iso      GRUB rescue ISO, BIOS and UEFI (multiboot2 path)
#
#   make            everything above and the test guests (build/guests/)
#   make run        boot build/hv-usb.img in QEMU (OVMF), console on stdio
#   make check      host unit tests + emulator system tests
#   make unit       host unit tests only
#   make systest    system tests only (T=name to run one)
#   make bench      exit-cost benchmark (bare QEMU vs SVM vs VMX)
#   make check-slow the slower tier: Linux under VMX in Bochs, linux-bare
#   make linux-bare the Linux guest on plain QEMU with QEMU's virtio devices
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each (FUZZ=name: one)
#   make soak       soak tier: 100 Linux reboots, 100 guest restarts (PARTS=linux|restart)
#   make deps       install the Debian packages the build and tests need
#   DEBUG=1         build without optimisation

BUILD   ?= build
DEBUG   ?= 0
CC      := gcc
LD      := ld
NASM    := nasm
OBJCOPY := objcopy

OPT := -O2
ifeq ($(DEBUG),1)
OPT := -O0 -DDEBUG
endif

WARN := -Wall -Wextra -Werror
KCFLAGS := -std=gnu11 $(OPT) -g $(WARN) -I. \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -mcmodel=kernel \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fcf-protection=none -MMD -MP
KASFLAGS := -f elf64 -I./
KLDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-warn-rwx-segments -T linker.ld

objs-y :=
include boot/objects.mk
include arch/x86/objects.mk
include kernel/objects.mk
include drivers/objects.mk
include vmm/objects.mk

KOBJS := $(addprefix $(BUILD)/,$(objs-y)) $(BUILD)/vmm/dsdt_aml.o \
	$(BUILD)/kernel/default_cfg.o

.PHONY: all kernel efi usb iso linux run check check-slow unit systest bench deps clean
all: kernel efi guests linux usb iso

kernel: $(BUILD)/hv.elf

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm
	@mkdir -p $(dir $@)
	$(NASM) $(KASFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# The guest's DSDT: ASL compiled by iasl, then embedded as a C array.
$(BUILD)/vmm/dsdt.aml: vmm/dsdt.asl
	@mkdir -p $(dir $@)
	iasl -p $(BUILD)/vmm/dsdt $< > $(BUILD)/vmm/dsdt.log 2>&1 || { cat $(BUILD)/vmm/dsdt.log; exit 1; }

$(BUILD)/vmm/dsdt_aml.c: $(BUILD)/vmm/dsdt.aml tools/bin2c.sh
	sh tools/bin2c.sh guest_dsdt_aml $< > $@

$(BUILD)/vmm/dsdt_aml.o: $(BUILD)/vmm/dsdt_aml.c
	$(CC) $(KCFLAGS) -c $< -o $@

# The built-in config (used when the boot media carry none): guests/hv.cfg.
$(BUILD)/kernel/default_cfg.c: guests/hv.cfg tools/bin2c.sh
	@mkdir -p $(dir $@)
	sh tools/bin2c.sh default_config $< > $@

$(BUILD)/kernel/default_cfg.o: $(BUILD)/kernel/default_cfg.c
	$(CC) $(KCFLAGS) -c $< -o $@

# The AP trampoline is a flat real-mode blob copied below 1 MiB at run time.
$(BUILD)/boot/trampoline.bin: boot/trampoline.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin $< -o $@
$(BUILD)/boot/trampoline_blob.o: $(BUILD)/boot/trampoline.bin

# Two-pass link: the symbol table used for backtraces sits after all code,
# so generating it cannot move any function.
$(BUILD)/hv.pass1.elf: $(KOBJS) $(BUILD)/kernel/ksyms_empty.o linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/kernel/ksyms_empty.o

$(BUILD)/ksyms.c: $(BUILD)/hv.pass1.elf tools/gensyms.sh
	sh tools/gensyms.sh $< > $@

$(BUILD)/ksyms.o: $(BUILD)/ksyms.c
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/kernel/ksyms_empty.o: tools/gensyms.sh
	@mkdir -p $(dir $@)
	sh tools/gensyms.sh /dev/null > $(BUILD)/kernel/ksyms_empty.c
	$(CC) $(KCFLAGS) -c $(BUILD)/kernel/ksyms_empty.c -o $@

$(BUILD)/hv.elf: $(KOBJS) $(BUILD)/ksyms.o linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/ksyms.o
	sh tools/checksyms.sh $(BUILD)/hv.pass1.elf $@

include boot/uefi/uefi.mk
include guests/guests.mk

# The default Linux guest (Debian's cloud kernel + a busybox initramfs),
# downloaded once with apt-get and cached under build/linux/.
linux:
	sh tools/mklinux.sh $(BUILD)

# The same guest on Debian's generic kernel (its e1000e driver, for the NIC
# passthrough tests), cached under build/linux-generic/.
.PHONY: linux-generic
linux-generic:
	sh tools/mklinux.sh $(BUILD) generic

# Default hypervisor config placed on both boot media, with the modules it
# names (found in build/linux/, build/guests/ or tests/system/files/).
HV_CFG ?= guests/hv.cfg
CFG_FILES = $(shell sh tools/cfgfiles.sh $(HV_CFG) $(BUILD))

usb: $(BUILD)/hv-usb.img
$(BUILD)/hv-usb.img: $(BUILD)/BOOTX64.EFI $(BUILD)/hv.elf $(HV_CFG) tools/mkusb.sh linux guests
	sh tools/mkusb.sh -o $@ -e $(BUILD)/BOOTX64.EFI -k $(BUILD)/hv.elf -c $(HV_CFG) $(CFG_FILES)

iso: $(BUILD)/hv.iso
$(BUILD)/hv.iso: $(BUILD)/hv.elf $(HV_CFG) tools/mkiso.sh linux guests
	sh tools/mkiso.sh -o $@ -k $(BUILD)/hv.elf -c $(HV_CFG) $(CFG_FILES)

run: deps all
	sh tools/run.sh $(BUILD)/hv-usb.img

deps:
	@sh tools/deps.sh

include tests/unit/unit.mk
include tests/fuzz/fuzz.mk

check: deps all linux-generic unit-build
	bash tests/check.sh $(BUILD)

unit: deps unit-build
	bash tests/check.sh --unit-only $(BUILD)

systest: deps all linux-generic
	bash tests/check.sh --system-only $(BUILD) $(T)

# The soak tier (not in check): 100 Linux reboots in one VM and 100
# restarts of hostile guests; free host memory must never shrink.
.PHONY: soak
soak: deps all
	bash tools/soak.sh $(BUILD) $(PARTS)

# The slower tier: Linux under VMX in Bochs (minutes, not seconds).
check-slow: deps all linux-generic
	bash tests/check.sh --slow $(BUILD) $(T)
	$(if $(T),,sh tools/linux-bare.sh $(BUILD))

# The default Linux guest without the hypervisor, on QEMU's own virtio
# disk, NIC, rng and console (the baseline of the virtio figures).
.PHONY: linux-bare
linux-bare: deps all
	sh tools/linux-bare.sh $(BUILD)

bench: deps all
	sh tools/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d)
