#!/usr/bin/env bash
# Instance principals: searchcli gets its region, certificates and key from ocisim's IMDS,
# a security token from its federation endpoint (signed with the leaf key), and pages
# through 50,000 records while tokens expire every 3 s (refreshed ahead of expiry) and
# injected 401s force the refresh-once-and-retry path; 429s and 503s are injected too.
. "$(dirname "$0")/search_lib.sh"

start_sim --imds --token-ttl-s 3 $GEN \
    --fault 429:every=13:retry-after=1 --fault 503:burst=2:every=17 --fault 401:every=23
"$BUILD/searchcli" --instance-principal --imds-url "http://127.0.0.1:$PORT/opc/v2" \
    --auth-url "http://127.0.0.1:$PORT" --endpoint "http://127.0.0.1:$PORT" \
    --from "$FROM" --to "$TO" --limit 1000 --retry-initial-ms 20 --retry-max-ms 100 \
    --max-retries 5 --pause-ms 80 > "$T/out.tsv" 2> "$T/cli.err"
rc=$?
grep -v "retry\|rate limiting" "$T/cli.err" | tail -12
stop_sim
[ $rc -eq 0 ] || { echo "FAIL: searchcli exit $rc"; exit 1; }
python3 - "$T/summary.json" "$T/cli.err" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
print("ocisim summary:", s)
assert s["auth_failures"] == 0, "requests failed verification"
assert s["tokens_issued"] >= 3, "the token was not refreshed across its expiry"
assert s["imds_requests"] >= 3 * s["tokens_issued"], "certificates were not re-fetched on refresh"
assert s["records"] == 50000
assert "renewing the security token" in err, "401 did not trigger a token refresh"
PY
compare "$T/out.tsv" || { echo "FAIL: records differ"; exit 1; }
echo "PASS"
