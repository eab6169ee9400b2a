#!/usr/bin/env bash
# Error classification end to end (searchcli + ocisim), by HTTP status and OCI code only:
# ocisim words its errors in random words, so nothing can be decided by a message.
#  - transient failures (503, 500, 502, 3xx, 409 LockConflict/IncorrectState, 429, refused
#    connections) are retried inside the search, keeping the page token, and never become
#    SEARCH_TOO_BIG: every record of the window arrives;
#  - Retry-After 0 / a past date waits the backoff, a huge one waits the cap;
#  - an over-large window (ocisim answers slowly) is SEARCH_TOO_BIG (exit 5) once our
#    timeout fired on max-retries + 1 sent requests;
#  - a 400 on a page token restarts the window once, then SEARCH_BAD_QUERY (exit 4);
#  - a bad query and a span over 14 days are SEARCH_BAD_QUERY;
#  - a page-token cycle fails the window (exit 1); an oversized page is asked again with
#    half the limit; an empty page without "results" is fine;
#  - CR/LF in OCI's message does not forge a log line;
#  - partial consumption (--consume) and backpressure deliver every record once;
#  - --records-file and --ingest-delay serve what they say.
. "$(dirname "$0")/search_lib.sh"
write_config "$ROOT/tests/data/oci/testonly-api-key.pem" 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
fail=0
KEY="$ROOT/tests/data/oci/testonly-api-key-public.pem"
cli() {
	"$BUILD/searchcli" --config-file "$T/config" --endpoint "http://127.0.0.1:$PORT" \
	    --retry-initial-ms 10 --retry-max-ms 50 --max-retries 3 "$@" > "$T/out.tsv" 2> "$T/cli.err"
}
check() { # NAME RC WANT-RC REGEX
	echo "--- $1 (exit $2):"; grep -E "error|warning|done" "$T/cli.err" | tail -3
	[ "$2" -eq "$3" ] || { echo "FAIL $1: exit $2, want $3"; fail=1; }
	grep -Eq "$4" "$T/cli.err" || { echo "FAIL $1: no log line matching /$4/"; fail=1; }
}
no_line() { # NAME REGEX: no stderr line matches
	if grep -Eq "$2" "$T/cli.err"; then echo "FAIL $1: a line matches /$2/:"; grep -E "$2" "$T/cli.err" | head -3; fail=1; fi
}
W10=2025-03-14T09:10:00Z

start_sim --public-key "$KEY" $GEN --max-window-records 5000 --slow-query-ms 5000 \
    --page-token-ttl-ms 800
cli --from "$FROM" --to "$TO" --timeout-ms 300 --max-retries 1
check too_big $? 5 "gave up after 2 attempts on page 0: request timed out.*split"
no_line too_big "retrying http=5"
# Fetch ahead asks for page 1 as soon as page 0 is in (its token fresh); page 0 is then
# held 2 s, so page 2's request carries a token older than the 800 ms it lives: a 400,
# the window is read again from page 0 (pages 0 and 1 come twice), and the second 400 on
# that token ends the search.
cli --from "$FROM" --to 2025-03-14T09:05:00Z --limit 100 --pause-ms 2000
check expired_token $? 4 "answering page 2's token.*reading the window again from its first page"
n=$(wc -l < "$T/out.tsv"); [ "$n" -eq 400 ] || { echo "FAIL expired_token: $n records, want pages 0 and 1 twice (400)"; fail=1; }
grep -Eq "HTTP 400 InvalidParameter" "$T/cli.err" || { echo "FAIL expired_token: no final 400"; fail=1; }
cli --from "$FROM" --to 2025-03-14T09:01:00Z --query 'nonsense query'
check bad_query $? 4 "HTTP 400 InvalidParameter.*for query: nonsense query"
cli --from 2025-03-01T00:00:00Z --to 2025-03-15T00:00:01Z
check span_14_days $? 4 "HTTP 400 InvalidParameter"
cli --from "$FROM" --to 2025-03-14T09:05:00Z --limit 100 --pause-ms 20
check backpressure $? 0 "status=OK records=4167 pages=42"
cli --from "$FROM" --to 2025-03-14T09:05:00Z --limit 300 --consume 7
check partial $? 0 "status=OK records=4167 pages=14"
compare_window "$FROM" 2025-03-14T09:05:00Z "$T/out.tsv" $GEN || { echo "FAIL partial: records"; fail=1; }
stop_sim

# Transient failures, 7 in a row (more than --max-retries 3), then one answer: all retried.
for f in 503 500 502 302 409:code=LockConflict 409:code=IncorrectState 429; do
	start_sim --public-key "$KEY" $GEN --fault "$f:every=8:burst=7"
	cli --from "$FROM" --to "$W10" --limit 500
	check "transient_$f" $? 0 "status=OK records=8334"
	compare_window "$FROM" "$W10" "$T/out.tsv" $GEN || { echo "FAIL transient_$f: records"; fail=1; }
	r=$(grep -c "searchcli: retrying http=${f%%:*} " "$T/cli.err")
	[ "$r" -ge 14 ] || { echo "FAIL transient_$f: $r retries reported, want >= 14"; fail=1; }
	# one info line per 30 s per search, not one per retry
	l=$(grep -c "keeping page" "$T/cli.err")
	[ "$l" -le 3 ] || { echo "FAIL transient_$f: $l retry log lines for $r retries"; fail=1; }
	no_line "transient_$f" "timed out|TOO_BIG"
	stop_sim
done

# Connection refused: retried (http=0), never TOO_BIG; --max-attempts ends it as FAILED.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cli --from "$FROM" --to "$W10" --max-attempts 5
check refused $? 1 "status=FAILED.*gave up after 5 attempts"
r=$(grep -c "searchcli: retrying http=0 " "$T/cli.err")
[ "$r" -eq 4 ] || { echo "FAIL refused: $r retries, want 4"; fail=1; }

# Retry-After: 0 and a past date wait the backoff (>= 200 ms), a huge one the cap (700 ms).
for ra in 0 past huge; do
	start_sim --public-key "$KEY" $GEN --fault "429:every=2:retry-after=$ra"
	cli --from "$FROM" --to 2025-03-14T09:01:00Z --limit 100 --retry-initial-ms 200 \
	    --retry-max-ms 300 --retry-after-max-ms 700
	check "retry_after_$ra" $? 0 "status=OK records=834"
	python3 - "$T/cli.err" "$ra" <<'PY' || fail=1
import re, sys
d = [int(m) for m in re.findall(r"retrying http=429 delay_ms=(\d+)", open(sys.argv[1]).read())]
lo, hi = (700, 700) if sys.argv[2] == "huge" else (200, 300)
ok = len(d) >= 4 and all(lo <= x <= hi for x in d)
print(f"retry_after_{sys.argv[2]}: delays {d}" + ("" if ok else f" FAIL: want {lo}..{hi}"))
sys.exit(0 if ok else 1)
PY
	stop_sim
done

# A page-token cycle A -> B -> C -> A fails the window after 4 requests.
start_sim --public-key "$KEY" $GEN --token-cycle 3
cli --from "$FROM" --to "$W10" --limit 100
check token_cycle $? 1 "page-token cycle"
stop_sim
grep -q '"search_requests":4,' "$T/summary.json" || { echo "FAIL token_cycle: requests:"; cat "$T/summary.json"; fail=1; }

# Oversized pages (3 KB of padding per record, 300 KB cap): the limit halves, nothing lost.
start_sim --public-key "$KEY" $GEN --page-pad 3000
cli --from "$FROM" --to "$W10" --limit 1000 --max-page-bytes 300000
check oversized $? 0 "status=OK records=8334"
grep -q "asking for it again with limit 62" "$T/cli.err" || { echo "FAIL oversized: limit not halved to 62"; fail=1; }
compare_window "$FROM" "$W10" "$T/out.tsv" $GEN || { echo "FAIL oversized: records"; fail=1; }
stop_sim

# An empty page without "results" (only summary is mandatory).
start_sim --public-key "$KEY" $GEN --omit-results --ingest-delay audit=3600s,flow=3600s
now=$(date +%s)
cli --from "$(date -u -d "@$((now - 65))" +%Y-%m-%dT%H:%M:%SZ)" --to "$(date -u -d "@$((now - 5))" +%Y-%m-%dT%H:%M:%SZ)"
check omitted_results $? 0 "status=OK records=0 pages=1"
stop_sim

# CR/LF in OCI's message: escaped, no forged line.
start_sim --public-key "$KEY" $GEN --fault 404:every=1:forge
cli --from "$FROM" --to "$W10"
check forged_line $? 3 'HTTP 404.*\\x0d\\x0anotice: finished'
no_line forged_line "^notice: finished"
stop_sim

# --records-file: the first 2,500 generated records (plus one bare logContent) served back
"$BUILD/ocisim" --dump --from "$FROM" --to 2025-03-14T09:03:00Z $GEN > "$T/file.ndjson"
echo '{"id":"bare-1","time":"2025-03-14T09:00:01.500Z","type":"x","data":{},"oracle":{}}' >> "$T/file.ndjson"
start_sim --public-key "$KEY" --records-file "$T/file.ndjson"
cli --from "$FROM" --to 2025-03-14T09:03:00Z --limit 333
check records_file $? 0 "status=OK records=2501 pages=8"
grep -q "^bare-1	" "$T/out.tsv" || { echo "FAIL records_file: bare logContent not served"; fail=1; }
stop_sim

# --ingest-delay: flow records need an hour to become searchable, audit records a second
start_sim --public-key "$KEY" $GEN --ingest-delay audit=0s,flow=3600s
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
