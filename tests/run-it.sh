#!/usr/bin/env bash
# Run each end-to-end scenario (tests/it/test_*.sh) against real processes on 127.0.0.1.
# Each script exits 0 (pass), 77 (skipped, with a reason) or anything else (fail).  A
# scenario runs once: one that fails fails the run (no second try — a test that passes
# only sometimes hides a bug, in the daemon or in the test).
#
# Two lanes run side by side: the Kafka scenarios (mostly waiting on the mock cluster's
# consumer-group rounds, little CPU) and all the others, so that `make check` keeps to its
# 10-minute budget on 2 cores.  IT_LANES=1 runs everything in one lane, in order.
set -u
export BUILD="${BUILD:-build}"
mkdir -p "$BUILD/it"
all_start=$(date +%s)

# run_lane RESULTS SCRIPT...: runs the scripts in order; one line per scenario in RESULTS
# ("PASS|FAIL|SKIP name secs"), the verdicts on stdout as they come.
run_lane() {
	local results=$1 t name log start rc secs; shift
	: >"$results"
	for t in "$@"; do
		name=$(basename "$t" .sh)
		log="$BUILD/it/$name.log"
		start=$(date +%s)
		bash "$t" >"$log" 2>&1; rc=$?
		secs=$(( $(date +%s) - start ))
		case $rc in
		0) echo "PASS $name $secs" >>"$results"; echo "it: PASS $name (${secs}s)";;
		77) echo "SKIP $name $secs" >>"$results"; echo "it: SKIP $name: $(tail -n 1 "$log")";;
		*) echo "FAIL $name $secs" >>"$results"
		   { echo "it: FAIL $name (rc $rc, ${secs}s); last lines of $log:"
		     tail -n 30 "$log" | sed 's/^/    /'; } ;;
		esac
	done
}

kafka=(); other=()
for t in "$@"; do
	case $(basename "$t") in
	*kafka*) kafka+=("$t");;
	*) other+=("$t");;
	esac
done
if [ "${IT_LANES:-2}" = 1 ]; then
	other=("$@"); kafka=()
fi
lane_pid=""
if [ ${#kafka[@]} -gt 0 ]; then
	run_lane "$BUILD/it/.lane-kafka" "${kafka[@]}" &
	lane_pid=$!
fi
run_lane "$BUILD/it/.lane-other" "${other[@]}"
[ -n "$lane_pid" ] && wait "$lane_pid"
cat "$BUILD/it/.lane-other" "$BUILD/it/.lane-kafka" 2>/dev/null >"$BUILD/it/.results"
pass=$(grep -c '^PASS' "$BUILD/it/.results"); fail=$(grep -c '^FAIL' "$BUILD/it/.results")
skip=$(grep -c '^SKIP' "$BUILD/it/.results")
failed=$(awk '$1 == "FAIL" { printf " %s", $2 }' "$BUILD/it/.results")
# The slowest scenarios: where to look when `make check` nears its 10-minute budget.
echo "it: slowest: $(sort -k3 -rn "$BUILD/it/.results" | head -n 5 | awk '{ printf "%s%s (%ss)", (NR > 1 ? ", " : ""), $2, $3 }')"
echo "it: $pass passed, $fail failed, $skip skipped in $(( $(date +%s) - all_start ))s${failed:+; failed:$failed}"
[ "$fail" -eq 0 ] && [ "$pass$skip" != 00 ]
