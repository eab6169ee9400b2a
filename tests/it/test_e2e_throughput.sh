#!/usr/bin/env bash
# test_e2e_throughput.sh — issue 6, "Done when" 1: 200,000 records over two sinks (ECS to
# one, raw to the other): every record arrives at each sink exactly once, including the
# distinct VCN flow records that share an id.
#
# The daemon runs in daemon mode from a checkpoint-less start over one hour of records
# (ocisim --records-file: a finite set, so "complete" is well defined), window 5m (12
# windows, several in flight), with overlap sweeps every 3 s re-reading the last minutes
# (they must deduplicate, never resend).  After both sinks hold every record we wait for
# one more sweep, stop with SIGTERM (exit 0) and compare record by record by content.
# E2E_SCALE scales the record count (e.g. 0.25 under ASan).
source "$(dirname "$0")/e2e_lib.sh"

N=$(scaled 200000)
now=$(now_ms)
# One hour of records ending 2 minutes ago (whole minutes).
t1=$(( (now / 60000 - 2) * 60000 ))
t0=$(( t1 - 3600000 ))
FROM=$(iso_ms "$t0"); TO=$(iso_ms "$t1")
echo "records: $N over [$FROM, $TO)"
dump "$FROM" "$TO" "$T/expected.ndjson" --rate "$N/3600" --seed 11 --flow-share 0.7
n_exp=$(lines "$T/expected.ndjson")
start_ocisim --records-file "$T/expected.ndjson"
start_sink ecs; ECS_PORT=$SINK_PORT
start_sink raw; RAW_PORT=$SINK_PORT

write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
interval = 1s
lag = 5s
window = 5m
overlap = 4m
sweep_interval = 3s
start = $FROM

[sink ecs]
type = http
url = http://127.0.0.1:$ECS_PORT/ingest
format = ecs
batch_timeout = 200ms
max_in_flight = 4

[sink raw]
type = http
url = http://127.0.0.1:$RAW_PORT/ingest
format = raw
batch_timeout = 200ms
max_in_flight = 4
CONF
ecs_of "$T/expected.ndjson" "$T/expected-ecs.ndjson" "$T/daemon.conf"

fails=0
t_start=$(date +%s)
start_daemon "$T/daemon.conf" "$T/daemon.log" --log-level debug
if wait_events ecs "$n_exp" 50 && wait_events raw "$n_exp" 10; then
	echo "ok: both sinks hold $n_exp events after $(( $(date +%s) - t_start )) s"
else
	echo "FAIL: after $(( $(date +%s) - t_start )) s: ecs $(sink_events ecs), raw $(sink_events raw) of $n_exp"
	fails=$((fails + 1))
fi
# One more complete sweep (it re-reads the last minutes: nothing may be sent again).
sweeps=$(grep -c "sweep of the last" "$T/daemon.log")
for _ in $(seq 1 50); do
	[ "$(grep -c "sweep of the last" "$T/daemon.log")" -gt $((sweeps + 1)) ] && break
	sleep 0.2
done
echo "sweeps so far: $(grep -c "sweep of the last" "$T/daemon.log")"
stop_daemon
if [ "$DAEMON_RC" = 0 ]; then echo "ok: SIGTERM -> exit 0"; else echo "FAIL: exit $DAEMON_RC after SIGTERM"; fails=$((fails + 1)); fi
echo "checkpoint: $(head -n 1 "$T/state/main.state" | head -c 200)"

# Both comparisons at once (two cores).
check raw "$T/expected.ndjson" "$T/raw.out" --need-shared-ids >"$T/check-raw.txt" & c1=$!
check ecs "$T/expected-ecs.ndjson" "$T/ecs.out" --need-shared-ids >"$T/check-ecs.txt" & c2=$!
wait $c1 || fails=$((fails + 1))
wait $c2 || fails=$((fails + 1))
cat "$T/check-raw.txt" "$T/check-ecs.txt"
if grep -qE 'GAP|error' "$T/daemon.log"; then
	echo "FAIL: the daemon logged errors or gaps:"; grep -E 'GAP|error' "$T/daemon.log" | head
	fails=$((fails + 1))
fi
echo "elapsed $(elapsed) s"
if [ "$fails" -ne 0 ]; then show_log "$T/daemon.log"; echo "FAIL: $fails check(s)"; exit 1; fi
echo "PASS"
