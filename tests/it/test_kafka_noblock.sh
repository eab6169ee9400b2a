#!/usr/bin/env bash
# test_kafka_noblock.sh — the event loop never waits for Kafka.  A group's committed
# offsets are learnt without blocking: cluster A answers OffsetFetch (and, behind it on
# the connection, everything else) 20 s late when the streaming source "slow" gets its
# partitions.  Meanwhile the same daemon's source "fast" (cluster B) delivers everything
# produced into B, and /metrics answers.  Then "slow" learns where group grp stands
# (everything of A was committed by an earlier --once: lag 0; before, a blocking fetch
# that timed out left it unknown, and the lag counted every message) and resumes there:
# what A gets afterwards arrives exactly once, nothing before it again.  By content.
source "$(dirname "$0")/kafka_lib.sh"

# A answers the next 2 OffsetFetch requests (API 9) 20 s late once told (SIGHUP).
start_kafka --delay-on-hup=9:20000:2 logs:3
A_BS=$KAFKA_BS; A_PID=$KAFKA_PID; A_ERR=$KAFKA_ERR
start_kafka logs:1
B_BS=$KAFKA_BS
start_sink raw

N=300; K=200; M=150
KAFKA_BS=$A_BS; gen_entries "$N" 51 "$T/a1.tsv"; produce "$T/a1.tsv"
P1=$(free_port)
write_kconf "$T/once.conf" grp "$P1" <<CONF
[sink f]
type = file
path = $T/once.ndjson
CONF
timeout 60 "$BUILD/oci-logfwd" -c "$T/once.conf" --once >"$T/once.log" 2>&1 ||
	{ echo "FAIL: --once did not commit A"; show_log "$T/once.log"; exit 1; }
[ "$(lines "$T/once.ndjson")" = "$N" ] || { echo "FAIL: --once read $(lines "$T/once.ndjson") of $N"; exit 1; }
echo "group grp committed the $N records of cluster A (--once) at $(elapsed) s"

kill -HUP "$A_PID"
armed() { grep -q "answered 20000 ms late" "$A_ERR"; }
wait_for 10 armed || { echo "FAIL: kafkamock did not arm the delay"; cat "$A_ERR"; exit 1; }
cat >"$T/d.conf" <<CONF
[daemon]
state_dir = $T/state
metrics_listen = 127.0.0.1:$P1
shutdown_timeout = 10s

[source slow]
type = streaming
bootstrap_servers = $A_BS
topic = logs
group_id = grp
security_protocol = plaintext

[source fast]
type = streaming
bootstrap_servers = $B_BS
topic = logs
group_id = grpB
security_protocol = plaintext

[sink raw]
type = http
url = http://127.0.0.1:$SINK_PORT/ingest
format = raw
batch_timeout = 100ms
CONF
mkdir -p "$T/state"
# The delayed answers hold its heartbeats too: the default session timeout (45 s) for
# this daemon (the --once member before it has the short one: the group waits for it).
st=$OCI_LOGFWD_TEST_KAFKA_SESSION_TIMEOUT_MS
unset OCI_LOGFWD_TEST_KAFKA_SESSION_TIMEOUT_MS
start_kdaemon "$T/d.conf" "$T/d.log"; D1=$KPID
export OCI_LOGFWD_TEST_KAFKA_SESSION_TIMEOUT_MS=$st
fails=0
both_own() {
	[ "$(ksmetric "$P1" oci_logfwd_source_partitions_owned slow)" = 3 ] &&
	[ "$(ksmetric "$P1" oci_logfwd_source_partitions_owned fast)" = 1 ]
}
WAIT_PIDS=$D1 wait_for 60 both_own ||
	{ echo "FAIL: the sources did not get their partitions"; show_log "$T/d.log"; exit 1; }
KAFKA_BS=$B_BS; gen_entries "$K" 53 "$T/b.tsv"; produce "$T/b.tsv"
b_arrived() { check raw "$T/b.tsv.expected" "$T/raw.out" >"$T/check-b.txt"; }
WAIT_PIDS=$D1 wait_for 60 b_arrived ||
	{ echo "FAIL: B's records did not arrive"; cat "$T/check-b.txt"; show_log "$T/d.log"; exit 1; }
# Everything of B was delivered, and /metrics answered all along, while slow's question
# for its committed offsets is still unanswered.
asked=$(grep -c "\[source slow\] learnt the group's committed offsets" "$T/d.log")
echo "B: $K records delivered while A's offsets were still being fetched" \
    "(answers so far: $asked) at $(elapsed) s"
[ "$asked" = 0 ] || { echo "FAIL: A's offsets were learnt before B was delivered:" \
    "the delay did not hold (test setup)"; fails=1; }

# Slow learns the committed offsets: nothing left of A (lag 0 on all 3 partitions).
slow_caught_up() {
	[ "$(ksmetric "$P1" oci_logfwd_source_consumer_lag slow)" = 0 ] &&
	[ "$(http_get "http://127.0.0.1:$P1/metrics" |
	    grep -c '^oci_logfwd_source_consumer_lag{source="slow"')" = 3 ]
}
if ! WAIT_PIDS=$D1 wait_for 60 slow_caught_up; then
	echo "FAIL: slow's consumer lag is $(ksmetric "$P1" oci_logfwd_source_consumer_lag slow)," \
	    "not 0: it never learnt the group's committed offsets"; show_log "$T/d.log"; exit 1
fi
grep -m1 "\[source slow\] learnt" "$T/d.log"; echo "at $(elapsed) s"
# ... and reads on from there: what A gets now arrives, the first N never again.
KAFKA_BS=$A_BS; gen_entries "$M" 57 "$T/a2.tsv"; produce "$T/a2.tsv"
cat "$T/b.tsv.expected" "$T/a2.tsv.expected" >"$T/all.expected"
all_arrived() { check raw "$T/all.expected" "$T/raw.out" >"$T/check.txt"; }
WAIT_PIDS=$D1 wait_for 60 all_arrived ||
	{ echo "FAIL: not exactly B + the new records of A"; cat "$T/check.txt"; show_log "$T/d.log"; exit 1; }
cat "$T/check.txt"
[ "$(sink_events raw)" = $(( K + M )) ] || { echo "FAIL: $(sink_events raw) events, not $(( K + M ))"; fails=1; }
kill -TERM "$D1"; wait "$D1"; rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: daemon exit $rc"; fails=1; }
[ "$fails" -eq 0 ] && echo "PASS" || show_log "$T/d.log"
exit "$fails"
