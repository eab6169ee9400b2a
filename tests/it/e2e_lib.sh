# Shared helpers for tests/it/test_e2e_*.sh (sourced, not run; not matched by test_*.sh).
#
# The daemon (build/oci-logfwd) end to end: ocisim plays OCI Logging, sinksim the sinks,
# all on 127.0.0.1.  Results are checked record by record BY CONTENT (distinct VCN flow
# records share ids): raw sinks against ocisim --dump's logContent, ECS sinks against
# `oci-logfwd --dry-run --input` of the same dump, both as canonical JSON (sorted keys).
#
# Sets BUILD, ROOT, T (temp dir, removed on exit), QUERY; E2E_SCALE (default 1; the
# scripts scale their record counts by it when run under ASan, see each script).
set -u
unset JOURNAL_STREAM
BUILD="${BUILD:-build}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT" || exit 1
for b in oci-logfwd ocisim sinksim; do
	if [ ! -x "$BUILD/$b" ]; then echo "skip: $BUILD/$b not built"; exit 77; fi
done
# Record counts are scaled by E2E_SCALE; under ASan (a BUILD folder named *asan*, as
# `make asan` and SANITIZE=1 builds are) it defaults to 0.5 so each script stays within
# about a minute on two cores (a script may set ASAN_SCALE before sourcing this);
# everything else is the same.
case "$BUILD" in
*asan*) E2E_SCALE="${E2E_SCALE:-${ASAN_SCALE:-0.5}}" ;;
*) E2E_SCALE="${E2E_SCALE:-1}" ;;
esac
T="$(mktemp -d /tmp/it-e2e.XXXXXX)"
PIDS=""
DAEMON_PID=""
E2E_KEEP="${E2E_KEEP:-0}"   # 1: keep $T for a post-mortem
cleanup() {
	local p
	for p in $DAEMON_PID $PIDS; do kill "$p" 2>/dev/null; done
	for p in $DAEMON_PID $PIDS; do wait "$p" 2>/dev/null; done
	if [ "$E2E_KEEP" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

# One query for the daemon and for ocisim --dump: every kind of record.
QUERY='search "ocid1.tenancy.oc1..aaaaaaaatestonlytenancy" | sort by datetime asc'
T_START=$(date +%s)

# scaled N: max(1, N * E2E_SCALE), an integer.
scaled() { python3 -c "import sys; print(max(1, int(float(sys.argv[1]) * float(sys.argv[2]))))" "$1" "$E2E_SCALE"; }

# elapsed: seconds since the script started.
elapsed() { echo $(( $(date +%s) - T_START )); }

# iso_ms EPOCH_MS: RFC 3339 with milliseconds (the format of the records' `time`).
iso_ms() { python3 -c "import sys,datetime; print(datetime.datetime.fromtimestamp(int(sys.argv[1])/1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.')+'%03dZ' % (int(sys.argv[1])%1000))" "$1"; }
# now_ms: the wall clock in epoch ms.
now_ms() { python3 -c 'import time; print(int(time.time()*1000))'; }

# An OCI SDK config for the test-only API key (the one ocisim is told to accept).
cp tests/data/oci/testonly-api-key.pem "$T/key.pem"
chmod 600 "$T/key.pem"
cat >"$T/oci-config" <<CFG
[DEFAULT]
tenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy
user = ocid1.user.oc1..aaaaaaaatestonlyuser
fingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
key_file = $T/key.pem
region = us-ashburn-1
CFG

# start_ocisim ARGS...: ocisim on an ephemeral port; sets OCI_PORT, OCISIM_PID.
start_ocisim() {
	rm -f "$T/ocisim.port"
	"$BUILD/ocisim" --listen 127.0.0.1:0 --port-file "$T/ocisim.port" --log "$T/ocisim.log" \
	    --public-key tests/data/oci/testonly-api-key-public.pem \
	    --summary-file "$T/ocisim-summary.json" "$@" 2>"$T/ocisim.err" &
	OCISIM_PID=$!
	PIDS="$PIDS $OCISIM_PID"
	for _ in $(seq 1 600); do [ -s "$T/ocisim.port" ] && break; sleep 0.05; done
	if [ ! -s "$T/ocisim.port" ]; then echo "FAIL: ocisim did not start"; cat "$T/ocisim.err"; exit 1; fi
	OCI_PORT=$(cat "$T/ocisim.port")
}

# start_sink NAME ARGS...: sinksim (http mode) recording accepted events in $T/NAME.out;
# sets SINK_PORT (and NAME_PORT via eval).
start_sink() {
	local name=$1; shift
	rm -f "$T/$name.port"
	: >"$T/$name.out"
	"$BUILD/sinksim" --listen 127.0.0.1:0 --port-file "$T/$name.port" --out "$T/$name.out" \
	    --stats-file "$T/$name.stats" --mode http "$@" 2>"$T/$name.log" &
	PIDS="$PIDS $!"
	for _ in $(seq 1 200); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	if [ ! -s "$T/$name.port" ]; then echo "FAIL: sinksim $name did not start"; cat "$T/$name.log"; exit 1; fi
	SINK_PORT=$(cat "$T/$name.port")
}

# write_conf FILE < [source]/[sink] sections: adds [daemon] (state in $T/state) and [oci]
# (the simulator, region us-ashburn-1).
write_conf() {
	mkdir -p "$T/state"
	{
		cat <<CONF
[daemon]
state_dir = $T/state
stats_interval = 5s
shutdown_timeout = 10s

[oci]
auth = api_key
config_file = $T/oci-config
region = us-ashburn-1
endpoint = http://127.0.0.1:$OCI_PORT

CONF
		cat
	} >"$1"
}

# start_daemon CONF LOG [ARGS...]: oci-logfwd in daemon mode; sets DAEMON_PID.
start_daemon() {
	local conf=$1 log=$2; shift 2
	OCI_LOGFWD_TEST_RETRY_SCALE="${OCI_LOGFWD_TEST_RETRY_SCALE:-100}" \
	    "$BUILD/oci-logfwd" -c "$conf" "$@" >>"$log" 2>&1 &
	DAEMON_PID=$!
}

# stop_daemon: SIGTERM and wait; sets DAEMON_RC.
stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"; DAEMON_RC=$?
	DAEMON_PID=""
}

# lines FILE: number of lines.
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

# sink_events NAME: events sinksim NAME has accepted so far (its stats endpoint: cheaper
# than counting the lines of a file of hundreds of MB).
sink_events() {
	local port n
	port=$(cat "$T/$1.port")
	n=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" &&
		printf 'GET /_sinksim/stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
		cat <&3) 2>/dev/null | grep -o '"events":[0-9]*' | head -n 1 | cut -d: -f2)
	echo "${n:-0}"
}

# wait_events NAME N SECONDS: waits until sinksim NAME accepted at least N events (0) or
# the time is up (1).  Also returns 1 at once if the daemon died.
wait_events() {
	local end=$(( $(date +%s) + $3 ))
	while [ "$(sink_events "$1")" -lt "$2" ]; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		if [ -n "$DAEMON_PID" ] && ! kill -0 "$DAEMON_PID" 2>/dev/null; then return 1; fi
		sleep 0.2
	done
	return 0
}

# dump FROM TO OUT [ARGS...]: the exact records a search of [FROM, TO) returns (ocisim
# generator options in ARGS must match the running simulator's).
dump() {
	local from=$1 to=$2 out=$3; shift 3
	"$BUILD/ocisim" --dump --from "$from" --to "$to" --query "$QUERY" "$@" >"$out"
}

# ecs_of DUMP OUT CONF: the ECS events the daemon makes of those records (dry-run).
ecs_of() {
	"$BUILD/oci-logfwd" -c "$3" --dry-run --input "$1" >"$2" 2>"$T/dryrun.err" || {
		echo "FAIL: dry-run of $1"; cat "$T/dryrun.err"; exit 1; }
}

# check KIND EXPECTED GOT [--from ISO --to ISO] [--allow-dups] [--dups-from ISO]
#       [--max-dups N] [--need-shared-ids] [--none-before ISO] [--json OUT]
# KIND raw: EXPECTED is an ocisim dump, GOT holds logContent objects; KIND ecs: both hold
# ECS events.  Every expected record must arrive exactly once (by canonical content);
# nothing else may arrive (within [--from, --to) of the record time when given).
# Exit 0 when that holds.  Prints one summary line.
check() {
	python3 "$T/check.py" "$@"
}
cat >"$T/check.py" <<'PY'
import argparse, collections, hashlib, json, sys

ap = argparse.ArgumentParser()
ap.add_argument("kind", choices=["raw", "ecs"])
ap.add_argument("expected")
ap.add_argument("got")
ap.add_argument("--from", dest="frm")
ap.add_argument("--to")
ap.add_argument("--allow-dups", action="store_true")
ap.add_argument("--dups-from")
ap.add_argument("--max-dups", type=int)
ap.add_argument("--need-shared-ids", action="store_true")
ap.add_argument("--none-before", help="no record older than this may arrive (the source's start)")
ap.add_argument("--json")
a = ap.parse_args()

def canon(o):
    return hashlib.blake2b(json.dumps(o, sort_keys=True, separators=(",", ":"),
                                      ensure_ascii=False).encode(), digest_size=16).digest()

def meta(o):
    if a.kind == "raw":
        return o.get("time"), o.get("id")
    return o.get("@timestamp"), (o.get("event") or {}).get("id")

# Records are keyed by a digest of their exact bytes when a received line is
# byte-identical to an expected one (the usual case: fast), else by canonical JSON (sorted
# keys), which is what decides: a line that differs only in key order or number spelling
# still matches.  Keys are those of the expected records.
def hb(b):
    return hashlib.blake2b(b, digest_size=16).digest()

def obj_bytes(line):
    line = line.rstrip(b"\r\n")
    if a.kind == "raw":  # {"datetime":N,"logContent":{...}}
        i = line.find(b'"logContent":')
        return line[i + 13:-1] if i >= 0 else line
    return line

exp = {}                      # key -> (time, id)
by_id = collections.defaultdict(set)
n_exp_lines = 0
with open(a.expected, "rb") as f:
    for line in f:
        if not line.strip():
            continue
        o = json.loads(line)
        if a.kind == "raw":
            o = o["logContent"]
        d = hb(obj_bytes(line))
        n_exp_lines += 1
        t, i = meta(o)
        exp[d] = (t, i)
        by_id[i].add(d)

got = collections.Counter()
gmeta = {}
bad_lines = 0
out_of_range = 0
slow = collections.Counter()  # canonical digest -> count, for lines not byte-identical
with open(a.got, "rb") as f:
    for line in f:
        if not line.strip():
            continue
        d = hb(obj_bytes(line))
        if d in exp:
            got[d] += 1
            continue
        try:
            o = json.loads(line)
        except ValueError:
            bad_lines += 1
            continue
        c = canon(o)
        slow[c] += 1
        gmeta[c] = meta(o)
times = [t for t, _ in exp.values() if t is not None]
tmin, tmax = (min(times), max(times)) if times else ("", "")
# Same content means same time: a line outside the expected records' time span cannot
# match one of them (spares the slow pass for records that arrived after the range).
if any(gmeta[c][0] is None or tmin <= gmeta[c][0] <= tmax for c in slow):
    # Map the canonical forms of the expected records to their keys.
    with open(a.expected, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            if a.kind == "raw":
                o = o["logContent"]
            c = canon(o)
            if c in slow:
                got[hb(obj_bytes(line))] += slow.pop(c)
for c, v in slow.items():
    got[c] += v
for d in exp:
    gmeta.setdefault(d, exp[d])
if n_exp_lines != len(exp):
    print(f"note: {n_exp_lines - len(exp)} expected records have identical content")

in_range = lambda t: (a.frm is None or (t is not None and t >= a.frm)) and \
                     (a.to is None or (t is not None and t < a.to))
missing = [d for d in exp if got[d] == 0]
unexpected = [d for d in got if d not in exp and in_range(gmeta[d][0])]
out_of_range = sum(v for d, v in got.items() if d not in exp and not in_range(gmeta[d][0]))
dups = {d: v - 1 for d, v in got.items() if v > 1}
n_dups = sum(dups.values())
shared = {i: ds for i, ds in by_id.items() if len(ds) > 1}
shared_records = sum(len(ds) for ds in shared.values())
shared_arrived = sum(1 for ds in shared.values() for d in ds if got[d] > 0)
min_dup_time = min((gmeta[d][0] for d in dups), default=None)
before = sum(v for d, v in got.items() if a.none_before and gmeta[d][0] < a.none_before)
ok = not missing and not unexpected and bad_lines == 0 and before == 0
if n_dups and not a.allow_dups:
    ok = False
if a.dups_from is not None and min_dup_time is not None and min_dup_time < a.dups_from:
    ok = False
if a.max_dups is not None and n_dups > a.max_dups:
    ok = False
if a.need_shared_ids and (not shared or shared_arrived != shared_records):
    ok = False
print(f"{a.kind} {a.got.rsplit('/', 1)[-1]}: expected {len(exp)}, received {sum(got.values())} "
      f"({out_of_range} outside the checked range), missing {len(missing)}, "
      f"unexpected {len(unexpected)}, duplicates {n_dups} (in {len(dups)} records"
      f"{', earliest ' + min_dup_time if min_dup_time else ''}), unparsable {bad_lines}; "
      f"ids shared by distinct records: {len(shared)} ids, {shared_arrived}/{shared_records} "
      f"of their records arrived{f', {before} from before the start' if a.none_before else ''}"
      f" -> {'ok' if ok else 'FAIL'}")
for d in missing[:3]:
    print(f"  missing: time {exp[d][0]} id {exp[d][1]}")
for d in unexpected[:3]:
    print(f"  unexpected: time {gmeta[d][0]} id {gmeta[d][1]}")
if a.json:
    json.dump({"expected": len(exp), "received": sum(got.values()), "missing": len(missing),
               "unexpected": len(unexpected), "duplicates": n_dups,
               "min_dup_time": min_dup_time, "shared_ids": len(shared)}, open(a.json, "w"))
sys.exit(0 if ok else 1)
PY

# metric TEXT NAME: the value of a sample line starting with NAME in Prometheus TEXT.
metric() { printf '%s\n' "$1" | awk -v n="$2" 'index($0, n) == 1 { print $NF; exit }'; }

# free_port: a port nobody listens on right now.
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# http_get URL: body on stdout (python, no curl dependency).
http_get() { python3 -c 'import sys,urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
except Exception as e:
    print("ERR", e)' "$1"; }

# show_log FILE: the daemon's warnings/errors and last lines (for a failure).
show_log() {
	echo "--- $1 (warnings, errors, last 15 lines)"
	grep -E 'warning|error|GAP' "$1" | head -20
	tail -n 15 "$1"
}
