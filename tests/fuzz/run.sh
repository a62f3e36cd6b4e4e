#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `make fuzz`: run each libFuzzer harness (BUILD/tests/fuzz/bin/fuzz_*)
# for SECONDS, JOBS at a time, from its seeds (tests/fuzz/corpus/NAME/)
# and regression inputs (tests/fuzz/regress/NAME/), growing a corpus in
# BUILD/tests/fuzz/corpus/NAME/. Crashes land in tests/fuzz/crashes/NAME/.
# Then, with no NAME or NAME=insn_diff, the long differential decoder run.
# Prints per harness: run time, executions per second, cov: and ft:.
#   tests/fuzz/run.sh BUILD SECONDS JOBS [NAME]
set -u
BUILD=${1:?usage: run.sh BUILD SECONDS JOBS [NAME]}
secs=${2:-180}
jobs=${3:-1}
only=${4:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
logs=$BUILD/tests/fuzz/logs
mkdir -p "$logs"

run_one() {
	local name=$1 bin=$BUILD/tests/fuzz/bin/fuzz_$1 work=$BUILD/tests/fuzz/corpus/$1
	local crashes=$top/tests/fuzz/crashes/$1 seeds=() d
	mkdir -p "$work" "$crashes"
	for d in "$top/tests/fuzz/corpus/$name" "$top/tests/fuzz/regress/$name"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	local t0=$SECONDS
	nice "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$crashes/" "$work" "${seeds[@]}" > "$logs/$name.log" 2>&1
	echo $? > "$logs/$name.rc"
	echo $((SECONDS - t0)) > "$logs/$name.time"
}

summary() {
	local name=$1 log=$logs/$1.log rc line
	rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 1)
	line=$(grep -E '^#[0-9]+.*(pulse|NEW|REDUCE|DONE)' "$log" | tail -1)
	printf "%-12s %s %6s s %8s exec/s  cov %6s  ft %6s  corpus %s\n" "$name" \
		"$([ "$rc" = 0 ] && echo ok || echo CRASH)" \
		"$(cat "$logs/$name.time" 2>/dev/null)" \
		"$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")" \
		"$(echo "$line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')" \
		"$(echo "$line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')" \
		"$(echo "$line" | sed -n 's/.* corp: \([0-9/a-zA-Z]*\).*/\1/p')"
}

names=()
for bin in "$BUILD"/tests/fuzz/bin/fuzz_*; do
	n=${bin##*/fuzz_}
	[ -z "$only" ] || [ "$only" = "$n" ] && names+=("$n")
done
running=0
for n in "${names[@]}"; do
	echo "fuzz: $n for $secs s"
	run_one "$n" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
failed=0
for n in "${names[@]}"; do
	summary "$n"
	[ "$(cat "$logs/$n.rc")" = 0 ] || failed=1
done
if [ -z "$only" ] || [ "$only" = insn_diff ]; then
	echo "fuzz: differential decoder run (Zydis), ${INSN_DIFF_COUNT:-20000000} byte strings per mode and test"
	INSN_DIFF_COUNT=${INSN_DIFF_COUNT:-20000000} INSN_DIFF_SEED=${INSN_DIFF_SEED:-$(date +%s)} \
		nice "$BUILD/tests/unit/test_insn_diff" 2>&1 | tee "$logs/insn_diff.log" |
		grep -E 'strings|#UD|PASSED|FAILED' || failed=1
	grep -q FAILED "$logs/insn_diff.log" && failed=1
fi
[ $failed = 0 ] && echo "fuzz: no crashes" || echo "fuzz: crashes or failures: see $logs and tests/fuzz/crashes/"
exit $failed
