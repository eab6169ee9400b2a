#!/usr/bin/env bash
# make demo: the daemon against the local OCI simulator, end to end, in well under a minute.
# Starts build/ocisim on 127.0.0.1 with generated audit and VCN flow logs, runs
# oci-logfwd --once with conf/demo.conf (a file sink), stops the simulator, and shows what
# was forwarded.  Leaves nothing running; the output stays in build/demo/.
set -euo pipefail
BUILD="${BUILD:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export DEMO_DIR="$ROOT/$BUILD/demo"
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR/oci" "$DEMO_DIR/state"

SIM_PID=""
cleanup() { if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

# The test-only API key (never valid for a real tenancy) and an OCI SDK config for it.
cp tests/data/oci/testonly-api-key.pem "$DEMO_DIR/oci/key.pem"
chmod 600 "$DEMO_DIR/oci/key.pem"
cat > "$DEMO_DIR/oci/config" <<CFG
[DEFAULT]
tenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy
user = ocid1.user.oc1..aaaaaaaatestonlyuser
fingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
key_file = $DEMO_DIR/oci/key.pem
region = us-ashburn-1
CFG

echo "==> starting the OCI Logging simulator (3,600 records an hour: 70% VCN flow, 30% audit)"
"$BUILD/ocisim" --listen 127.0.0.1:0 --port-file "$DEMO_DIR/ocisim.port" \
    --public-key tests/data/oci/testonly-api-key-public.pem \
    --rate 3600/3600 --seed 7 --flow-share 0.7 --ingest-delay audit=0s,flow=0s \
    --summary-file "$DEMO_DIR/ocisim-summary.json" 2>"$DEMO_DIR/ocisim.log" &
SIM_PID=$!
for _ in $(seq 1 100); do [ -s "$DEMO_DIR/ocisim.port" ] && break; sleep 0.05; done
export OCISIM_PORT="$(cat "$DEMO_DIR/ocisim.port")"
echo "    listening on 127.0.0.1:$OCISIM_PORT, verifying every request signature"

echo "==> oci-logfwd -t -c conf/demo.conf   (the configuration, checked)"
"$BUILD/oci-logfwd" -t -c conf/demo.conf >/dev/null && echo "    ok"

echo "==> oci-logfwd --once -c conf/demo.conf   (pull the last 30 minutes, forward, checkpoint)"
start=$(date +%s.%N)
"$BUILD/oci-logfwd" --once -c conf/demo.conf 2>&1 | sed 's/^/    /'
end=$(date +%s.%N)
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""

out="$DEMO_DIR/forwarded.ndjson"
python3 - "$out" "$DEMO_DIR/state" "$start" "$end" <<'PY'
import json, sys, collections, os
out, state, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
events = [json.loads(l) for l in open(out)]
kinds = collections.Counter(e["event"]["dataset"] for e in events)
print(f"==> forwarded {len(events)} events in {end - start:.1f} s to {out}")
for k, n in sorted(kinds.items()):
    print(f"    {k:<14} {n}")
print("==> a few of them (ECS), as a sink receives them:")
shown = set()
for e in events:
    d = e["event"]["dataset"]
    if d in shown:
        continue
    shown.add(d)
    print("    " + json.dumps(e)[:400] + (" ..." if len(json.dumps(e)) > 400 else ""))
print("==> one-line summaries (the ECS `message`):")
for e in events[:6]:
    print("    " + e["message"])
for f in sorted(os.listdir(state)):
    if f.endswith(".state"):
        print(f"==> checkpoint {state}/{f}: " + open(os.path.join(state, f), "rb").readline().decode().strip())
PY
echo "==> the simulator's view: $(cat "$DEMO_DIR/ocisim-summary.json")"
echo "Run it again: the checkpoint makes the next --once pull only what is new."
