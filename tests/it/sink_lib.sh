# Shared helpers for tests/it/test_sink_*.sh (sourced, not run).
# Sets: BUILD, T (temp dir, removed on exit), SCALE; start_sinksim; sink_conf; stat_of.
set -u
BUILD="${BUILD:-build}"
SCALE="${IT_SCALE:-1}"
T=$(mktemp -d /tmp/oci-logfwd-it.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
for b in sinksim sinkdrv; do
	[ -x "$BUILD/$b" ] || { echo "missing $BUILD/$b (make BUILD=$BUILD all)"; exit 1; }
done

# scaled N: prints max(1, N * IT_SCALE)
scaled() { python3 -c "import sys; print(max(1, int(float(sys.argv[1]) * float(sys.argv[2]))))" "$1" "$SCALE"; }

# start_sinksim NAME ARGS...: starts sinksim with --port-file $T/NAME.port --out $T/NAME.out
# --stats-file $T/NAME.stats; sets PORT and SIMPID.
start_sinksim() {
	local name=$1; shift
	"$BUILD/sinksim" --listen 127.0.0.1:0 --port-file "$T/$name.port" --out "$T/$name.out" \
	    --stats-file "$T/$name.stats" "$@" 2>"$T/$name.log" &
	SIMPID=$!
	PIDS="$PIDS $SIMPID"
	for _ in $(seq 1 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	[ -s "$T/$name.port" ] || { echo "sinksim did not start"; cat "$T/$name.log"; exit 1; }
	PORT=$(cat "$T/$name.port")
	: >"$T/$name.out"
}

# stop_sinksim: SIGTERM, wait (stats file written on exit).
stop_sinksim() {
	kill -TERM "$SIMPID" 2>/dev/null
	wait "$SIMPID" 2>/dev/null
}

# sink_conf FILE < sink-section-lines : a full config with a dummy source.
sink_conf() {
	{
		printf '[oci]\n[source dummy]\nquery = search "x"\n'
		# Every sink section given gets its dead-letter file in $T.
		sed "s|^\[sink \(.*\)\]\$|[sink \1]\ndead_letter = $T/dead-letter-\1.ndjson|"
	} >"$1"
}

# stat_of FILE KEY: a top-level number from a sinksim stats file.
stat_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

# kv LINE KEY: value of KEY=... in sinkdrv's summary line.
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
