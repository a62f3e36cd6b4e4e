# SPDX-License-Identifier: MIT
objs-y += drivers/uart.o drivers/acpi.o drivers/acpi_log.o \
	drivers/acpi_power.o drivers/timer.o drivers/rtc.o
