# SPDX-License-Identifier: MIT
objs-y += boot/mb2_entry.o boot/entry64.o boot/mb2.o boot/mb2_parse.o \
	boot/boot_info.o boot/trampoline_blob.o
