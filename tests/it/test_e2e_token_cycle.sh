#!/usr/bin/env bash
# Issue 10 item 7, through the daemon: OCI answers with a page-token cycle (ocisim
# --token-cycle 3: page 3 points back to page 1's token).  The window fails loudly ("a
# page-token cycle"), is retried whole with backoff (never split: a cycle is no sign of
# size), and nothing repeats without bound: the pages OCI served and the records the sink
# got stay within what the logged attempts allow.  Before the fixes the cycle was followed
# forever (23,402 requests and as many duplicate events in 15 s).  /healthz turns 503.
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=40
gen_opts
PAGE=5
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
start_ocisim --token-cycle 3
OCIPID=${PIDS##* }
start_sink siem
BACKLOG_S=5
conf_head "$T/head.conf" "metrics_listen = 127.0.0.1:$MPORT"
sed -i "/^window = /a page_size = $PAGE" "$T/head.conf"
{ cat "$T/head.conf"; sink_section siem raw "batch_max_events = 100" "retry_initial = 100ms"; } > "$T/daemon.conf"
export OCI_LOGFWD_TEST_RETRY_SCALE=50
start_daemon "$T/daemon.conf"; phase "daemon started against a page-token cycle"
wait_for 20 grep -q "page-token cycle" "$T/daemon.log" || fail "the cycle was not reported"
tries() { [ "$(grep -c "retrying the whole window" "$T/daemon.log")" -ge 3 ]; }
wait_for 60 tries || fail "the failed window was not retried with backoff"
# Unhealthy once it has waited past the bound (120 s, scaled to 6 s here).
unhealthy() { http_get "http://127.0.0.1:$MPORT/healthz" | tail -n 1 | grep -q '^HTTP 503'; }
wait_for 30 unhealthy || fail "/healthz stayed healthy while the window kept failing"
stop_daemon; phase "stopped"
grep -q "window .* should be split\|splitting" "$T/daemon.log" && fail "a token cycle split the window"
grep -q '"gap"' "$T"/dead-letter-siem.ndjson 2>/dev/null && fail "a gap was recorded"
attempts=$(( $(grep -c "retrying the whole window" "$T/daemon.log") + 1 ))
# ocisim writes what it served (pages, records) when it exits.
kill -TERM "$OCIPID"
wait_for 10 test -s "$T/ocisim-summary.json" || fail "ocisim wrote no summary"
served() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/ocisim-summary.json" "$1"; }
pages=$(served pages)
served_records=$(served records)
records=$(wc -l < "$T/siem.out")
echo "  attempts=$attempts pages served=$pages records at the sink=$records"
# An attempt is served 4 pages: the 4th carries page 1's token again, and fails it (its
# records are not routed).  The last attempt may have been under way at the stop.
[ "$pages" -ge 4 ] || fail "ocisim served $pages pages: the test did not run"
[ "$pages" -le $(( 4 * attempts )) ] || fail "$pages pages for $attempts attempts: the cycle was followed"
[ "$records" -le $(( 3 * PAGE * attempts )) ] || fail "$records records at the sink for $attempts attempts"
[ "$records" -le "$served_records" ] || fail "$records records at the sink, $served_records served"
# Each record at most once per attempt: no record repeated beyond that.
max_dup=$(python3 -c 'import collections,sys; c=collections.Counter(l for l in open(sys.argv[1]) if l.strip()); print(max(c.values()) if c else 0)' "$T/siem.out")
[ "$max_dup" -le "$attempts" ] || fail "a record reached the sink $max_dup times in $attempts attempts"
echo "PASS: a page-token cycle fails the window loudly; $attempts attempts, $pages pages, $records records, none repeated beyond the attempts"
