#!/usr/bin/env bash
# One batch of 500 events holding 3 that the server rejects (400): the other 497 are
# delivered, exactly those 3 land in the dead-letter file (with status and response),
# and the sink carries on (1000 more events after them all arrive).  Run against the
# generic http receiver, Splunk HEC (which rejects the whole batch over one bad event)
# and Elasticsearch (per-item errors in a 200 errors:true answer).
. "$(dirname "$0")/sink_lib.sh"
N=1500
MARKS=17,250,433

for mode in http splunk es; do
	case $mode in
	http) type=http;; splunk) type=splunk_hec;; es) type=elasticsearch;;
	esac
	start_sinksim "$mode" --mode "$mode" --reject-match BADEVENT
	sink_conf "$T/$mode.conf" <<CONF
[sink dl$mode]
type = $type
url = http://127.0.0.1:$PORT
token = t0k
batch_max_events = 500
batch_timeout = 2s
retry_initial = 50ms
retry_max_delay = 1s
max_in_flight = 1
CONF
	out=$("$BUILD/sinkdrv" --config "$T/$mode.conf" --events $N --mark-at $MARKS \
	    --mark-string BADEVENT --state-dir "$T" --timeout-s 40 2>"$T/$mode.drv.log")
	rc=$?
	stop_sinksim
	echo "$out"
	line=$(printf '%s\n' "$out" | grep '^produced=')
	[ $rc -eq 0 ] || { echo "FAIL ($mode): sinkdrv rc=$rc"; cat "$T/$mode.drv.log"; exit 1; }
	[ "$(kv "$line" delivered)" = 1497 ] || { echo "FAIL ($mode): delivered != 1497"; exit 1; }
	[ "$(kv "$line" dead_letter)" = 3 ] || { echo "FAIL ($mode): dead_letter != 3"; exit 1; }
	python3 - "$T/dead-letter-dl$mode.ndjson" "$T/$mode.out" "$mode" <<'PY' || exit 1
import json, sys
dl = [json.loads(l) for l in open(sys.argv[1])]
ids = sorted(d["event"]["event"]["id"] for d in dl)
want = ["ev-00000017", "ev-00000250", "ev-00000433"]
assert ids == want, "dead letters %s, want %s" % (ids, want)
for d in dl:
    assert d["status"] == 400, d
    assert d["sink"] == "dl" + sys.argv[3], d
    assert d["response"], d
    assert d["time"].endswith("Z"), d
got = set(json.loads(l)["event"]["id"] for l in open(sys.argv[2]))
assert len(got) == 1497 and not (got & set(want)), len(got)
print("%s: 497 + 1000 delivered, dead letters: %s (%s)" % (sys.argv[3], ids, dl[0]["response"][:60]))
PY
	grep -c 'rejected\|splitting\|dead-letter' "$T/$mode.drv.log" | sed "s/^/$mode: log lines about the rejection: /"
done
echo PASS
