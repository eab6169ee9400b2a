#!/usr/bin/env bash
# test_kafka_reload.sh — issue 13: a streaming source across SIGHUP reloads.  An
# unchanged source keeps its consumer (no new group join, no rebalance); a changed one
# (here: start) is rebuilt: the old consumer commits what was acknowledged and leaves,
# the new one joins and goes on from the committed offsets.  Every record exactly once.
source "$(dirname "$0")/kafka_lib.sh"

start_kafka logs:3
start_sink raw
P1=$(free_port)
sink_section() {
	cat <<CONF
[sink raw]
type = http
url = http://127.0.0.1:$SINK_PORT/ingest
format = raw
batch_timeout = 100ms
CONF
}
sink_section | write_kconf "$T/d.conf" grp "$P1"
start_kdaemon "$T/d.conf" "$T/d.log"; D1=$KPID
gen_entries 2000 43 "$T/a.tsv"
produce "$T/a.tsv"
wait_events raw 2000 60 || { echo "FAIL: batch A did not arrive"; show_log "$T/d.log"; exit 1; }
fails=0
reb=$(kmetric "$P1" oci_logfwd_source_rebalances_total)
joins=$(grep -c "joining group" "$T/d.log")
kill -HUP "$D1"
end=$(( $(date +%s) + 20 ))
until [ "$(grep -c "configuration reloaded" "$T/d.log")" -ge 1 ]; do
	[ "$(date +%s)" -ge "$end" ] && { echo "FAIL: no reload"; show_log "$T/d.log"; exit 1; }
	sleep 0.2
done
[ "$(grep -c "joining group" "$T/d.log")" = "$joins" ] ||
	{ echo "FAIL: an unchanged streaming source joined the group again"; fails=1; }
[ "$(kmetric "$P1" oci_logfwd_source_rebalances_total)" = "$reb" ] ||
	{ echo "FAIL: an unchanged reload caused a rebalance"; fails=1; }
echo "unchanged reload: consumer kept ($reb rebalances)"

# Changed: the source is rebuilt (a new member of the same group).
sed -i 's/^start = earliest$/start = latest/' "$T/d.conf"
kill -HUP "$D1"
rebuilt() { [ "$(grep -c "joining group" "$T/d.log")" -gt "$joins" ] && owned_is "$P1" 3; }
wait_for 60 rebuilt || { echo "FAIL: the changed source was not rebuilt"; show_log "$T/d.log"; exit 1; }
echo "changed reload: a new consumer joined and owns 3 partitions"
gen_entries 2000 47 "$T/b.tsv"
produce "$T/b.tsv"
cat "$T/a.tsv.expected" "$T/b.tsv.expected" >"$T/all.expected"
end=$(( $(date +%s) + 60 ))
until check raw "$T/all.expected" "$T/raw.out" >"$T/check.txt"; do
	[ "$(date +%s)" -ge "$end" ] && { echo "FAIL: not every record exactly once"; cat "$T/check.txt"; show_log "$T/d.log"; exit 1; }
	sleep 0.5
done
cat "$T/check.txt"
kill -TERM "$D1"; wait "$D1"
[ "$fails" -eq 0 ] && echo "PASS" || show_log "$T/d.log"
exit "$fails"
