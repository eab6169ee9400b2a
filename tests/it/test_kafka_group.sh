#!/usr/bin/env bash
# test_kafka_group.sh — issue 13, test 1: two daemons in one consumer group share a
# 6-partition topic: each one owns partitions, and every record produced (by kcat, an
# independent client) reaches the HTTP sink exactly once, checked by content.
# The first daemon owns all 6 before the second joins, so its partitions are revoked and
# 3 of them assigned back to it: under load the two used to join in that order by chance,
# and a partition paused at its revoke stayed paused in librdkafka when it came back
# (the daemon read nothing more: the test failed about once in ten runs).
# E2E_SCALE scales the record count.
source "$(dirname "$0")/kafka_lib.sh"

N=$(scaled 20000)
start_kafka logs:6
start_sink raw
P1=$(free_port); P2=$(free_port)
for p in $P1 $P2; do
	write_kconf "$T/d$p.conf" grp "$p" <<CONF
[sink raw]
type = http
url = http://127.0.0.1:$SINK_PORT/ingest
format = raw
batch_max_events = 500
batch_timeout = 100ms
CONF
done
start_kdaemon "$T/d$P1.conf" "$T/d1.log"; D1=$KPID
if ! WAIT_PIDS=$D1 wait_for 60 owned_is "$P1" 6; then
	echo "FAIL: the first daemon did not get the 6 partitions"; show_log "$T/d1.log"; exit 1
fi
start_kdaemon "$T/d$P2.conf" "$T/d2.log"; D2=$KPID

# Both members own partitions (3 each with roundrobin) before anything is produced.
if ! wait_for 60 owned_is "$P1" 3 "$P2" 3; then
	echo "FAIL: the two daemons did not share the 6 partitions:" \
	    "$(kmetric "$P1" oci_logfwd_source_partitions_owned)" \
	    "$(kmetric "$P2" oci_logfwd_source_partitions_owned)"
	show_log "$T/d1.log"; show_log "$T/d2.log"; exit 1
fi
echo "group formed: 3 + 3 partitions"
reb1=$(kmetric "$P1" oci_logfwd_source_rebalances_total)
reb2=$(kmetric "$P2" oci_logfwd_source_rebalances_total)

gen_entries "$N" 13 "$T/in.tsv"
t0=$(date +%s.%N)
produce "$T/in.tsv"
if ! wait_events raw "$N" 120; then
	echo "FAIL: only $(sink_events raw) of $N events arrived"
	show_log "$T/d1.log"; show_log "$T/d2.log"; exit 1
fi
t1=$(date +%s.%N)
# Everything acknowledged is committed: the lag reaches 0 on both members.
if ! wait_for 30 lag_is "$P1" 0 "$P2" 0; then
	echo "FAIL: consumer lag did not reach 0: $(kmetric "$P1" oci_logfwd_source_consumer_lag)" \
	    "$(kmetric "$P2" oci_logfwd_source_consumer_lag)"; exit 1
fi
r1=$(kmetric "$P1" oci_logfwd_source_records_total)
r2=$(kmetric "$P2" oci_logfwd_source_records_total)
# A rebalance after the group formed re-reads what was not committed (duplicates): say
# so, to tell such a failure from others.
echo "rebalances after the group formed: daemon 1 $(( $(kmetric "$P1" oci_logfwd_source_rebalances_total) - reb1 )), daemon 2 $(( $(kmetric "$P2" oci_logfwd_source_rebalances_total) - reb2 ))"
if [ -z "$r1" ] || [ -z "$r2" ]; then
	echo "FAIL: /metrics did not answer (daemon 1: '$r1', daemon 2: '$r2')"
	show_log "$T/d1.log"; show_log "$T/d2.log"; exit 1
fi
echo "records routed: daemon 1 $r1, daemon 2 $r2 (sum $(( r1 + r2 )) of $N)"
python3 -c "import sys; print('produce-to-delivered: %.1f s, %.0f records/s' % (float(sys.argv[2]) - float(sys.argv[1]), int(sys.argv[3]) / (float(sys.argv[2]) - float(sys.argv[1]))))" "$t0" "$t1" "$N"
fails=0
if [ "$r1" -le 0 ] || [ "$r2" -le 0 ]; then echo "FAIL: a daemon routed nothing"; fails=1; fi
if [ $(( r1 + r2 )) -ne "$N" ]; then echo "FAIL: the daemons routed $(( r1 + r2 )) records, not $N"; fails=1; fi
for p in $D1 $D2; do kill -TERM "$p"; done
for p in $D1 $D2; do wait "$p"; rc=$?; [ "$rc" -eq 0 ] || { echo "FAIL: daemon exit $rc"; fails=1; }; done
check raw "$T/in.tsv.expected" "$T/raw.out" || fails=1
[ "$fails" -eq 0 ] && echo "PASS" || {
	show_log "$T/d1.log"; show_log "$T/d2.log"
	echo "--- assignments"; grep -H "assigned\|revoked\|commit failed" "$T/d1.log" "$T/d2.log"
}
exit "$fails"
