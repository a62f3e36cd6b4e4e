# SPDX-License-Identifier: MIT
objs-y += kernel/main.o kernel/log.o kernel/format.o kernel/string.o kernel/memmap.o \
	kernel/pmm.o kernel/panic.o kernel/ksyms.o kernel/cmdline.o \
	kernel/console.o kernel/config.o kernel/config_load.o kernel/module.o \
	kernel/platform.o kernel/selftest.o kernel/rtctime.o kernel/wallclock.o
