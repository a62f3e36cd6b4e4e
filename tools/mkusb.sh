#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build a bootable USB/disk image for the UEFI path, without root or loop
# devices: a GPT disk (sfdisk) with one EFI System Partition named
# "HV-ESP" starting at 1 MiB, holding a FAT32 file system made in a
# separate file (mkfs.fat, filled with mtools) and copied into place:
#   EFI/BOOT/BOOTX64.EFI   the loader (removable-media default path)
#   hv/hv.elf              the hypervisor
#   hv/hv.cfg              its configuration (unless -c none)
#   hv/<basename>          each boot module (-m, repeatable)
# The image is 64 MiB, or larger when the files need it. Write it to a USB
# stick with dd, or boot it in QEMU as a raw disk.
#
#   sh tools/mkusb.sh -o OUT.img -e BOOTX64.EFI -k hv.elf [-c hv.cfg|none]
#                     [-m module ...] [module ...]

set -eu

ESP_TYPE=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
MIN_MB=64

prog=mkusb
die() {
	echo "$prog: error: $*" >&2
	exit 1
}

usage() {
	echo "usage: sh tools/mkusb.sh -o OUT.img -e BOOTX64.EFI -k hv.elf" \
		"[-c hv.cfg|none] [-m module ...] [module ...]" >&2
	exit 2
}

# Modules as a newline-separated list (names with newlines unsupported).
NL='
'
out='' efi='' kernel='' cfg='' mods=''
while getopts o:e:k:c:m:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	e) efi=$OPTARG ;;
	k) kernel=$OPTARG ;;
	c) cfg=$OPTARG ;;
	m) mods=$mods$OPTARG$NL ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
for m in "$@"; do
	mods=$mods$m$NL
done
[ "$cfg" = none ] && cfg=

[ -n "$out" ] || { echo "$prog: -o OUT.img is required" >&2; usage; }
[ -n "$efi" ] || { echo "$prog: -e BOOTX64.EFI is required" >&2; usage; }
[ -n "$kernel" ] || { echo "$prog: -k hv.elf is required" >&2; usage; }

need_tool() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found (install the Debian package $2)"
}
need_tool sfdisk fdisk
need_tool mkfs.fat dosfstools
need_tool mmd mtools
need_tool mcopy mtools
need_tool dd coreutils

need_file() {
	[ -f "$2" ] || die "$1 '$2' not found"
	[ -r "$2" ] || die "$1 '$2' is not readable"
}
need_file "loader (-e)" "$efi"
need_file "kernel (-k)" "$kernel"
[ -z "$cfg" ] || need_file "config (-c)" "$cfg"

# Every module lands in hv/ under its base name; names must not clash.
names="hv.elf${NL}"
[ -z "$cfg" ] || names="${names}hv.cfg${NL}"
total=$(($(wc -c <"$efi") + $(wc -c <"$kernel")))
[ -z "$cfg" ] || total=$((total + $(wc -c <"$cfg")))
IFS=$NL
for m in $mods; do
	need_file "module (-m)" "$m"
	b=$(basename "$m")
	case "$NL$names" in
	*"$NL$b$NL"*) die "module '$m': hv/$b is already on the image" ;;
	esac
	names="$names$b$NL"
	total=$((total + $(wc -c <"$m")))
done
unset IFS

# FAT needs room for its tables and clusters: a quarter more plus 8 MiB.
# The partition starts at 1 MiB; the last MiB holds the backup GPT.
mib=1048576
need_mb=$(((total + total / 4 + mib - 1) / mib + 8))
part_mb=$((MIN_MB - 2))
[ "$need_mb" -le "$part_mb" ] || part_mb=$need_mb
img_mb=$((part_mb + 2))

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkusb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
fat=$tmp/esp.fat
img=$tmp/disk.img

# The file system, built on its own and filled with mtools.
dd if=/dev/zero of="$fat" bs=$mib count=0 seek="$part_mb" 2>/dev/null ||
	die "cannot create $fat"
mkfs.fat -F 32 -n HV-ESP "$fat" >/dev/null || die "mkfs.fat failed"
export MTOOLS_SKIP_CHECK=1
mmd -i "$fat" ::/EFI ::/EFI/BOOT ::/hv || die "mmd failed"
mcopy -i "$fat" "$efi" ::/EFI/BOOT/BOOTX64.EFI || die "mcopy $efi failed"
mcopy -i "$fat" "$kernel" ::/hv/hv.elf || die "mcopy $kernel failed"
if [ -n "$cfg" ]; then
	mcopy -i "$fat" "$cfg" ::/hv/hv.cfg || die "mcopy $cfg failed"
fi
IFS=$NL
for m in $mods; do
	mcopy -i "$fat" "$m" "::/hv/$(basename "$m")" || die "mcopy $m failed"
done
unset IFS

# The disk: GPT with one EFI System Partition (UEFI 2.10 §5.3.3, §13.3.1).
dd if=/dev/zero of="$img" bs=$mib count=0 seek="$img_mb" 2>/dev/null ||
	die "cannot create $img"
sfdisk --quiet --no-reread --no-tell-kernel "$img" >/dev/null <<EOF ||
label: gpt
unit: sectors
start=2048, size=$((part_mb * 2048)), type=$ESP_TYPE, name="HV-ESP"
EOF
	die "sfdisk failed"
dd if="$fat" of="$img" bs=$mib seek=1 conv=notrunc 2>/dev/null ||
	die "cannot copy the file system into $img"

mv -f "$img" "$out" || die "cannot write $out"
echo "$prog: $out: ${img_mb} MiB; ESP: EFI/BOOT/BOOTX64.EFI" \
	"$(printf '%s' "$names" | sed 's|^|hv/|' | tr '\n' ' ')"
