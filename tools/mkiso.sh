#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build a GRUB rescue ISO (boots on BIOS and UEFI, from CD or USB) whose
# menu loads the hypervisor through multiboot2 with its config and modules:
#   sh tools/mkiso.sh -o OUT.iso -k hv.elf [-c hv.cfg|none] [-m FILE ...]
#                     [-a "extra kernel command line"] [-n MODNAME] [-1]
# Modules are passed with their file names; the config as "hv.cfg" (or the
# name given with -n, to test a config that names something missing).
# With -1 the kernel is a multiboot (version 1) image booted bare, with
# the -a arguments only: a test guest without the hypervisor (make bench
# runs its bench guest so under Bochs).
set -eu

out= kernel= cfg= cmdextra= cfgname=hv.cfg mb1=
mods=
while getopts o:k:c:m:a:n:1 opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) kernel=$OPTARG ;;
	c) cfg=$OPTARG ;;
	m) mods="$mods $OPTARG" ;;
	a) cmdextra=$OPTARG ;;
	n) cfgname=$OPTARG ;;
	1) mb1=1 ;;
	*) echo "usage: mkiso.sh -o OUT -k KERNEL [-c CFG|none] [-m MODULE]... [-a ARGS] [-1]" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] && [ -n "$kernel" ] || { echo "mkiso.sh: -o and -k are required" >&2; exit 2; }
[ -f "$kernel" ] || { echo "mkiso.sh: kernel '$kernel' not found" >&2; exit 1; }
command -v grub-mkrescue >/dev/null || { echo "mkiso.sh: grub-mkrescue missing (run: make deps)" >&2; exit 1; }

tmp=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$tmp" "$log"' EXIT
mkdir -p "$tmp/boot/grub" "$tmp/hv"
cp "$kernel" "$tmp/hv/hv.elf"
{
	echo 'set timeout=0'
	echo 'set default=0'
	echo 'serial --unit=0 --speed=115200'
	echo 'terminal_input serial console'
	echo 'terminal_output serial console'
	echo 'menuentry "hv" {'
	if [ -n "$mb1" ]; then
		echo "	multiboot /hv/hv.elf $cmdextra"
	else
		echo "	multiboot2 /hv/hv.elf config=hv.cfg $cmdextra"
		if [ -n "$cfg" ] && [ "$cfg" != none ]; then
			[ -f "$cfg" ] || { echo "mkiso.sh: config '$cfg' not found" >&2; exit 1; }
			cp "$cfg" "$tmp/hv/$cfgname"
			echo "	module2 /hv/$cfgname $cfgname"
		fi
		for m in $mods; do
			b=$(basename "$m")
			if [ -f "$m" ]; then
				cp "$m" "$tmp/hv/$b"
			fi
			# A missing file still gets its line: GRUB reports it,
			# the hypervisor reports that the module is missing.
			echo "	module2 /hv/$b $b"
		done
	fi
	echo '	boot'
	echo '}'
} > "$tmp/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
# xorriso 1.5.4 has been seen to die of SIGSEGV on its way out after
# writing a good image (once in some thousand runs): one more try.
if ! grub-mkrescue -o "$out" "$tmp" >"$log" 2>&1; then
	if ! grep -q 'UNIX-SIGNAL' "$log" || ! grub-mkrescue -o "$out" "$tmp" >"$log" 2>&1; then
		cat "$log" >&2
		exit 1
	fi
	echo "mkiso.sh: xorriso crashed (a signal); the second try made $out" >&2
fi
