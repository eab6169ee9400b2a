#!/usr/bin/env bash
# A revoked token: the sink answers 403 for 12 s (IT_AUTH_FAIL_S), then accepts again.
# The sink pauses with its queue kept (probing every retry_max_delay = 2 s), reports
# itself unhealthy, logs the 403 once, dead-letters nothing, and delivers everything once
# the token works again.
. "$(dirname "$0")/sink_lib.sh"
FAIL_S=${IT_AUTH_FAIL_S:-12}
N=$(scaled 20000)
start_sinksim auth --mode datadog --fail-for-s "$FAIL_S:403" --require-header "DD-API-KEY: k3y"
sink_conf "$T/auth.conf" <<CONF
[sink dd]
type = datadog
url = http://127.0.0.1:$PORT
api_key = k3y
batch_timeout = 200ms
retry_initial = 100ms
retry_max_delay = 2s
CONF
start=$(date +%s)
out=$("$BUILD/sinkdrv" --config "$T/auth.conf" --events "$N" --state-dir "$T" \
    --timeout-s $((FAIL_S + 25)) 2>"$T/drv.log")
rc=$?
secs=$(( $(date +%s) - start ))
stop_sinksim
echo "$out"; cat "$T/drv.log"
line=$(printf '%s\n' "$out" | grep '^produced=')
[ $rc -eq 0 ] || { echo "FAIL: sinkdrv rc=$rc"; exit 1; }
[ "$(kv "$line" delivered)" = "$N" ] || { echo "FAIL: not all delivered"; exit 1; }
[ "$(kv "$line" dead_letter)" = 0 ] || { echo "FAIL: dead letters"; exit 1; }
[ ! -s "$T/dead-letter-dd.ndjson" ] || { echo "FAIL: dead-letter file written"; exit 1; }
[ "$(stat_of "$T/auth.stats" unique_events)" = "$N" ] || { echo "FAIL: sinksim count"; exit 1; }
n403=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['codes'].get('403',0))" "$T/auth.stats")
[ "$n403" -ge 2 ] || { echo "FAIL: expected several 403 probes, got $n403"; exit 1; }
[ "$(grep -c 'HTTP 403' "$T/drv.log")" = 1 ] || { echo "FAIL: the 403 should be logged once"; exit 1; }
grep -q 'resuming' "$T/drv.log" || { echo "FAIL: no recovery logged"; exit 1; }
[ "$secs" -ge "$FAIL_S" ] || { echo "FAIL: finished in ${secs}s, before the outage ended"; exit 1; }
echo "403 for ${FAIL_S}s: $n403 probes answered 403, then $N delivered, 0 dead-lettered (${secs}s)"
echo PASS
