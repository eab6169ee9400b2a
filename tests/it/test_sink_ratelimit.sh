#!/usr/bin/env bash
# rate_limit = 5 requests/s with rate_burst = 5: one event per request, 70 events (about
# 13 s).  Over any 10 s window sinksim must see no more than 5 x 10 + 5 requests, and the
# limiter must not starve the sink either (everything is delivered).
. "$(dirname "$0")/sink_lib.sh"
N=70
start_sinksim rl --mode http
sink_conf "$T/rl.conf" <<CONF
[sink rl]
type = http
url = http://127.0.0.1:$PORT/in
encoding = ndjson
batch_max_events = 1
rate_limit = 5
rate_burst = 5
max_in_flight = 4
CONF
out=$("$BUILD/sinkdrv" --config "$T/rl.conf" --events $N --state-dir "$T" --timeout-s 40 2>"$T/drv.log")
rc=$?
stop_sinksim
echo "$out"
[ $rc -eq 0 ] || { echo "FAIL: sinkdrv rc=$rc"; cat "$T/drv.log"; exit 1; }
python3 - "$T/rl.stats" $N <<'PY' || exit 1
import json, sys
st = json.load(open(sys.argv[1]))
t = st["arrivals_ms"]
n = int(sys.argv[2])
assert st["requests"] == n == len(t), (st["requests"], n)
worst = max(sum(1 for u in t if s <= u < s + 10000) for s in t)
limit = 5 * 10 + 5
print("requests=%d span=%.1fs worst 10-second window=%d (limit %d)" % (n, (t[-1] - t[0]) / 1000, worst, limit))
assert worst <= limit, "rate limit exceeded"
# 70 requests at 5/s after a burst of 5 cannot take less than 13 s
assert t[-1] - t[0] >= 12000, "requests came too fast"
PY
echo PASS
