#!/usr/bin/env bash
# test_sink_syslog.sh — type syslog end to end against a real receiver: syslog-ng (Debian
# syslog-ng-core) takes RFC 5424 with octet counting over TCP and over TLS (a self-signed
# certificate made here, verified by the daemon through tls_ca_file) and writes every
# message it parsed to a file as JSON (its own parse: PRI, APP-NAME, MSGID, HOSTNAME, the
# structured-data params, MSG).  Checked by content after the daemon read [A, B):
#   tcp  (format ecs): every ECS event exactly once as MSG;
#   tls  (format raw): every raw record exactly once as MSG;
#   sum  (format ecs, syslog_message = summary): MSG is each event's one-line summary
#        (ECS `message`), once per record;
#   every message: APP-NAME oci-logfwd, PRI 134, MSGID = the event's dataset, SD source =
#        the source's name and recordId = the record id.
# A sink whose tls_ca_file is another certificate delivers nothing (verification is on):
# its events are dead-lettered.
# Then syslog-ng is restarted on the same ports: the daemon reconnects and newer records
# arrive (what was in flight at the reset may be lost: that is syslog over TCP, README).
source "$(dirname "$0")/e2e_lib.sh"

SYSLOG_NG=$(command -v syslog-ng || echo /usr/sbin/syslog-ng)
[ -x "$SYSLOG_NG" ] || { echo "FAIL: syslog-ng missing (make deps: syslog-ng-core)"; exit 1; }

GEN="--rate 20/1 --seed 12 --flow-share 0.5 --ingest-delay audit=0s,flow=0s"
start_ocisim $GEN
P_TCP=$(free_port); P_TLS=$(free_port); P_SUM=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls-key.pem" -out "$T/tls-cert.pem" -days 1 \
    -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls-other-key.pem" -out "$T/tls-other.pem" \
    -days 1 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
cat >"$T/syslog-ng.conf" <<CONF
@version: 3.38
options { keep-hostname(yes); log-msg-size(1048576); frac-digits(3); stats-freq(0); };
source s_tcp { syslog(ip(127.0.0.1) port($P_TCP) transport("tcp")); };
source s_tls { syslog(ip(127.0.0.1) port($P_TLS) transport("tls")
    tls(key-file("$T/tls-key.pem") cert-file("$T/tls-cert.pem") peer-verify(optional-untrusted))); };
source s_sum { syslog(ip(127.0.0.1) port($P_SUM) transport("tcp")); };
template t_json { template("\$(format-json --scope none app=\${PROGRAM} msgid=\${MSGID}
    host=\${HOST} pri=\${PRI} source=\${.SDATA.oci-logfwd@32473.source}
    rid=\${.SDATA.oci-logfwd@32473.recordId} date=\${ISODATE} msg=\${MESSAGE})\n"); };
log { source(s_tcp); destination { file("$T/tcp.out" template(t_json)); }; };
log { source(s_tls); destination { file("$T/tls.out" template(t_json)); }; };
log { source(s_sum); destination { file("$T/sum.out" template(t_json)); }; };
CONF
: >"$T/tcp.out"; : >"$T/tls.out"; : >"$T/sum.out"
SNG_PID=""
start_syslog_ng() {
	"$SYSLOG_NG" -F -f "$T/syslog-ng.conf" --persist-file="$T/sng.persist" \
	    --pidfile="$T/sng.pid" --control="$T/sng.ctl" --no-caps >>"$T/syslog-ng.log" 2>&1 &
	SNG_PID=$!
	PIDS="$PIDS $SNG_PID"
	local p
	for p in $P_TCP $P_TLS $P_SUM; do
		for _ in $(seq 1 100); do
			python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$p" 2>/dev/null && break
			sleep 0.1
		done
	done
	kill -0 "$SNG_PID" 2>/dev/null || { echo "FAIL: syslog-ng did not start"; cat "$T/syslog-ng.log"; exit 1; }
}
start_syslog_ng

a_ms=$(( ($(now_ms) / 1000 - 8) * 1000 ))
A=$(iso_ms "$a_ms")
B=$(iso_ms $(( a_ms + 6000 )))
C=$(iso_ms $(( a_ms + 9000 )))
write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
interval = 1s
lag = 1s
window = 10s
start = $A

[sink tcp]
type = syslog
url = tcp://127.0.0.1:$P_TCP
format = ecs
batch_timeout = 100ms
retry_max_delay = 2s

[sink tls]
type = syslog
url = tls://127.0.0.1:$P_TLS
tls_ca_file = $T/tls-cert.pem
format = raw
batch_timeout = 100ms

[sink sum]
type = syslog
url = tcp://127.0.0.1:$P_SUM
format = ecs
syslog_message = summary
batch_timeout = 100ms

[sink badca]
type = syslog
url = tls://127.0.0.1:$P_TLS
tls_ca_file = $T/tls-other.pem
format = ocsf
batch_timeout = 100ms
# A sink that keeps failing holds its source's checkpoint (and so the source) back, by
# design: give up soon, so that its events go to the dead-letter file instead.
retry_initial = 100ms
retry_max_delay = 200ms
retry_max_time = 1s
CONF

fails=0
if "$BUILD/oci-logfwd" -c "$T/daemon.conf" -t >"$T/t.out" 2>&1; then
	echo "ok: -t accepts type syslog"
	grep -q "^syslog_message = summary" "$T/t.out" ||
		{ echo "FAIL: -t does not show syslog_message = summary"; fails=$((fails + 1)); }
else
	echo "FAIL: -t refuses the config:"; cat "$T/t.out"; fails=$((fails + 1))
fi
# -t refuses what start-up would: the scheme that does not fit the type, a bad value.
bad_conf() {
	write_conf "$T/bad.conf" <<CONF
[source main]
query = $QUERY

[sink s]
$1
CONF
	if "$BUILD/oci-logfwd" -c "$T/bad.conf" -t >"$T/bad.out" 2>&1; then
		echo "FAIL: -t accepted: $1"; fails=$((fails + 1))
	elif grep -q "\[sink s\] $2" "$T/bad.out"; then
		echo "ok: -t refuses: $(grep -m1 "\[sink s\] $2" "$T/bad.out")"
	else
		echo "FAIL: -t did not name $2 for: $1"; cat "$T/bad.out"; fails=$((fails + 1))
	fi
}
bad_conf $'type = syslog\nurl = https://127.0.0.1:514' "url"
bad_conf $'type = http\nurl = tcp://127.0.0.1:514' "url"
bad_conf $'type = syslog' "url"
bad_conf $'type = syslog\nurl = tcp://127.0.0.1:514\nsyslog_message = full' "syslog_message"
bad_conf $'type = syslog\nurl = udp://127.0.0.1:514' "url"
bad_conf $'type = syslog\nurl = tcp://127.0.0.1:514\ncompression = gzip' "compression"

start_daemon "$T/daemon.conf" "$T/daemon.log"

# past FILE ISO: 0 once FILE holds a message whose event time is after ISO.
past() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.strip() and json.loads(l)["date"] > sys.argv[2]:
        sys.exit(0)
sys.exit(1)' "$1" "$2"; }

ok=0
end=$(( $(date +%s) + 40 ))
while [ "$(date +%s)" -lt "$end" ]; do
	if past "$T/tcp.out" "$C" && past "$T/tls.out" "$C" && past "$T/sum.out" "$C"; then ok=1; break; fi
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.3
done
[ "$ok" = 1 ] || { echo "FAIL: syslog-ng did not get records past $C within 40 s"; fails=$((fails + 1)); }

# Restart the receiver: the daemon must reconnect; records newer than the restart arrive.
kill -TERM "$SNG_PID"; wait "$SNG_PID" 2>/dev/null
restart_ms=$(now_ms)
start_syslog_ng
D=$(iso_ms $(( restart_ms + 2000 )))
ok=0
end=$(( $(date +%s) + 40 ))
while [ "$(date +%s)" -lt "$end" ]; do
	if past "$T/tcp.out" "$D" && past "$T/tls.out" "$D"; then ok=1; break; fi
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.3
done
if [ "$ok" = 1 ]; then echo "ok: after a receiver restart, records newer than $D arrived (reconnected)"
else echo "FAIL: no record newer than $D after the receiver restarted"; fails=$((fails + 1)); fi
stop_daemon
kill -TERM "$SNG_PID"; wait "$SNG_PID" 2>/dev/null

dump "$A" "$B" "$T/expected.ndjson" $GEN
ecs_of "$T/expected.ndjson" "$T/expected-ecs.ndjson" "$T/daemon.conf"
echo "range [$A, $B): $(lines "$T/expected.ndjson") records"
msgs() { python3 -c 'import json,sys
with open(sys.argv[2], "w") as o:
    for l in open(sys.argv[1]):
        if l.strip():
            o.write(json.loads(l)["msg"] + "\n")' "$1" "$2"; }
msgs "$T/tcp.out" "$T/tcp-msgs.ndjson"
msgs "$T/tls.out" "$T/tls-msgs.ndjson"
check ecs "$T/expected-ecs.ndjson" "$T/tcp-msgs.ndjson" --from "$A" --to "$B" || fails=$((fails + 1))
check raw "$T/expected.ndjson" "$T/tls-msgs.ndjson" --from "$A" --to "$B" || fails=$((fails + 1))

if python3 - "$T" "$A" "$B" "$(hostname)" <<'PY'
import collections, json, sys
T, A, B, host = sys.argv[1:]
bad = n = 0
def fail(*a):
    global bad
    bad += 1
    if bad <= 5: print("  mismatch:", *a)
# Every message: header and structured data against its MSG (ECS and raw).
for name in ("tcp", "tls"):
    for l in open("%s/%s.out" % (T, name)):
        m = json.loads(l); ev = json.loads(m["msg"]); n += 1
        if name == "tcp":
            rid, ds = ev["event"]["id"], ev["event"]["dataset"]
        else:
            rid = ev["id"]
            ds = {"_Audit": "oci.audit"}.get(ev.get("oracle", {}).get("loggroupid"), None)
        if m["app"] != "oci-logfwd" or m["pri"] != "134" or m["source"] != "main" or m["host"] != host:
            fail(name, "header", m["app"], m["pri"], m["source"], m["host"])
        if m["rid"] != rid:
            fail(name, "recordId", m["rid"], rid)
        if m["msgid"] not in ("oci.audit", "oci.vcn_flow", "oci.log") or (ds and m["msgid"] != ds):
            fail(name, "msgid", m["msgid"], ds)
        if "class_uid" in ev:
            fail(name, "an OCSF event (from the sink with the wrong CA) arrived")
# The summary sink: (record id, MSG) pairs == (event.id, message) of the expected events.
want = collections.Counter()
for l in open("%s/expected-ecs.ndjson" % T):
    e = json.loads(l)
    if A <= e["@timestamp"] < B:
        want[(e["event"]["id"], e["message"])] += 1
got = collections.Counter()
for l in open("%s/sum.out" % T):
    m = json.loads(l); n += 1
    if A <= m["date"].replace("+00:00", "Z") < B:
        got[(m["rid"], m["msg"])] += 1
    if m["msg"].startswith("{") or "\n" in m["msg"]:
        fail("sum", "MSG is not a one-line summary", m["msg"][:80])
if got != want:
    fail("sum", "summaries differ: missing %d, unexpected %d" % (sum((want - got).values()), sum((got - want).values())))
print("messages checked field by field: %d, summaries in range: %d, mismatching: %d" % (n, sum(got.values()), bad))
sys.exit(1 if bad or not want else 0)
PY
then echo "ok: headers, structured data and summaries match every message"
else echo "FAIL: some messages do not carry what they should"; fails=$((fails + 1)); fi

if grep -q '"class_uid"' "$T/tls.out"; then
	echo "FAIL: the sink with the wrong CA delivered"; fails=$((fails + 1))
elif grep -q "^error: \[sink badca\]" "$T/daemon.log" && [ -s "$T/state/dead-letter-badca.ndjson" ]; then
	echo "ok: the sink whose tls_ca_file is another certificate delivered nothing, said so, and dead-lettered $(lines "$T/state/dead-letter-badca.ndjson") events"
else
	echo "FAIL: the sink with the wrong CA logged no failure"; fails=$((fails + 1))
fi
if grep -q "Error processing log message" "$T"/*.out; then
	echo "FAIL: syslog-ng could not parse a message:"; grep -h "Error processing" "$T"/*.out | head -2
	fails=$((fails + 1))
fi

if [ "$fails" -ne 0 ]; then show_log "$T/daemon.log" 2>/dev/null || tail -20 "$T/daemon.log"; echo "test_sink_syslog: $fails failure(s)"; exit 1; fi
echo "test_sink_syslog: ok"
