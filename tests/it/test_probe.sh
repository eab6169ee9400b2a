#!/usr/bin/env bash
# --probe: one signed search per source against ocisim, one authenticated health/validation
# request per sink against a local stand-in (python3), the table, the fixes, the exit status.
#   1. everything works                        -> exit 0, every row OK (http SKIPPED), the
#      right paths and auth headers reached the sinks, the file sink left no file behind
#   2. a sink URL refusing connections, wrong ES password -> exit 69, those FAILED, rest OK
#   3. a wrong key_file (OCI 401)              -> exit 69, HTTP 401 NotAuthenticated + fix
#   4. OCI 404 NotAuthorizedOrNotFound         -> the IAM policy statements for the scopes
#   5. an invalid query (400)                  -> the query shown as invalid
#   6. flow records carrying this host's address, 30 minutes old (the probe samples the
#      hour before now - lag) -> WARN, exit 0, the exclusion filter, the README section
#   7. a query that matches nothing in that hour (the audit example as it once shipped,
#      filtering on com.oraclecloud.audit.*) -> WARN with the reason and the real audit
#      types; a busy hour is read in bounded pages, and how far is printed
#   8. sink URLs with a password are printed masked; a body echoing the credentials too
# Runs the probe with `oci-logfwd --probe`.
set -u
BUILD="${BUILD:-build}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
[ -x "$BUILD/ocisim" ] || { echo "skip: $BUILD/ocisim not built (the OCI simulator)"; exit 77; }
T="$(mktemp -d /tmp/it-probe.XXXXXX)"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$T/out" 2>/dev/null; exit 1; }

# start_sim NAME ARGS...: an ocisim on an ephemeral port; sets PORT.
start_sim() {
	local name=$1; shift
	"$BUILD/ocisim" --listen 127.0.0.1:0 --port-file "$T/$name.port" --log "$T/$name.log" \
	    --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" "$@" \
	    2>"$T/$name.err" &
	PIDS="$PIDS $!"
	for _ in $(seq 1 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	[ -s "$T/$name.port" ] || { cat "$T/$name.err"; fail "ocisim $name did not start"; }
	PORT=$(cat "$T/$name.port")
}

# The sinks' health/validation endpoints: answer 200 when the vendor's auth header is
# right, 401 otherwise; every request is logged as a JSON line.
cat >"$T/sinks.py" <<'PY'
import http.server, json, sys
port_file, log_file = sys.argv[1], sys.argv[2]
WANT = {
    "/api/v1/validate": ("DD-API-KEY", "dd-key-1"),
    "/services/collector/health": ("Authorization", "Splunk hec-token-1"),
    "/": ("Authorization", "Basic ZWxhc3RpYzpzM2NyZXQ="),  # elastic:s3cret
    "/ready": ("X-Scope-OrgID", "tenant-1"),
}
BODY = {
    "/api/v1/validate": b'{"valid":true}',
    "/services/collector/health": b'{"text":"HEC is healthy","code":17}',
    "/": b'{"cluster_name":"probe-test","version":{"number":"8.13.0"}}',
    "/ready": b"ready\n",
}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log_file, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": dict(self.headers)}) + "\n")
        want = WANT.get(self.path)
        if want is None:
            code, body = 404, b"not found"
        elif self.headers.get(want[0]) != want[1]:
            # Echoes what it was sent, as some servers do: the probe must mask it.
            code = 401
            body = json.dumps({"error": "bad credentials",
                               "got": self.headers.get(want[0])}).encode()
        else:
            code, body = 200, BODY[self.path]
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(port_file + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
s.serve_forever()
PY
python3 "$T/sinks.py" "$T/sinks.port" "$T/sinks.log" 2>"$T/sinks.err" &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do [ -s "$T/sinks.port" ] && break; sleep 0.05; done
[ -s "$T/sinks.port" ] || { cat "$T/sinks.err"; fail "sink stand-in did not start"; }
SP=$(cat "$T/sinks.port")
CLOSED=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')

cp "$ROOT/tests/data/oci/testonly-api-key.pem" "$T/key.pem"
cp "$ROOT/tests/data/oci/testonly-wrong-key.pem" "$T/wrong.pem"
chmod 600 "$T/key.pem" "$T/wrong.pem"
for k in key wrong; do
	cat >"$T/oci-$k" <<CFG
[DEFAULT]
tenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy
user = ocid1.user.oc1..aaaaaaaatestonlyuser
fingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
key_file = $T/$k.pem
region = us-ashburn-1
CFG
done
mkdir -p "$T/state" "$T/files"
AUDIT='search "ocid1.compartment.oc1..aaaaaaaaq7k3m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmna/_Audit" | sort by datetime asc'
FLOW='search "ocid1.compartment.oc1..aaaaaaaa3nfz7b2ckq4wl6xdr5ty2mj7eo3ap6hs4gu5vi2zqbxwk3la/ocid1.loggroup.oc1.iad.amaaaaaa4kq2zx7mwb3nc5rj6dt2lb4yvo7fe3pa5gs6ui2wqkxna/ocid1.log.oc1.iad.amaaaaaa7m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmbkq4a" | sort by datetime asc'

# conf FILE OCIPORT OCICONFIG [extra sink sections on stdin]
conf() {
	{
		cat <<CFG
[daemon]
state_dir = $T/state
[oci]
config_file = $3
endpoint = http://127.0.0.1:$2
[source audit]
query = $AUDIT
[source flow]
query = $FLOW
[sink dd]
type = datadog
url = http://127.0.0.1:$SP
api_key = dd-key-1
[sink splunk]
type = splunk_hec
url = http://127.0.0.1:$SP/services/collector/event
token = hec-token-1
[sink es]
type = elasticsearch
url = http://127.0.0.1:$SP/logs-oci/_bulk
username = elastic
password = s3cret
[sink loki]
type = loki
url = http://127.0.0.1:$SP/loki/api/v1/push
tenant = tenant-1
[sink hook]
type = http
url = http://127.0.0.1:$SP/hook
[sink archive]
type = file
path = $T/files/forwarded.ndjson
[sink console]
type = stdout
CFG
		cat
	} >"$1"
}

# The probe command.
conf "$T/c1.conf" 1 "$T/oci-key" </dev/null
PROBE() { "$BUILD/oci-logfwd" --probe -c "$1"; }

# run CONF: runs the probe into $T/out, sets RC.
run() {
	PROBE "$1" >"$T/out" 2>"$T/err"
	RC=$?
	cat "$T/err" >>"$T/out"
}
# row KIND NAME STATUS: the table has that row.
row() { grep -Eq "^$1 +$2 +$3 " "$T/out" || fail "no row: $1 $2 $3"; }
has() { grep -Fq -- "$1" "$T/out" || fail "output lacks: $1"; }

# 1. Everything works.
start_sim ok --rate 20 --seed 7
conf "$T/c1.conf" "$PORT" "$T/oci-key" </dev/null
PROBE_AT=$(date +%s)
run "$T/c1.conf"
cat "$T/out"
[ "$RC" -eq 0 ] || fail "1: exit $RC, want 0"
grep -q "^KIND  *NAME  *STATUS  *DETAIL" "$T/out" || fail "1: no table header"
for s in audit flow; do row source "$s" OK; done
for s in dd splunk es loki archive console; do row sink "$s" OK; done
row sink hook SKIPPED
has "no validation endpoint; not probed"
has "8.13.0"
grep -Eq "^source +flow +OK +(at least )?[1-9][0-9]* records? in .*, of which [1-9][0-9]* flow" "$T/out" || fail "1: flow source saw no flow records"
[ ! -e "$T/files/forwarded.ndjson" ] || fail "1: the file sink probe left a file behind"
python3 - "$T/sinks.log" <<'PY' || fail "1: sink requests"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
paths = sorted(r["path"] for r in reqs)
assert paths == ["/", "/api/v1/validate", "/ready", "/services/collector/health"], paths
for r in reqs:
    h = r["headers"]
    if r["path"] == "/ready":
        assert h.get("X-Scope-OrgID") == "tenant-1", h
print("sink requests:", paths)
PY
grep -q "s3cret\|hec-token-1\|dd-key-1" "$T/out" && fail "1: a secret was printed"
# The window read: the hour that ends at now - lag (default lag 2m), printed on each row.
has "Sources: each query is sampled over the hour before now - lag"
python3 - "$T/out" "$PROBE_AT" <<'PY' || fail "1: the window printed is not the hour before now - lag"
import re, sys, datetime
at = float(sys.argv[2])
n = 0
for l in open(sys.argv[1]):
    m = re.match(r"source +\S+ +OK +.* in \[(\S+), (\S+)\)", l)
    if not m:
        continue
    a, b = (datetime.datetime.strptime(x, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp() for x in m.groups())
    assert b - a == 3600, (l, b - a)
    assert abs(b - (at - 120)) < 30, (l, b, at)
    n += 1
assert n == 2, n
print("window: the hour before now - lag, on", n, "rows")
PY

# 2. A sink that refuses connections, and wrong Elasticsearch credentials.
: >"$T/sinks.log"
conf "$T/c2.conf" "$PORT" "$T/oci-key" <<CFG
[sink down]
type = loki
url = http://127.0.0.1:$CLOSED
CFG
sed -i 's/^password = s3cret$/password = wrong/' "$T/c2.conf"
run "$T/c2.conf"
cat "$T/out"
[ "$RC" -eq 69 ] || fail "2: exit $RC, want 69"
row sink down FAILED
row sink es FAILED
has "http://127.0.0.1:$CLOSED/ready"
has "Cannot reach http://127.0.0.1:$CLOSED/ready"
has "HTTP 401 from http://127.0.0.1:$SP/"
has '{"error": "bad credentials", "got": "'
# The body echoed "Basic base64(elastic:wrong)": not on the screen.
grep -q "ZWxhc3RpYzp3cm9uZw==" "$T/out" && fail "2: a credential echoed by the sink was printed"
has "Elasticsearch refused the credentials (HTTP 401): check username and password"
for s in dd splunk loki archive console; do row sink "$s" OK; done
for s in audit flow; do row source "$s" OK; done

# 3. A key that is not the one OCI knows: 401.
conf "$T/c3.conf" "$PORT" "$T/oci-wrong" </dev/null
run "$T/c3.conf"
cat "$T/out"
[ "$RC" -eq 69 ] || fail "3: exit $RC, want 69"
row source audit FAILED
row source flow FAILED
has "HTTP 401 NotAuthenticated"
has "opc-request-id"
has "OCI refused the request signature"
has "fingerprint is that API key's fingerprint"
has "clock"

# 3b. An OCI config whose key file is missing: the client cannot even be made.
sed "s|^key_file = .*|key_file = $T/missing.pem|" "$T/oci-key" >"$T/oci-missing"
conf "$T/c3b.conf" "$PORT" "$T/oci-missing" </dev/null
run "$T/c3b.conf"
cat "$T/out"
[ "$RC" -eq 69 ] || fail "3b: exit $RC, want 69"
row source audit FAILED
has "OCI client: "
has "missing.pem"

# 4. 404 NotAuthorizedOrNotFound: the policy statements for the query's scopes.
start_sim nf --fault 404:every=1
conf "$T/c4.conf" "$PORT" "$T/oci-key" </dev/null
run "$T/c4.conf"
cat "$T/out"
[ "$RC" -eq 69 ] || fail "4: exit $RC, want 69"
row source audit FAILED
has "HTTP 404 NotAuthorizedOrNotFound"
has "Allow group <your-group> to read log-content in compartment id ocid1.compartment.oc1..aaaaaaaaq7k3m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmna"
has "Allow group <your-group> to read audit-events in compartment id ocid1.compartment.oc1..aaaaaaaaq7k3m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmna"
has "Allow group <your-group> to read log-content in compartment id ocid1.compartment.oc1..aaaaaaaa3nfz7b2ckq4wl6xdr5ty2mj7eo3ap6hs4gu5vi2zqbxwk3la"
# The instance-principal form (credentials from ocisim's IMDS and federation endpoint).
start_sim nfip --fault 404:every=1 --imds
sed -e "s|^endpoint = .*|endpoint = http://127.0.0.1:$PORT|" \
    -e "s|^\[oci\]\$|[oci]\nauth = instance_principal\nimds_url = http://127.0.0.1:$PORT/opc/v2\nauth_url = http://127.0.0.1:$PORT|" \
    -e "/^config_file = /d" "$T/c4.conf" >"$T/c4ip.conf"
run "$T/c4ip.conf"
cat "$T/out"
[ "$RC" -eq 69 ] || fail "4ip: exit $RC, want 69"
has "Allow dynamic-group <your-dynamic-group> to read log-content in compartment id ocid1.compartment.oc1..aaaaaaaaq7k3m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmna"

# 5. An invalid query (400).
start_sim ok2 --rate 20
sed "s/^query = search \"ocid1.compartment.oc1..aaaaaaaaq7k3/query = find \"ocid1.compartment.oc1..aaaaaaaaq7k3/" \
    "$T/c1.conf" | sed "s|^endpoint = .*|endpoint = http://127.0.0.1:$PORT|" >"$T/c5.conf"
run "$T/c5.conf"
cat "$T/out"
[ "$RC" -eq 69 ] || fail "5: exit $RC, want 69"
row source audit FAILED
row source flow OK
has "HTTP 400 InvalidParameter"
has "OCI rejected the query of [source audit]"
has "query = find \"ocid1.compartment"

# 6. Flow records that carry this host's addresses: a feedback loop.
HOSTIP=$(python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.connect(("192.0.2.1", 9)); print(s.getsockname()[0])
except OSError:
    print("127.0.0.1")')
python3 - "$T/feedback.ndjson" "$HOSTIP" <<'PY'
import json, sys, time
out, me = sys.argv[1], sys.argv[2]
now = int(time.time() * 1000)
def flow(i, src, dst, t):
    return {"datetime": t, "logContent": {
        "data": {"action": "ACCEPT", "bytesOut": 4000, "destinationAddress": dst,
                 "destinationPort": 443, "endTime": t // 1000 + 30, "flowid": "f%07d" % i,
                 "packets": 10, "protocol": 6, "protocolName": "TCP", "sourceAddress": src,
                 "sourcePort": 40000 + i, "startTime": t // 1000, "status": "OK", "version": "2"},
        "id": "f%07d" % i,
        "oracle": {"compartmentid": "ocid1.compartment.oc1..x", "ingestedtime": "2025-01-01T00:00:00.000Z",
                   "loggroupid": "ocid1.loggroup.oc1..x", "logid": "ocid1.log.oc1..x",
                   "tenantid": "ocid1.tenancy.oc1..x", "vnicocid": "ocid1.vnic.oc1..x"},
        "source": "-", "specversion": "1.0", "subject": "-",
        "time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t / 1000)),
        "type": "com.oraclecloud.vcn.flowlogs.DataEvent"}}
# The probe samples the hour ending at now - lag (lag = 2m by default): 30 minutes ago is
# in it (and far outside the one minute the probe once read).
base = now - 1800000
with open(out, "w") as f:
    f.write(json.dumps(flow(1, "10.0.9.9", "203.0.113.5", base)) + "\n")
    f.write(json.dumps(flow(2, me, "203.0.113.7", base + 1000)) + "\n")
    f.write(json.dumps(flow(3, "198.51.100.4", me, base + 2000)) + "\n")
    f.write(json.dumps(flow(4, "10.0.9.9", "203.0.113.5", base + 3000)) + "\n")
PY
start_sim fb --records-file "$T/feedback.ndjson"
conf "$T/c6.conf" "$PORT" "$T/oci-key" </dev/null
run "$T/c6.conf"
cat "$T/out"
[ "$RC" -eq 0 ] || fail "6: exit $RC, want 0 (a warning is not a failure)"
row source flow WARN
has "4 records in"
has "2 flow records involve this host ($HOSTIP)"
has "Feedback loop"
has "| where not (data.sourceAddress = '$HOSTIP') and not (data.destinationAddress = '$HOSTIP') | sort by datetime asc"
# The advice points at a section the README has.
has '(see README.md, section "Feedback loops")'
grep -q '^## Feedback loops' "$ROOT/README.md" || fail "6: README.md has no \"Feedback loops\" section"

# 7. The audit example as it once shipped, over an hour without any record (the only
# records are two hours old): WARN with the reason, and the real audit types.  Then a busy
# hour (20 records a second): the probe reads at most its bounded pages.
python3 - "$T/old.ndjson" <<'PY'
import json, sys, time
t = int(time.time() * 1000) - 7200000
rec = {"datetime": t, "logContent": {"data": {"eventName": "GetInstance"}, "id": "a1",
       "oracle": {"compartmentid": "ocid1.compartment.oc1..x", "loggroupid": "_Audit",
                  "tenantid": "ocid1.tenancy.oc1..x"},
       "source": "ComputeApi", "specversion": "1.0",
       "time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t / 1000)),
       "type": "com.oraclecloud.ComputeApi.GetInstance"}}
open(sys.argv[1], "w").write(json.dumps(rec) + "\n")
PY
start_sim old --records-file "$T/old.ndjson"
OLD_PORT=$PORT
AUDIT="search \"ocid1.tenancy.oc1..aaaaaaaatestonlytenancy/_Audit\" | where type = 'com.oraclecloud.audit.*' | sort by datetime asc"
conf "$T/c7.conf" "$PORT" "$T/oci-key" </dev/null
run "$T/c7.conf"
cat "$T/out"
[ "$RC" -eq 0 ] || fail "7: exit $RC, want 0 (a warning is not a failure)"
row source audit WARN
grep -Eq "^source +audit +WARN +0 records in \[" "$T/out" || fail "7: the row does not show the window read"
has "A query that matches nothing is the likeliest silent failure"
has "Audit record types are com.oraclecloud.<service>.<Operation>"
has "the _Audit scope alone selects audit records"
row source flow WARN

start_sim busy --rate 20 --seed 3 --summary-file "$T/busy-summary.json"
BUSY_PID=${PIDS##* }
conf "$T/c7b.conf" "$PORT" "$T/oci-key" </dev/null
run "$T/c7b.conf"
cat "$T/out"
[ "$RC" -eq 0 ] || fail "7b: exit $RC, want 0"
grep -Eq "^source +flow +OK +at least 1000 records in \[.*\) \(sampled the first 5 pages, up to " "$T/out" ||
    fail "7b: the flow row does not say how much of the hour it sampled"
kill "$BUSY_PID"; wait "$BUSY_PID" 2>/dev/null
python3 -c 'import json,sys; n = json.load(open(sys.argv[1]))["search_requests"]; print("busy hour: search requests", n); sys.exit(0 if 0 < n <= 10 else 1)' \
    "$T/busy-summary.json" || fail "7b: more than 5 pages a source were requested"

# 8. A password in a sink URL is printed masked, like -t prints it.
conf "$T/c8.conf" "$OLD_PORT" "$T/oci-key" <<CFG
[sink secretive]
type = loki
url = http://probeuser:hunter2-pw@127.0.0.1:$CLOSED/loki/api/v1/push
CFG
run "$T/c8.conf"
cat "$T/out"
row sink secretive FAILED
has "http://probeuser:***@127.0.0.1:$CLOSED/ready"
grep -q "hunter2-pw" "$T/out" && fail "8: the password in a sink URL was printed"
echo "PASS"
