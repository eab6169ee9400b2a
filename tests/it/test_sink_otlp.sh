#!/usr/bin/env bash
# test_sink_otlp.sh — type otlp end to end: the daemon reads ocisim and sends OTLP/HTTP
# JSON logs to sinksim --mode otlp, which checks every body field by field (otlp_check.c)
# and answers 400 to one that is not right.  Then, by content: every ECS event of
# [A, B) arrived exactly once as a logRecord's body.stringValue; each logRecord's
# attributes (event.dataset, oci.source, log.record.uid) and resource (cloud.provider,
# cloud.region, cloud.account.id) say what its body says; timeUnixNano is the event's
# @timestamp.  The first sink authenticates with `token` (Bearer), a gzip'ed second one
# with a `header` line; sinksim requires each.
# The receiver itself is shown to refuse malformed bodies (so its checks can fail).
source "$(dirname "$0")/e2e_lib.sh"

GEN="--rate 20/1 --seed 11 --flow-share 0.5 --ingest-delay audit=0s,flow=0s"
start_ocisim $GEN
start_sink otlp --mode otlp --require-header "Authorization: Bearer tok-otlp-1"; OTLP_PORT=$SINK_PORT
start_sink otlpgz --mode otlp --require-header "Authorization: Bearer s3cret-token"; GZ_PORT=$SINK_PORT
a_ms=$(( ($(now_ms) / 1000 - 8) * 1000 ))
A=$(iso_ms "$a_ms")
B=$(iso_ms $(( a_ms + 6000 )))

write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
interval = 1s
lag = 1s
window = 10s
start = $A

[sink otlp]
type = otlp
url = http://127.0.0.1:$OTLP_PORT
token = tok-otlp-1
format = ecs
batch_timeout = 100ms

[sink otlpgz]
type = otlp
url = http://127.0.0.1:$GZ_PORT/v1/logs
format = ecs
compression = gzip
header = Authorization: Bearer s3cret-token
batch_timeout = 100ms
CONF

fails=0
if "$BUILD/oci-logfwd" -c "$T/daemon.conf" -t >"$T/t.out" 2>&1; then
	echo "ok: -t accepts type otlp"
	if grep -q "^syslog_message\|^hostname" "$T/t.out"; then
		echo "FAIL: -t shows keys type otlp does not read"; fails=$((fails + 1))
	fi
else
	echo "FAIL: -t refuses the config:"; cat "$T/t.out"; fails=$((fails + 1))
fi
start_daemon "$T/daemon.conf" "$T/daemon.log"

# body.stringValue of every recorded logRecord, one per line (what `check ecs` reads).
bodies() { python3 -c 'import json,sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as o:
    for l in f:
        if l.strip():
            o.write(json.loads(l)["body"] + "\n")' "$1" "$2"; }
# past FILE ISO: 0 once FILE holds an event with @timestamp after ISO (the daemon has
# read beyond it, so every record of [A, B) was searchable and sent).
past() { python3 -c 'import json,sys
sys.exit(0 if any(json.loads(json.loads(l)["body"])["@timestamp"] > sys.argv[2]
                  for l in open(sys.argv[1]) if l.strip()) else 1)' "$1" "$2"; }

C=$(iso_ms $(( a_ms + 9000 )))
ok=0
end=$(( $(date +%s) + 40 ))
while [ "$(date +%s)" -lt "$end" ]; do
	if past "$T/otlp.out" "$C" && past "$T/otlpgz.out" "$C"; then ok=1; break; fi
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.3
done
stop_daemon
[ "$ok" = 1 ] || { echo "FAIL: the sinks did not get records past $C within 40 s"; fails=$((fails + 1)); }
dump "$A" "$B" "$T/expected.ndjson" $GEN
ecs_of "$T/expected.ndjson" "$T/expected-ecs.ndjson" "$T/daemon.conf"
echo "range [$A, $B): $(lines "$T/expected.ndjson") records"
bodies "$T/otlp.out" "$T/otlp-bodies.ndjson"
bodies "$T/otlpgz.out" "$T/otlpgz-bodies.ndjson"
check ecs "$T/expected-ecs.ndjson" "$T/otlp-bodies.ndjson" --from "$A" --to "$B" || fails=$((fails + 1))
check ecs "$T/expected-ecs.ndjson" "$T/otlpgz-bodies.ndjson" --from "$A" --to "$B" || fails=$((fails + 1))

# Field by field: what the attributes and the resource say against the body.
if python3 - "$T/otlp.out" "$T/otlpgz.out" <<'PY'
import calendar, json, sys, datetime
bad = n = 0
for path in sys.argv[1:]:
    for l in open(path):
        if not l.strip():
            continue
        r = json.loads(l); ev = json.loads(r["body"]); n += 1
        want_attr = {"event.dataset": ev["event"]["dataset"], "oci.source": "main",
                     "log.record.uid": ev["event"]["id"]}
        want_res = {"cloud.provider": "oci", "cloud.region": "us-ashburn-1",
                    "cloud.account.id": ev["cloud"]["account"]["id"]}
        ts = datetime.datetime.strptime(ev["@timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
        ns = str(calendar.timegm(ts.timetuple()) * 10**9 + ts.microsecond * 1000)
        errs = []
        if r["attributes"] != want_attr: errs.append(("attributes", r["attributes"], want_attr))
        if r["resource"] != want_res: errs.append(("resource", r["resource"], want_res))
        if r["timeUnixNano"] != ns: errs.append(("timeUnixNano", r["timeUnixNano"], ns))
        if r["severityText"] != "INFO" or r["severityNumber"] != 9: errs.append(("severity", r["severityText"], r["severityNumber"]))
        if not r["observedTimeUnixNano"].isdigit(): errs.append(("observed", r["observedTimeUnixNano"]))
        if not ev["cloud"]["account"]["id"].startswith("ocid1.tenancy."): errs.append(("tenancy", ev["cloud"]["account"]["id"]))
        if errs:
            bad += 1
            if bad <= 3: print("  mismatch:", errs)
print("logRecords checked field by field: %d, mismatching: %d" % (n, bad))
sys.exit(1 if bad or n == 0 else 0)
PY
then echo "ok: attributes, resource, times and severity match every body"
else echo "FAIL: some logRecords do not carry what their body says"; fails=$((fails + 1)); fi

if grep -q "OTLP body refused" "$T"/otlp*.log; then
	echo "FAIL: sinksim refused a body of the daemon:"; grep -h "OTLP body refused" "$T"/otlp*.log | head -3
	fails=$((fails + 1))
else
	echo "ok: sinksim accepted every body"
fi
if grep -q "s3cret-token\|tok-otlp-1" "$T/daemon.log" "$T/t.out"; then echo "FAIL: the header's secret is in the log"; fails=$((fails + 1)); fi

# The receiver can fail: malformed bodies get a 400 and the reason on its stderr.
post() { python3 -c 'import sys,urllib.request,urllib.error
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), headers={"Content-Type": "application/json", "Authorization": "Bearer tok-otlp-1"})
try:
    print(urllib.request.urlopen(req, timeout=5).status)
except urllib.error.HTTPError as e:
    print(e.code)' "http://127.0.0.1:$OTLP_PORT/v1/logs" "$1"; }
REC='{"timeUnixNano":"1","body":{"stringValue":"x"},"attributes":[{"key":"event.dataset","value":{"stringValue":"oci.log"}}]}'
RES='{"attributes":[{"key":"cloud.provider","value":{"stringValue":"oci"}}]}'
good="{\"resourceLogs\":[{\"resource\":$RES,\"scopeLogs\":[{\"scope\":{\"name\":\"t\"},\"logRecords\":[$REC]}]}]}"
[ "$(post "$good")" = 200 ] || { echo "FAIL: sinksim refused a well-formed body"; fails=$((fails + 1)); }
for bad in "${good/\"timeUnixNano\":\"1\"/\"timeUnixNano\":1}" \
           "${good/\"stringValue\":\"x\"/\"intValue\":\"1\"}" \
           "${good/\"oci\"/\"aws\"}" \
           "${good/\"scope\":\{\"name\":\"t\"\},/}" \
           "${good/event.dataset/other}" \
           "${good/\"body\"/\"bdy\"}" \
           '{"resourceLogs":[]}'; do
	code=$(post "$bad")
	if [ "$code" != 400 ]; then echo "FAIL: sinksim answered $code to: $bad"; fails=$((fails + 1)); fi
done
echo "ok: sinksim refuses malformed bodies ($(grep -c "OTLP body refused" "$T/otlp.log") refusals logged)"

if [ "$fails" -ne 0 ]; then show_log "$T/daemon.log" 2>/dev/null || tail -20 "$T/daemon.log"; echo "test_sink_otlp: $fails failure(s)"; exit 1; fi
echo "test_sink_otlp: ok"
