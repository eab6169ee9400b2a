#!/usr/bin/env bash
# test_e2e_throughput.sh — 200,000 records over two sinks (ECS to
# one, raw to the other): every record arrives at each sink exactly once, including the
# distinct VCN flow records that share an id.
#
# The daemon runs in daemon mode, first start at one hour ago, against ocisim's generated
# stream at 200,000 records an hour: it catches up window after window (5m windows,
# several in flight) and then follows the stream, with overlap sweeps every 2 s re-reading
# the last minutes (they must deduplicate, never resend).  Once both sinks hold the first
# hour and the checkpoint passed it, we wait for one more sweep and stop with SIGTERM
# (exit 0).  Then every record before the final checkpoint (the first hour and what
# followed) must be in each sink exactly once, by content; none may arrive twice at all.
# E2E_SCALE scales the record count; under ASan it defaults to 0.2 (40,000 records: the
# sanitized sinksims and daemon move ~1,500 records a second on two cores).
ASAN_SCALE=0.2
source "$(dirname "$0")/e2e_lib.sh"

N=$(scaled 200000)
now=$(now_ms)
# The generator's stream at N records an hour, from one hour ago (a whole minute) on; the
# daemon catches up from there (window after window) and then follows the stream.
t0=$(( (now / 60000 - 60) * 60000 ))
t1=$(( t0 + 3600000 ))
FROM=$(iso_ms "$t0")
GEN="--rate $N/3600 --seed 11 --flow-share 0.7 --ingest-delay audit=0s,flow=0s"
echo "records: $N an hour from $FROM (the first hour is the catch-up)"
start_ocisim $GEN
start_sink ecs; ECS_PORT=$SINK_PORT
start_sink raw; RAW_PORT=$SINK_PORT

write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
interval = 1s
lag = 3s
window = 5m
overlap = 4m
sweep_interval = 2s
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

fails=0
t_start=$(date +%s)
start_daemon "$T/daemon.conf" "$T/daemon.log" --log-level debug
# Caught up: the first hour (N records) is in both sinks and the checkpoint passed it.
caught_up=0
if wait_events ecs "$N" 50 && wait_events raw "$N" 10; then
	for _ in $(seq 1 100); do
		c=$(head -n 1 "$T/state/main.state" 2>/dev/null | python3 -c 'import json,sys
try: print(json.loads(sys.stdin.readline())["cursor_ms"])
except Exception: print(0)')
		if [ "$c" -ge "$t1" ]; then caught_up=1; break; fi
		sleep 0.2
	done
fi
if [ "$caught_up" = 1 ]; then
	echo "ok: caught up with the first hour ($N records in both sinks) after $(( $(date +%s) - t_start )) s"
else
	echo "FAIL: not caught up after $(( $(date +%s) - t_start )) s: ecs $(sink_events ecs), raw $(sink_events raw) of $N"
	fails=$((fails + 1))
fi
# One more complete sweep (it re-reads the last minutes: nothing may be sent again).
sweeps=$(grep -c "sweep of the last" "$T/daemon.log")
for _ in $(seq 1 40); do
	[ "$(grep -c "sweep of the last" "$T/daemon.log")" -gt $((sweeps + 1)) ] && break
	sleep 0.2
done
echo "sweeps: $(grep -c "sweep of the last" "$T/daemon.log")"
stop_daemon
if [ "$DAEMON_RC" = 0 ]; then echo "ok: SIGTERM -> exit 0"; else echo "FAIL: exit $DAEMON_RC after SIGTERM"; fails=$((fails + 1)); fi
cursor_ms=$(head -n 1 "$T/state/main.state" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["cursor_ms"])')
TO=$(iso_ms "$cursor_ms")
# Everything before the final checkpoint must be there exactly once; what came after it
# (in flight at SIGTERM) is only checked for duplicates.
dump "$FROM" "$TO" "$T/expected.ndjson" $GEN
ecs_of "$T/expected.ndjson" "$T/expected-ecs.ndjson" "$T/daemon.conf"
echo "final checkpoint $TO: $(lines "$T/expected.ndjson") records in [$FROM, $TO)"

# Both comparisons at once (two cores).
check raw "$T/expected.ndjson" "$T/raw.out" --from "$FROM" --to "$TO" --need-shared-ids >"$T/check-raw.txt" & c1=$!
check ecs "$T/expected-ecs.ndjson" "$T/ecs.out" --from "$FROM" --to "$TO" --need-shared-ids >"$T/check-ecs.txt" & c2=$!
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
