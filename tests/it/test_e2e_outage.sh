#!/usr/bin/env bash
# A sink down for 12 s and then back, with /metrics and
# /healthz watched throughout.
#  - sink "up" (raw) and sink "down" (ECS, queue_max_events small, retry_max_delay 1s)
#    both take source s (ocisim, real-time stream);
#  - "down" answers 503 for 12 s (sinksim control endpoint): long enough for the queue
#    bound (QMAX events, filled in QMAX/RATE = 4 s at most) to pause the source and for
#    sink up to stay still over the last 6 s, and > 3 x retry_max_delay for /healthz;
#  - "up" keeps receiving until down's queue bound pauses the source, then stalls;
#  - /metrics: down's queue grows; /healthz: 200 before, 503 with a JSON reason naming
#    "down" while it fails (> 3 x retry_max_delay), 200 again after recovery;
#  - at the end (SIGTERM, drained): every record before the checkpoint is at each sink
#    exactly once, compared by content (raw: logContent; ECS: oci-logfwd --dry-run).
# Under ASan (or E2E2_FAST=1) the stream is 40 records/s instead of 100.
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=100; QMAX=400
if [ "$FAST" = 1 ]; then RATE=40; QMAX=160; fi
gen_opts
OUTAGE_S=12
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')

start_ocisim
start_sink up
start_sink down
BACKLOG_S=10
conf_head "$T/daemon.conf" "metrics_listen = 127.0.0.1:$MPORT"
{
	sink_section up raw "batch_max_events = 100" "retry_initial = 100ms" "retry_max_delay = 1s"
	sink_section down ecs "batch_max_events = 100" "retry_initial = 100ms" \
	    "retry_max_delay = 1s" "queue_max_events = $QMAX"
} >> "$T/daemon.conf"
start_daemon "$T/daemon.conf"; phase "daemon started"

M="http://127.0.0.1:$MPORT"
lines() { wc -l < "$T/$1.out"; }
health() { http_get "$M/healthz" | tail -n 1 | cut -d' ' -f2; }
metric() { # metric NAME LABELS -> value (or -1)
	http_get "$M/metrics" | python3 -c '
import sys
name, labels = sys.argv[1], sys.argv[2]
for l in sys.stdin:
    if l.startswith(name + "{" + labels + "}") or (labels == "" and l.startswith(name + " ")):
        print(l.split()[-1]); break
else:
    print(-1)' "$1" "$2"
}
# Conditions for wait_for: functions, so that each poll asks again (a "$(…)" in wait_for's
# arguments would be expanded once, and the loop would re-test that frozen value).
health_is() { [ "$(health)" = "$1" ]; }
queue_empty() { [ "$(metric oci_logfwd_sink_queue_events "sink=\"$1\"")" = 0 ]; }
# cursor_past MS: the source's checkpoint (now - lag, with "now" taken before asking, so
# never overestimated) is at or after MS.
cursor_past() {
	local before lag
	before=$(now_ms)
	lag=$(metric oci_logfwd_source_lag_seconds 'source="s"')
	python3 -c 'import sys; b, l, m = map(float, sys.argv[1:4]); sys.exit(0 if l >= 0 and b - l * 1000 >= m else 1)' \
	    "$before" "$lag" "$1"
}

# Both sinks flowing, health 200.
wait_for 20 test -s "$T/down.out" || fail "no event reached sink down"
wait_for 10 health_is 200 || fail "/healthz is not 200 while everything works"
up0=$(lines up)
phase "before the outage: up $(lines up), down $(lines down) events; /healthz 200"

# The source and sink metrics the README's "Metrics" section lists are all there.
http_get "$M/metrics" > "$T/metrics.txt"
for m in oci_logfwd_source_records_total oci_logfwd_source_requests_total \
    oci_logfwd_source_lag_seconds oci_logfwd_source_ingest_delay_seconds_bucket \
    oci_logfwd_source_late_records_total oci_logfwd_sink_events_total \
    oci_logfwd_sink_requests_total oci_logfwd_sink_retries_total \
    oci_logfwd_sink_queue_events oci_logfwd_sink_queue_bytes \
    oci_logfwd_sink_request_seconds_bucket oci_logfwd_build_info; do
	grep -q "^$m{" "$T/metrics.txt" || fail "metric $m missing from /metrics"
done
grep -q '^oci_logfwd_sink_events_total{sink="down",result="sent"}' "$T/metrics.txt" ||
    fail "no per-sink sent counter for down"

# The outage.
set_script down 503
phase "sink down answers 503 for ${OUTAGE_S}s"
watch "$MPORT" "$OUTAGE_S" "$T/watch.txt" up down
set_script down 200
recovered_ms=$(now_ms)
phase "sink down answers 200 again"
awk 'NR % 4 == 1' "$T/watch.txt" | sed 's/^/  /'

# What the watch saw.
python3 - "$T/watch.txt" "$up0" "$QMAX" <<'PY2' || fail "outage behaviour (see above)"
import sys
rows = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[1])]
rows = [{k: float(v) for k, v in r.items()} for r in rows]
up0, qmax = int(sys.argv[2]), int(sys.argv[3])
errs = []
qs = [r["q_down"] for r in rows]
if max(qs) < qmax * 0.5:
    errs.append(f"down's queue metric never grew near its bound ({max(qs)} < {qmax}/2)")
if qs[-1] < qs[0]:
    errs.append("down's queue metric shrank while the sink was failing")
if not any(r["health"] == 503 for r in rows):
    errs.append("/healthz never said 503 while sink down failed")
if rows[0]["health"] != 200 and rows[1]["health"] != 200:
    errs.append("/healthz was not 200 at the start of the outage")
if rows[-1]["up"] <= up0:
    errs.append("sink up received nothing during the outage")
# Backpressure: over the last 6 s of the outage sink up gets nothing more.
late = [r for r in rows if r["t"] >= rows[-1]["t"] - 6]
if late[-1]["up"] != late[0]["up"]:
    errs.append(f"sink up kept receiving late in the outage (+{late[-1]['up'] - late[0]['up']:.0f}): the queue bound did not pause the source")
if rows[-1]["down"] != rows[2]["down"]:
    errs.append("sink down recorded events while answering 503")
for e in errs: print("  " + e)
sys.exit(1 if errs else 0)
PY2
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert any(p.get("sink") == "down" for p in r["problems"]), r
print("  /healthz 503 reason:", json.dumps(r)[:300])' "$T/watch.txt.reason" ||
    fail "/healthz 503 body is not a JSON reason naming sink down"

# Recovery: queue drains, health 200, the source catches up.
wait_for 30 queue_empty down ||
    fail "down's queue did not drain after recovery (last: queue_events $(metric oci_logfwd_sink_queue_events 'sink="down"'), queue_bytes $(metric oci_logfwd_sink_queue_bytes 'sink="down"'), sent $(metric oci_logfwd_sink_events_total 'sink="down",result="sent"'))"
wait_for 15 health_is 200 || fail "/healthz did not return to 200 after recovery"
lag_ok() { python3 -c 'import sys; sys.exit(0 if 0 <= float(sys.argv[1]) < 8 else 1)' "$(metric oci_logfwd_source_lag_seconds 'source="s"')"; }
wait_for 30 lag_ok || fail "the source did not catch up after recovery"
# The final check below wants the checkpoint past the outage: lag_ok alone does not say
# that (a lag under 8 s can still be a cursor before the recovery), so wait for it.
wait_for 30 cursor_past "$recovered_ms" || fail "the checkpoint did not pass the end of the outage"
phase "after recovery: queue 0, /healthz 200, lag $(metric oci_logfwd_source_lag_seconds 'source="s"') s"
# The counters agree with what the sinks saw (traffic flows on: sinksim's stats just
# before and just after bound the daemon's counters).
python3 - "$T" "$MPORT" "$PORT_up" "$PORT_down" <<'PY'
import sys, urllib.request
t, mport, pu, pd = sys.argv[1:5]
def get(url): return urllib.request.urlopen(url, timeout=5).read()
for tag in ("live", "metrics", "live2"):
    if tag == "metrics":
        open(f"{t}/metrics.txt", "wb").write(get(f"http://127.0.0.1:{mport}/metrics"))
        continue
    for s, p in (("up", pu), ("down", pd)):
        open(f"{t}/{s}.{tag}.json", "wb").write(get(f"http://127.0.0.1:{p}/_sinksim/stats"))
PY
python3 - "$T/metrics.txt" "$T/up.live.json" "$T/down.live.json" "$T/up.live2.json" "$T/down.live2.json" <<'PY' || fail "/metrics disagrees with the sinks"
import sys, json, re
m = {}
for l in open(sys.argv[1]):
    if not l.startswith("#") and l.strip():
        k, v = l.rsplit(" ", 1); m[k] = float(v)
st = {"up": json.load(open(sys.argv[2])), "down": json.load(open(sys.argv[3]))}
st2 = {"up": json.load(open(sys.argv[4])), "down": json.load(open(sys.argv[5]))}
errs = []
for s in ("up", "down"):
    sent = m.get(f'oci_logfwd_sink_events_total{{sink="{s}",result="sent"}}')
    # up to max_in_flight (2) batches of 100 answered but not yet read by the daemon
    if sent is None or not (st[s]["events"] - 200 <= sent <= st2[s]["events"]):
        errs.append(f"sink {s}: sent {sent} but sinksim accepted {st[s]['events']}..{st2[s]['events']} events")
    for code, n in st2[s]["codes"].items():
        got = m.get(f'oci_logfwd_sink_requests_total{{sink="{s}",code="{code}"}}')
        if got is None or not (st[s]["codes"].get(code, 0) - 2 <= got <= n):
            errs.append(f"sink {s}: {got} requests with code {code}, sinksim answered {st[s]['codes'].get(code, 0)}..{n}")
retries = m.get('oci_logfwd_sink_retries_total{sink="down"}', 0)
if retries < st["down"]["codes"].get("503", 0) - 2:
    errs.append(f"sink down: retries {retries} < 503 answers {st['down']['codes'].get('503')}")
k_up = 'oci_logfwd_sink_events_total{sink="up",result="sent"}'
recs = m.get('oci_logfwd_source_records_total{source="s"}')
if recs is None or recs < (m.get(k_up) or 0):
    errs.append(f"source s: records_total {recs} < events at sink up {st['up']['events']}")
for e in errs: print("  " + e)
k_up = 'oci_logfwd_sink_events_total{sink="up",result="sent"}'
k_down = 'oci_logfwd_sink_events_total{sink="down",result="sent"}'
k_503 = 'oci_logfwd_sink_requests_total{sink="down",code="503"}'
print(f"  /metrics: sent up {m.get(k_up)}, down {m.get(k_down)}, retries down {retries}, 503s {m.get(k_503)}")
sys.exit(1 if errs else 0)
PY
end_ms=$(now_ms)
phase "stopping the daemon"; stop_daemon; phase "stopped"
cp_ms=$(checkpoint_ms)
[ "$cp_ms" -ge "$recovered_ms" ] ||
    fail "checkpoint $cp_ms is before the end of the outage"
expected "$START_MS" "$end_ms"; phase "expected records computed"
rc=0
verify up raw "$cp_ms" exact || rc=1
verify down ecs "$cp_ms" exact || rc=1
[ "$rc" = 0 ] || fail "records lost or duplicated"
echo "PASS: ${OUTAGE_S} s sink outage: nothing lost, backpressure paused the source, metrics and health told the truth"
