#!/usr/bin/env bash
# /healthz sees what is stuck.  After a few good searches OCI answers
# every search with 429 and Retry-After: 100000 (27 hours).  The source sits waiting — a
# search "in progress" — so the last status code says nothing is wrong; its checkpoint
# does not move, and /healthz must say 503 with a body naming source s and why.
# (OCI_LOGFWD_TEST_RETRY_SCALE=50 shortens the grace before "stuck" from 60 s to 3 s.)
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=20
gen_opts
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
start_ocisim --fault 429:every=5:burst=5:retry-after=100000
start_sink keep
BACKLOG_S=5
conf_head "$T/head.conf" "metrics_listen = 127.0.0.1:$MPORT"
{ cat "$T/head.conf"; sink_section keep raw "batch_max_events = 100"; } > "$T/daemon.conf"
export OCI_LOGFWD_TEST_RETRY_SCALE=50
start_daemon "$T/daemon.conf"; phase "daemon started; OCI answers 429 + Retry-After 100000 from the 5th search"
wait_for 20 test -s "$T/keep.out" || fail "nothing was delivered before the 429s"
health_503() {
	http_get "http://127.0.0.1:$MPORT/healthz" > "$T/health.txt"
	tail -n 1 "$T/health.txt" | grep -q "HTTP 503"
}
wait_for 40 health_503 || fail "/healthz stays 200 while the source waits out a 27-hour Retry-After: $(head -c 300 "$T/health.txt")"
phase "/healthz 503: $(head -n 1 "$T/health.txt" | head -c 300)"
python3 - "$T/health.txt" <<'PY' || fail "the 503 body does not name source s and why"
import json, sys
body = json.loads(open(sys.argv[1]).read().rsplit("\nHTTP", 1)[0])
probs = [p for p in body["problems"] if p.get("source") == "s"]
assert body["status"] == "unhealthy" and probs, body
assert "checkpoint has not moved" in probs[0]["reason"] or "no successful search" in probs[0]["reason"], probs
print("  problem:", json.dumps(probs[0])[:300])
PY
stop_daemon
echo "PASS: a source stuck behind a long Retry-After makes /healthz 503, naming it and why"
