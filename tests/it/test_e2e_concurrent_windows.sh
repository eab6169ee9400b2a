#!/usr/bin/env bash
# test_e2e_concurrent_windows.sh — a backfill searches several consecutive windows at once
# (max_concurrent_searches) and still delivers every record exactly once.
#
# ocisim answers every request after --latency-ms (as the real API takes hundreds of ms a
# page) and reports in its summary the most requests it held at once (max_concurrent).  One
# search has at most one request in flight (the page fetched ahead), so max_concurrent = 3
# means that three searches of different windows overlapped.  The same backfill with
# max_concurrent_searches = 1 must show max_concurrent = 1 (the observable is not a
# given).  Concurrency grows only while pages take time to come (source.c GROW_WAIT_MS,
# 50 ms smoothed): with pages answered after 1 ms the backfill keeps one search
# (max_concurrent 1, and the daemon never logs that it searches several windows at once,
# which the 100 ms run does).  A machine loaded enough to delay loopback pages by 50 ms or
# more for several pages in a row does make it grow; the check is therefore the rule itself,
# read from the daemon's own debug line: it grew only if the smoothed wait it logged when
# growing was at least 50 ms (on an idle machine: it does not grow).  A third run has ocisim
# answer every 9th request 429 while three searches run
# (retried, the other searches held meanwhile).  Every run is checked record by record by
# content (raw and ECS sinks); no gap, exit status 0, no checkpoint (a backfill).  No timing
# is asserted.
source "$(dirname "$0")/e2e_lib.sh"

N=$(scaled 6000)
now=$(now_ms)
t1=$(( (now / 60000 - 5) * 60000 ))  # 10 minutes ending five minutes ago (whole minutes)
FROM=$(iso_ms $(( t1 - 600000 ))); TO=$(iso_ms "$t1")
GEN="--rate $N/600 --seed 41 --flow-share 0.7"
dump "$FROM" "$TO" "$T/expected.ndjson" $GEN
n_exp=$(lines "$T/expected.ndjson")
echo "records: $n_exp over [$FROM, $TO): ten 1-minute windows of about $(( n_exp / 10 ))"

fails=0
# backfill NAME MAX [OCISIM ARGS...]: one run; sets MAXC (ocisim's max_concurrent) and
# FAULTS (its faults_injected).
backfill() {
	local name=$1 max=$2 rc
	shift 2
	start_ocisim $GEN --latency-ms "${LAT:-100}" "$@"
	start_sink "raw$name"; local raw_port=$SINK_PORT
	start_sink "ecs$name"; local ecs_port=$SINK_PORT
	rm -rf "$T/state"
	write_conf "$T/$name.conf" <<CONF
[source main]
query = $QUERY
window = 1m
lag = 0s
page_size = 200
max_concurrent_searches = $max

[sink raw]
type = http
url = http://127.0.0.1:$raw_port/ingest
format = raw
batch_timeout = 100ms

[sink ecs]
type = http
url = http://127.0.0.1:$ecs_port/ingest
format = ecs
batch_timeout = 100ms
CONF
	[ -f "$T/expected-ecs.ndjson" ] || ecs_of "$T/expected.ndjson" "$T/expected-ecs.ndjson" "$T/$name.conf"
	OCI_LOGFWD_TEST_RETRY_SCALE=100 timeout 60 "$BUILD/oci-logfwd" -c "$T/$name.conf" \
	    --from "$FROM" --to "$TO" --log-level debug >"$T/$name.log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then echo "ok: $name: backfill exit 0"; else
		echo "FAIL: $name: backfill exit $rc"; show_log "$T/$name.log"; fails=$((fails + 1)); fi
	# ocisim writes its counters when it exits.
	kill -TERM "$OCISIM_PID"; wait "$OCISIM_PID"
	MAXC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["max_concurrent"])' \
	    "$T/ocisim-summary.json")
	FAULTS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["faults_injected"])' \
	    "$T/ocisim-summary.json")
	mv "$T/ocisim-summary.json" "$T/ocisim-summary-$name.json"
	if grep -q "GAP" "$T/$name.log"; then
		echo "FAIL: $name: a gap was reported"; fails=$((fails + 1)); fi
	if [ -s "$T/state/main.state" ]; then
		echo "FAIL: $name: a backfill wrote a checkpoint"; fails=$((fails + 1)); fi
	check raw "$T/expected.ndjson" "$T/raw$name.out" >"$T/check-raw$name.txt" & local c1=$!
	check ecs "$T/expected-ecs.ndjson" "$T/ecs$name.out" >"$T/check-ecs$name.txt" & local c2=$!
	wait $c1 || fails=$((fails + 1))
	wait $c2 || fails=$((fails + 1))
	sed "s/^/$name: /" "$T/check-raw$name.txt" "$T/check-ecs$name.txt"
}

GREW="searching several windows at once"
backfill concurrent 3
echo "concurrent: ocisim held up to $MAXC requests at once"
if [ "$MAXC" -ge 3 ]; then echo "ok: searches of three windows overlapped"; else
	echo "FAIL: with max_concurrent_searches = 3 and 100 ms pages, at most $MAXC requests at once"
	fails=$((fails + 1)); fi
if grep -q "$GREW" "$T/concurrent.log"; then echo "ok: concurrency grew (pages wait)"; else
	echo "FAIL: no line says that concurrency grew"; fails=$((fails + 1)); fi

LAT=1 backfill fast 3
echo "fast: ocisim held up to $MAXC requests at once"
if ! grep -q "$GREW" "$T/fast.log"; then
	if [ "$MAXC" -le 1 ]; then echo "ok: pages without wait: one search at a time"; else
		echo "FAIL: concurrency never grew, yet up to $MAXC requests at once"
		fails=$((fails + 1)); fi
else
	# Grown anyway: only lawful if the wait the daemon measured was >= 50 ms (a loaded
	# machine).  "pages take N ms to come (smoothed): searching several windows ..."
	waited=$(grep "$GREW" "$T/fast.log" | sed -n 's/.*pages take \([0-9]*\) ms to come.*/\1/p' | sort -n | head -1)
	if [ -n "$waited" ] && [ "$waited" -ge 50 ]; then
		echo "ok: pages took $waited ms (smoothed) on this loaded machine: growing was right"
	else
		echo "FAIL: concurrency grew with pages that came at once (logged wait '${waited}' ms)"
		fails=$((fails + 1)); fi
fi

backfill single 1
echo "single: ocisim held up to $MAXC requests at once"
if [ "$MAXC" = 1 ]; then echo "ok: one search at a time"; else
	echo "FAIL: with max_concurrent_searches = 1 ocisim held $MAXC requests at once"; fails=$((fails + 1)); fi

backfill throttled 3 --fault 429:every=9
echo "throttled: $FAULTS requests answered 429; up to $MAXC requests at once"
if [ "$FAULTS" -ge 1 ] && grep -q "rate limiting the search" "$T/throttled.log"; then
	echo "ok: 429s met and retried"; else
	echo "FAIL: no 429 was met (faults $FAULTS)"; fails=$((fails + 1)); fi

echo "elapsed $(elapsed) s"
if [ "$fails" -ne 0 ]; then echo "FAIL: $fails check(s)"; exit 1; fi
echo "PASS"
