#!/usr/bin/env bash
# test_kafka_probe.sh — issue 13: `--probe` of a streaming source connects, reads the
# topic's partition count and the group's lag (no OCI configuration needed), and exits
# 0; with the brokers unreachable it says FAILED with the fix and exits 69.
source "$(dirname "$0")/kafka_lib.sh"

start_kafka logs:4
gen_entries 100 37 "$T/in.tsv"
produce "$T/in.tsv"
P1=$(free_port)
write_kconf "$T/d.conf" grp "$P1" <<CONF
[sink f]
type = file
path = $T/out.ndjson
CONF
fails=0
"$BUILD/oci-logfwd" -c "$T/d.conf" --probe >"$T/probe1.txt" 2>&1; rc=$?
grep -i "stream" "$T/probe1.txt"
[ "$rc" -eq 0 ] || { echo "FAIL: --probe exit $rc with the brokers up"; cat "$T/probe1.txt"; fails=1; }
grep -q "topic logs: 4 partitions, the group's lag 100 messages" "$T/probe1.txt" ||
	{ echo "FAIL: --probe did not report 4 partitions and a lag of 100"; fails=1; }
# The brokers gone: FAILED, the fix names bootstrap_servers, exit 69.
kill -TERM "$KAFKA_PID"; wait "$KAFKA_PID" 2>/dev/null
"$BUILD/oci-logfwd" -c "$T/d.conf" --probe >"$T/probe2.txt" 2>&1; rc=$?
grep -i "stream\|bootstrap" "$T/probe2.txt" | head -4
[ "$rc" -eq 69 ] || { echo "FAIL: --probe exit $rc with the brokers gone (want 69)"; fails=1; }
grep -q "FAILED" "$T/probe2.txt" && grep -q "Check bootstrap_servers" "$T/probe2.txt" ||
	{ echo "FAIL: no FAILED line naming bootstrap_servers"; cat "$T/probe2.txt"; fails=1; }
[ "$fails" -eq 0 ] && echo "PASS"
exit "$fails"
