#!/usr/bin/env bash
# A slow sink (sinksim --latency-ms) and a small queue.  when_full = block: the sink
# reports sink_full, the producer pauses and resumes, nothing is dropped.
# when_full = drop_newest: the producer does not pause, the sink drops and counts; what
# was not dropped is delivered.
. "$(dirname "$0")/sink_lib.sh"
N=$(scaled 20000)
for mode in block drop_newest; do
	start_sinksim "$mode" --mode http --latency-ms 30
	sink_conf "$T/$mode.conf" <<CONF
[sink bp]
type = http
url = http://127.0.0.1:$PORT
batch_max_events = 200
batch_timeout = 50ms
max_in_flight = 1
queue_max_events = 1000
when_full = $mode
CONF
	out=$("$BUILD/sinkdrv" --config "$T/$mode.conf" --events "$N" --state-dir "$T" --timeout-s 40 2>"$T/$mode.log")
	rc=$?
	stop_sinksim
	echo "$out"; cat "$T/$mode.log"
	line=$(printf '%s\n' "$out" | grep '^produced=')
	[ $rc -eq 0 ] || { echo "FAIL ($mode): sinkdrv rc=$rc"; exit 1; }
	delivered=$(kv "$line" delivered); dropped=$(kv "$line" dropped); pauses=$(kv "$line" full_pauses)
	uniq=$(stat_of "$T/$mode.stats" unique_events)
	[ "$uniq" = "$delivered" ] || { echo "FAIL ($mode): sinksim has $uniq, delivered $delivered"; exit 1; }
	if [ "$mode" = block ]; then
		[ "$delivered" = "$N" ] && [ "$dropped" = 0 ] || { echo "FAIL: block lost events"; exit 1; }
		[ "$pauses" -gt 0 ] || { echo "FAIL: block never signalled backpressure"; exit 1; }
		echo "block: producer paused $pauses times, resumed, $N delivered"
	else
		[ "$dropped" -gt 0 ] || { echo "FAIL: drop_newest dropped nothing"; exit 1; }
		[ $((delivered + dropped)) = "$N" ] || { echo "FAIL: drop_newest accounting"; exit 1; }
		[ "$pauses" = 0 ] || { echo "FAIL: drop_newest paused the producer"; exit 1; }
		grep -q 'dropped' "$T/$mode.log" || { echo "FAIL: drops not logged"; exit 1; }
		echo "drop_newest: $dropped dropped (counted and logged), $delivered delivered"
	fi
done
echo PASS
