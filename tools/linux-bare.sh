#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The default Linux guest on plain QEMU (no hypervisor) with QEMU's own
# virtio devices: the baseline the hypervisor's virtio devices are measured
# against (make bench), and proof that the guest side (the initramfs's
# modules and /init) works on its own:
#   sh tools/linux-bare.sh BUILD [--smp N] [--timeout S] [--bench]
# It boots BUILD/linux/bzImage and initrd.cpio.gz under QEMU TCG, q35, with
#   virtio-blk    a fresh copy of BUILD/linux/root.img (-drive if=virtio)
#   virtio-net    a user-mode (restricted, no outside access) NIC whose MAC is
#                 the one hv.cfg's "net =" derives for a guest named "linux"
#   virtio-rng    -device virtio-rng-pci
#   virtio-serial one virtconsole port on stdio, the kernel's console=hvc0
# and "hv.test=disk,rng", drives the console with guests/linux/drive.py
# (which types a line at the echo check, "reboot" at the first shell and
# "poweroff" at the second: the second boot finds the first one's disk
# test file) and checks the transcript against
# tests/system/expect/linux-bare. Prints the host time to boot and what
# /init printed; exit status 0 when every expected line came.
# --bench: one boot, a 64 MiB scratch disk as the second virtio disk (vdb)
# and "hv.test=blkbench": /init's O_DIRECT sequential write and read MiB/s
# (the baseline of make bench's virtio-blk figures); passes when that
# check is ok and none failed.
set -eu

[ $# -ge 1 ] || { echo "usage: linux-bare.sh BUILD [--smp N] [--timeout S] [--bench]" >&2; exit 2; }
BUILD=$1
shift
smp=2 timeout=300 bench=
while [ $# -gt 0 ]; do
	case $1 in
	--smp) smp=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--bench) bench=1; shift ;;
	*) echo "linux-bare.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
lin=$BUILD/linux
out=$BUILD/linux-bare
expect=$top/tests/system/expect/linux-bare
for f in bzImage initrd.cpio.gz root.img; do
	[ -f "$lin/$f" ] || { echo "linux-bare.sh: $lin/$f missing (run make)" >&2; exit 1; }
done
mkdir -p "$out"
cp "$lin/root.img" "$out/root.img"
log=$out/console.log
rm -f "$log"

# Two boots (reboot, then poweroff), or one for --bench with a scratch disk.
drive="--reboots 1 --then poweroff" tests=disk,rng scratch=
if [ -n "$bench" ]; then
	drive="--reboots 0 --then poweroff" tests=blkbench,disk
	rm -f "$out/scratch.img"
	truncate -s 64M "$out/scratch.img"
	scratch="if=virtio,file=$out/scratch.img,format=raw"
fi
# MAC 02:c5:9c:c1:0e:07: kernel/config.c config_derive_mac("linux", 0).
t0=$(date +%s.%N)
# shellcheck disable=SC2086 # $drive is a list of options
python3 "$top/guests/linux/drive.py" --timeout "$timeout" --quiet --log "$log" $drive -- \
	timeout -k 5 "$timeout" qemu-system-x86_64 -machine q35 -accel tcg -cpu max \
	-m 256 -smp "$smp" -kernel "$lin/bzImage" -initrd "$lin/initrd.cpio.gz" \
	-append "console=hvc0 panic=-1 hv.expect_cpus=$smp hv.test=$tests" \
	-display none -monitor none -serial none \
	-chardev stdio,id=con0 -device virtio-serial-pci -device virtconsole,chardev=con0 \
	-drive "if=virtio,file=$out/root.img,format=raw" ${scratch:+-drive "$scratch"} \
	-device virtio-rng-pci \
	-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,mac=02:c5:9c:c1:0e:07 \
	>/dev/null 2>&1 || :
t1=$(date +%s.%N)
tr -d '\r' <"$log" >"$log.txt" 2>/dev/null || :

grep -E '^hv-linux: |^drive: ' "$log.txt" || :
printf 'linux-bare: host time %.1f s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
bad=0
if [ -n "$bench" ]; then
	grep -q '^hv-linux: check blkbench ok' "$log.txt" || bad=1
	! grep -Eq 'check [a-z]+ FAIL|Kernel panic' "$log.txt" || bad=1
	[ $bad -eq 0 ] && echo "PASS linux-bare --bench" || echo "FAIL linux-bare --bench: see $log.txt"
	exit $bad
fi
while IFS= read -r line; do
	case $line in '' | \#*) continue ;; esac
	if [ "${line#!}" != "$line" ]; then
		if grep -Eq -- "${line#!}" "$log.txt"; then
			echo "linux-bare: unexpected line matching '${line#!}'"
			bad=1
		fi
	elif ! grep -Eq -- "$line" "$log.txt"; then
		echo "linux-bare: missing a line matching '$line'"
		bad=1
	fi
done <"$expect"
if [ $bad -eq 0 ]; then
	echo "PASS linux-bare (transcript $log.txt)"
else
	echo "FAIL linux-bare: see $log.txt"
	tail -n 25 "$log.txt" | sed 's/^/    | /'
fi
exit $bad
