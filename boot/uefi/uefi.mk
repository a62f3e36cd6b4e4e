# SPDX-License-Identifier: MIT
#
# The UEFI loader $(BUILD)/BOOTX64.EFI: a GNU-EFI application (an ELF shared
# object turned into a PE32+ image by objcopy). Its objects, including the
# kernel files it shares (config parser, memory map, boot_info helpers),
# are compiled position-independent for UEFI into $(BUILD)/uefi/, apart
# from the kernel's objects. GNU_EFI_USE_MS_ABI makes the firmware function
# pointers ms_abi so the loader calls them directly. Loops are never turned
# into memcpy/memset calls (kernel/string.c must not call itself).

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib

UEFI_SRCS := boot/uefi/loader.c boot/uefi/console.c boot/uefi/file.c \
	boot/uefi/elf.c boot/uefi/handoff.c boot/uefi/cmdline.c \
	boot/boot_info.c kernel/config.c kernel/memmap.c kernel/format.c \
	kernel/string.c
UEFI_OBJS := $(addprefix $(BUILD)/uefi/,$(UEFI_SRCS:.c=.o))

UEFI_CFLAGS := -std=gnu11 $(OPT) $(WARN) -I. -I$(EFI_INC) \
	-I$(EFI_INC)/x86_64 -DGNU_EFI_USE_MS_ABI -fpic -fshort-wchar \
	-mno-red-zone -ffreestanding -fno-stack-protector \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-tree-loop-distribute-patterns -MMD -MP
UEFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic \
	-T $(EFI_LIB)/elf_x86_64_efi.lds

efi: $(BUILD)/BOOTX64.EFI

$(BUILD)/uefi/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(UEFI_CFLAGS) -c $< -o $@

$(BUILD)/uefi/loader.so: $(UEFI_OBJS)
	$(LD) $(UEFI_LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(UEFI_OBJS) \
		-L$(EFI_LIB) -lefi -lgnuefi -o $@

# Subsystem 10 = EFI application (PE/COFF optional header).
$(BUILD)/BOOTX64.EFI: $(BUILD)/uefi/loader.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym \
		-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc \
		--target efi-app-x86_64 --subsystem=10 $< $@

-include $(UEFI_OBJS:.o=.d)
