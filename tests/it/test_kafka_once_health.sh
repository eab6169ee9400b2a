#!/usr/bin/env bash
# test_kafka_once_health.sh — issue 13: `--once` on a streaming source reads every
# partition to the high watermark seen at start, delivers, commits and exits 0; a second
# `--once` of the same group finds nothing new, nor does one of a new group with start =
# latest.  The source's `region` is the events' cloud.region (ECS and OCSF).  Then a
# daemon: while every broker is down /healthz answers 503 naming the source, and 200
# again once they are back.
source "$(dirname "$0")/kafka_lib.sh"

N=$(scaled 3000)
start_kafka logs:3
start_sink raw
P1=$(free_port)
KSOURCE_EXTRA="region = ap-tokyo-1" write_kconf "$T/d.conf" grp "$P1" <<CONF
[sink raw]
type = http
url = http://127.0.0.1:$SINK_PORT/ingest
format = raw
batch_max_events = 500
batch_timeout = 100ms

[sink ecs]
type = file
path = $T/ecs.ndjson
format = ecs

[sink ocsf]
type = file
path = $T/ocsf.ndjson
format = ocsf
CONF
gen_entries "$N" 29 "$T/in.tsv"
produce "$T/in.tsv"
fails=0
timeout 60 "$BUILD/oci-logfwd" -c "$T/d.conf" --once >"$T/once1.log" 2>&1; rc=$?
echo "--once: exit $rc, sink events $(sink_events raw)"
[ "$rc" -eq 0 ] || { echo "FAIL: --once exit $rc"; show_log "$T/once1.log"; fails=1; }
check raw "$T/in.tsv.expected" "$T/raw.out" || fails=1
python3 - "$T/ecs.ndjson" "$T/ocsf.ndjson" "$N" <<'PY' || fails=1
import json, sys
ecs = [json.loads(l) for l in open(sys.argv[1])]
ocsf = [json.loads(l) for l in open(sys.argv[2])]
n = int(sys.argv[3])
er = {e.get("cloud", {}).get("region") for e in ecs}
orr = {e.get("cloud", {}).get("region") for e in ocsf}
ok = len(ecs) == n and len(ocsf) == n and er == {"ap-tokyo-1"} and orr == {"ap-tokyo-1"}
print("cloud.region: ECS %s, OCSF %s (%d, %d events) -> %s" %
      (sorted(map(str, er)), sorted(map(str, orr)), len(ecs), len(ocsf), "ok" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
timeout 60 "$BUILD/oci-logfwd" -c "$T/d.conf" --once >"$T/once2.log" 2>&1; rc=$?
echo "second --once: exit $rc, sink events $(sink_events raw)"
[ "$rc" -eq 0 ] || { echo "FAIL: second --once exit $rc"; show_log "$T/once2.log"; fails=1; }
[ "$(sink_events raw)" = "$N" ] || { echo "FAIL: the second --once sent again what was committed"; fails=1; }
# A new group that starts at the end: nothing to read, done at once.
sed 's/^group_id = grp$/group_id = grp-latest/; s/^start = earliest$/start = latest/' \
    "$T/d.conf" >"$T/latest.conf"
timeout 60 "$BUILD/oci-logfwd" -c "$T/latest.conf" --once >"$T/once3.log" 2>&1; rc=$?
echo "--once of a new group at start = latest: exit $rc, sink events $(sink_events raw)"
[ "$rc" -eq 0 ] || { echo "FAIL: --once at start = latest exit $rc"; show_log "$T/once3.log"; fails=1; }
[ "$(sink_events raw)" = "$N" ] || { echo "FAIL: --once at start = latest sent something"; fails=1; }

# /healthz while the brokers are down (unhealthy after 120 s x OCI_LOGFWD_TEST_RETRY_SCALE).
start_kdaemon "$T/d.conf" "$T/d.log"; D1=$KPID
M="http://127.0.0.1:$P1"
# health: "CODE BODY" of /healthz (the body names the unhealthy sources on a 503).
health() { python3 -c 'import sys,urllib.request,urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5); print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
except Exception as e:
    print("ERR", e)' "$M/healthz"; }
wait_for 30 owned_is "$P1" 3 || { echo "FAIL: daemon never got its partitions"; show_log "$T/d.log"; exit 1; }
h=$(health)
case "$h" in 200*) ;; *) echo "FAIL: /healthz not 200 with brokers up: $h"; fails=1 ;; esac
kill -USR1 "$KAFKA_PID"
end=$(( $(date +%s) + 60 ))
down_named() { local h; h=$(health); [ "${h#503 }" != "$h" ] && [ "${h#*\"source\":\"stream\",\"reason\":\"no Kafka broker reachable}" != "$h" ]; }
until down_named; do
	[ "$(date +%s)" -ge "$end" ] && { echo "FAIL: /healthz never named the source with the brokers down: $(health)"; fails=1; break; }
	sleep 0.5
done
h=$(health); echo "brokers down: ${h:0:220}"
kill -USR2 "$KAFKA_PID"
end=$(( $(date +%s) + 60 ))
up_again() { local h; h=$(health); [ "${h#200 }" != "$h" ]; }
until up_again; do
	[ "$(date +%s)" -ge "$end" ] && { echo "FAIL: /healthz did not recover: $(health)"; fails=1; break; }
	sleep 0.5
done
h=$(health); echo "brokers up again: ${h:0:120}"

# Stopping while the brokers are gone: the daemon must not hang on the group (commit,
# leave): it exits within shutdown_timeout (10 s) for the sinks + 10 s for the group.
# Events in flight first, so that there is something to commit.
gen_entries 200 31 "$T/more.tsv"
produce "$T/more.tsv"
# ... and the consumer must read again after the brokers came back (a partition paused
# at its revoke once stayed paused when it was assigned again).
wait_events raw $(( N + 200 )) 30 ||
	{ echo "FAIL: only $(( $(sink_events raw) - N )) of 200 new records after the brokers came back"; fails=1; }
# The cluster goes away entirely (as at the end of the outage test, where a daemon once
# hung in a synchronous commit) at the same time as the daemon is told to stop.
kill -TERM "$KAFKA_PID"; wait "$KAFKA_PID" 2>/dev/null
kill -TERM "$D1"
t_stop=$(date +%s)
while kill -0 "$D1" 2>/dev/null; do
	if [ $(( $(date +%s) - t_stop )) -gt 40 ]; then
		echo "FAIL: the daemon did not exit within 40 s of SIGTERM with the brokers down"
		fails=1; kill -9 "$D1"; break
	fi
	sleep 0.2
done
wait "$D1"; echo "stopped with the brokers down: exit $? after $(( $(date +%s) - t_stop )) s"
[ "$fails" -eq 0 ] && echo "PASS" || show_log "$T/d.log"
exit "$fails"
