#!/usr/bin/env bash
# API-key auth: searchcli pages through 50,000 records of a one-hour window from ocisim,
# every request's signature verified, with 429s (Retry-After) and 503 bursts injected;
# every expected record (by content) must arrive exactly once.
. "$(dirname "$0")/search_lib.sh"

write_config "$ROOT/tests/data/oci/testonly-api-key.pem" 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
start_sim --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" $GEN \
    --fault 429:every=7:retry-after=1 --fault 503:burst=3:every=20
"$BUILD/searchcli" --config-file "$T/config" --endpoint "http://127.0.0.1:$PORT" \
    --from "$FROM" --to "$TO" --limit 1000 --retry-initial-ms 20 --retry-max-ms 100 \
    --max-retries 5 > "$T/out.tsv" 2> "$T/cli.err"
rc=$?
cat "$T/cli.err" | grep -v "retry\|rate limiting" | tail -5
grep -c "rate limiting" "$T/cli.err" | sed 's/^/429 retries logged: /'
stop_sim
[ $rc -eq 0 ] || { echo "FAIL: searchcli exit $rc"; exit 1; }
python3 - "$T/summary.json" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))
print("ocisim summary:", s)
assert s["auth_failures"] == 0, "signature failures"
assert s["faults_injected"] >= 10, "faults were not injected"
assert s["records"] == 50000, "records served"
PY
compare "$T/out.tsv" || { echo "FAIL: records differ"; exit 1; }
echo "PASS"
