# SPDX-License-Identifier: MIT
objs-y += drivers/uart.o drivers/ioapic.o drivers/acpi.o drivers/acpi_log.o \
	drivers/acpi_power.o drivers/timer.o drivers/rtc.o \
	drivers/pci/pci_enum.o drivers/pci/pci_host.o \
	drivers/iommu/iommu.o drivers/iommu/vtd.o drivers/iommu/vtd_dmar.o drivers/iommu/vtd_pt.o \
	drivers/iommu/amdvi.o drivers/iommu/amdvi_ivrs.o drivers/iommu/amdvi_pt.o drivers/iommu/amdvi_hw.o \
	drivers/iommu/iommu_selftest.o
