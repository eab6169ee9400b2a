#!/usr/bin/env bash
# test_e2e_split.sh — issue 6, "Done when" 7: a window that the simulator refuses as too
# large (ocisim --max-window-records N answers 500 "The search query timed out") is split
# in halves until it succeeds, and nothing is missing.
#
# oci-logfwd --from/--to backfills two hours of records (about 3,300 per 10-minute
# window) through a raw and an ECS sink while ocisim refuses any window holding more than
# 300 records: every window must be split four or five times.  Checked record by record by
# content; no gap may be reported and the exit status must be 0.
source "$(dirname "$0")/e2e_lib.sh"

N=$(scaled 40000)
MAXW=300
now=$(now_ms)
t1=$(( (now / 60000 - 5) * 60000 ))  # two hours ending five minutes ago (whole minutes)
FROM=$(iso_ms $(( t1 - 7200000 ))); TO=$(iso_ms "$t1")
GEN="--rate $N/7200 --seed 23 --flow-share 0.7"
dump "$FROM" "$TO" "$T/expected.ndjson" $GEN
n_exp=$(lines "$T/expected.ndjson")
echo "records: $n_exp over [$FROM, $TO); ocisim refuses windows of more than $MAXW"
start_ocisim $GEN --max-window-records "$MAXW"
start_sink raw; RAW_PORT=$SINK_PORT
start_sink ecs; ECS_PORT=$SINK_PORT

write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
window = 10m
lag = 0s
page_size = 1000

[sink raw]
type = http
url = http://127.0.0.1:$RAW_PORT/ingest
format = raw
batch_timeout = 100ms

[sink ecs]
type = http
url = http://127.0.0.1:$ECS_PORT/ingest
format = ecs
batch_timeout = 100ms
CONF
ecs_of "$T/expected.ndjson" "$T/expected-ecs.ndjson" "$T/daemon.conf"

fails=0
OCI_LOGFWD_TEST_RETRY_SCALE=100 timeout 50 "$BUILD/oci-logfwd" -c "$T/daemon.conf" \
    --from "$FROM" --to "$TO" --log-level debug >"$T/daemon.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then echo "ok: backfill exit 0"; else echo "FAIL: backfill exit $rc"; fails=$((fails + 1)); fi

splits=$(grep -c "splitting it in halves" "$T/daemon.log")
echo "windows split: $splits"
if [ "$splits" -ge $(( 2 * 12 )) ]; then echo "ok: windows were split ($splits)"; else
	echo "FAIL: expected at least 24 splits (12 windows, each too big), saw $splits"; fails=$((fails + 1)); fi
if grep -q "GAP" "$T/daemon.log"; then
	echo "FAIL: a gap was reported:"; grep GAP "$T/daemon.log" | head -5; fails=$((fails + 1))
else
	echo "ok: no gap"
fi
if [ -s "$T/state/main.state" ]; then echo "FAIL: a backfill wrote a checkpoint"; fails=$((fails + 1)); fi

check raw "$T/expected.ndjson" "$T/raw.out" --need-shared-ids >"$T/check-raw.txt" & c1=$!
check ecs "$T/expected-ecs.ndjson" "$T/ecs.out" --need-shared-ids >"$T/check-ecs.txt" & c2=$!
wait $c1 || fails=$((fails + 1))
wait $c2 || fails=$((fails + 1))
cat "$T/check-raw.txt" "$T/check-ecs.txt"
echo "elapsed $(elapsed) s"
if [ "$fails" -ne 0 ]; then show_log "$T/daemon.log"; echo "FAIL: $fails check(s)"; exit 1; fi
echo "PASS"
