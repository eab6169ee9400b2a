#!/usr/bin/env bash
# test_e2e_late.sh — records that become searchable late, but
# within `overlap`, are delivered exactly once.
#
# ocisim makes audit records searchable 6-7 s after their time and flow records 2-3 s
# after (--ingest-delay), so the regular polls (lag 2s) miss all of the audit records and
# some flow records; the overlap sweeps (overlap 12s, every 2 s) must find them, and must
# not send again what the regular polls or earlier sweeps already sent.  The source starts
# 5 s back (younger than the audit delay: every audit record is late).  The daemon runs
# 18 s in daemon mode; then every record of [start, stop - 11 s) (searchable by stop - 4 s,
# swept by then) must have arrived exactly once at a raw and at an ECS sink, by content,
# nothing may have arrived twice at all, nothing from before `start` (the first sweeps
# reach back `overlap`), and /metrics must count late records.
source "$(dirname "$0")/e2e_lib.sh"

RUN_S=18
GEN="--rate 20/1 --seed 5 --flow-share 0.7 --ingest-delay audit=6s,flow=2s"
start_ocisim $GEN
start_sink raw; RAW_PORT=$SINK_PORT
start_sink ecs; ECS_PORT=$SINK_PORT
MPORT=$(free_port)
a_ms=$(( ($(now_ms) / 1000 - 5) * 1000 ))
A=$(iso_ms "$a_ms")

write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
interval = 1s
lag = 2s
window = 10s
overlap = 12s
sweep_interval = 2s
start = $A

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
sed -i "s|^shutdown_timeout = 10s|shutdown_timeout = 10s\nmetrics_listen = 127.0.0.1:$MPORT|" "$T/daemon.conf"

fails=0
start_daemon "$T/daemon.conf" "$T/daemon.log" --log-level debug
sleep "$RUN_S"
metrics=$(http_get "http://127.0.0.1:$MPORT/metrics")
stop_ms=$(now_ms)
stop_daemon
if [ "$DAEMON_RC" = 0 ]; then echo "ok: SIGTERM -> exit 0"; else echo "FAIL: exit $DAEMON_RC after SIGTERM"; fails=$((fails + 1)); fi

B=$(iso_ms $(( stop_ms - 11000 )))
dump "$A" "$B" "$T/expected.ndjson" $GEN
ecs_of "$T/expected.ndjson" "$T/expected-ecs.ndjson" "$T/daemon.conf"
n_audit=$(grep -c '"loggroupid":"_Audit"' "$T/expected.ndjson")
echo "checked range [$A, $B): $(lines "$T/expected.ndjson") records, $n_audit of them audit (searchable only 6 s late)"

late=$(metric "$metrics" 'oci_logfwd_source_late_records_total{source="main"}')
delays=$(metric "$metrics" 'oci_logfwd_source_ingest_delay_seconds_count{source="main"}')
echo "metrics: late records ${late:-?}, ingest delays observed ${delays:-?}"
if [ -n "$late" ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$late" "$n_audit"; then
	echo "ok: oci_logfwd_source_late_records_total ($late) counts at least the $n_audit late audit records"
else
	echo "FAIL: oci_logfwd_source_late_records_total is ${late:-missing}, wanted >= $n_audit"; fails=$((fails + 1))
fi
if grep -q "notice: .*main.*sweep.*found" "$T/daemon.log"; then
	echo "ok: notice logged: $(grep -m1 "notice: .*main.*sweep.*found" "$T/daemon.log")"
else
	echo "FAIL: no notice that a sweep found records the regular polls missed"; fails=$((fails + 1))
fi
check raw "$T/expected.ndjson" "$T/raw.out" --from "$A" --to "$B" --none-before "$A" || fails=$((fails + 1))
check ecs "$T/expected-ecs.ndjson" "$T/ecs.out" --from "$A" --to "$B" --none-before "$A" || fails=$((fails + 1))
if grep -qE 'GAP|error' "$T/daemon.log"; then
	echo "FAIL: the daemon logged errors or gaps:"; grep -E 'GAP|error' "$T/daemon.log" | head
	fails=$((fails + 1))
fi
echo "elapsed $(elapsed) s"
if [ "$fails" -ne 0 ]; then show_log "$T/daemon.log"; echo "FAIL: $fails check(s)"; exit 1; fi
echo "PASS"
