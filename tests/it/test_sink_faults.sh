#!/usr/bin/env bash
# 100,000 events (IT_SCALE scales it) through the http sink (gzip) while sinksim answers
# 500s, 429s with Retry-After, slow answers past the client timeout, hung requests and
# dropped connections: every event arrives, none is lost, no duplicate (no response was
# lost).  Then the same with lost responses (accepted, answer dropped): all arrive, the
# duplicates are reported.  And once more through Elasticsearch mode, where `create` with
# a deterministic _id turns the resends into 409s (no duplicate documents).
. "$(dirname "$0")/sink_lib.sh"
N=$(scaled 100000)
SCRIPT='500x3,429x2:retry-after=1,200x10,200:delay=1500,200x10,503x2,hang,200x5,500:retry-after=0,200x20,429:retry-after=1,200'

run() { # mode type extra-script-prefix
	local mode=$1 type=$2 script=$3
	start_sinksim "$mode" --mode "$mode" --script "$script" --drop-conn-every 23
	sink_conf "$T/$mode.conf" <<CONF
[sink s]
type = $type
url = http://127.0.0.1:$PORT
compression = gzip
batch_max_events = 500
batch_timeout = 100ms
timeout = 1s
retry_initial = 50ms
retry_max_delay = 1s
max_in_flight = 4
CONF
	out=$("$BUILD/sinkdrv" --config "$T/$mode.conf" --events "$N" --state-dir "$T" --timeout-s 50 2>"$T/$mode.drv.log")
	rc=$?
	stop_sinksim
	echo "$out"
	line=$(printf '%s\n' "$out" | grep '^produced=')
	[ $rc -eq 0 ] || { echo "FAIL: sinkdrv rc=$rc"; tail -5 "$T/$mode.drv.log"; exit 1; }
	[ "$(kv "$line" delivered)" = "$N" ] || { echo "FAIL: delivered != $N"; exit 1; }
	uniq=$(stat_of "$T/$mode.stats" unique_events)
	dups=$(stat_of "$T/$mode.stats" duplicate_events)
	[ "$uniq" = "$N" ] || { echo "FAIL: sinksim has $uniq distinct events, want $N"; exit 1; }
	python3 - "$T/$mode.out" "$N" <<'PY' || exit 1
import json, sys
ids = set()
for line in open(sys.argv[1]):
    ids.add(json.loads(line)["event"]["id"])
want = {"ev-%08d" % i for i in range(int(sys.argv[2]))}
missing = want - ids
if missing:
    print("FAIL: %d ids missing, e.g. %s" % (len(missing), sorted(missing)[:3])); sys.exit(1)
PY
	echo "$mode: $N delivered, $uniq distinct at the sink, duplicates=$dups, retries=$(kv "$(printf '%s\n' "$out" | grep '^sink=')" retries), codes=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['codes'])" "$T/$mode.stats")"
}

run http http "$SCRIPT"
[ "$dups" = 0 ] || { echo "FAIL: $dups duplicates although no response was lost"; exit 1; }
mv "$T/http.out" "$T/http1.out"; mv "$T/http.stats" "$T/http1.stats"; rm -f "$T/http.port"
run http http "lose,200x30,lose,$SCRIPT"
[ "$dups" -gt 0 ] || { echo "FAIL: lost responses but no duplicate counted"; exit 1; }
echo "lost responses: $dups duplicate events reported (expected > 0)"
run es elasticsearch "lose,200x30,lose,$SCRIPT"
[ "$dups" = 0 ] || { echo "FAIL: elasticsearch wrote $dups duplicate documents"; exit 1; }
echo "elasticsearch: 0 duplicates, $(stat_of "$T/es.stats" conflicts) resent items answered 409"
echo PASS
