#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Boot a hypervisor image in QEMU.
#   sh tools/run.sh [options] IMAGE
#     IMAGE          build/hv-usb.img (USB stick) or build/hv.iso (GRUB ISO)
#     --bios B       ovmf (UEFI, default) or seabios (legacy BIOS)
#     --smp N        CPUs (default 2)
#     --mem MIB      memory (default 1024)
#     --accel A      auto (default), kvm or tcg
#     --log FILE     serial console to FILE instead of the terminal
#     --timeout S    stop QEMU after S seconds (exit status 124); with
#                    --log, first the hypervisor's state dump (Ctrl-T r)
#                    goes to FILE and each CPU's registers to FILE.cpus
#                    (tools/qemu-timeout.py)
#     -- ARGS        more QEMU arguments
# With auto, KVM is used only when the host CPU has vmx/svm, /dev/kvm is
# usable and the kvm module has nested=1: the hypervisor needs
# virtualization inside the VM. Otherwise TCG with -cpu max, which emulates
# AMD SVM with nested paging. The choice and its reason are printed.
# On the terminal: Ctrl-A X ends QEMU, Ctrl-A C toggles the QEMU monitor.
set -eu

bios=ovmf smp=2 mem=1024 accel=auto log= timeout=
while [ $# -gt 0 ]; do
	case $1 in
	--bios) bios=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h | --help) sed -n '3,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) image=$1; shift ;;
	esac
done
[ -n "${image:-}" ] || { echo "usage: run.sh [options] IMAGE" >&2; exit 2; }
[ -f "$image" ] || { echo "run.sh: image '$image' not found (run: make)" >&2; exit 1; }

# Print "yes: why" or "no: why" about nested KVM on this host.
kvm_check() {
	flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
	case " $flags " in
	*" vmx "*) vendor=intel ;;
	*" svm "*) vendor=amd ;;
	*) echo "no: the host CPU flags show neither vmx nor svm"; return ;;
	esac
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "no: /dev/kvm is missing or not accessible"; return
	fi
	nested=$(cat /sys/module/kvm_$vendor/parameters/nested 2>/dev/null || echo unavailable)
	case $nested in
	Y | y | 1) echo "yes: $vendor host, kvm_$vendor nested=$nested" ;;
	*) echo "no: kvm_$vendor nested=$nested (the hypervisor needs nested virtualization)" ;;
	esac
}

case $accel in
auto)
	why=$(kvm_check)
	case $why in yes:*) accel=kvm ;; *) accel=tcg ;; esac
	echo "run.sh: accel=$accel (kvm ${why})" >&2 ;;
kvm | tcg) echo "run.sh: accel=$accel (asked for)" >&2 ;;
*) echo "run.sh: --accel must be auto, kvm or tcg" >&2; exit 2 ;;
esac
if [ "$accel" = kvm ]; then
	cpu="-accel kvm -cpu host"
else
	cpu="-accel tcg -cpu max"
fi

case $bios in
ovmf)
	fw=/usr/share/ovmf/OVMF.fd
	[ -f $fw ] || { echo "run.sh: $fw missing (run: make deps)" >&2; exit 1; }
	fwargs="-bios $fw" ;;
seabios) fwargs= ;;
*) echo "run.sh: --bios must be ovmf or seabios" >&2; exit 2 ;;
esac

case $image in
*.iso) media="-drive file=$image,media=cdrom,readonly=on,if=ide" ;;
*) media="-device qemu-xhci,id=xhci -drive if=none,id=stick,format=raw,snapshot=on,file=$image -device usb-storage,bus=xhci.0,drive=stick,bootindex=1" ;;
esac

if [ -n "$log" ] && [ -n "$timeout" ]; then
	serial=                      # qemu-timeout.py's console socket and log
elif [ -n "$log" ]; then
	serial="-serial file:$log"
elif [ -t 0 ]; then
	serial="-serial mon:stdio"   # a terminal: Ctrl-A X quits, Ctrl-A C monitor
else
	serial="-serial stdio"       # driven by a program: bytes pass unchanged
fi

# shellcheck disable=SC2086
set -- qemu-system-x86_64 -machine q35 $cpu -m "$mem" -smp "$smp" $fwargs \
	$media -nic none -display none -no-reboot $serial "$@"
if [ -n "$log" ] && [ -n "$timeout" ]; then
	exec python3 "$(dirname "$0")/qemu-timeout.py" "$timeout" "$log" -- "$@"
elif [ -n "$timeout" ]; then
	exec timeout -k 5 "$timeout" "$@"
fi
exec "$@"
