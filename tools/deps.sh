#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Install the Debian/Ubuntu packages that building, running and testing the
# hypervisor need, if any are missing. Says clearly what is needed when it
# cannot install them itself (not root and no sudo, or not Debian/Ubuntu).
set -eu

PACKAGES="build-essential nasm gnu-efi mtools dosfstools fdisk xorriso
grub-common grub-pc-bin grub-efi-amd64-bin qemu-system-x86 ovmf
bochs bochs-term bochsbios vgabios libcmocka-dev acpica-tools cpio busybox-static
gzip xz-utils e2fsprogs python3 clang libclang-rt-14-dev libzydis-dev gdb"

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: this is not a Debian or Ubuntu system (no apt-get)." >&2
	echo "deps: install the equivalents of these packages by hand:$missing" >&2
	exit 1
fi
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps: missing packages:$missing" >&2
		echo "deps: run as root (or install sudo): apt-get install$missing" >&2
		exit 1
	fi
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
