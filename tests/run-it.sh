#!/usr/bin/env bash
# Run each end-to-end scenario (tests/it/test_*.sh) against real processes on 127.0.0.1.
# Each script exits 0 (pass), 77 (skipped, with a reason) or anything else (fail).  A
# scenario runs once: one that fails fails the run (no second try — a test that passes
# only sometimes hides a bug, in the daemon or in the test).
set -u
pass=0; fail=0; skip=0; failed=""; times=""
export BUILD="${BUILD:-build}"
all_start=$(date +%s)
for t in "$@"; do
	name=$(basename "$t" .sh)
	log="$BUILD/it/$name.log"; mkdir -p "$BUILD/it"
	start=$(date +%s)
	bash "$t" >"$log" 2>&1; rc=$?
	secs=$(( $(date +%s) - start ))
	times="$times$secs $name
"
	case $rc in
	0) pass=$((pass + 1)); echo "it: PASS $name (${secs}s)";;
	77) skip=$((skip + 1)); echo "it: SKIP $name: $(tail -n 1 "$log")";;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "it: FAIL $name (rc $rc, ${secs}s); last lines of $log:"; tail -n 30 "$log" | sed 's/^/    /';;
	esac
done
# The slowest scenarios: where to look when `make check` nears its 10-minute budget.
echo "it: slowest: $(printf '%s' "$times" | sort -rn | head -n 5 | awk '{ printf "%s%s (%ss)", (NR > 1 ? ", " : ""), $2, $1 }')"
echo "it: $pass passed, $fail failed, $skip skipped in $(( $(date +%s) - all_start ))s${failed:+; failed:$failed}"
[ "$fail" -eq 0 ]
