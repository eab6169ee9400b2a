#!/usr/bin/env bash
# Build and run libFuzzer targets (called by `make fuzz`):
#   BUILD=build/fuzz CFLAGS_ALL=... LIBS=... FUZZ_SECONDS=300 bash tests/fuzz/run.sh tests/fuzz/fuzz_*.c
# $BUILD/liboci-logfwd.a must already be built with clang and
# -fsanitize=fuzzer-no-link,address,undefined.  Each target is linked with
# -fsanitize=fuzzer,address,undefined, its corpus ($BUILD/corpus/NAME) is seeded from
# every record of tests/data/samples/search-response-*.json (results[i].data, its bare
# logContent, and the whole response), and it runs for FUZZ_SECONDS.  Crashes land in
# $BUILD/artifacts/NAME/.  Exit status: non-zero when a target fails to build or finds a bug.
set -euo pipefail

BUILD=${BUILD:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
CC=${FUZZ_CC:-clang}
LIB="$BUILD/liboci-logfwd.a"
SAMPLES=tests/data/samples

if [ ! -f "$LIB" ]; then
	echo "fuzz: $LIB missing (run make fuzz)" >&2
	exit 1
fi
if [ $# -eq 0 ]; then
	echo "fuzz: no targets given" >&2
	exit 1
fi

seed_corpus() { # DIR
	python3 - "$1" "$SAMPLES" <<'PY'
import glob, json, os, sys
out, samples = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
n = 0
def put(text):
    global n
    n += 1
    with open(os.path.join(out, "seed-%03d.json" % n), "w") as f:
        f.write(text)
for path in sorted(glob.glob(os.path.join(samples, "search-response-*.json"))):
    with open(path) as f:
        text = f.read()
    doc = json.loads(text)
    put(text)
    for r in doc.get("results", []):
        d = r.get("data")
        put(json.dumps(d, separators=(",", ":")))
        if isinstance(d, dict) and "logContent" in d:
            put(json.dumps(d["logContent"], indent=1))
PY
}

status=0
for src in "$@"; do
	name=$(basename "$src" .c)
	bin="$BUILD/$name"
	echo "fuzz: building $bin"
	# shellcheck disable=SC2086
	$CC -fsanitize=fuzzer,address,undefined $CFLAGS_ALL -o "$bin" "$src" "$LIB" $LIBS
	corpus="$BUILD/corpus/$name"
	seeds="$BUILD/seeds/$name"
	arts="$BUILD/artifacts/$name"
	rm -rf "$seeds"
	mkdir -p "$corpus" "$arts"
	seed_corpus "$seeds"
	dict=()
	if [ -f "tests/fuzz/$name.dict" ]; then
		dict=(-dict="tests/fuzz/$name.dict")
	fi
	echo "fuzz: running $name for ${FUZZ_SECONDS}s ($(ls "$seeds" | wc -l) seeds)"
	if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    "$bin" "${dict[@]}" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$arts/" \
	    "$corpus" "$seeds" 2>&1 | tee "$BUILD/$name.log" | grep -E '^(#[0-9]+.*(DONE|pulse)|==|SUMMARY|stat::number_of_executed_units|stat::peak_rss_mb|fuzz_normalize:)' ; then
		:
	fi
	if grep -qE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error|check failed|deadly signal' "$BUILD/$name.log"; then
		echo "fuzz: $name FAILED (see $BUILD/$name.log and $arts/)" >&2
		status=1
	else
		echo "fuzz: $name clean"
	fi
done
exit $status
