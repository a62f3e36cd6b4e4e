#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make bench: the exit-cost benchmark. The bench guest (guests/tests/bench.c)
# times round trips with RDTSC: CPUID, hypercall, a PIO read of an emulated
# port, an MMIO read of an emulated register, and a HLT woken by the LAPIC
# timer. It runs three times:
#   bare    plain QEMU TCG, -icount shift=0,sleep=off (no hypervisor)
#   svm     under hv in the same QEMU configuration (AMD SVM emulated)
#   vmx     under hv in Bochs (Intel VMX emulated)
# With -icount shift=0 QEMU's TSC counts instructions (its own VMRUN/#VMEXIT
# counts as one), so "svm - bare" is the number of instructions the exit
# costs, almost all of them the hypervisor's exit path; repeatable to the
# instruction. Bochs's TSC also advances one tick per instruction.
#   sh tools/bench.sh BUILD
set -eu
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$BUILD/bench
mkdir -p "$out"
guest=$BUILD/guests/bench.elf
[ -f "$guest" ] || { echo "bench.sh: $guest missing (run make)" >&2; exit 1; }

printf '[guest bench]\ncpus = 0\nmemory = 64M\nkernel = bench.elf\n' > "$out/bench.cfg"
sh "$top/tools/mkiso.sh" -o "$out/bench.iso" -k "$BUILD/hv.elf" -c "$out/bench.cfg" -m "$guest"

icount="-icount shift=0,sleep=off"
echo "bench: bare QEMU (icount)" >&2
timeout -k 5 120 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 128 -smp 1 $icount \
	-kernel "$guest" -device isa-debug-exit,iobase=0xf4,iosize=4 -display none \
	-serial "file:$out/bare.log" -nic none -no-reboot || true
echo "bench: hv, SVM under QEMU (icount)" >&2
timeout -k 5 300 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 512 -smp 1 $icount \
	-cdrom "$out/bench.iso" -display none -serial "file:$out/svm.log" -nic none -no-reboot || true
echo "bench: hv, VMX under Bochs" >&2
sh "$top/tools/bochs.sh" --smp 1 --timeout 600 --log "$out/vmx.log" "$out/bench.iso" || true

value() { tr -d '\r' < "$2" 2>/dev/null | awk -v n="$1" '$1 == "BENCH" && $2 == n { print $3 }'; }
# The ratio s/b of two figures, "-" when either is missing.
ratio() { awk -v b="$1" -v s="$2" 'BEGIN { if (b > 0 && s > 0) printf "%.2f", s / b; else print "-" }'; }

printf '\n%-12s %12s %12s %12s %12s\n' operation bare svm svm-bare vmx
for op in cpuid hypercall pio_read mmio_read timer_spin hlt_wakeup; do
	b=$(value $op "$out/bare.log"); s=$(value $op "$out/svm.log"); v=$(value $op "$out/vmx.log")
	d=-
	case "$b$s" in *[!0-9]*|"") ;; *) d=$((s - b)) ;; esac
	printf '%-12s %12s %12s %12s %12s\n' $op "${b:--}" "${s:--}" "$d" "${v:--}"
done
hlt_extra() { awk -v h="$(value hlt_wakeup "$1")" -v s="$(value timer_spin "$1")" \
	'BEGIN { if (h != "" && s != "") print h - s; else print "-" }'; }
printf '%-12s %12s %12s %12s %12s\n' hlt-spin "$(hlt_extra "$out/bare.log")" \
	"$(hlt_extra "$out/svm.log")" - "$(hlt_extra "$out/vmx.log")"
printf '\n(cycles per operation as the guest measures them; bare and svm under QEMU\n'
printf ' -icount shift=0 = instructions; vmx = Bochs ticks. timer_spin and\n'
printf ' hlt_wakeup include the 10000-count LAPIC timer period, which depends on\n'
printf " the APIC's rate (QEMU 1 GHz, hv's virtual APIC 100 MHz); hlt-spin is\n"
printf ' what waiting in HLT adds to it. Transcripts in %s/)\n' "$out"
grep -h "exits" "$out/svm.log" "$out/vmx.log" 2>/dev/null | tr -d '\r' | grep "guest bench vcpu" || true

# ---- Linux boot: the default guest's kernel and initramfs, bare and
# under hv (SVM), one vCPU (QEMU's icount cannot run a second CPU), in the
# same QEMU configuration. The figure is the guest's uptime when its /init
# starts (with icount, virtual time follows instructions), and the ratio
# hv/bare; then the exits per boot by code.
linux=$BUILD/linux
if [ -f "$linux/bzImage" ] && [ -f "$linux/initrd.cpio.gz" ]; then
	args="console=ttyS0 panic=-1 hv.expect_cpus=1 hv.poweroff hv.noecho"
	printf '[guest linux]\ncpus = 0\nmemory = 256M\nkernel = bzImage\ninitrd = initrd.cpio.gz\ncmdline = %s\n' \
		"$args" > "$out/linux.cfg"
	sh "$top/tools/mkiso.sh" -o "$out/linux.iso" -k "$BUILD/hv.elf" -c "$out/linux.cfg" \
		-m "$linux/bzImage" -m "$linux/initrd.cpio.gz"
	echo "bench: Linux bare (icount)" >&2
	timeout -k 5 300 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 512 -smp 1 $icount \
		-kernel "$linux/bzImage" -initrd "$linux/initrd.cpio.gz" -append "$args" \
		-display none -serial "file:$out/linux-bare.log" -nic none -no-reboot || true
	echo "bench: Linux under hv, SVM (icount)" >&2
	timeout -k 5 600 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 1024 -smp 1 $icount \
		-cdrom "$out/linux.iso" -display none -serial "file:$out/linux-svm.log" -nic none \
		-no-reboot || true
	up() { tr -d '\r' < "$1" 2>/dev/null | awk '/^hv-linux: userspace up/ { print $4; exit }'; }
	ending() { tr -d '\r' < "$1" 2>/dev/null | awk '/^hv-linux: ending at uptime/ { print $5; exit }'; }
	ran() { tr -d '\r' < "$1" 2>/dev/null | awk '/^hv: guest linux ran / { print $5; exit }'; }
	b=$(up "$out/linux-bare.log"); s=$(up "$out/linux-svm.log")
	# The hypervisor's own count from the first guest instruction to
	# user space: its run time less what the guest spent after the marker.
	h=$(awk -v r="$(ran "$out/linux-svm.log")" -v u="$s" -v e="$(ending "$out/linux-svm.log")" \
		'BEGIN { if (r > 0 && e > 0) printf "%.2f", r - (e - u); }')
	printf '\nLinux boot to user space (s): bare guest uptime %s; under hv: guest uptime %s, from the first guest instruction %s\n' \
		"${b:--}" "${s:--}" "${h:--}"
	printf 'ratio hv/bare: %s by guest uptime, %s from the first guest instruction\n' \
		"$(ratio "$b" "$s")" "$(ratio "$b" "$h")"
	tr -d '\r' < "$out/linux-svm.log" | grep "^hv: guest linux exits" || true
fi

# ---- virtio-blk: the same /init O_DIRECT benchmark (hv.test=blkbench, 64 MiB
# sequential write then read on a 64 MiB scratch disk, 1 vCPU) on plain QEMU
# with QEMU's own virtio-blk (tools/linux-bare.sh --bench) and under hv with
# the hypervisor's virtio-blk, in the same QEMU TCG configuration (no
# icount: the figures are host time). Prints MiB/s and the ratio hv/bare.
if [ -f "$linux/bzImage" ] && [ -f "$linux/root.img" ]; then
	echo "bench: virtio-blk, Linux bare" >&2
	sh "$top/tools/linux-bare.sh" "$BUILD" --smp 1 --bench --timeout 400 >"$out/blk-bare.out" 2>&1 || true
	truncate -s 0 "$out/scratch.img"
	truncate -s 64M "$out/scratch.img"
	args="console=ttyS0 panic=-1 hv.expect_cpus=1 hv.poweroff hv.noecho hv.test=blkbench,disk"
	printf '[guest linux]\ncpus = 0\nmemory = 256M\nkernel = bzImage\ninitrd = initrd.cpio.gz\ncmdline = %s\ndisk = root.img\ndisk = scratch.img\n' \
		"$args" > "$out/blk.cfg"
	sh "$top/tools/mkiso.sh" -o "$out/blk.iso" -k "$BUILD/hv.elf" -c "$out/blk.cfg" \
		-m "$linux/bzImage" -m "$linux/initrd.cpio.gz" -m "$linux/root.img" -m "$out/scratch.img"
	echo "bench: virtio-blk, Linux under hv (SVM)" >&2
	timeout -k 5 400 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 1024 -smp 1 \
		-cdrom "$out/blk.iso" -display none -serial "file:$out/blk-svm.log" -nic none \
		-no-reboot || true
	mib() { tr -d '\r' < "$1" 2>/dev/null |
		sed -n "s/.*check blkbench ok .* write .* \([0-9.]*\) MiB\/s, read .* \([0-9.]*\) MiB\/s.*/\1 \2/p" | head -n 1; }
	set -- $(mib "$BUILD/linux-bare/console.log.txt") - -
	bw=$1 br=$2
	set -- $(mib "$out/blk-svm.log") - -
	sw=$1 sr=$2
	printf '\nvirtio-blk, 64 MiB O_DIRECT, 1 vCPU (MiB/s): %-6s %8s %8s %8s\n' "" bare hv hv/bare
	printf 'virtio-blk %-36s %8s %8s %8s\n' "sequential write" "$bw" "$sw" "$(ratio "$bw" "$sw")"
	printf 'virtio-blk %-36s %8s %8s %8s\n' "sequential read" "$br" "$sr" "$(ratio "$br" "$sr")"
fi
