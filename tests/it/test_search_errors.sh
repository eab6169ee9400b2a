#!/usr/bin/env bash
# Error classification end to end: a window over --max-window-records (OCI's query
# timeout) and an expired page token give SEARCH_TOO_BIG (exit 5); a bad query gives
# SEARCH_BAD_QUERY (exit 4) with the query in the log; 503s beyond the retry budget give
# SEARCH_TOO_BIG; a small window with backpressure (pause/resume) completes; --records-file
# serves exactly the file's records; --ingest-delay hides records not yet ingested.
. "$(dirname "$0")/search_lib.sh"
write_config "$ROOT/tests/data/oci/testonly-api-key.pem" 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
fail=0
cli() {
	"$BUILD/searchcli" --config-file "$T/config" --endpoint "http://127.0.0.1:$PORT" \
	    --retry-initial-ms 10 --retry-max-ms 50 --max-retries 3 "$@" > "$T/out.tsv" 2> "$T/cli.err"
}
check() { # NAME RC WANT-RC REGEX
	echo "--- $1 (exit $2):"; grep -E "error|warning|done" "$T/cli.err" | tail -3
	[ "$2" -eq "$3" ] || { echo "FAIL $1: exit $2, want $3"; fail=1; }
	grep -Eq "$4" "$T/cli.err" || { echo "FAIL $1: no log line matching /$4/"; fail=1; }
}

start_sim --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" $GEN \
    --max-window-records 5000 --page-token-ttl-ms 200
cli --from "$FROM" --to "$TO"; check too_big $? 5 "timed out.*split"
cli --from "$FROM" --to 2025-03-14T09:05:00Z --limit 100 --pause-ms 400
check expired_token $? 5 "page token is invalid or has expired"
cli --from "$FROM" --to 2025-03-14T09:01:00Z --query 'nonsense query'
check bad_query $? 4 "HTTP 400 InvalidParameter.*for query: nonsense query"
cli --from "$FROM" --to 2025-03-14T09:05:00Z --limit 100 --pause-ms 20
check backpressure $? 0 "status=OK records=4167 pages=42"
n=$(wc -l < "$T/out.tsv"); echo "backpressure run: $n records"
stop_sim

start_sim --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" $GEN \
    --fault 503:every=1
cli --from "$FROM" --to 2025-03-14T09:01:00Z
check retry_budget $? 5 "gave up after 4 attempts.*503"
stop_sim
# requests slower than the client timeout: retried, then SEARCH_TOO_BIG
start_sim --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" $GEN --latency-ms 300
cli --from "$FROM" --to 2025-03-14T09:01:00Z --timeout-ms 100 --max-retries 2
check timeout $? 5 "gave up after 3 attempts on page 0: request timed out"
stop_sim

# --records-file: the first 2,500 generated records (plus one bare logContent) served back
"$BUILD/ocisim" --dump --from "$FROM" --to 2025-03-14T09:03:00Z $GEN > "$T/file.ndjson"
echo '{"id":"bare-1","time":"2025-03-14T09:00:01.500Z","type":"x","data":{},"oracle":{}}' >> "$T/file.ndjson"
start_sim --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" --records-file "$T/file.ndjson"
cli --from "$FROM" --to 2025-03-14T09:03:00Z --limit 333
check records_file $? 0 "status=OK records=2501 pages=8"
grep -q "^bare-1	" "$T/out.tsv" || { echo "FAIL records_file: bare logContent not served"; fail=1; }
stop_sim

# --ingest-delay: flow records need an hour to become searchable, audit records a second
start_sim --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" $GEN \
    --ingest-delay audit=0s,flow=3600s
now=$(date +%s)
from=$(date -u -d "@$((now - 65))" +%Y-%m-%dT%H:%M:%SZ); to=$(date -u -d "@$((now - 5))" +%Y-%m-%dT%H:%M:%SZ)
cli --from "$from" --to "$to"
check ingest_delay $? 0 "status=OK"
"$BUILD/ocisim" --dump --from "$from" --to "$to" $GEN --ingest-delay audit=0s,flow=3600s > "$T/ing.ndjson"
all=$("$BUILD/ocisim" --dump --from "$from" --to "$to" $GEN --ingest-delay audit=0s,flow=0s | wc -l)
got=$(wc -l < "$T/out.tsv"); want=$(wc -l < "$T/ing.ndjson")
audit=$(grep -c '"loggroupid":"_Audit"' "$T/ing.ndjson")
echo "ingest delay: $got records searchable of $all in the window ($audit audit, want $want)"
[ "$got" -eq "$want" ] && [ "$audit" -eq "$want" ] && [ "$all" -gt "$want" ] || { echo "FAIL ingest_delay"; fail=1; }
stop_sim

[ $fail -eq 0 ] && echo PASS
exit $fail
