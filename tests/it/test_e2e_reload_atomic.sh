#!/usr/bin/env bash
# A reload is applied whole or not at all.  The new file passes -t but
# one of its sinks cannot start (a file sink whose path is a link): the daemon keeps
# the whole running configuration (sink old is not drained away, the new sink keep2 is not
# half-started), logs why, and says nothing of "reloaded".  Checked by content: both
# running sinks get every record before the final checkpoint exactly once, so the
# checkpoint never moved past an undelivered event.
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=100
[ "$FAST" = 1 ] && RATE=40
gen_opts
start_ocisim
start_sink keep
start_sink old
BACKLOG_S=5
conf_head "$T/head.conf"
KEEP_SECTION=$(sink_section keep raw "batch_max_events = 100" "retry_initial = 100ms" "retry_max_delay = 1s")
OLD_SECTION=$(sink_section old ecs "batch_max_events = 100" "retry_initial = 100ms" "retry_max_delay = 1s")
{ cat "$T/head.conf"; printf '%s\n' "$KEEP_SECTION" "$OLD_SECTION"; } > "$T/daemon.conf"
start_daemon "$T/daemon.conf"; phase "daemon started"
wait_for 20 test -s "$T/old.out" || fail "no event reached sink old"
wait_for 20 test -s "$T/keep.out" || fail "no event reached sink keep"

# The new file: keep unchanged, old removed, a file sink that cannot open its path: a
# symbolic link to a regular file (-t looks through it and sees a file; the sink refuses
# to append through a link, safeopen.h), so only building the new configuration fails.
: > "$T/real.ndjson"
ln -s "$T/real.ndjson" "$T/link.ndjson"
{
	cat "$T/head.conf"; printf '%s\n' "$KEEP_SECTION"
	printf '\n[sink broken]\ntype = file\npath = %s\ndead_letter = %s/dl-broken.ndjson\n' \
	    "$T/link.ndjson" "$T"
} > "$T/new.conf"
"$BUILD/oci-logfwd" -t -c "$T/new.conf" > "$T/t.out" 2>&1 || { cat "$T/t.out"; fail "the new file does not pass -t: the test would not show what it should"; }
cp "$T/new.conf" "$T/daemon.conf.new"; mv "$T/daemon.conf.new" "$T/daemon.conf"
reload_ms=$(now_ms)
kill -HUP "$DPID"; phase "SIGHUP with a sink that cannot start"
wait_for 10 grep -q "reload failed: keeping the running configuration" "$T/daemon.log" ||
    fail "the daemon did not report the reload as failed"
grep -q "reload: \[sink broken\]" "$T/daemon.log" || fail "the log does not say which sink failed"
grep -q "configuration reloaded\|reloaded $T/daemon.conf" "$T/daemon.log" &&
    fail "a reload with a sink that cannot start was reported as applied"
grep -q "\[sink old\] removed by reload" "$T/daemon.log" && fail "sink old was removed by a failed reload"
# A function, so that every try of wait_for counts the lines anew.
old_grew() { [ "$(wc -l < "$T/old.out")" -gt "$at" ]; }
at=$(wc -l < "$T/old.out")
wait_for 20 old_grew || fail "sink old stopped receiving after the failed reload"
cp_past() { [ "$(checkpoint_ms 2>/dev/null || echo 0)" -gt "$reload_ms" ]; }
wait_for 30 cp_past || fail "the checkpoint does not move past the failed reload"
end_ms=$(now_ms)
# Put the running file back so that the dry-run for the expected events parses it.
{ cat "$T/head.conf"; printf '%s\n' "$KEEP_SECTION" "$OLD_SECTION"; } > "$T/daemon.conf"
stop_daemon; phase "stopped"
cp_ms=$(checkpoint_ms)
[ "$cp_ms" -gt "$START_MS" ] || fail "the checkpoint never moved"
expected "$START_MS" "$end_ms"
rc=0
verify keep raw "$cp_ms" exact || rc=1
verify old ecs "$cp_ms" exact || rc=1
[ "$rc" = 0 ] || fail "records lost or duplicated: the failed reload was applied in part"
echo "PASS: a reload with a sink that cannot start changed nothing; old and keep got every record exactly once"
