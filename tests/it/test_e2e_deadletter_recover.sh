#!/usr/bin/env bash
# Issue 10 item 5 (10.15) through the daemon: an event that can be neither delivered nor
# dead-lettered is kept, loudly, and the source recovers by itself once it can be.
#  - an http sink whose `template` holds integers beyond int64 (accepted, sent verbatim);
#  - its dead-letter folder goes missing, then the sink rejects everything (400): the
#    events cannot be dead-lettered, so they are kept: the sink is unhealthy in /healthz
#    (named, with the dead-letter error), nothing is counted dead-lettered or dropped;
#  - the folder is created again: the kept events are dead-lettered without any help, the
#    sink is healthy again; then the sink accepts again and the checkpoint moves on;
#  - by content: every record before the final checkpoint was delivered (through the
#    template) or dead-lettered, none unknown, and every delivered body carries the big
#    integers exactly.
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=20
gen_opts
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
M="http://127.0.0.1:$MPORT"
BIG=123456789012345678901234567890
NEG=-98765432109876543210987654321
start_ocisim
# The sink: a small Python server (sinksim parses with jansson, which refuses integers
# beyond int64 as the daemon's template once did): it keeps each accepted NDJSON line as
# received, and answers with the status in $T/picky.mode, read at every request.
echo 200 > "$T/picky.mode"
cat > "$T/picky.py" <<'PY'
import gzip, http.server, sys
out, mode, portf = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        code = int(open(mode).read().strip())
        if code == 200:
            with open(out, "ab") as f:
                f.write(body if body.endswith(b"\n") else body + b"\n")
            reply = b'{"ok":true}'
        else:
            reply = b'{"error":"rejected by the test"}'
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(portf, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$T/picky.py" "$T/picky.out" "$T/picky.mode" "$T/picky.port" &
PIDS="$PIDS $!"
wait_for 10 test -s "$T/picky.port" || fail "the test sink did not start"
PORT_picky=$(cat "$T/picky.port")
BACKLOG_S=5
mkdir -p "$T/dl"
conf_head "$T/daemon.conf" "metrics_listen = 127.0.0.1:$MPORT"
{
	sink_section picky raw "batch_max_events = 20" "retry_initial = 100ms" "retry_max_delay = 500ms" |
	    sed '/^dead_letter = /d'
	printf 'template = {"big": %s, "neg": %s, "rec": {"id": {{id}}, "time": {{time}}, "type": {{type}}, "source": {{source}}, "subject": {{subject}}, "dataschema": {{dataschema}}, "specversion": {{specversion}}, "data": {{data}}, "oracle": {{oracle}}}}\n' "$BIG" "$NEG"
	printf 'dead_letter = %s/dl/dead.ndjson\n' "$T"
} >>"$T/daemon.conf"
start_daemon "$T/daemon.conf"; phase "daemon started"

metric() { # metric NAME LABELS -> value (or -1), read afresh at each call
	http_get "$M/metrics" | awk -v k="$1{$2}" 'index($0, k " ") == 1 { print $2; f = 1; exit } END { if (!f) print -1 }'
}
script() { echo "$1" > "$T/picky.mode"; } # script CODE: the sink answers CODE from now on
wait_for 20 test -s "$T/picky.out" || fail "nothing delivered through the template"
phase "delivering through the template"

# The folder disappears, then every request is rejected.
mv "$T/dl" "$T/dl.gone"
script 400
unhealthy() {
	http_get "$M/healthz" | python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
if lines[-1] != "HTTP 503": sys.exit(1)
j = json.loads("\n".join(lines[:-1]))
sys.exit(0 if any(p.get("sink") == "picky" and "dead-letter" in p.get("error", "") for p in j.get("problems", [])) else 1)'
}
wait_for 30 unhealthy || { http_get "$M/healthz"; fail "/healthz does not show sink picky failing on its dead-letter file"; }
grep -q "\[sink picky\] cannot write dead-letter file $T/dl/dead.ndjson: .*keeping [0-9]* event(s)" "$T/daemon.log" ||
    fail "the failed dead-letter write was not logged"
kept_ok() {
	[ "$(metric oci_logfwd_sink_events_total 'sink="picky",result="dead_letter"')" = 0 ] &&
	[ "$(metric oci_logfwd_sink_events_total 'sink="picky",result="dropped"')" = 0 ]
}
kept_ok || fail "events were counted dead-lettered or dropped while the file could not be written"
cp_held=$(checkpoint_ms 2>/dev/null || echo 0) # no state file yet: nothing acknowledged
phase "events kept, sink picky unhealthy (checkpoint $cp_held)"

# The folder is created again: the kept events go to it by themselves.
mkdir "$T/dl"
dl_written() {
	[ -s "$T/dl/dead.ndjson" ] &&
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)' \
	    "$(metric oci_logfwd_sink_events_total 'sink="picky",result="dead_letter"')"
}
wait_for 30 dl_written || fail "the kept events were not dead-lettered once the folder existed"
healthy() { http_get "$M/healthz" | tail -n 1 | grep -q "HTTP 200"; }
wait_for 30 healthy || { http_get "$M/healthz"; fail "sink picky did not become healthy again"; }
grep -q "\[sink picky\] dead-letter file $T/dl/dead.ndjson written again" "$T/daemon.log" ||
    fail "the recovery was not logged"
phase "kept events dead-lettered, healthy again"

script 200
resumed_ms=$(now_ms)
cp_past() { [ "$(checkpoint_ms 2>/dev/null || echo 0)" -gt "$resumed_ms" ]; }
wait_for 40 cp_past || fail "the source did not move on after the recovery (stalled at $(checkpoint_ms))"
end_ms=$(now_ms)
stop_daemon; phase "stopped"
cp_ms=$(checkpoint_ms)
[ "$cp_ms" -gt "$cp_held" ] || fail "the checkpoint never moved past the stall"
expected "$START_MS" "$end_ms"

python3 - "$T/picky.out" "$T/dl/dead.ndjson" "$T/expected.ndjson" "$cp_ms" "$BIG" "$NEG" <<'PY' || fail "records lost or mangled"
import sys, json, collections
out, dead, exp, must, big, neg = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
def canon(o): return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
FIELDS = ("id", "time", "type", "source", "subject", "dataschema", "specversion", "data", "oracle")
def proj(lc): return canon({k: lc.get(k) for k in FIELDS})
recs = [json.loads(l) for l in open(exp)]
allk = collections.Counter(proj(r["logContent"]) for r in recs)
mustk = collections.Counter(proj(r["logContent"]) for r in recs if r["datetime"] < must)
got = collections.Counter()
delivered = dead_n = badbig = 0
for l in open(out):
    j = json.loads(l)
    if j.get("big") != big or j.get("neg") != neg or not isinstance(j["big"], int):
        badbig += 1
    got[canon(j["rec"])] += 1
    delivered += 1
for l in open(dead):
    j = json.loads(l)
    assert j["sink"] == "picky" and j["status"] == 400, l[:200]
    got[proj(j["event"])] += 1
    dead_n += 1
missing = sum((mustk - got).values())
unknown = sum(v for k, v in got.items() if k not in allk)
print(f"  required {sum(mustk.values())}, delivered {delivered}, dead-lettered {dead_n}, "
      f"missing {missing}, unknown {unknown}, bodies without the exact big integers {badbig}")
sys.exit(0 if missing == 0 and unknown == 0 and badbig == 0 and dead_n > 0 and sum(mustk.values()) > 0 else 1)
PY
echo "PASS: kept while the dead-letter file could not be written (unhealthy), recovered by itself, every record delivered or dead-lettered"
