#!/usr/bin/env bash
# `oci-logfwd status` against a running daemon (ocisim, sinksim), checked by content
# against the daemon's own /metrics and /healthz:
#   1. sources s (feeds sinks good, picky) and t (feeds sink bad):
#      good delivers, picky answers 400 to everything (dead letters), bad is a closed port
#      (unhealthy, named by /healthz with its error)
#   2. one `status -c FILE`: the header names the daemon's version and the interval; each
#      source's RECORDS and each sink's SENT/DEAD lie between a /metrics read just before
#      and one just after; HEALTH ok/FAILING and LAST ERROR as /healthz says
#   3. rates: (B - A) / dt with both samples inside [before, after], so rate * dt cannot
#      exceed after - before; re-asked until the steady stream shows a rate > 0
#   4. --watch in a pipe prints block after block, without terminal escapes; a block's
#      rates are the growth of the totals since the block before over its interval
#   5. clear errors: no metrics_listen (78), nothing listening (1), an HTML page, a page
#      over the size cap, Prometheus text of another program (1 each), a stopped daemon
# STATUS_WRAP="valgrind -q --leak-check=full --error-exitcode=9" runs the status calls of
# 2 and 5 under valgrind.
set -u
RATE=20
. "$(dirname "$0")/e2e2_lib.sh"
export OCI_LOGFWD_TEST_RETRY_SCALE=100
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
DEAD_PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
M="http://127.0.0.1:$MPORT"
BIN="$BUILD/oci-logfwd"

start_ocisim
start_sink good
start_sink picky --fail-for-s 3600:400
BACKLOG_S=5
conf_head "$T/daemon.conf" "metrics_listen = 127.0.0.1:$MPORT"
{
	printf '\n[source t]\nquery = search "ocid1.compartment.oc1..y" | sort by datetime asc\n'
	printf 'interval = 1s\nlag = 3s\noverlap = 0\nwindow = 10s\nstart = -5s\n'
	sink_section good raw "sources = s"
	sink_section picky raw "sources = s" "retry_initial = 100ms" "retry_max_delay = 1s"
	printf '\n[sink bad]\ntype = http\nurl = http://127.0.0.1:%s/ingest\nsources = t\n' "$DEAD_PORT"
	printf 'retry_initial = 100ms\nretry_max_delay = 1s\nqueue_max_events = 1000\n'
	printf 'dead_letter = %s/dead-letter-bad.ndjson\n' "$T"
} >>"$T/daemon.conf"
# bad never drains: do not wait 15 s for it when the daemon is stopped at the end.
sed -i 's/^shutdown_timeout = .*/shutdown_timeout = 1s/' "$T/daemon.conf"
start_daemon "$T/daemon.conf"
phase "daemon started, metrics on $M"

metrics() { http_get "$M/metrics" | sed '$d'; }
# value TEXT NAME LABELS: the sample NAME{LABELS} in TEXT, or -1.
value() { printf '%s\n' "$1" | awk -v k="$2{$3}" 'index($0, k " ") == 1 { print $2; f = 1; exit } END { if (!f) print -1 }'; }
ready() {
	local m
	m=$(metrics)
	[ "$(value "$m" oci_logfwd_sink_events_total 'sink="good",result="sent"')" != -1 ] &&
	[ "$(value "$m" oci_logfwd_sink_events_total 'sink="good",result="sent"')" != 0 ] &&
	[ "$(value "$m" oci_logfwd_sink_events_total 'sink="picky",result="dead_letter"')" != 0 ] &&
	[ "$(value "$m" oci_logfwd_sink_healthy 'sink="bad"')" = 0 ] &&
	http_get "$M/healthz" | grep -q '"sink":"bad"'
}
wait_for 60 ready || { metrics; http_get "$M/healthz"; fail "the daemon never reached the test's state"; }
phase "good delivers, picky dead-letters, bad is unhealthy"

# --- 2. one status, checked against /metrics before and after.
before=$(metrics)
${STATUS_WRAP:-} "$BIN" status -c "$T/daemon.conf" >"$T/status.out" 2>"$T/status.err" ||
	{ cat "$T/status.err"; fail "status exited $?"; }
after=$(metrics)
health=$(http_get "$M/healthz" | sed '$d')
cat "$T/status.out"
printf '%s\n' "$before" >"$T/before"; printf '%s\n' "$after" >"$T/after"
printf '%s\n' "$health" >"$T/health"
python3 - "$T" "$M" <<'PY' || fail "status output does not match /metrics"
import json, re, sys
t, base = sys.argv[1], sys.argv[2]
def prom(path):
    d = {}
    for l in open(path):
        if l.startswith("#") or not l.strip():
            continue
        k, v = l.rsplit(" ", 1)
        d[k] = float(v)
    return d
b, a = prom(f"{t}/before"), prom(f"{t}/after")
out = open(f"{t}/status.out").read().splitlines()
health = json.loads(open(f"{t}/health").read())
ver = [k for k in a if k.startswith("oci_logfwd_build_info{")][0].split('"')[1]
m = re.fullmatch(r"oci-logfwd (\S+) at (\S+), rates over the last ([0-9.]+) s", out[0])
assert m, f"header: {out[0]!r}"
assert m.group(1) == ver, f"version {m.group(1)} != {ver}"
assert m.group(2) == base, f"base {m.group(2)} != {base}"
assert float(m.group(3)) >= 1.0, "rates over less than the 1 s between samples"
assert out[1].split() == ["SOURCE", "RECORDS/S", "RECORDS", "LAG", "LATE", "GAPS", "ERRORS", "HEALTH"], out[1]
rows = {l.split()[0]: l.split() for l in out[2:]}
def between(key, got):
    lo, hi = b.get(key), a.get(key)
    assert lo is not None and lo <= got <= hi, f"{key}: status {got}, /metrics {lo}..{hi}"
for s in ("s", "t"):
    r = rows[s]
    between(f'oci_logfwd_source_records_total{{source="{s}"}}', float(r[2]))
    between(f'oci_logfwd_source_late_records_total{{source="{s}"}}', float(r[4]))
    between(f'oci_logfwd_source_gaps_total{{source="{s}"}}', float(r[5]))
    assert re.fullmatch(r"-?[0-9.]+s|-?\d+m\d\ds|-?\d+h\d\dm", r[3]), f"lag {r[3]}"
    assert r[7] == "ok", f"source {s} health {r[7]}"
sink_hdr = [i for i, l in enumerate(out) if l.startswith("SINK ")]
assert sink_hdr, "no SINK header"
assert out[sink_hdr[0]].split() == ["SINK", "EVENTS/S", "SENT", "QUEUE", "RETRIES", "DEAD", "DROPPED", "HEALTH", "LAST", "ERROR"]
errs = {p["sink"]: p["error"] for p in health.get("problems", []) if "sink" in p}
for k in ("good", "picky", "bad"):
    r = rows[k]
    between(f'oci_logfwd_sink_events_total{{sink="{k}",result="sent"}}', float(r[2]))
    between(f'oci_logfwd_sink_events_total{{sink="{k}",result="dead_letter"}}', float(r[5]))
    between(f'oci_logfwd_sink_events_total{{sink="{k}",result="dropped"}}', float(r[6]))
    between(f'oci_logfwd_sink_retries_total{{sink="{k}"}}', float(r[4]))
assert float(rows["good"][2]) > 0 and float(rows["picky"][5]) > 0
assert rows["good"][7] == "ok" and rows["good"][8] == "-", rows["good"]
assert rows["bad"][7] == "FAILING", rows["bad"]
# bad's LAST ERROR is /healthz's text for it (it may have changed between the reads,
# so compare with the one read after, and its shape).
last = " ".join(rows["bad"][8:])
assert last != "-" and last, "no last error for bad"
assert "bad" in errs, "healthz does not name bad"
print("status matches /metrics and /healthz; bad:", last)
PY
phase "status -c: rows match /metrics and /healthz"

# --- 3. rates: rate * dt <= after - before; re-asked until the stream shows one.
rate_ok() {
	local b a
	b=$(metrics)
	"$BIN" status --url "$M/metrics" >"$T/rate.out" 2>&1 || return 1
	a=$(metrics)
	python3 - "$T/rate.out" \
	    "$(value "$b" oci_logfwd_source_records_total 'source="s"')" \
	    "$(value "$a" oci_logfwd_source_records_total 'source="s"')" \
	    "$(value "$b" oci_logfwd_sink_events_total 'sink="good",result="sent"')" \
	    "$(value "$a" oci_logfwd_sink_events_total 'sink="good",result="sent"')" <<'PY'
import re, sys
out = open(sys.argv[1]).read().splitlines()
rb, ra, gb, ga = map(float, sys.argv[2:6])
dt = float(re.search(r"rates over the last ([0-9.]+) s", out[0]).group(1))
rows = {l.split()[0]: l.split() for l in out[1:]}
rs, rg = float(rows["s"][1]), float(rows["good"][1])
# the printed rates are rounded to 0.1 and dt to 0.1 s
if rs * dt > (ra - rb) + 0.1 * dt + rs * 0.1 or rg * dt > (ga - gb) + 0.1 * dt + rg * 0.1:
    print(f"FAIL: rates {rs} {rg} over {dt} s exceed the counters' growth {ra - rb} {ga - gb}")
    sys.exit(2)
sys.exit(0 if rs > 0 and rg > 0 else 1)
PY
	rc=$?
	[ $rc = 2 ] && { cat "$T/rate.out"; fail "a rate larger than the counter grew"; }
	return $rc
}
wait_for 30 rate_ok || { cat "$T/rate.out"; fail "no records/s or events/s > 0 while the stream flows"; }
grep -E '^(s|good) ' "$T/rate.out"
phase "rates: > 0 and consistent with the counters"

# --- 4. --watch in a pipe: blocks keep coming, plain text.
"$BIN" status --url "$M" --watch >"$T/watch.out" 2>&1 &
WPID=$!
PIDS="$PIDS $WPID"
two_blocks() { [ "$(grep -c '^oci-logfwd .* rates over the last' "$T/watch.out")" -ge 2 ]; }
wait_for 20 two_blocks || { cat "$T/watch.out"; fail "--watch did not print a second block"; }
kill "$WPID"
if grep -q $'\033' "$T/watch.out"; then fail "--watch wrote terminal escapes into a pipe"; fi
# Block 2's rates are block 2's totals minus block 1's over block 2's interval (dt about
# 2 s here, so a rate that is not divided by dt shows), within the printed rounding.
python3 - "$T/watch.out" <<'PY' || fail "--watch rates do not match the totals of consecutive blocks"
import re, sys
blocks, cur = [], None
for l in open(sys.argv[1]).read().splitlines():
    m = re.match(r"oci-logfwd \S+ at \S+, rates over the last ([0-9.]+) s$", l)
    if m:
        cur = {"dt": float(m.group(1)), "rows": {}}
        blocks.append(cur)
    elif cur is not None and l.strip():
        f = l.split()
        cur["rows"][f[0]] = f
b1, b2 = blocks[0], blocks[1]
assert b2["dt"] >= 2.0, f"block 2 interval {b2['dt']} < 2 s"
for name in ("s", "good"):
    total1, total2 = float(b1["rows"][name][2]), float(b2["rows"][name][2])
    rate, dt = float(b2["rows"][name][1]), b2["dt"]
    lo, hi = max(0, rate - 0.05) * (dt - 0.05), (rate + 0.05) * (dt + 0.05)
    assert lo - 1e-9 <= total2 - total1 <= hi + 1e-9, \
        f"{name}: rate {rate}/s over {dt} s, but the total went {total1} -> {total2}"
    print(f"{name}: {total1:.0f} -> {total2:.0f} in {dt} s = {rate}/s")
PY
phase "--watch: $(grep -c '^oci-logfwd ' "$T/watch.out") blocks, no escapes in a pipe"

# --- 5. errors.
expect() { # expect RC PATTERN CMD...: exit status and a line of stderr
	local want=$1 pat=$2 rc; shift 2
	${STATUS_WRAP:-} "$@" >"$T/e.out" 2>"$T/e.err"; rc=$?
	[ "$rc" = "$want" ] || { cat "$T/e.err"; fail "$* exited $rc, want $want"; }
	grep -q -- "$pat" "$T/e.err" || { cat "$T/e.err"; fail "$*: no \"$pat\" in the error"; }
	[ ! -s "$T/e.out" ] || fail "$*: printed a status anyway"
}
sed '/^metrics_listen/d' "$T/daemon.conf" >"$T/nometrics.conf"
expect 78 "has no \[daemon\] metrics_listen" "$BIN" status -c "$T/nometrics.conf"
expect 78 "cannot read" "$BIN" status -c "$T/missing.conf"
expect 64 "exclude each other" "$BIN" status -c "$T/daemon.conf" --url "$M"
expect 1 "cannot connect: is oci-logfwd running" "$BIN" status --url "http://127.0.0.1:$DEAD_PORT"
# A --url's password and token never reach the output (11.10): masked as -t masks them.
expect 1 "cannot connect: is oci-logfwd running" "$BIN" status --url "http://u:SECRETPW@127.0.0.1:$DEAD_PORT/?token=TK"
! grep -q 'SECRETPW\|TK' "$T/e.err" || { cat "$T/e.err"; fail "status printed a secret of --url"; }
grep -q 'u:\*\*\*@' "$T/e.err" || { cat "$T/e.err"; fail "status did not show the masked URL"; }
expect 64 "not an http(s) URL" "$BIN" status --url "ftp://u:SECRETPW@127.0.0.1/?token=TK"
! grep -q 'SECRETPW\|TK' "$T/e.err" || { cat "$T/e.err"; fail "status printed a secret of --url"; }
${STATUS_WRAP:-} "$BIN" status --url "http://u:SECRETPW@127.0.0.1:$MPORT" >"$T/masked.out" 2>&1 ||
	{ cat "$T/masked.out"; fail "status with a userinfo URL failed"; }
grep -q "^oci-logfwd .* at http://u:\*\*\*@127.0.0.1:$MPORT" "$T/masked.out" ||
	{ cat "$T/masked.out"; fail "status did not show the masked URL"; }
! grep -q SECRETPW "$T/masked.out" || { cat "$T/masked.out"; fail "status printed the password of --url"; }

cat >"$T/fake.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/html/metrics":
            body = b"<html><body>It works!</body></html>\n"
        elif self.path == "/huge/metrics":
            body = b"x_total 1\n" * (2 * 1024 * 1024)   # 20 MiB, over the 16 MiB cap
        elif self.path == "/other/metrics":
            body = b"# TYPE go_goroutines gauge\ngo_goroutines 12\n"
        else:
            self.send_error(404); return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:   # status hangs up at its size cap, as it should
            pass
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$T/fake.py" "$T/fake.port" &
PIDS="$PIDS $!"
wait_for 10 test -s "$T/fake.port" || fail "fake server did not start"
F="http://127.0.0.1:$(cat "$T/fake.port")"
expect 1 "not Prometheus text: line 1" "$BIN" status --url "$F/html"
expect 1 "larger than 16777216 bytes" "$BIN" status --url "$F/huge"
expect 1 "no oci_logfwd_build_info" "$BIN" status --url "$F/other"
expect 1 "HTTP 404" "$BIN" status --url "$F/nothing"
stop_daemon
expect 1 "cannot connect" "$BIN" status -c "$T/daemon.conf"
phase "errors: clear messages and exit statuses"
echo PASS
