# Shared helpers for tests/it/test_e2e_{outage,429,reload}.sh (sourced, not run; not
# matched by test_*.sh).  ocisim and sinksim on 127.0.0.1, the real oci-logfwd in daemon
# mode, results checked record by record by content against ocisim --dump.
#
# Sets BUILD, ROOT, T (temp dir, removed on exit unless E2E2_KEEP=1), GEN (the generator
# options shared by ocisim and --dump), START_MS (the sources' start), FAST (0/1: 1 under
# ASan or E2E2_FAST=1; the scripts scale their load down with it).
set -u
BUILD="${BUILD:-build}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for b in oci-logfwd ocisim sinksim; do
	if [ ! -x "$BUILD/$b" ]; then echo "skip: $BUILD/$b not built"; exit 77; fi
done
T="$(mktemp -d /tmp/it-e2e2.XXXXXX)"
PIDS=""
DPID=""
cleanup() {
	local p
	if [ -n "$DPID" ]; then kill -TERM "$DPID" 2>/dev/null; fi
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $DPID $PIDS; do wait "$p" 2>/dev/null; done
	if [ "${E2E2_KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

# Sanitizer builds are several times slower: scale the load down there.
FAST="${E2E2_FAST:-0}"
if nm "$BUILD/oci-logfwd" 2>/dev/null | grep -q __asan_init; then FAST=1; fi

mkdir -p "$T/state" "$T/oci"
now_ms() { python3 -c 'import time; print(int(time.time()*1000))'; }
mono_s() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }

# The stream: RATE records a second (real time), 70% flow (1 in 20 sharing an id).
RATE="${RATE:-100}"
SEED="${SEED:-7}"
gen_opts() { GEN="--rate $RATE/1 --seed $SEED --flow-share 0.7 --ingest-delay audit=0s,flow=0s"; }
gen_opts

# start_ocisim ARGS...: ocisim (API-key auth, no ingest delay) on an ephemeral port; sets
# OCI_PORT; writes the OCI SDK config $T/oci/config.
start_ocisim() {
	cp "$ROOT/tests/data/oci/testonly-api-key.pem" "$T/oci/key.pem"
	chmod 600 "$T/oci/key.pem"
	cat > "$T/oci/config" <<CFG
[DEFAULT]
tenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy
user = ocid1.user.oc1..aaaaaaaatestonlyuser
fingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
key_file = $T/oci/key.pem
region = us-ashburn-1
CFG
	"$BUILD/ocisim" --listen 127.0.0.1:0 --port-file "$T/ocisim.port" \
	    --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" \
	    $GEN --log "$T/ocisim.log" \
	    --summary-file "$T/ocisim-summary.json" "$@" 2>"$T/ocisim.err" &
	PIDS="$PIDS $!"
	for _ in $(seq 1 100); do [ -s "$T/ocisim.port" ] && break; sleep 0.05; done
	if [ ! -s "$T/ocisim.port" ]; then echo "ocisim did not start"; cat "$T/ocisim.err"; exit 1; fi
	OCI_PORT=$(cat "$T/ocisim.port")
}

# start_sink NAME ARGS...: sinksim (http mode) recording to $T/NAME.out; sets PORT_<NAME>
# and PID_<NAME>.
start_sink() {
	local name=$1; shift
	"$BUILD/sinksim" --listen 127.0.0.1:0 --port-file "$T/$name.port" --out "$T/$name.out" \
	    --stats-file "$T/$name.stats" --mode http "$@" 2>"$T/$name.log" &
	local pid=$!
	PIDS="$PIDS $pid"
	for _ in $(seq 1 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	if [ ! -s "$T/$name.port" ]; then echo "sinksim $name did not start"; cat "$T/$name.log"; exit 1; fi
	printf -v "PORT_$name" '%s' "$(cat "$T/$name.port")"
	printf -v "PID_$name" '%s' "$pid"
	touch "$T/$name.out"
}

# conf_head FILE [daemon lines...]: [daemon], [oci] and [source s] (real-time: interval
# 1s, lag 3s, no overlap, start = START_MS); the caller appends [sink] sections.
START_MS=""
conf_head() {
	local f=$1; shift
	[ -n "$START_MS" ] || START_MS=$(( $(now_ms) / 1000 * 1000 - ${BACKLOG_S:-20} * 1000 ))
	{
		printf '[daemon]\nstate_dir = %s\nlog_level = info\nstats_interval = 5s\n' "$T/state"
		printf 'shutdown_timeout = 15s\n'
		for l in "$@"; do printf '%s\n' "$l"; done
		printf '\n[oci]\nauth = api_key\nconfig_file = %s\nprofile = DEFAULT\n' "$T/oci/config"
		printf 'region = us-ashburn-1\nendpoint = http://127.0.0.1:%s\n' "$OCI_PORT"
		printf '\n[source s]\nquery = search "ocid1.compartment.oc1..x" | sort by datetime asc\n'
		printf 'interval = 1s\nlag = 3s\noverlap = 0\nwindow = %s\n' "${WINDOW:-10s}"
		printf 'start = %s\n' "$(python3 -c 'import sys,datetime; print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]+"Z")' "$START_MS")"
	} > "$f"
}

# sink_section NAME FORMAT [extra lines...]: an http sink to sinksim NAME.
sink_section() {
	local name=$1 fmt=$2; shift 2
	local pv="PORT_$name"
	printf '\n[sink %s]\ntype = http\nurl = http://127.0.0.1:%s/ingest\nformat = %s\n' \
	    "$name" "${!pv}" "$fmt"
	printf 'encoding = ndjson\nbatch_timeout = 200ms\ndead_letter = %s/dead-letter-%s.ndjson\n' "$T" "$name"
	for l in "$@"; do printf '%s\n' "$l"; done
}

# start_daemon CONF: oci-logfwd in daemon mode; sets DPID; log in $T/daemon.log.
start_daemon() {
	"$BUILD/oci-logfwd" -c "$1" >>"$T/daemon.out" 2>>"$T/daemon.log" &
	DPID=$!
}

# stop_daemon: SIGTERM, wait (bounded); fails the test unless it exits 0.
stop_daemon() {
	local rc
	kill -TERM "$DPID" 2>/dev/null
	for _ in $(seq 1 400); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$DPID" 2>/dev/null; then
		echo "FAIL: the daemon did not exit within 20 s of SIGTERM"; kill -9 "$DPID"
	fi
	wait "$DPID"; rc=$?
	DPID=""
	if [ "$rc" != 0 ]; then echo "FAIL: the daemon exited $rc"; tail -n 30 "$T/daemon.log"; exit 1; fi
}

# checkpoint_ms: the cursor of source s from its state file.
checkpoint_ms() {
	head -n 1 "$T/state/s.state" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["cursor_ms"])'
}

# http_get URL: body on stdout; status in the last line ("HTTP <code>").
http_get() {
	python3 - "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
    print(r.read().decode()); print("HTTP", r.status)
except urllib.error.HTTPError as e:
    print(e.read().decode()); print("HTTP", e.code)
except Exception as e:
    print(repr(e)); print("HTTP 0")
PY
}

# sink_stats NAME: sinksim's live stats (JSON) on stdout.
sink_stats() { local pv="PORT_$1"; http_get "http://127.0.0.1:${!pv}/_sinksim/stats" | sed '$d'; }

# expected FROM_MS TO_MS: $T/expected.ndjson (ocisim --dump, search results) and
# $T/expected.ecs (what the daemon's ECS encoder makes of them).
expected() {
	local from to
	from=$(python3 -c 'import sys,datetime; print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]+"Z")' "$1")
	to=$(python3 -c 'import sys,datetime; print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]+"Z")' "$2")
	"$BUILD/ocisim" --dump --from "$from" --to "$to" $GEN > "$T/expected.ndjson"
	if [ ! -s "$T/expected.ecs" ] || [ "$T/expected.ndjson" -nt "$T/expected.ecs" ]; then
		"$BUILD/oci-logfwd" -c "$T/daemon.conf" --dry-run --input "$T/expected.ndjson" \
		    > "$T/expected.ecs" 2>"$T/dryrun.err" || { echo "dry-run failed"; cat "$T/dryrun.err"; exit 1; }
	fi
}

# verify NAME FORMAT(raw|ecs) MUST_MS MODE(exact|atleast) [MIN_MS]: compares $T/NAME.out
# with the expected records.  Every expected record with datetime < MUST_MS (the final
# checkpoint) must be there (exact: exactly once; atleast: once or more); every line
# received must be an expected record (none invented, none mangled), and nothing may
# arrive more often than it exists (exact).  MIN_MS: only records from there on are
# required (a sink added late).  Prints a summary line; returns non-zero on failure.
verify() {
	python3 - "$T/$1.out" "$2" "$3" "$4" "${5:-0}" "$T/expected.ndjson" "$T/expected.ecs" "$1" <<'PY'
import sys, json, collections
out, fmt, must, mode, minms, exp_nd, exp_ecs, name = sys.argv[1:9]
must, minms = int(must), int(minms)
def canon(o): return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
recs = [json.loads(l) for l in open(exp_nd)]
if fmt == "raw":
    keys = [canon(r["logContent"]) for r in recs]
else:
    ecs = [json.loads(l) for l in open(exp_ecs)]
    assert len(ecs) == len(recs), f"dry-run made {len(ecs)} events of {len(recs)} records"
    keys = [canon(e) for e in ecs]
times = [r["datetime"] for r in recs]
allc = collections.Counter(keys)
mustc = collections.Counter(k for k, t in zip(keys, times) if minms <= t < must)
got = collections.Counter()
bad = 0
for l in open(out):
    try:
        got[canon(json.loads(l))] += 1
    except ValueError:
        bad += 1
missing = sum((mustc - got).values())
unknown = sum(v for k, v in got.items() if k not in allc)
dup = sum(max(0, v - allc[k]) for k, v in got.items() if k in allc)
ids = collections.Counter()
for r, t in zip(recs, times):
    if minms <= t < must: ids[r["logContent"].get("id")] += 1
shared = sum(1 for v in ids.values() if v > 1)
ok = missing == 0 and unknown == 0 and bad == 0 and (mode != "exact" or dup == 0) and sum(mustc.values()) > 0
print(f"  sink {name} ({fmt}): required {sum(mustc.values())} (ids shared by distinct records: {shared}), "
      f"received {sum(got.values())}, missing {missing}, duplicates {dup}, unknown {unknown}, unparsable {bad} -> {'ok' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY
}

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds; 1 on timeout.
# CMD is run again at each poll, but its arguments were expanded once by the caller: a
# condition that reads something live ("$(health)") must be a function (or bash -c '…').
wait_for() {
	local n=$(( $1 * 5 )); shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.2; done
	return 1
}

fail() { echo "FAIL: $*"; echo "--- daemon log (tail)"; tail -n 40 "$T/daemon.log"; exit 1; }

# watch MPORT SECONDS OUTFILE SINK...: every 0.5 s for SECONDS, one line to OUTFILE:
# "t=<s> health=<code> <sink>=<lines received> q_<sink>=<queue metric> ...", and the last
# 503 /healthz body to OUTFILE.reason.  One python process (cheap on a busy machine).
watch() {
	python3 - "$T" "$@" <<'PY'
import sys, time, urllib.request, urllib.error
t, mport, secs, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
sinks = sys.argv[5:]
base = f"http://127.0.0.1:{mport}"
def get(path):
    try:
        r = urllib.request.urlopen(base + path, timeout=3); return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except Exception as e:
        return 0, repr(e)
t0 = time.monotonic()
with open(out, "w") as f:
    while time.monotonic() - t0 < secs:
        code, body = get("/healthz")
        if code == 503:
            open(out + ".reason", "w").write(body)
        _, m = get("/metrics")
        q = {}
        for l in m.splitlines():
            if l.startswith('oci_logfwd_sink_queue_events{sink="'):
                q[l.split('"')[1]] = l.split()[-1]
        row = [f"t={time.monotonic() - t0:.1f}", f"health={code}"]
        for s in sinks:
            row.append(f"{s}={sum(1 for _ in open(f'{t}/{s}.out'))}")
            row.append(f"q_{s}={q.get(s, -1)}")
        f.write(" ".join(row) + "\n"); f.flush()
        time.sleep(max(0, 0.5 - (time.monotonic() - t0) % 0.5))
PY
}

# set_script NAME SCRIPT: replaces sinksim NAME's fault script at run time.
set_script() {
	local pv="PORT_$1"
	python3 - "${!pv}" "$2" <<'PY'
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/_sinksim/script",
    data=sys.argv[2].encode(), method="POST"), timeout=5).read()
PY
}

# phase MSG: "[+Ns] MSG" (seconds since the script started).
phase() { echo "[+${SECONDS}s] $*"; }
