#!/usr/bin/env bash
# test_e2e_kill9.sh — kill -9 of the daemon mid-run, then a
# restart: nothing lost; duplicates at most what was in flight past the checkpoint; the
# test prints how many.
#
# The daemon (first start one hour back on ocisim's generated stream) catches up window
# after window (2m windows) into a raw and an ECS sink that answer slowly, is killed with
# SIGKILL when about 40% of the hour has arrived, and is started again on the same state
# directory until its checkpoint passes the hour.
# Then every record must have arrived at each sink at least once (by content), every
# duplicate must lie at or after the checkpoint the killed daemon left behind (what a
# restart re-reads), and their number must stay within the records of the windows that
# can be in flight (8 x window past that checkpoint).
# E2E_SCALE scales the record count.
source "$(dirname "$0")/e2e_lib.sh"

N=$(scaled 60000)
WINDOW_S=120
# Windows in flight while catching up: max_concurrent_searches (default 3) searched at
# once plus one being acknowledged (WINDOWS_BEYOND_SEARCHES in lib/pipeline/source.c).
IN_FLIGHT=4
now=$(now_ms)
# ocisim's generated stream at N records an hour, from one hour ago on: the daemon
# catches up window after window, and is killed on the way.
t0=$(( (now / 60000 - 60) * 60000 ))
t1=$(( t0 + 3600000 ))
FROM=$(iso_ms "$t0"); TO=$(iso_ms "$t1")
GEN="--rate $N/3600 --seed 31 --flow-share 0.7 --ingest-delay audit=0s,flow=0s"
echo "records: $N an hour from $FROM, window ${WINDOW_S}s"
start_ocisim $GEN
start_sink raw --latency-ms 25; RAW_PORT=$SINK_PORT
start_sink ecs --latency-ms 25; ECS_PORT=$SINK_PORT

write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
interval = 1s
lag = 5s
window = ${WINDOW_S}s
overlap = 3m
sweep_interval = 5s
start = $FROM
page_size = 500

[sink raw]
type = http
url = http://127.0.0.1:$RAW_PORT/ingest
format = raw
batch_max_events = 200
batch_timeout = 100ms
max_in_flight = 2

[sink ecs]
type = http
url = http://127.0.0.1:$ECS_PORT/ingest
format = ecs
batch_max_events = 200
batch_timeout = 100ms
max_in_flight = 2
CONF

fails=0
start_daemon "$T/daemon.conf" "$T/daemon1.log"
if ! wait_events raw $(( N * 4 / 10 )) 40; then
	echo "FAIL: the first run did not get 40% through: raw $(sink_events raw) of $N"
	show_log "$T/daemon1.log"; exit 1
fi
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""
at_kill_raw=$(sink_events raw); at_kill_ecs=$(sink_events ecs)
if [ ! -s "$T/state/main.state" ]; then
	echo "FAIL: no checkpoint after the first run"; show_log "$T/daemon1.log"; exit 1
fi
cursor_ms=$(head -n 1 "$T/state/main.state" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["cursor_ms"])')
CURSOR=$(iso_ms "$cursor_ms")
bound_to=$(iso_ms $(( cursor_ms + IN_FLIGHT * WINDOW_S * 1000 )))
# The records a restart may send again: those of the windows that can be in flight
# past the checkpoint.
dump "$CURSOR" "$bound_to" "$T/bound.ndjson" $GEN
bound=$(lines "$T/bound.ndjson")
echo "killed (SIGKILL) with raw $at_kill_raw, ecs $at_kill_ecs delivered; checkpoint $CURSOR; duplicates allowed: $bound (records in [$CURSOR, $bound_to))"

start_daemon "$T/daemon.conf" "$T/daemon2.log"
# Done when the checkpoint has passed the last record: everything acknowledged.
done_ok=0
for _ in $(seq 1 200); do
	c=$(head -n 1 "$T/state/main.state" 2>/dev/null | python3 -c 'import json,sys
try: print(json.loads(sys.stdin.readline())["cursor_ms"])
except Exception: print(0)')
	if [ "$c" -ge "$t1" ]; then done_ok=1; break; fi
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.25
done
if [ "$done_ok" = 1 ]; then echo "ok: after the restart the checkpoint passed $TO"; else
	echo "FAIL: after the restart the checkpoint did not pass $TO"; fails=$((fails + 1)); fi
stop_daemon
if [ "$DAEMON_RC" = 0 ]; then echo "ok: SIGTERM -> exit 0"; else echo "FAIL: exit $DAEMON_RC after SIGTERM"; fails=$((fails + 1)); fi
# Everything before the final checkpoint, by content (what came after it is only checked
# for duplicates).
END=$(iso_ms "$(head -n 1 "$T/state/main.state" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["cursor_ms"])')")
dump "$FROM" "$END" "$T/expected.ndjson" $GEN
ecs_of "$T/expected.ndjson" "$T/expected-ecs.ndjson" "$T/daemon.conf"
n_exp=$(lines "$T/expected.ndjson")
echo "final checkpoint $END: $n_exp records in [$FROM, $END)"

check raw "$T/expected.ndjson" "$T/raw.out" --from "$FROM" --to "$END" --allow-dups --dups-from "$CURSOR" --max-dups "$bound" \
    --json "$T/raw.json" >"$T/check-raw.txt" & c1=$!
check ecs "$T/expected-ecs.ndjson" "$T/ecs.out" --from "$FROM" --to "$END" --allow-dups --dups-from "$CURSOR" --max-dups "$bound" \
    --json "$T/ecs.json" >"$T/check-ecs.txt" & c2=$!
wait $c1 || fails=$((fails + 1))
wait $c2 || fails=$((fails + 1))
cat "$T/check-raw.txt" "$T/check-ecs.txt"
d_raw=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duplicates"])' "$T/raw.json" 2>/dev/null)
d_ecs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duplicates"])' "$T/ecs.json" 2>/dev/null)
echo "DUPLICATES after kill -9: raw ${d_raw:-?}, ecs ${d_ecs:-?} (bound $bound; raw had $at_kill_raw, ecs $at_kill_ecs at the kill)"
if grep -qE 'GAP|error' "$T/daemon1.log" "$T/daemon2.log"; then
	echo "FAIL: the daemon logged errors or gaps:"; grep -E 'GAP|error' "$T/daemon1.log" "$T/daemon2.log" | head
	fails=$((fails + 1))
fi
echo "elapsed $(elapsed) s"
if [ "$fails" -ne 0 ]; then show_log "$T/daemon1.log"; show_log "$T/daemon2.log"; echo "FAIL: $fails check(s)"; exit 1; fi
echo "PASS"
