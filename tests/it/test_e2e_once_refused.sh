#!/usr/bin/env bash
# --once against a sink that refuses the daemon's token (HTTP 401): the run ends with
# exit 69 instead of waiting for ever on the paused sink, and no checkpoint moves past
# what was not delivered.  With the token fixed, the next --once delivers every record of
# the range exactly once (checked by content against ocisim --dump).
. "$(dirname "$0")/e2e2_lib.sh"

BACKLOG_S=30
start_ocisim
start_sink a --require-header "Authorization: Bearer r1ght"
conf_head "$T/daemon.conf"
sink_section a raw "token = wr0ng" "retry_max_delay = 1s" >> "$T/daemon.conf"

timeout 60 "$BUILD/oci-logfwd" -c "$T/daemon.conf" --once >"$T/once1.out" 2>"$T/once1.log"
rc=$?
cat "$T/once1.log"
[ "$rc" = 69 ] || { echo "FAIL: --once with a refused token exited $rc, want 69"; exit 1; }
grep -q "HTTP 401" "$T/once1.log" || { echo "FAIL: the 401 is not logged"; exit 1; }
grep -q "wr0ng" "$T/once1.log" "$T/once1.out" && { echo "FAIL: the token was logged"; exit 1; }
[ ! -s "$T/a.out" ] || { echo "FAIL: the sink received events it refused"; exit 1; }
if [ -s "$T/state/s.state" ]; then
	cp=$(checkpoint_ms)
	[ "$cp" -le "$START_MS" ] || { echo "FAIL: checkpoint moved to $cp past $START_MS"; exit 1; }
fi

sed -i 's/^token = wr0ng$/token = r1ght/' "$T/daemon.conf"
timeout 60 "$BUILD/oci-logfwd" -c "$T/daemon.conf" --once >"$T/once2.out" 2>"$T/once2.log"
rc=$?
[ "$rc" = 0 ] || { cat "$T/once2.log"; echo "FAIL: --once with the right token exited $rc"; exit 1; }
cp=$(checkpoint_ms)
[ "$cp" -gt "$START_MS" ] || { echo "FAIL: the checkpoint did not move"; exit 1; }
expected "$START_MS" "$cp"
verify a raw "$cp" exact || exit 1
echo PASS
