#!/usr/bin/env bash
# test_kafka_bad.sh — issue 13, test 4: among valid entries in one partition, a message
# that is not JSON, one nested deeper than any log entry, an array of non-objects (not
# log entries: counted as bad_records, dead-lettered with topic/partition/offset) and a
# poison record the sink rejects with 400 (dead-lettered by the sink).  The partition
# keeps flowing: every valid entry arrives exactly once, the accepted shapes (a
# search-result object, an array of entries) are forwarded, and the committed offset
# reaches the end (lag 0) past every bad message.
source "$(dirname "$0")/kafka_lib.sh"

N=$(scaled 1500)
start_kafka logs:1
start_sink raw --reject-match POISONPILL
P1=$(free_port)
write_kconf "$T/d.conf" grp "$P1" <<CONF
[sink raw]
type = http
url = http://127.0.0.1:$SINK_PORT/ingest
format = raw
batch_max_events = 100
batch_timeout = 100ms
dead_letter = $T/dl.ndjson
CONF
gen_entries "$N" 23 "$T/in.tsv"
python3 - "$T/in.tsv" "$T/msgs.txt" "$T/expected.ndjson" "$N" <<'PY'
import json, sys
src, out, exp, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
entries = [l.rstrip("\n").split("\t", 1)[1] for l in open(src)]
third = n // 3
msgs, expected = [], []
def valid(s):
    msgs.append(s); expected.append('{"datetime":0,"logContent":%s}' % s)
for s in entries[:third]: valid(s)
msgs.append("this is not JSON at all")                      # bad 1
msgs.append('{"a":' * 600 + '1' + '}' * 600)                # bad 2: too deep
for s in entries[third:2 * third]: valid(s)
msgs.append('[1,2,3]')                                      # bad 3: no log entries
pill = json.loads(entries[0]); pill["id"] = "POISONPILL"; pill["data"]["message"] = "POISONPILL"
msgs.append(json.dumps(pill, separators=(",", ":")))        # the sink rejects it (400)
sr = json.loads(entries[1]); sr["id"] = "search-shaped"
s = json.dumps(sr, separators=(",", ":"))
msgs.append('{"datetime":1741942800000,"logContent":%s}' % s); expected.append('{"datetime":0,"logContent":%s}' % s)
a1 = json.loads(entries[2]); a1["id"] = "array-1"; a2 = json.loads(entries[3]); a2["id"] = "array-2"
s1, s2 = json.dumps(a1, separators=(",", ":")), json.dumps(a2, separators=(",", ":"))
msgs.append("[%s,%s]" % (s1, s2))
expected += ['{"datetime":0,"logContent":%s}' % s1, '{"datetime":0,"logContent":%s}' % s2]
for s in entries[2 * third:]: valid(s)
open(out, "w").write("\n".join(msgs) + "\n")
open(exp, "w").write("\n".join(expected) + "\n")
PY
total=$(lines "$T/msgs.txt")
produce_lines "$T/msgs.txt" 0
want=$(lines "$T/expected.ndjson")
start_kdaemon "$T/d.conf" "$T/d.log"; D1=$KPID
flowed() { lag_is "$P1" 0 && owned_is "$P1" 1; }
if ! WAIT_PIDS=$D1 wait_for 60 flowed; then
	echo "FAIL: the partition did not flow to its end (lag $(kmetric "$P1" oci_logfwd_source_consumer_lag))"
	show_log "$T/d.log"; exit 1
fi
fails=0
bad=$(kmetric "$P1" oci_logfwd_source_bad_records_total)
echo "$total messages: bad_records $bad, sink events $(sink_events raw) (want $want)"
[ "$bad" = 3 ] || { echo "FAIL: bad_records $bad, not 3"; fails=1; }
check raw "$T/expected.ndjson" "$T/raw.out" || fails=1
python3 - "$T/dl.ndjson" "$T/msgs.txt" <<'PY' || fails=1
import json, sys
dl = [json.loads(l) for l in open(sys.argv[1])]
msgs = open(sys.argv[2]).read().split("\n")
src = [d for d in dl if "topic" in d]
ok = len(src) == 3 and all(d["topic"] == "logs" and d["partition"] == 0 and
                           msgs[d["offset"]] == d["message"] for d in src)
sink = [d for d in dl if "POISONPILL" in json.dumps(d) and d.get("status") == 400]
ok = ok and len(sink) == 1 and len(dl) == 4
print("dead letters: %d from the source (offsets %s), %d rejected by the sink -> %s" %
      (len(src), [d["offset"] for d in src], len(sink), "ok" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
n=$(grep -c "dead-lettering a message that is not a log entry" "$T/d.log")
[ "$n" -ge 1 ] || { echo "FAIL: nothing logged about the bad messages"; fails=1; }
[ "$fails" -eq 0 ] && echo "PASS" || show_log "$T/d.log"
exit "$fails"
