#!/usr/bin/env bash
# Instance principals: searchcli gets its region, certificates and key from ocisim's IMDS,
# a security token from its federation endpoint (signed with the leaf key), and pages
# through 50,000 records while tokens expire every 3 s (refreshed ahead of expiry) and
# injected 401s force the refresh-once-and-retry path; 429s and 503s are injected too.
# Then an instance in another region: IMDS says "phx" (a short code, as older regions
# answer), searchcli is configured for us-ashburn-1, and the federation request must go
# to the auth endpoint of us-phoenix-1 (auth_url "{region}" is filled from IMDS; names
# under .localhost reach ocisim, which logs the Host it was asked for) while the searches
# still go to the configured Logging endpoint.
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

rm -f "$T/sim.log" "$T/summary.json"
start_sim --imds --region phx $GEN
"$BUILD/searchcli" --instance-principal --imds-url "http://127.0.0.1:$PORT/opc/v2" \
    --auth-url "http://auth.{region}.localhost:$PORT" --region us-ashburn-1 \
    --endpoint "http://127.0.0.1:$PORT" --from "$FROM" --to 2025-03-14T09:05:00Z \
    --limit 1000 > "$T/out2.tsv" 2> "$T/cli2.err"
rc=$?
stop_sim
[ $rc -eq 0 ] || { echo "FAIL: searchcli (other region) exit $rc"; tail -5 "$T/cli2.err"; exit 1; }
python3 - "$T/summary.json" "$T/sim.log" "$T/out2.tsv" "$PORT" <<'PY' || exit 1
import json, re, sys
s = json.load(open(sys.argv[1]))
log = open(sys.argv[2]).read()
rows = sum(1 for _ in open(sys.argv[3]))
hosts = re.findall(r"federation: issued token \d+ \(Host ([^)]*)\)", log)
print("other region: federation hosts", sorted(set(hosts)), "records", rows, "summary", s)
assert hosts, "no federation happened"
assert set(hosts) == {"auth.us-phoenix-1.localhost:" + sys.argv[4]}, \
    "federation did not go to the instance's own region (us-phoenix-1)"
assert s["auth_failures"] == 0
assert rows == s["records"] and rows > 0, "searches did not complete"
PY
echo "PASS"
