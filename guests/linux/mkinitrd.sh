#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Pack the default Linux guest's initramfs, without root (tools/mklinux.sh
# calls it with the unpacked Debian packages):
#   sh guests/linux/mkinitrd.sh MODDIR BUSYBOX INIT OUT.cpio.gz [MODULE...]
# MODDIR is the kernel's lib/modules/<release>, BUSYBOX a static busybox,
# INIT the /init script; the modules staged are the named ones (with what
# they depend on), the virtio drivers when none is named. The archive is two newc cpio archives back to back,
# which the kernel unpacks in turn (Documentation/driver-api/early-userspace/
# buffer-format.rst): first /dev and the /dev/console node, written here with
# printf because GNU cpio can only copy nodes that exist and making one needs
# root; then the staged tree, packed by GNU cpio with every file owned by 0:0.
# The kernel opens /dev/console for /init's stdin, stdout and stderr before
# /init runs, and says "unable to open an initial console" when it finds
# none. Debian's kernel has one from its built-in default initramfs
# (usr/default_cpio_list, as CONFIG_INITRAMFS_SOURCE is empty); ours does
# not depend on that.
set -eu

[ $# -ge 4 ] || { echo "usage: mkinitrd.sh MODDIR BUSYBOX INIT OUT.cpio.gz [MODULE...]" >&2; exit 2; }
moddir=$1 busybox=$2 init=$3 out=$4
shift 4
named=$*
stage=$out.stage
rm -rf "$stage"
mkdir -p "$stage"

# One newc header and name for a file without data: NAME MODE(octal) INO
# RDEVMAJOR RDEVMINOR. The header is "070701" and 13 eight-digit hex fields;
# the name ends with a NUL and header plus name are padded to 4 bytes.
newc_entry() {
	n=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$3" "$((0$2))" 0 0 1 0 0 0 0 "$4" "$5" "$n" 0
	printf '%s\000' "$1"
	case $(((110 + n) % 4)) in
	1) printf '\000\000\000' ;;
	2) printf '\000\000' ;;
	3) printf '\000' ;;
	esac
}

# The early archive: /dev (040755) and /dev/console (char 5:1, 020600).
dev_archive() {
	newc_entry dev 40755 1 0 0
	newc_entry dev/console 20600 2 5 1
	newc_entry TRAILER!!! 0 0 0 0
}

# Copy module NAME (from wherever it sits under MODDIR) into the stage as a
# plain .ko; succeed quietly when it is there already.
stage_module() {
	[ -f "$stage/lib/modules/$1.ko" ] && return 0
	f=$(find "$moddir/kernel" -name "$1.ko*" | head -n 1)
	[ -n "$f" ] || { echo "mkinitrd: module $1 not found in $moddir" >&2; exit 1; }
	case $f in
	*.ko) cp "$f" "$stage/lib/modules/$1.ko" ;;
	*.ko.xz) xz -dc "$f" >"$stage/lib/modules/$1.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$stage/lib/modules/$1.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$stage/lib/modules/$1.ko" ;;
	*) echo "mkinitrd: cannot unpack $f" >&2; exit 1 ;;
	esac
}

# The modules NAME.ko depends on (its modinfo "depends=" field).
module_deps() {
	grep -ao 'depends=[A-Za-z0-9_,-]*' "$stage/lib/modules/$1.ko" | head -n 1 |
		sed 's/^depends=//; s/-/_/g; s/,/ /g'
}

# The modules /init loads: the named ones, else the virtio drivers (the PCI
# transport, blk, net, console, rng); their dependencies (modinfo "depends=": virtio, virtio_ring,
# virtio_pci_modern_dev, virtio_pci_legacy_dev, net_failover, failover),
# and /lib/modules/order: one name a line, each after the ones it needs.
# ext4, jbd2, crc16, crc32c and the hw_random core are built into Debian's
# cloud kernel.
stage_modules() {
	mkdir -p "$stage/lib/modules"
	want=$named
	k=$moddir/kernel/drivers
	[ -n "$want" ] || for f in "$k"/virtio/virtio_pci.ko* "$k"/block/virtio_blk.ko* "$k"/net/virtio_net.ko* \
		"$k"/char/virtio_console.ko* "$k"/char/hw_random/virtio-rng.ko*; do
		[ -f "$f" ] || { echo "mkinitrd: no $f" >&2; exit 1; }
		b=${f##*/}
		want="$want ${b%%.ko*}"
	done
	all=
	while [ -n "$want" ]; do
		# shellcheck disable=SC2086 # split the list into names
		set -- $want
		[ $# -gt 0 ] || break
		m=$1 && shift && want=$*
		case " $all " in *" $m "*) continue ;; esac
		stage_module "$m"
		all="$all $m"
		want="$want $(module_deps "$m")"
	done
	order=
	while [ -n "$all" ]; do
		left=
		for m in $all; do
			ready=1
			for d in $(module_deps "$m"); do
				case " $order " in *" $d "*) ;; *) ready= ;; esac
			done
			if [ -n "$ready" ]; then order="$order $m"; else left="$left $m"; fi
		done
		[ "$left" != "$all" ] || { echo "mkinitrd: module dependency loop in:$left" >&2; exit 1; }
		all=$left
	done
	for m in $order; do echo "$m"; done >"$stage/lib/modules/order"
}

mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	"$stage/proc" "$stage/sys" "$stage/tmp" "$stage/run" "$stage/root" "$stage/etc"
cp "$busybox" "$stage/bin/busybox"
chmod 755 "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$init" "$stage/init"
chmod 755 "$stage/init"
stage_modules

# Fixed times and a sorted list make the same inputs give the same bytes.
find "$stage" -exec touch -h -d @0 {} +
{
	dev_archive
	(cd "$stage" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
		cpio -o -H newc --owner=0:0 --reproducible --quiet)
} | gzip -9 -n >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
