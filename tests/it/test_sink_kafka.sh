#!/usr/bin/env bash
# test_sink_kafka.sh — type kafka end to end: an OCI search source (ocisim) feeds a kafka
# sink that produces into librdkafka's mock cluster (kafkamock); Debian's kcat, an
# independent client, reads the topic back.  Checked by content after the daemon read
# [A, B): every raw record exactly once as a message value, each message's key the
# 16-hex content fingerprint, and one key per distinct value.  A second kafka sink with
# max_message_bytes = 1700 (VCN flow records are ~1.3 kB, audit records ~2 kB here, and
# the engine's batches mix them): each too-large record is dead-lettered alone, every
# other record of the same batches arrives in its topic, each record in exactly one.  -t refuses a kafka sink
# without its topic, and compression = zstd on an HTTP sink.
source "$(dirname "$0")/kafka_lib.sh"

GEN="--rate 20/1 --seed 21 --flow-share 0.5 --ingest-delay audit=0s,flow=0s"
start_ocisim $GEN
start_kafka out:3 big:2

a_ms=$(( ($(now_ms) / 1000 - 8) * 1000 ))
A=$(iso_ms "$a_ms")
B=$(iso_ms $(( a_ms + 6000 )))
write_conf "$T/daemon.conf" <<CONF
[source main]
query = $QUERY
interval = 1s
lag = 1s
window = 10s
start = $A

[sink k]
type = kafka
bootstrap_servers = $KAFKA_BS
topic = out
security_protocol = plaintext
compression = lz4
format = raw
batch_timeout = 100ms

[sink big]
type = kafka
bootstrap_servers = $KAFKA_BS
topic = big
security_protocol = plaintext
max_message_bytes = 1700
format = raw
batch_timeout = 100ms
CONF

fails=0
if "$BUILD/oci-logfwd" -c "$T/daemon.conf" -t >"$T/t.out" 2>&1; then
	echo "ok: -t accepts type kafka"
else
	echo "FAIL: -t refuses the config:"; cat "$T/t.out"; fails=$((fails + 1))
fi
bad_conf() {
	write_conf "$T/bad.conf" <<CONF
[source main]
query = $QUERY

[sink s]
$1
CONF
	if "$BUILD/oci-logfwd" -c "$T/bad.conf" -t >"$T/bad.out" 2>&1; then
		echo "FAIL: -t accepted: $1"; fails=$((fails + 1))
	elif grep -q "\[sink s\] $2" "$T/bad.out"; then
		echo "ok: -t refuses: $(grep -m1 "\[sink s\] $2" "$T/bad.out")"
	else
		echo "FAIL: -t did not name $2 for: $1"; cat "$T/bad.out"; fails=$((fails + 1))
	fi
}
bad_conf $'type = kafka\nbootstrap_servers = 127.0.0.1:9092\nsecurity_protocol = plaintext' "topic"
bad_conf $'type = kafka\ntopic = t\nbootstrap_servers = 127.0.0.1:9092' "sasl_username"
bad_conf $'type = http\nurl = http://127.0.0.1:1/\ncompression = zstd' "compression"

start_daemon "$T/daemon.conf" "$T/daemon.log"

# readback OUT: the topic's messages as "KEY<TAB>VALUE" lines (kcat, to the end).
# readback OUT [TOPIC]: TOPIC's (default out) messages as "KEY<TAB>VALUE" lines.
readback() { kcat -C -b "$KAFKA_BS" -t "${2:-out}" -o beginning -e -q -f '%k\t%s\n' >"$1" 2>"$T/kcat-c.err"; }
# split_done: the big topic and big's dead letters hold every record of [A, B) between them.
split_done() {
	readback "$T/big.tsv" big
	cut -f2- "$T/big.tsv" >"$T/big-values.ndjson"
	[ -f "$T/state/dead-letter-big.ndjson" ] || return 1
	python3 -c 'import json,sys
for l in open(sys.argv[1]): print(json.dumps(json.loads(l)["event"]))' \
	    "$T/state/dead-letter-big.ndjson" >"$T/big-dl.ndjson" || return 1
	cat "$T/big-values.ndjson" "$T/big-dl.ndjson" >"$T/big-all.ndjson"
	check raw "$T/expected.ndjson" "$T/big-all.ndjson" --from "$A" --to "$B"
}
dump "$A" "$B" "$T/expected.ndjson" $GEN
# Done when the topic holds every record of [A, B) (check re-run on a fresh read-back).
ok=0
end=$(( $(date +%s) + 40 ))
while [ "$(date +%s)" -lt "$end" ]; do
	readback "$T/out.tsv"
	cut -f2- "$T/out.tsv" >"$T/values.ndjson"
	if check raw "$T/expected.ndjson" "$T/values.ndjson" --from "$A" --to "$B" >/dev/null 2>&1 &&
	    split_done >/dev/null 2>&1; then
		ok=1; break
	fi
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.3
done
[ "$ok" = 1 ] || { echo "FAIL: the topic did not get [$A, $B) within 40 s"; fails=$((fails + 1)); }
stop_daemon
readback "$T/out.tsv"

echo "range [$A, $B): $(lines "$T/expected.ndjson") records, topic: $(lines "$T/out.tsv") messages"
cut -f2- "$T/out.tsv" >"$T/values.ndjson"
check raw "$T/expected.ndjson" "$T/values.ndjson" --from "$A" --to "$B" || fails=$((fails + 1))
if python3 - "$T/out.tsv" <<'PY'
import re, sys
keys = {}
bad = 0
for l in open(sys.argv[1]):
    k, _, v = l.rstrip("\n").partition("\t")
    if not re.fullmatch(r"[0-9a-f]{16}", k):
        bad += 1; print("  key is not 16 hex digits:", k[:40])
    keys.setdefault(v, set()).add(k)
multi = sum(1 for s in keys.values() if len(s) > 1)
print("messages: %d distinct values, %d with more than one key" % (len(keys), multi))
sys.exit(1 if bad or multi or not keys else 0)
PY
then echo "ok: every key is the value's 16-hex fingerprint, one key per content"
else echo "FAIL: message keys"; fails=$((fails + 1)); fi

# big: delivered and dead-lettered partition [A, B), each record once; the dead-lettered
# are exactly the large ones.
split_done || fails=$((fails + 1))
if python3 - "$T/big-values.ndjson" "$T/big-dl.ndjson" "$T/state/dead-letter-big.ndjson" <<'PY'
import json, sys
size = lambda l: len(l.rstrip("\n").encode())
ok = [size(l) for l in open(sys.argv[1]) if l.strip()]
dl = [size(json.dumps(json.loads(l), separators=(",", ":"))) for l in open(sys.argv[2]) if l.strip()]
reasons = set(json.loads(l).get("response", "") for l in open(sys.argv[3]))
print("big: %d delivered (largest %d B), %d dead-lettered (smallest %d B), reasons %s" %
      (len(ok), max(ok or [0]), len(dl), min(dl or [0]), sorted(r[:60] for r in reasons)))
sys.exit(0 if ok and dl and max(ok) < 1700 and min(dl) > 1600 else 1)
PY
then echo "ok: only the records over max_message_bytes were dead-lettered, each alone; the rest arrived"
else echo "FAIL: the too-large split"; fails=$((fails + 1)); fi

if [ "$fails" -ne 0 ]; then show_log "$T/daemon.log" 2>/dev/null || tail -20 "$T/daemon.log"; echo "test_sink_kafka: $fails failure(s)"; exit 1; fi
echo "test_sink_kafka: ok"
