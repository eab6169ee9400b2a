# Shared helpers for tests/it/test_search_*.sh (sourced, not run; not matched by test_*.sh).
# Sets T (temp dir), starts ocisim with start_sim ARGS..., writes an OCI config for the
# test-only API key, compares searchcli output with ocisim --dump.
set -u
BUILD="${BUILD:-build}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for b in ocisim searchcli; do
	if [ ! -x "$BUILD/$b" ]; then echo "skip: $BUILD/$b not built"; exit 77; fi
done
T="$(mktemp -d /tmp/it-search.XXXXXX)"
SIM_PID=""
cleanup() {
	if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT

# Window and stream used by the tests: 50,000 records in one hour.
FROM=2025-03-14T09:00:00Z
TO=2025-03-14T10:00:00Z
GEN="--rate 50000/3600 --seed 42 --flow-share 0.7"

# start_sim ARGS...: starts ocisim on an ephemeral port, sets PORT and SIM_PID.
start_sim() {
	rm -f "$T/port"
	"$BUILD/ocisim" --listen 127.0.0.1:0 --port-file "$T/port" --log "$T/sim.log" \
	    --summary-file "$T/summary.json" "$@" 2>"$T/sim.err" &
	SIM_PID=$!
	for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	if [ ! -s "$T/port" ]; then echo "ocisim did not start"; cat "$T/sim.err"; exit 1; fi
	PORT=$(cat "$T/port")
}

stop_sim() {
	kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null; SIM_PID=""
	cat "$T/sim.err"
}

# write_config KEYFILE FINGERPRINT: an OCI SDK config (key copied, chmod 600).
write_config() {
	cp "$1" "$T/key.pem"; chmod 600 "$T/key.pem"
	cat > "$T/config" <<CFG
[DEFAULT]
tenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy
user = ocid1.user.oc1..aaaaaaaatestonlyuser
fingerprint = $2
key_file = $T/key.pem
region = us-ashburn-1
CFG
}

# compare OUT.tsv: every record of ocisim --dump arrives exactly once, by content.
compare() {
	"$BUILD/ocisim" --dump --from "$FROM" --to "$TO" $GEN > "$T/expected.ndjson"
	python3 - "$T/expected.ndjson" "$1" <<'PY'
import sys, hashlib, collections
exp = collections.Counter(hashlib.sha256(l.rstrip(b"\n")).hexdigest() for l in open(sys.argv[1], "rb"))
got = collections.Counter(l.split("\t")[1].strip() for l in open(sys.argv[2]))
ids = collections.Counter(l.split("\t")[0] for l in open(sys.argv[2]))
missing = sum((exp - got).values()); extra = sum((got - exp).values())
dup = sum(v - 1 for v in got.values() if v > 1)
shared = sum(1 for v in ids.values() if v > 1)
print(f"expected {sum(exp.values())} got {sum(got.values())} missing {missing} extra {extra} duplicated {dup} (ids shared by distinct records: {shared})")
sys.exit(0 if exp == got and sum(exp.values()) == 50000 else 1)
PY
}

# compare_window FROM TO OUT.tsv [GEN ARGS...]: every record ocisim --dump gives for the
# window arrives exactly once, by content; prints the counts.
compare_window() {
	local from=$1 to=$2 out=$3; shift 3
	"$BUILD/ocisim" --dump --from "$from" --to "$to" "$@" > "$T/expected-w.ndjson"
	python3 - "$T/expected-w.ndjson" "$out" <<'PY'
import sys, hashlib, collections
exp = collections.Counter(hashlib.sha256(l.rstrip(b"\n")).hexdigest() for l in open(sys.argv[1], "rb"))
got = collections.Counter(l.split("\t")[1].strip() for l in open(sys.argv[2]))
print(f"window: expected {sum(exp.values())} got {sum(got.values())} missing {sum((exp - got).values())} extra {sum((got - exp).values())}")
sys.exit(0 if exp == got and sum(exp.values()) > 0 else 1)
PY
}
