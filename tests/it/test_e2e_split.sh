#!/usr/bin/env bash
# test_e2e_split.sh — a window that is too big for OCI is split in halves until it
# succeeds, and nothing is missing.  The only evidence of size is a query that OCI accepts
# and does not answer in time: ocisim --max-window-records N holds such a query for
# --slow-query-ms before a 500, longer than the source's search_timeout, so the daemon's
# own timeout fires (6 times in a row for the page) and the window is split.  A 500 that
# comes in time is retried in place, never split (test_e2e_oci_unreachable,
# test_search_errors).
#
# oci-logfwd --from/--to backfills 20 minutes (two 10-minute windows of about 1,000
# records) through a raw and an ECS sink while ocisim refuses any window holding more than
# 300 records: each window must be split at least twice.  Checked record by record by
# content; no gap may be reported and the exit status must be 0.
source "$(dirname "$0")/e2e_lib.sh"

N=2000
MAXW=300
now=$(now_ms)
t1=$(( (now / 60000 - 5) * 60000 ))  # 20 minutes ending five minutes ago (whole minutes)
FROM=$(iso_ms $(( t1 - 1200000 ))); TO=$(iso_ms "$t1")
GEN="--rate $N/1200 --seed 23 --flow-share 0.7"
dump "$FROM" "$TO" "$T/expected.ndjson" $GEN
n_exp=$(lines "$T/expected.ndjson")
echo "records: $n_exp over [$FROM, $TO); ocisim refuses windows of more than $MAXW"
start_ocisim $GEN --max-window-records "$MAXW" --slow-query-ms 3000
start_sink raw; RAW_PORT=$SINK_PORT
start_sink ecs; ECS_PORT=$SINK_PORT

write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
window = 10m
lag = 0s
page_size = 1000
search_timeout = 500ms

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
OCI_LOGFWD_TEST_RETRY_SCALE=100 timeout 120 "$BUILD/oci-logfwd" -c "$T/daemon.conf" \
    --from "$FROM" --to "$TO" --log-level debug >"$T/daemon.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then echo "ok: backfill exit 0"; else echo "FAIL: backfill exit $rc"; fails=$((fails + 1)); fi

splits=$(grep -c "splitting it in halves" "$T/daemon.log")
echo "windows split: $splits"
if [ "$splits" -ge 4 ]; then echo "ok: windows were split ($splits)"; else
	echo "FAIL: expected at least 4 splits (2 windows, each too big twice), saw $splits"; fails=$((fails + 1)); fi
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
