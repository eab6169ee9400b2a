#!/usr/bin/env bash
# Queue limits hold per event, not per page, and a record over
# max_record_bytes is dead-lettered.
#  - ocisim serves hand-made records (--records-file): 3,000 in one minute, so each
#    SearchLogs page holds 1,000 of them, plus one record of 1.5 MB;
#  - the sink (sinksim, 60 ms a request) has queue_max_events = 20, batch_max_events = 10:
#    a page must be routed in pieces, resuming as the queue drains;
#  - /metrics is read while it runs: oci_logfwd_sink_queue_events (queued + in flight)
#    never exceeds 20 queued + 2 batches of 10 in flight = 40 (routing whole pages, as
#    before the fix, queued up to a page: 1,000);
#  - every ordinary record arrives exactly once (by content); the big one is in the
#    dead-letter file with a reason naming max_record_bytes, never at the sink, and
#    counted by oci_logfwd_source_oversize_records_total.
source "$(dirname "$0")/e2e_lib.sh"

N=3000
QMAX=20
BOUND=$(( QMAX + 2 * 10 ))  # queue_max_events + max_in_flight x batch_max_events
now=$(now_ms)
t0=$(( (now / 60000 - 10) * 60000 ))   # a minute that ended nine minutes ago
python3 - "$T/records.ndjson" "$T/expected.ndjson" "$t0" "$N" <<'PY'
import json, sys, datetime
out, exp, t0, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)
recs = []
for i in range(n):
    ms = t0 + i * 60000 // n
    recs.append({"datetime": ms, "logContent": {
        "id": f"q-{i}", "source": "queue-test", "type": "com.example.queue",
        "time": iso(ms), "oracle": {"compartmentid": "ocid1.compartment.oc1..x"},
        "data": {"n": i, "text": f"record {i} of {n}"}}})
big = {"datetime": t0 + 30001, "logContent": {
    "id": "big-1", "source": "queue-test", "type": "com.example.queue", "time": iso(t0 + 30001),
    "oracle": {"compartmentid": "ocid1.compartment.oc1..x"},
    "data": {"blob": "x" * (1536 * 1024)}}}
with open(exp, "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")
recs.append(big)
recs.sort(key=lambda r: r["datetime"])
with open(out, "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")
PY
start_ocisim --records-file "$T/records.ndjson"
start_sink out --latency-ms 60; OUT_PORT=$SINK_PORT
MPORT=$(free_port)
START=$(iso_ms $(( t0 - 60000 )))
write_conf "$T/daemon.conf" <<CONF
[source q]
query = $QUERY
start = $START
window = 10m
lag = 0s
overlap = 0
interval = 1s
page_size = 1000

[sink out]
type = http
url = http://127.0.0.1:$OUT_PORT/ingest
format = raw
encoding = ndjson
batch_max_events = 10
batch_timeout = 50ms
max_in_flight = 2
queue_max_events = $QMAX
dead_letter = $T/dead-letter-out.ndjson
CONF
sed -i "s/^stats_interval = 5s/stats_interval = 5s\nmetrics_listen = 127.0.0.1:$MPORT/" "$T/daemon.conf"
start_daemon "$T/daemon.conf" "$T/daemon.log" ${E2E_DAEMON_ARGS:-}

# Watch the queue metric until every record arrived (one python process, re-reading
# /metrics and sinksim's count every 100 ms).
python3 - "$MPORT" "$OUT_PORT" "$N" "$T/watch.txt" <<'PY'
import sys, time, urllib.request, json
mport, oport, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def get(url):
    try:
        return urllib.request.urlopen(url, timeout=3).read().decode()
    except Exception:
        return ""
end = time.monotonic() + 90
qmax, samples, events = -1, 0, 0
while time.monotonic() < end:
    for l in get(f"http://127.0.0.1:{mport}/metrics").splitlines():
        if l.startswith('oci_logfwd_sink_queue_events{sink="out"}'):
            qmax = max(qmax, float(l.split()[-1])); samples += 1
    s = get(f"http://127.0.0.1:{oport}/_sinksim/stats")
    if s:
        events = json.loads(s).get("events", 0)
    if events >= n:
        break
    time.sleep(0.1)
open(out, "w").write(f"qmax={qmax:.0f} samples={samples} events={events}\n")
PY
read -r watch < "$T/watch.txt"
echo "while running: $watch"
fails=0
qmax=$(echo "$watch" | sed 's/.*qmax=\([-0-9]*\).*/\1/')
samples=$(echo "$watch" | sed 's/.*samples=\([0-9]*\).*/\1/')
if [ "$samples" -ge 5 ] && [ "$qmax" -ge 0 ] && [ "$qmax" -le "$BOUND" ]; then
	echo "ok: the sink never held more than $BOUND events (max seen $qmax in $samples samples)"
else
	echo "FAIL: queue_events max $qmax (bound $BOUND) in $samples samples"; fails=$((fails + 1))
fi
metrics=$(http_get "http://127.0.0.1:$MPORT/metrics")
oversize=$(metric "$metrics" 'oci_logfwd_source_oversize_records_total{source="q"}')
if [ "$oversize" = 1 ]; then echo "ok: oversize_records_total 1"; else
	echo "FAIL: oversize_records_total is '$oversize'"; fails=$((fails + 1)); fi
stop_daemon

if python3 - "$T/dead-letter-out.ndjson" <<'PY'
import json, sys
n = 0
for l in open(sys.argv[1]):
    o = json.loads(l)
    if (o.get("record") or {}).get("logContent", {}).get("id") == "big-1" and \
            "max_record_bytes" in o.get("reason", "") and o.get("source") == "q":
        n += 1
print(f"dead-letter lines for big-1 with the reason: {n}")
sys.exit(0 if n == 1 else 1)
PY
then echo "ok: the big record is in the dead-letter file with its reason"; else
	echo "FAIL: the big record is not in the dead-letter file"; fails=$((fails + 1)); fi
if grep -q '"big-1"' "$T/out.out"; then echo "FAIL: the big record reached the sink"; fails=$((fails + 1)); fi
check raw "$T/expected.ndjson" "$T/out.out" || fails=$((fails + 1))
echo "elapsed $(elapsed) s"
if [ "$fails" -ne 0 ]; then show_log "$T/daemon.log"; echo "FAIL: $fails check(s)"; exit 1; fi
echo "PASS"
