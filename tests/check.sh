#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The test runner behind `make check`: host unit tests (cmocka binaries in
# BUILD/tests/unit/) and system tests (tests/system/tests.cfg), then one
# summary line "N passed, N failed". Every test case counts once: each
# cmocka case, each fuzz harness's replay of its inputs, each system test.
#   tests/check.sh [--unit-only|--system-only|--slow] BUILD [SYSTEM-TEST-NAME...]
# --slow runs the slower system tests of tests/system/tests-slow.cfg.
set -u

mode=all
table=tests/system/tests.cfg
case ${1:-} in
--unit-only) mode=unit; shift ;;
--system-only) mode=system; shift ;;
--slow) mode=system; table=tests/system/tests-slow.cfg; shift ;;
esac
BUILD=${1:?usage: check.sh [--unit-only|--system-only] BUILD [NAME...]}
shift
only=("$@")
top=$(cd "$(dirname "$0")/.." && pwd)
# The build tree for the scripts' commands (gdb loads a guest's symbols
# from $HV_BUILD/guests/<name>.elf).
HV_BUILD=$(cd "$BUILD" && pwd)
export HV_BUILD
out=$BUILD/tests/out
mkdir -p "$out"
passed=0 failed=0 failures=()
start_all=$(date +%s.%N)

note_pass() { passed=$((passed + $1)); }
note_fail() { failed=$((failed + $1)); failures+=("$2"); }

run_unit() {
	local bin name log np nf
	for bin in "$BUILD"/tests/unit/test_*; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin")
		log=$out/$name.log
		"$bin" >"$log" 2>&1
		local rc=$?
		np=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		nf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		np=${np:-0} nf=${nf:-0}
		if [ $rc -ne 0 ] && [ "$nf" -eq 0 ]; then
			nf=1 # crashed (sanitizer, signal) before cmocka could count
		fi
		note_pass "$np"
		if [ "$nf" -gt 0 ]; then
			note_fail "$nf" "unit/$name"
			echo "FAIL unit $name: $np passed, $nf failed"
			grep -E '^\[  (FAILED|ERROR)|ERROR|error:|runtime error|AddressSanitizer' "$log" | head -20
		else
			echo "PASS unit $name ($np cases)"
		fi
	done
}

# The fuzz harnesses' replay builds (tests/fuzz/fuzz.mk) over their seed
# corpus and regression inputs: one case per harness.
run_fuzz_replay() {
	local bin name log inputs
	for bin in "$BUILD"/tests/fuzz/replay/fuzz_*; do
		[ -x "$bin" ] || continue
		name=${bin##*/fuzz_}
		log=$out/fuzz_$name.log
		inputs=()
		for f in "$top/tests/fuzz/corpus/$name"/* "$top/tests/fuzz/regress/$name"/*; do
			[ -f "$f" ] && inputs+=("$f")
		done
		if "$bin" "${inputs[@]}" >"$log" 2>&1; then
			note_pass 1
			echo "PASS fuzz-replay $name (${#inputs[@]} inputs)"
		else
			note_fail 1 "fuzz-replay/$name"
			echo "FAIL fuzz-replay $name: see $log"
			grep -E 'runtime error|ERROR|SUMMARY' "$log" | head -5
		fi
	done
}

# Build the boot medium a system test asks for; prints its path.
make_image() {
	local name=$1 media=$2 cfg=$3 extra=$4 img cfgpath mods
	case $cfg in
	default) cfgpath=$top/guests/hv.cfg ;;
	none) cfgpath=none ;;
	builtin) cfgpath=none ;; # no config file, but the built-in one's files
	*) cfgpath=$top/tests/system/configs/$cfg ;;
	esac
	if [ "$cfg" = builtin ]; then
		mods=$(sh "$top/tools/cfgfiles.sh" "$top/guests/hv.cfg" "$BUILD")
	else
		mods=$(sh "$top/tools/cfgfiles.sh" "$cfgpath" "$BUILD")
	fi
	if [ "$cfg" = default ] && [ -z "$extra" ]; then
		[ "$media" = iso ] && echo "$BUILD/hv.iso" || echo "$BUILD/hv-usb.img"
		return
	fi
	mkdir -p "$BUILD/tests/img"
	if [ "$media" = iso ]; then
		img=$BUILD/tests/img/$name.iso
		# shellcheck disable=SC2086
		sh "$top/tools/mkiso.sh" -o "$img" -k "$BUILD/hv.elf" -c "$cfgpath" -a "$extra" $mods >&2 || return 1
	else
		img=$BUILD/tests/img/$name.img
		# shellcheck disable=SC2086
		sh "$top/tools/mkusb.sh" -o "$img" -e "$BUILD/BOOTX64.EFI" -k "$BUILD/hv.elf" -c "$cfgpath" $mods >&2 || return 1
	fi
	echo "$img"
}

boot_image() {
	local runner=$1 img=$2 smp=$3 timeout=$4 log=$5 name=$6
	case $runner in
	qemu-bios-feed | qemu-bios-gdb | qemu-bios-vtd-feed)
		# typed into the console by tests/system/input/<name> (feed.py);
		# -gdb: QEMU's COM2 on a TCP port for gdb; -vtd-feed: with VT-d
		# and interrupt remapping
		local script=$top/tests/system/input/$name tcp=
		[ -f "$script" ] || script=$top/tests/system/input/${name%-*}
		[ "$runner" = qemu-bios-gdb ] && tcp=--tcp-serial
		set --
		[ "$runner" = qemu-bios-vtd-feed ] && set -- -- -device intel-iommu,intremap=on
		python3 "$top/tests/system/feed.py" --script "$script" --timeout "$timeout" \
			$tcp --log "$log" -- sh "$top/tools/run.sh" --accel tcg --bios seabios \
			--smp "$smp" --mem 512 "$img" "$@" > /dev/null 2>&1 ;;
	qemu-ovmf) sh "$top/tools/run.sh" --accel tcg --bios ovmf --smp "$smp" --mem 512 \
		--timeout "$timeout" --log "$log" "$img" 2>/dev/null ;;
	qemu-bios) sh "$top/tools/run.sh" --accel tcg --bios seabios --smp "$smp" --mem 512 \
		--timeout "$timeout" --log "$log" "$img" 2>/dev/null ;;
	qemu-bios-6g) sh "$top/tools/run.sh" --accel tcg --bios seabios --smp "$smp" --mem 6144 \
		--timeout "$timeout" --log "$log" "$img" 2>/dev/null ;;
	qemu-bios-pcie | qemu-bios-pci)
		# more PCI functions for the host PCI layer (drivers/pci/): q35
		# (ECAM) with edu, a root port with an e1000e behind it, an e1000e
		# and an NVMe (FLR) on the root bus; or i440fx (no MCFG: CF8/CFC)
		# with edu, a PCI-to-PCI bridge with an e1000 behind it, an e1000
		local devs="-device edu,addr=2 -device pcie-root-port,id=rp1,chassis=1,addr=3
			-device e1000e,bus=rp1 -device e1000e,addr=4 -device nvme,serial=hpci,addr=5"
		[ "$runner" = qemu-bios-pci ] && devs="-machine pc -device edu,addr=5
			-device pci-bridge,id=br1,chassis_nr=1,addr=3 -device e1000,bus=br1,addr=1
			-device e1000,addr=6"
		# shellcheck disable=SC2086
		sh "$top/tools/run.sh" --accel tcg --bios seabios --smp "$smp" --mem 512 \
			--timeout "$timeout" --log "$log" "$img" -- $devs 2>/dev/null ;;
	bochs) sh "$top/tools/bochs.sh" --smp "$smp" --mem 512 --timeout "$timeout" \
		--log "$log" "$img" ;;
	bochs-gdb)
		# gdb through Bochs' COM2 (tests/system/bochs_gdb.py), the
		# script of tests/system/input/<name>
		local script=$top/tests/system/input/$name
		[ -f "$script" ] || script=$top/tests/system/input/${name%-*}
		python3 "$top/tests/system/bochs_gdb.py" --script "$script" --timeout "$timeout" \
			--log "$log" -- sh "$top/tools/bochs.sh" --smp "$smp" --mem 512 \
			--timeout "$timeout" --log "$log" "$img" > /dev/null 2>&1 ;;
	drive-ovmf | drive-bios | drive-reboot-ovmf | drive-reboot-bios | drive-paste-bios)
		# the Linux guest's console, driven: it types a line when asked,
		# "reboot" once for the drive-reboot runners, pastes 16 KiB for
		# drive-paste, then "poweroff"
		local fw=${runner##*-} reboots=0 paste=0
		[ "$fw" = bios ] && fw=seabios
		[ "${runner#drive-reboot-}" != "$runner" ] && reboots=1
		[ "${runner#drive-paste-}" != "$runner" ] && paste=16384
		python3 "$top/guests/linux/drive.py" --timeout "$timeout" --quiet \
			--reboots "$reboots" --paste "$paste" --then poweroff --log "$log" -- \
			sh "$top/tools/run.sh" --accel tcg --bios "$fw" \
			--smp "$smp" --mem 1024 "$img" > /dev/null 2>&1 ;;
	qemu-bios-vtd | qemu-bios-amdvi | qemu-bios-vtd-nvme | qemu-bios-amdvi-nvme | \
	qemu-bios-vtd-bridge | qemu-bios-vtd-e1000e | qemu-bios-amdvi-e1000e | \
	qemu-bios-vtd-intx | qemu-bios-amdvi-intx | qemu-bios-vtd-nics)
		# an IOMMU and a device to pass through: QEMU's edu (a DMA engine)
		# at 00:04.0, an NVMe controller there on a 16 MiB image whose
		# first bytes are a label, two e1000e NICs at 00:04.0 and 00:05.0
		# joined by a hub inside QEMU (-nics: an e1000 at 00:04.0 and an
		# e1000e at 00:05.0), an e1000 (INTx only) at 00:04.0, or an edu
		# behind a PCIe-to-PCI bridge
		local unit="intel-iommu,intremap=on" nvimg=${log%.raw}.nvme.img
		[ "${runner#qemu-bios-amdvi}" != "$runner" ] && unit=amd-iommu,intremap=on
		case $runner in
		*-nvme)
			printf 'hv-nvme-passthru' >"$nvimg" && truncate -s 16M "$nvimg" || return 1
			set -- -drive "file=$nvimg,if=none,id=nv,format=raw" \
				-device nvme,drive=nv,serial=hvtest,addr=0x4 ;;
		*-e1000e) set -- -netdev hubport,id=nic0,hubid=0 -device e1000e,netdev=nic0,addr=0x4 \
			-netdev hubport,id=nic1,hubid=0 -device e1000e,netdev=nic1,addr=0x5 ;;
		*-nics) set -- -netdev hubport,id=nic0,hubid=0 -device e1000,netdev=nic0,addr=0x4 \
			-netdev hubport,id=nic1,hubid=0 -device e1000e,netdev=nic1,addr=0x5 ;;
		*-intx) set -- -device e1000,addr=0x4 ;;
		*-bridge) set -- -device pcie-pci-bridge,id=pb,addr=0x5 -device edu,bus=pb,addr=0x1 ;;
		*) set -- -device edu,addr=0x4,dma_mask=0xffffffff ;; # MSI-window writes
		esac
		sh "$top/tools/run.sh" --accel tcg --bios seabios --smp "$smp" --mem 1024 \
			--timeout "$timeout" --log "$log" "$img" -- -device "$unit" "$@" 2>/dev/null ;;
	qemu-bios-big) sh "$top/tools/run.sh" --accel tcg --bios seabios --smp "$smp" \
		--mem 1024 --timeout "$timeout" --log "$log" "$img" 2>/dev/null ;;
	*) echo "unknown runner $runner" >&2; return 2 ;;
	esac
}

# The lines of expectation file $1 and of common-all beside it, comments
# left out.
expectation_lines() {
	grep -v '^#' "$1"
	[ -f "$(dirname "$1")/common-all" ] && cat "$(dirname "$1")/common-all"
}

# The lines a test's expectation file forbids ($1), as one pattern.
forbidden_pattern() {
	expectation_lines "$1" | sed -n 's/^!//p' | paste -sd '|'
}

# boot_image, but on the first try the emulator is stopped as soon as the
# hypervisor reports QEMU's host-state defect or a guest stops in a way
# the test does not expect ($1: the pattern, see retry_pattern): the test
# is run again anyway, and a guest left waiting for the lost one would
# otherwise hold the run until its own timeout (minutes for linux-net).
# On any try, a line the test forbids ($2) decides it: a QEMU run is
# stopped then, with the state dump of a run at its time limit
# (qemu-timeout.py on SIGUSR1), instead of running on to that limit.
boot_watched() {
	local watch=$1 forbid=$2 img=$4 log=$7 pid
	shift 2
	rm -f "$log" "$log.cpus" # not a transcript of an earlier run
	boot_image "$@" &
	pid=$!
	while [ -n "$watch$forbid" ] && kill -0 "$pid" 2>/dev/null; do
		if [ -n "$watch" ] && grep -Eq -- "$watch" "$log" 2>/dev/null; then
			sleep 2 # the stop lines that follow reach the log
			pkill -f -- "$img"
			break
		fi
		if [ -n "$forbid" ] && tr -d '\r' 2>/dev/null < "$log" | grep -Eq -- "$forbid"; then
			sleep 2 # the lines that follow it reach the log
			pkill -USR1 -f -- "qemu-timeout.py .*$img" || pkill -f -- "$img"
			break
		fi
		sleep 0.2
	done
	wait "$pid"
}

# What a run stopped at its time limit (or at a line it forbids) was doing
# (tools/qemu-timeout.py):
# the hypervisor's state dump (each vCPU), each physical CPU's RIP with
# the hypervisor's function it lies in, and each guest's last lines (a
# guest that fell silent is not in the transcript's tail).
timeout_report() {
	local log=$1 g
	[ -n "$(tail -c 1 "$log")" ] && echo # the tail above ended mid-line
	if grep -q '^hv: state dump (Ctrl-T):' "$log"; then
		echo "  the hypervisor's state dump when the run was stopped:"
		sed -n '/^hv: state dump (Ctrl-T):/,$p' "$log" | grep -E '^hv: guest [^ ]+ vcpu [0-9]+: ' |
			sed 's/^/    | /'
	fi
	if [ -s "$log.raw.cpus" ]; then
		echo "  physical CPUs when the run was stopped (QEMU):"
		nm -n "$BUILD/hv.elf" 2>/dev/null | awk -v cpus="$log.raw.cpus" '
			$2 ~ /^[tTwW]$/ && $1 ~ /^ffffffff/ { a[n] = $1; s[n++] = $3 }
			$3 == "__kernel_end" { end = $1 }
			END {
				while ((getline l < cpus) > 0) {
					if (l ~ /^CPU#/) cpu = l
					if (l !~ /^RIP=/) continue
					split(l, f, /[= ]/); rip = f[2]; fn = ""
					for (i = 0; i < n; i++) if (a[i] <= rip) fn = s[i]; else break
					if (!n || rip < a[0] || rip >= end) fn = "(not the hypervisor)"
					match(l, /HLT=[01]/)
					printf "    | %s rip %s %s %s\n", cpu, rip, substr(l, RSTART, RLENGTH), fn
				}
			}'
	fi
	for g in $(sed -n 's/^hv: guest \([^ ]*\) start .*/\1/p' "$log" | sort -u); do
		grep -qF "[$g] " "$log" || continue # the console's only guest: unprefixed
		echo "  last lines of guest $g:"
		grep -F "[$g] " "$log" | tail -n 6 | sed 's/^/    | /'
	done
}

# Check a transcript against an expectation file; prints what is wrong.
check_transcript() {
	local log=$1 expect=$2 line ok=0
	while IFS= read -r line; do
		[ -z "$line" ] && continue
		if [ "${line#!}" != "$line" ]; then
			if grep -Eq -- "${line#!}" "$log"; then
				echo "  unexpected line matching '${line#!}':"
				grep -E -- "${line#!}" "$log" | head -3 | sed 's/^/    /'
				ok=1
			fi
		elif ! grep -Eq -- "$line" "$log"; then
			echo "  missing a line matching '$line'"
			ok=1
		fi
	done < <(expectation_lines "$expect")
	return $ok
}

selected() {
	[ ${#only[@]} -eq 0 ] && return 0
	local n
	for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}

# The line the hypervisor prints when QEMU 7.2's TCG stored the host's own
# state as a guest's at #VMEXIT (arch/x86/svm/svm.c): an emulator defect
# no CPU has, seen about once in 100 Linux boots and more often under
# heavy cross-CPU traffic. A test that fails with it runs once more.
EMULATOR_DEFECT="^hv: error: svm: #VMEXIT 0x[0-9a-f]+ stored the host's state as the guest's"
# The other face of the same defects (TESTING.md): a well-behaved guest
# (Linux) stopped by a triple fault or a failed entry, under SVM in QEMU's
# multi-threaded TCG, once in some hundred thousand exits. A test whose
# expectations do not name such a stop runs once more when its first try
# shows one (or a Linux guest's panic: the same defect's third face, a
# double fault at entry_SYSCALL_64 with the user's RSP and IF clear, as
# if an event had been delivered on state the emulator lost, seen once
# in linux-net-bios in a loaded clean run and in none of its reruns); a stop that comes back on the second try fails the test,
# unless both tries showed the defect the hypervisor names itself
# ($EMULATOR_DEFECT, half of linux-net's first tries in loaded clean
# runs): that earns a third try.
UNEXPECTED_STOP='^hv: guest [^ ]+ stop (triple-fault|entry-failed)|Kernel panic - not syncing'

# What ends a first try early and earns a second: $1 the test's
# expectation file, $2 its runner.
retry_pattern() {
	case $2 in bochs*) return ;; esac # the defects are QEMU's
	if grep -Eq 'triple-fault|entry-failed' "$1" 2>/dev/null; then
		echo "$EMULATOR_DEFECT"
	else
		echo "$EMULATOR_DEFECT|$UNEXPECTED_STOP"
	fi
}
# The emulator itself crashed ($1: its exit status): SIGSEGV or SIGABRT.
# QEMU 7.2's multi-threaded TCG did so once in a loaded clean-clone run,
# after a guest with a passed-through e1000e had stopped (its 32 s
# transcript complete up to the other guest's last lines). Nothing a
# guest or the hypervisor does may crash the emulator, so the test runs
# again, at most twice; a crash on every try still fails it.
emulator_crashed() {
	[ "$1" -eq 139 ] || [ "$1" -eq 134 ]
}

# A guest's stop line: shown with a retry and with a failure.
GUEST_STOP='^hv: guest [^ ]+ stop '

run_system() {
	local name runner media cfg smp timeout extra img log t0 t1 rc why try watch expect forbid
	while read -r name runner media cfg smp timeout extra; do
		case $name in '' | \#*) continue ;; esac
		selected "$name" || continue
		log=$out/$name.serial
		rm -f "$log"
		t0=$(date +%s.%N)
		if ! img=$(make_image "$name" "$media" "$cfg" "$extra"); then
			note_fail 1 "system/$name"
			echo "FAIL system $name: could not build its image"
			continue
		fi
		expect=$top/tests/system/expect/$name
		# <what>-<platform> tests share <what>'s expectations
		[ -f "$expect" ] || expect=$top/tests/system/expect/${name%-*}
		watch=$(retry_pattern "$expect" "$runner")
		forbid=$(forbidden_pattern "$expect")
		# Up to three tries: a second after an unexpected stop, a third
		# only after the defect the hypervisor names itself.
		for try in 1 2 3; do
			boot_watched "$watch" "$forbid" "$runner" "$img" "$smp" "$timeout" "$log.raw" "$name"
			rc=$?
			tr -d '\r' < "$log.raw" > "$log" 2>/dev/null
			if [ $try -lt 3 ] && emulator_crashed $rc; then
				echo "RETRY system $name: the emulator died of signal $((rc - 128)) (an emulator defect, TESTING.md)"
				tail -n 3 "$log" | sed 's/^/    | /'
				cp "$log" "$log.try$try"
				continue
			fi
			[ -n "$watch" ] && grep -Eq -- "$watch" "$log" || break
			echo "RETRY system $name: a QEMU TCG defect (TESTING.md) or a guest stopped unexpectedly:"
			grep -E -- "$EMULATOR_DEFECT|$GUEST_STOP|$UNEXPECTED_STOP" "$log" | head -4 | sed 's/^/    | /'
			cp "$log" "$log.try$try"
			if [ $try = 1 ] && grep -Eq -- "$EMULATOR_DEFECT" "$log"; then
				watch=$EMULATOR_DEFECT
			else
				watch=
			fi
		done
		t1=$(date +%s.%N)
		secs=$(awk "BEGIN { print $t1 - $t0 }")
		if [ ! -f "$expect" ]; then
			note_fail 1 "system/$name"
			echo "FAIL system $name: no expectation file (tests/system/expect/$name)"
			continue
		fi
		if why=$(check_transcript "$log" "$expect"); then
			note_pass 1
			printf "PASS system %-22s %6.1f s\n" "$name" "$secs"
		else
			note_fail 1 "system/$name"
			printf "FAIL system %-22s %6.1f s (emulator status %d)\n" "$name" "$secs" "$rc"
			echo "$why"
			echo "  guests stopped:"
			grep -E -- "$GUEST_STOP" "$log" | sed 's/^/    | /'
			echo "  last lines of $log:"
			tail -n 25 "$log" | sed 's/^/    | /'
			[ "$rc" = 124 ] && timeout_report "$log"
		fi
	done < "$top/$table"
}

[ $mode != system ] && run_unit
[ $mode != system ] && run_fuzz_replay
[ $mode != unit ] && run_system
end_all=$(date +%s.%N)
printf "total time %.1f s\n" "$(awk "BEGIN { print $end_all - $start_all }")"
if [ $failed -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
