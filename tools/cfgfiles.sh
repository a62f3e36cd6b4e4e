#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The boot modules a hypervisor config names (its kernel =, initrd = and
# disk = values, a disk's ",ro" dropped), once each, as "-m PATH" arguments
# for tools/mkusb.sh and tools/mkiso.sh:
#   sh tools/cfgfiles.sh CONFIG BUILD
# Each name is looked up in BUILD/linux/, BUILD/linux-generic/, BUILD/guests/ and
# tests/system/files/; a name found nowhere is left out, and the
# hypervisor then reports the module missing.
set -eu
cfg=$1 build=$2
top=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$cfg" ] || exit 0
sed -n 's/^[[:space:]]*\(kernel\|initrd\|disk\)[[:space:]]*=[[:space:]]*\([^[:space:],]*\).*/\2/p' "$cfg" |
awk '!seen[$0]++' |
while read -r f; do
	for d in "$build/linux" "$build/linux-generic" "$build/guests" "$top/tests/system/files"; do
		if [ -f "$d/$f" ]; then
			echo "-m $d/$f"
			break
		fi
	done
done
