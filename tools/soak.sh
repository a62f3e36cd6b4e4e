#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The soak tier (make soak; not part of make check), under SVM in QEMU TCG:
#   bash tools/soak.sh BUILD [linux|restart]...     (default: both)
#   restart  a guest that triple-faults and a heartbeat guest that ends
#            through the exit device, each restarted SOAK_RESTARTS times
#            (on_stop = restart, default 100) on their own CPUs;
#   linux    the 2-vCPU Linux guest rebooted SOAK_REBOOTS times from its
#            shell (guests/linux/drive.py --reboots, default 100).
# Each part asserts the expected count of stops/restarts or boots, no
# hypervisor panic, and that the host's free memory, logged at every guest
# stop and reset ("hv: mem free <KiB> KiB at guest ..."), never shrinks;
# it prints "soak <part>: PASS|FAIL count .. mem-free min .. max .. KiB
# time .. s". Transcripts go to BUILD/soak/. Exit status 0 when all pass.
set -u

BUILD=${1:?usage: soak.sh BUILD [linux|restart]...}
shift
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(restart linux)
RESTARTS=${SOAK_RESTARTS:-100}
REBOOTS=${SOAK_REBOOTS:-100}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$BUILD/soak
mkdir -p "$out"
failed=0

# Build an ISO for config $1 (named $2); prints its path.
soak_image() {
	local cfg=$1 name=$2 mods
	mods=$(sh "$top/tools/cfgfiles.sh" "$cfg" "$BUILD")
	# shellcheck disable=SC2086
	sh "$top/tools/mkiso.sh" -o "$out/$name.iso" -k "$BUILD/hv.elf" -c "$cfg" $mods >&2 &&
		echo "$out/$name.iso"
}

# The "mem free" figures of transcript $1: prints "count min max" and
# fails when one is smaller than the one before it.
mem_figures() {
	sed -n 's/^hv: mem free \([0-9]*\) KiB at guest .*/\1/p' "$1" | awk '
		NR == 1 { min = max = $1 }
		{ if ($1 < prev) shrank = 1; if ($1 < min) min = $1; if ($1 > max) max = $1; prev = $1 }
		END { print NR, min + 0, max + 0; exit shrank }'
}

# Count lines of $1 matching regex $2.
count() { grep -cE -- "$2" "$1"; }

verdict() {
	local part=$1 ok=$2 what=$3 figs=$4 secs=$5
	set -- $figs
	printf "soak %s: %s %s mem-free reports %s min %s max %s KiB time %s s\n" \
		"$part" "$([ "$ok" = 0 ] && echo PASS || echo FAIL)" "$what" "$1" "$2" "$3" "$secs"
	[ "$ok" = 0 ] || failed=1
}

soak_restart() {
	local cfg=$out/soak-restart.cfg log=$out/soak-restart.serial img t0 secs ok=0 figs n
	cat > "$cfg" <<-CFG
	# soak: two guests each restarted $RESTARTS times.
	[guest crasher]
	cpus = 0
	memory = 32M
	kernel = triplefault.elf
	cmdline = test-guest triplefault
	on_stop = restart
	restarts = $RESTARTS
	[guest beater]
	cpus = 1
	memory = 32M
	kernel = heartbeat.elf
	cmdline = beats=2
	on_stop = restart
	restarts = $RESTARTS
	CFG
	img=$(soak_image "$cfg" soak-restart) || { verdict restart 1 "no image" "0 0 0" 0; return; }
	t0=$(date +%s.%N)
	sh "$top/tools/run.sh" --accel tcg --bios seabios --smp 2 --mem 512 \
		--timeout $((120 + RESTARTS * 3)) --log "$log.raw" "$img" 2>/dev/null
	tr -d '\r' < "$log.raw" > "$log"
	secs=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }")
	figs=$(mem_figures "$log") || { echo "  free memory shrank"; ok=1; }
	for g in "crasher stop triple-fault" "beater stop exit-device status 0"; do
		n=$(count "$log" "^hv: guest $g")
		[ "$n" -eq $((RESTARTS + 1)) ] ||
			{ echo "  $n lines 'hv: guest $g', not $((RESTARTS + 1))"; ok=1; }
	done
	grep -q "^hv: guest beater restart $RESTARTS of $RESTARTS$" "$log" ||
		{ echo "  no last restart of beater"; ok=1; }
	grep -q '^hv: all guests stopped$' "$log" || { echo "  the guests did not all stop"; ok=1; }
	grep -q '^hv: panic:' "$log" && { echo "  hypervisor panic"; ok=1; }
	[ $ok = 0 ] || tail -n 20 "$log" | sed 's/^/    | /'
	verdict restart $ok "stops $(count "$log" '^hv: guest [a-z]+ stop ')\
 restarts $(count "$log" '^hv: guest [a-z]+ restart [0-9]+ of')" "$figs" "$secs"
}

# The guest's own checks judged here, not by drive.py's exit status: its
# 2 s timer check is +-5% of host time and fails now and then on a loaded
# host (counted and reported, not a soak failure); any other failed check is.
soak_linux() {
	local cfg=$out/soak-linux.cfg log=$out/soak-linux.serial img t0 secs ok=0 figs boots
	local timer_fails per_boot
	cat > "$cfg" <<-CFG
	# soak: the Linux guest rebooted $REBOOTS times from its shell ("quiet":
	# no kernel message splits the shell prompt line drive.py waits for).
	[guest linux]
	cpus = 0-1
	memory = 256M
	kernel = bzImage
	initrd = initrd.cpio.gz
	cmdline = console=ttyS0 panic=-1 quiet hv.expect_cpus=2
	CFG
	img=$(soak_image "$cfg" soak-linux) || { verdict linux 1 "no image" "0 0 0" 0; return; }
	t0=$(date +%s.%N)
	python3 "$top/guests/linux/drive.py" --timeout $((300 + REBOOTS * 120)) --quiet \
		--reboots "$REBOOTS" --then poweroff --log "$log.raw" -- \
		sh "$top/tools/run.sh" --accel tcg --bios seabios --smp 2 --mem 1024 "$img" \
		> /dev/null 2>&1
	tr -d '\r' < "$log.raw" > "$log"
	secs=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }")
	figs=$(mem_figures "$log") || { echo "  free memory shrank"; ok=1; }
	boots=$(count "$log" '^hv-linux: userspace up ')
	[ "$boots" -eq $((REBOOTS + 1)) ] || { echo "  $boots boots, not $((REBOOTS + 1))"; ok=1; }
	[ "$(count "$log" '^hv: guest linux reset reset-register count')" -eq "$REBOOTS" ] ||
		{ echo "  not $REBOOTS resets"; ok=1; }
	[ "$(count "$log" '^hv-linux: checks done$')" -eq "$boots" ] ||
		{ echo "  a boot did not finish its checks"; ok=1; }
	grep -E '^hv-linux: check [a-z]+ FAIL' "$log" | grep -v 'check timer FAIL' &&
		{ echo "  a guest check failed"; ok=1; }
	timer_fails=$(count "$log" '^hv-linux: check timer FAIL')
	grep -q '^hv: guest linux stop poweroff$' "$log" || { echo "  no poweroff"; ok=1; }
	grep -qE '^hv: panic:|Kernel panic' "$log" && { echo "  panic"; ok=1; }
	# kernel trouble short of a panic (a soft lockup, an oops) fails too
	grep -aE 'BUG: |Oops|soft lockup' "$log" | grep -v '^drive:' | head -3 | sed 's/^/  /' |
		grep . && ok=1
	[ $ok = 0 ] || tail -n 20 "$log" | sed 's/^/    | /'
	per_boot=$(awk "BEGIN { printf \"%.1f\", $secs / ($boots ? $boots : 1) }")
	verdict linux $ok "boots $boots ($per_boot s each; timer check off by >5% in $timer_fails)" \
		"$figs" "$secs"
}

for p in "${parts[@]}"; do
	case $p in
	restart) soak_restart ;;
	linux) soak_linux ;;
	*) echo "soak.sh: unknown part $p" >&2; exit 2 ;;
	esac
done
exit $failed
