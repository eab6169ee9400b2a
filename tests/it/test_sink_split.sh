#!/usr/bin/env bash
# Splitting under a server that rejects everything (400, answered after 50 ms so that
# concurrent requests overlap at the server): with max_in_flight = 2, sinksim never holds
# more than 2 requests at once, every event is dead-lettered with the server's status,
# and the requests stay far below the 2N-1 per batch that bisecting down to single
# events costs.  Then the same with 3 bad events spread over a batch (Splunk, which
# rejects the whole batch): exactly those 3 are dead-lettered, and still at most 2 at once.
. "$(dirname "$0")/sink_lib.sh"
N=1000
BATCH=100

start_sinksim all --mode http --script '400:delay=50'
sink_conf "$T/all.conf" <<CONF
[sink rej]
type = http
url = http://127.0.0.1:$PORT
batch_max_events = $BATCH
batch_timeout = 50ms
retry_initial = 50ms
retry_max_delay = 1s
max_in_flight = 2
CONF
out=$("$BUILD/sinkdrv" --config "$T/all.conf" --events $N --state-dir "$T" --timeout-s 60 2>"$T/all.drv.log")
rc=$?
stop_sinksim
echo "$out"
line=$(printf '%s\n' "$out" | grep '^produced=')
[ $rc -eq 0 ] || { echo "FAIL: sinkdrv rc=$rc"; tail -5 "$T/all.drv.log"; exit 1; }
[ "$(kv "$line" dead_letter)" = $N ] || { echo "FAIL: dead_letter != $N"; exit 1; }
conc=$(stat_of "$T/all.stats" max_concurrent)
reqs=$(stat_of "$T/all.stats" requests)
[ "$conc" -le 2 ] || { echo "FAIL: $conc concurrent requests with max_in_flight = 2"; exit 1; }
# 10 batches: at most 31 requests each; bisecting would cost 10 x 199.
[ "$reqs" -le $((N / BATCH * 31)) ] || { echo "FAIL: $reqs requests for $N events rejected"; exit 1; }
python3 - "$T/dead-letter-rej.ndjson" "$N" <<'PY' || exit 1
import json, sys
dl = [json.loads(l) for l in open(sys.argv[1])]
ids = set(d["event"]["event"]["id"] for d in dl)
assert len(dl) == int(sys.argv[2]) and len(ids) == len(dl), (len(dl), len(ids))
for d in dl:
    assert d["status"] == 400 and "sinksim scripted 400" in d["response"], d
PY
echo "reject-all: $N dead-lettered with status 400, $reqs requests (bisecting: $((N / BATCH * (2 * BATCH - 1)))), at most $conc at once"

start_sinksim spread --mode splunk --reject-match BADEVENT --latency-ms 50
sink_conf "$T/spread.conf" <<CONF
[sink spr]
type = splunk_hec
url = http://127.0.0.1:$PORT
token = t0k
batch_max_events = 500
batch_timeout = 1s
max_in_flight = 2
CONF
out=$("$BUILD/sinkdrv" --config "$T/spread.conf" --events 500 --mark-at 17,250,433 \
    --mark-string BADEVENT --state-dir "$T" --timeout-s 60 2>"$T/spread.drv.log")
rc=$?
stop_sinksim
line=$(printf '%s\n' "$out" | grep '^produced=')
[ $rc -eq 0 ] || { echo "FAIL: sinkdrv rc=$rc"; tail -5 "$T/spread.drv.log"; exit 1; }
[ "$(kv "$line" delivered)" = 497 ] || { echo "FAIL: delivered != 497: $line"; exit 1; }
[ "$(kv "$line" dead_letter)" = 3 ] || { echo "FAIL: dead_letter != 3: $line"; exit 1; }
conc=$(stat_of "$T/spread.stats" max_concurrent)
[ "$conc" -le 2 ] || { echo "FAIL: $conc concurrent requests with max_in_flight = 2"; exit 1; }
echo "spread: 497 delivered, 3 dead-lettered, $(stat_of "$T/spread.stats" requests) requests, at most $conc at once"
echo PASS
