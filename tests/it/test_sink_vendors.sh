#!/usr/bin/env bash
# Every sink type end to end: 20,000 events, gzip, two 500s and a 429 along the way,
# through sinksim parsing that vendor's envelope (JSON array, NDJSON, Datadog array,
# Splunk HEC concatenated events, Loki push, Elasticsearch _bulk).  All arrive once, with
# the vendor's auth header checked.  And the file and stdout sinks: NDJSON, one line each.
. "$(dirname "$0")/sink_lib.sh"
N=$(scaled 20000)
check() { # name mode type header extra-conf
	local name=$1 mode=$2 type=$3 hdr=$4 extra=$5
	start_sinksim "$name" --mode "$mode" --script '500x2,200x3,429:retry-after=1,200' \
	    --require-header "$hdr"
	sink_conf "$T/$name.conf" <<CONF
[sink $name]
type = $type
url = http://127.0.0.1:$PORT
compression = gzip
batch_timeout = 100ms
retry_initial = 50ms
retry_max_delay = 1s
$(printf '%b' "$extra")
CONF
	out=$("$BUILD/sinkdrv" --config "$T/$name.conf" --events "$N" --state-dir "$T" --timeout-s 30 2>"$T/$name.log")
	rc=$?
	stop_sinksim
	[ $rc -eq 0 ] || { echo "FAIL ($name): rc=$rc"; echo "$out"; cat "$T/$name.log"; exit 1; }
	python3 - "$T/$name.out" "$N" "$name" <<'PY' || exit 1
import json, sys
ids = [json.loads(l)["event"]["id"] for l in open(sys.argv[1])]
n = int(sys.argv[2])
assert len(ids) == n and len(set(ids)) == n, (sys.argv[3], len(ids), len(set(ids)))
PY
	echo "$name ($type): $N events arrived once; $(printf '%s\n' "$out" | grep '^sink=' | cut -d' ' -f2-4)"
}
check http_array http http "Authorization: Bearer tok" 'token = tok'
check http_ndjson http http "X-Api-Key: abc" 'encoding = ndjson\nheader = X-Api-Key: abc'
check datadog datadog datadog "DD-API-KEY: k" 'api_key = k\nservice = svc\nddtags = env:test'
check splunk splunk splunk_hec "Authorization: Splunk hec-tok" 'token = hec-tok\nindex = oci'
check loki loki loki "X-Scope-OrgID: tenant1" 'tenant = tenant1'
check es es elasticsearch "Authorization: ApiKey a2V5" 'api_key = a2V5\nindex = logs-oci-test'

sink_conf "$T/file.conf" <<CONF
[sink f]
type = file
path = $T/events.ndjson
batch_timeout = 100ms
CONF
"$BUILD/sinkdrv" --config "$T/file.conf" --events "$N" --state-dir "$T" --timeout-s 30 >"$T/file.out" 2>&1 ||
	{ echo "FAIL (file)"; cat "$T/file.out"; exit 1; }
python3 - "$T/events.ndjson" "$N" <<'PY' || exit 1
import json, sys
ids = [json.loads(l)["event"]["id"] for l in open(sys.argv[1])]
assert len(ids) == int(sys.argv[2]) == len(set(ids))
PY
echo "file: $N NDJSON lines appended"

sink_conf "$T/stdout.conf" <<CONF
[sink so]
type = stdout
CONF
"$BUILD/sinkdrv" --config "$T/stdout.conf" --events 1000 --state-dir "$T" --timeout-s 30 >"$T/stdout.out" 2>&1 ||
	{ echo "FAIL (stdout)"; tail -3 "$T/stdout.out"; exit 1; }
[ "$(grep -c '^{' "$T/stdout.out")" = 1000 ] || { echo "FAIL: stdout lines"; exit 1; }
echo "stdout: 1000 NDJSON lines"
echo PASS
