#!/usr/bin/env bash
# test_kafka_outage.sh — issue 13, test 3: the HTTP sink is down (503) for 20 s.  While
# it is down no offset may be committed past an unacknowledged message: the daemon is
# killed with SIGKILL during the outage and a fresh daemon of the same group, started
# after, must deliver every record (a commit past anything unacknowledged would be a
# gap).  The full queue pauses the partitions: far fewer records are read than exist.
# Checked by content: every record exactly once (the sink accepted nothing before).
source "$(dirname "$0")/kafka_lib.sh"

N=$(scaled 20000)
start_kafka logs:6
start_sink raw --fail-for-s 20:503
P1=$(free_port)
write_kconf "$T/d.conf" grp "$P1" <<CONF
[sink raw]
type = http
url = http://127.0.0.1:$SINK_PORT/ingest
format = raw
batch_max_events = 500
batch_timeout = 100ms
queue_max_events = 1000
retry_initial = 200ms
retry_max_delay = 1s
CONF
gen_entries "$N" 19 "$T/in.tsv"
produce "$T/in.tsv"
start_kdaemon "$T/d.conf" "$T/d1.log"; D1=$KPID
t_start=$(date +%s)
# Wait until the daemon has read what it will read while the sink fails: the sink's
# failures make it retry, and the source stands still (backpressure).
end=$(( t_start + 15 ))
prev=-1; still=0
while [ "$still" -lt 3 ]; do
	cur=$(kmetric "$P1" oci_logfwd_source_records_total)
	if [ -n "$cur" ] && [ "$cur" = "$prev" ] && [ "$cur" -gt 0 ]; then still=$((still + 1)); else still=0; fi
	prev=$cur
	[ "$(date +%s)" -ge "$end" ] && break
	sleep 0.5
done
routed=$(kmetric "$P1" oci_logfwd_source_records_total)
lag=$(kmetric "$P1" oci_logfwd_source_consumer_lag)
sent=$(sink_events raw)
echo "sink down: routed $routed of $N, consumer lag $lag, sink accepted $sent"
fails=0
[ "$sent" = 0 ] || { echo "FAIL: the sink accepted events during its outage"; fails=1; }
[ -n "$routed" ] && [ "$routed" -gt 0 ] && [ "$routed" -lt "$N" ] ||
	{ echo "FAIL: backpressure did not hold the partitions (routed $routed of $N)"; fails=1; }
# Nothing is acknowledged, so nothing is committed: the lag is everything.
[ "$lag" = "$N" ] || { echo "FAIL: consumer lag $lag, not $N: an offset was committed"; fails=1; }
kill -9 "$D1"; wait "$D1" 2>/dev/null
echo "daemon killed during the outage ($(( $(date +%s) - t_start )) s in)"

start_kdaemon "$T/d.conf" "$T/d2.log"; D2=$KPID
end=$(( $(date +%s) + 90 ))
until check raw "$T/in.tsv.expected" "$T/raw.out" >"$T/check.txt"; do
	if [ "$(date +%s)" -ge "$end" ] || ! kill -0 "$D2" 2>/dev/null; then
		echo "FAIL: not every record arrived after the outage"; cat "$T/check.txt"
		show_log "$T/d2.log"; exit 1
	fi
	sleep 1
done
cat "$T/check.txt"
[ "$(sink_events raw)" = "$N" ] || { echo "FAIL: $(sink_events raw) events, not $N"; fails=1; }
[ "$fails" -eq 0 ] && echo "PASS" || { show_log "$T/d1.log"; show_log "$T/d2.log"; }
exit "$fails"
