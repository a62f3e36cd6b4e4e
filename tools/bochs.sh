#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Boot a GRUB ISO in Bochs, which emulates an Intel CPU with VMX, EPT and
# x2APIC (the hypervisor's VMX path). The serial console goes to a file.
#   sh tools/bochs.sh --log FILE [--smp N] [--mem MIB] [--timeout S] [--com2 HOST:PORT] ISO
# --com2: a second serial port that connects to a TCP server (the GDB stub's
# line, tests/system/bochs_gdb.py).
# Bochs ignores SIGTERM, so the timeout ends it with SIGKILL. It exits by
# itself when the guest powers off through ACPI.
set -eu

smp=2 mem=512 timeout=120 log= com2=
while [ $# -gt 0 ]; do
	case $1 in
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--com2) com2=$2; shift 2 ;;
	-*) echo "bochs.sh: unknown option $1" >&2; exit 2 ;;
	*) iso=$1; shift ;;
	esac
done
[ -n "${iso:-}" ] && [ -n "$log" ] || { echo "usage: bochs.sh --log FILE [--smp N] ISO" >&2; exit 2; }
[ -f "$iso" ] || { echo "bochs.sh: '$iso' not found" >&2; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
: > "$log"
cat > "$dir/rc" <<RC
megs: $mem
cpu: model=corei7_skylake_x, count=$smp, ips=50000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$(realpath "$iso"), status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$(realpath "$log")
${com2:+com2: enabled=1, mode=socket-client, dev=$com2}
display_library: term
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
log: $dir/bochs.log
panic: action=fatal
error: action=report
clock: sync=none
RC
echo c > "$dir/cmds"
rc=0
TERM=${TERM:-xterm} timeout -s KILL "$timeout" bochs -q -f "$dir/rc" -rc "$dir/cmds" \
	< /dev/null > "$dir/out" 2>&1 || rc=$?
# ACPI power-off reaches Bochs as a "panic" with this message: a clean end.
if grep -q "ACPI control: soft power off" "$dir/bochs.log"; then
	rc=0
elif [ $rc -ne 0 ]; then
	echo "bochs.sh: bochs ended with status $rc; last log lines:" >&2
	grep -E '\]\s*(>>PANIC<<|exception|triple)' "$dir/bochs.log" | tail -5 >&2 || true
fi
exit $rc
