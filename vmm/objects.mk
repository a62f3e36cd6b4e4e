# SPDX-License-Identifier: MIT
# Vendor-neutral virtualization (VMs, vCPUs, exits, devices) comes here.
