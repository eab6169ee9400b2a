#!/usr/bin/env bash
# test_kafka_kill9.sh — issue 13, test 2: two daemons in one group; one is killed with
# SIGKILL mid-stream.  The other takes its partitions over (after the group's session
# timeout) and re-reads from the last committed offsets: 0 records lost, and duplicates
# only from what the killed one had routed but not yet committed (bounded by what it had
# routed at all).  Checked by content.
# E2E_SCALE scales the record count.
source "$(dirname "$0")/kafka_lib.sh"

N=$(scaled 20000)
start_kafka logs:6
# A slow sink keeps records in flight when the kill comes.
start_sink raw --latency-ms 30
P1=$(free_port); P2=$(free_port)
for p in $P1 $P2; do
	write_kconf "$T/d$p.conf" grp "$p" <<CONF
[sink raw]
type = http
url = http://127.0.0.1:$SINK_PORT/ingest
format = raw
batch_max_events = 200
batch_timeout = 100ms
max_in_flight = 1
CONF
done
start_kdaemon "$T/d$P1.conf" "$T/d1.log"; D1=$KPID
start_kdaemon "$T/d$P2.conf" "$T/d2.log"; D2=$KPID
wait_for 60 owned_is "$P1" 3 "$P2" 3 || { echo "FAIL: no 3 + 3 group"; show_log "$T/d1.log"; exit 1; }
gen_entries "$N" 17 "$T/in.tsv"
produce "$T/in.tsv"
if ! wait_events raw $(( N * 3 / 10 )) 60; then
	echo "FAIL: 30% did not arrive: $(sink_events raw)"; show_log "$T/d1.log"; exit 1
fi
r1=$(kmetric "$P1" oci_logfwd_source_records_total)
kill -9 "$D1"; wait "$D1" 2>/dev/null
at_kill=$(sink_events raw)
echo "killed daemon 1 (SIGKILL) after it routed $r1 records; $at_kill events at the sink"

# The survivor gets all 6 partitions and delivers everything.
end=$(( $(date +%s) + 120 ))
until check raw "$T/in.tsv.expected" "$T/raw.out" --allow-dups >"$T/check.txt"; do
	if [ "$(date +%s)" -ge "$end" ] || ! kill -0 "$D2" 2>/dev/null; then
		echo "FAIL: not everything arrived after the kill"; cat "$T/check.txt"
		show_log "$T/d2.log"; exit 1
	fi
	sleep 1
done
cat "$T/check.txt"
fails=0
owned=$(kmetric "$P2" oci_logfwd_source_partitions_owned)
[ "$owned" = 6 ] || { echo "FAIL: the survivor owns $owned partitions, not 6"; fails=1; }
dups=$(sed -n 's/.*duplicates \([0-9]*\).*/\1/p' "$T/check.txt")
echo "duplicates: $dups (bound: the $r1 records daemon 1 had routed)"
[ "$dups" -le "$r1" ] || { echo "FAIL: more duplicates than daemon 1 ever routed"; fails=1; }
grep -q "assigned 6 partition" "$T/d2.log" || { echo "FAIL: the survivor never took the 6 partitions"; fails=1; }
[ "$fails" -eq 0 ] && echo "PASS" || show_log "$T/d2.log"
exit "$fails"
