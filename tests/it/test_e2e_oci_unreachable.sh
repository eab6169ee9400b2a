#!/usr/bin/env bash
# OCI unreachable is not a gap.  ocisim (a real-time stream) is stopped
# while the daemon runs, so every SearchLogs connection is refused, and started again on
# the same port once /healthz has reported the source unhealthy.  Then:
#  - no gap: no "GAP" in the log, no gap line in the dead-letter file, gaps_total 0;
#  - during the outage the checkpoint never passed the time OCI went away, the log said
#    OCI was unreachable and the cursor kept, /metrics showed the retries and the wait,
#    /healthz said 503 naming the source;
#  - after the restart the source catches up, /healthz is 200 again, and every record
#    before the final checkpoint reached the sink exactly once, checked by content.
# OCI_LOGFWD_TEST_RETRY_SCALE=50 shortens every retry delay and the health bound (120 s)
# twenty-fold.
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=50
if [ "$FAST" = 1 ]; then RATE=20; fi
gen_opts
export OCI_LOGFWD_TEST_RETRY_SCALE=50
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
M="http://127.0.0.1:$MPORT"

start_ocisim
OCISIM_PID=${PIDS##* }
start_sink out
BACKLOG_S=10
conf_head "$T/daemon.conf" "metrics_listen = 127.0.0.1:$MPORT"
sink_section out raw "batch_max_events = 100" >> "$T/daemon.conf"
start_daemon "$T/daemon.conf"; phase "daemon started"

health() { http_get "$M/healthz" | tail -n 1 | cut -d' ' -f2; }
# health_is CODE: re-evaluated on every call (wait_for re-runs the function, not a value).
health_is() { [ "$(health)" = "$1" ]; }
metric() { # metric NAME LABELS -> value (or -1)
	http_get "$M/metrics" | python3 -c '
import sys
name, labels = sys.argv[1], sys.argv[2]
for l in sys.stdin:
    if l.startswith(name + "{" + labels + "}"):
        print(l.split()[-1]); break
else:
    print(-1)' "$1" "$2"
}
positive() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)' "$1"; }
lines_of() { wc -l < "$T/$1.out"; }
has_events() { [ "$(lines_of out)" -gt 0 ]; }
caught_up() { [ "$(checkpoint_ms)" -ge "$1" ] 2>/dev/null; }
log_says() { grep -q "$1" "$T/daemon.log"; }

wait_for 20 has_events || fail "no event reached the sink"
wait_for 10 health_is 200 || fail "/healthz is not 200 while OCI answers"
phase "flowing: $(lines_of out) events; stopping ocisim"

# The outage: every connection to OCI is refused.
kill "$OCISIM_PID"; wait "$OCISIM_PID" 2>/dev/null
t_down=$(now_ms)
wait_for 20 log_says "OCI is unreachable" || fail "the log never said OCI is unreachable"
grep -m 1 "OCI is unreachable" "$T/daemon.log" | sed 's/^/  /'
grep -m 1 "OCI is unreachable" "$T/daemon.log" | grep -q "the cursor stays at" ||
    fail "the unreachable line does not say the cursor is kept"
retries_up() { positive "$(metric oci_logfwd_source_search_retries_total 'source="s"')"; }
waiting_up() { positive "$(metric oci_logfwd_source_waiting_seconds 'source="s"')"; }
wait_for 20 retries_up || fail "oci_logfwd_source_search_retries_total stayed 0"
wait_for 20 waiting_up || fail "oci_logfwd_source_waiting_seconds stayed 0"
# The health bound is 120 s, scaled to 6 s here.
wait_for 30 health_is 503 || fail "/healthz never said 503 while OCI was unreachable"
http_get "$M/healthz" | head -n 1 > "$T/healthz.json"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert any(p.get("source") == "s" for p in r["problems"]), r
print("  /healthz 503:", json.dumps(r)[:240])' "$T/healthz.json" ||
    fail "/healthz 503 does not name source s"
cp_down=$(checkpoint_ms)
[ "$cp_down" -le "$t_down" ] || fail "checkpoint $cp_down passed the outage start $t_down"
n_retries=$(metric oci_logfwd_source_search_retries_total 'source="s"')
phase "outage: checkpoint $cp_down <= $t_down, $n_retries retries, /healthz 503; restarting ocisim"

# OCI back on the same port (the same deterministic stream).
"$BUILD/ocisim" --listen "127.0.0.1:$OCI_PORT" --port-file "$T/ocisim2.port" \
    --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" \
    $GEN --log "$T/ocisim2.log" 2>"$T/ocisim2.err" &
PIDS="$PIDS $!"
t_up=$(now_ms)
wait_for 60 caught_up "$(( t_up + 2000 ))" || fail "the checkpoint did not pass the end of the outage"
wait_for 15 health_is 200 || fail "/healthz did not return to 200"
log_says "searching works again" || fail "the log did not say searching works again"
[ "$(metric oci_logfwd_source_waiting_seconds 'source="s"')" = 0 ] ||
    fail "waiting_seconds is not 0 after recovery"
phase "recovered: checkpoint past the outage, /healthz 200"

end_ms=$(now_ms)
stop_daemon; phase "stopped"
cp_ms=$(checkpoint_ms)
if grep -q "GAP" "$T/daemon.log"; then fail "a gap was logged: $(grep -m1 GAP "$T/daemon.log")"; fi
if [ -f "$T/dead-letter-out.ndjson" ] && grep -q '"gap"' "$T/dead-letter-out.ndjson"; then
	fail "a gap line in the dead-letter file"
fi
grep -q "splitting it in halves" "$T/daemon.log" && fail "a window was split: refused connections say nothing about size"
expected "$START_MS" "$end_ms"
verify out raw "$cp_ms" exact || fail "records lost or duplicated across the outage"
echo "PASS: OCI unreachable for $(( (t_up - t_down) / 1000 )) s: no gap, checkpoint held, everything delivered once"
