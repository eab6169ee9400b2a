#!/usr/bin/env bash
# A reload removes a sink that is down (503 forever): it must not hold the other sinks
# back.  After shutdown_timeout it is given up: its undelivered events are cancelled, not
# acknowledged as done, and the log says their records will be read again; the source
# re-reads them for the sinks it routes to now, its checkpoint then moves on, and the kept
# sink goes on receiving every record (by content: at least once, since the re-read
# window may repeat records keep already had).
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=100
[ "$FAST" = 1 ] && RATE=40
gen_opts
start_ocisim
start_sink keep
start_sink old --script 503
BACKLOG_S=5
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
conf_head "$T/head.conf" "metrics_listen = 127.0.0.1:$MPORT"
sed -i 's/^shutdown_timeout = 15s$/shutdown_timeout = 3s/' "$T/head.conf"
KEEP_SECTION=$(sink_section keep raw "batch_max_events = 100" "retry_initial = 100ms" "retry_max_delay = 1s")
{
	cat "$T/head.conf"; printf '%s\n' "$KEEP_SECTION"
	sink_section old ecs "batch_max_events = 100" "retry_initial = 100ms" "retry_max_delay = 1s" \
	    "queue_max_events = 2000"
} > "$T/daemon.conf"
start_daemon "$T/daemon.conf"; phase "daemon started"
wait_for 20 test -s "$T/keep.out" || fail "no event reached sink keep"
# The reload must find events queued at the down sink (else giving it up proves nothing):
# wait until /metrics shows some, re-reading it on every try.
old_queue() {
	http_get "http://127.0.0.1:$MPORT/metrics" | awk '
	    index($0, "oci_logfwd_sink_queue_events{sink=\"old\"} ") == 1 { q = $2 }
	    END { exit !(q + 0 > 0) }'
}
wait_for 20 old_queue || fail "sink old (503 forever) never had events queued"
{ cat "$T/head.conf"; printf '%s\n' "$KEEP_SECTION"; } > "$T/daemon.conf.new"
mv "$T/daemon.conf.new" "$T/daemon.conf"
reload_ms=$(now_ms)
kill -HUP "$DPID"; phase "SIGHUP: sink old (down) removed"
wait_for 15 grep -q "\[sink old\] removed by reload but not drained within shutdown_timeout: giving it up with [0-9]* undelivered events; they stay unacknowledged .* will be read again" \
    "$T/daemon.log" || fail "the removed sink old was not given up after shutdown_timeout (or the log does not say its records are read again)"
grep -q "dropping its" "$T/daemon.log" && fail "the given-up events were dropped (acknowledged), not left to be read again"
phase "sink old given up"
at=$(wc -l < "$T/keep.out")
keep_grew() { [ "$(wc -l < "$T/keep.out")" -gt "$at" ]; }
wait_for 20 keep_grew || fail "sink keep stopped receiving after the reload"
cp_past() { [ "$(checkpoint_ms 2>/dev/null || echo 0)" -gt "$reload_ms" ]; }
wait_for 30 cp_past || fail "the checkpoint does not move past the reload (the given-up window is not read again)"
end_ms=$(now_ms)
stop_daemon; phase "stopped"
cp_ms=$(checkpoint_ms)
[ "$cp_ms" -gt "$reload_ms" ] || fail "the checkpoint did not move past the reload ($cp_ms <= $reload_ms)"
expected "$START_MS" "$end_ms"
verify keep raw "$cp_ms" atleast || fail "records lost at sink keep"
echo "PASS: a removed sink that is down was given up after shutdown_timeout (its records read again); keep flowed on, nothing missing"
