# Shared helpers for tests/it/test_kafka_*.sh (sourced, not run; not matched by test_*.sh).
#
# A [source] type = streaming end to end: kafkamock (librdkafka's mock cluster) plays the
# Kafka / OCI Streaming cluster, Debian's kcat is the independent client that produces
# the records, sinksim the HTTP sink; on top of e2e_lib.sh (check, start_sink, ...).
source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
if [ ! -x "$BUILD/kafkamock" ]; then echo "skip: $BUILD/kafkamock not built"; exit 77; fi
if ! command -v kcat >/dev/null 2>&1; then echo "skip: kcat not installed (make deps)"; exit 77; fi
# A killed group member is noticed after this, not the default 45 s.
export OCI_LOGFWD_TEST_KAFKA_SESSION_TIMEOUT_MS=6000

# start_kafka [--OPTION=VALUE]... TOPIC:PARTITIONS...: a mock cluster (kafkamock, with
# those options); sets KAFKA_BS, KAFKA_PID and KAFKA_ERR (its stderr).  Each call starts
# another cluster.
KAFKA_N=0
start_kafka() {
	local args=() t bs
	for t in "$@"; do
		case "$t" in --*) args+=("$t") ;; *) args+=(--topic "$t") ;; esac
	done
	KAFKA_N=$((KAFKA_N + 1))
	bs="$T/kafka$KAFKA_N.bs"
	KAFKA_ERR="$T/kafkamock$KAFKA_N.err"
	"$BUILD/kafkamock" --brokers 1 "${args[@]}" --bootstrap-file "$bs" \
	    >/dev/null 2>"$KAFKA_ERR" &
	KAFKA_PID=$!
	PIDS="$PIDS $KAFKA_PID"
	for _ in $(seq 1 200); do [ -s "$bs" ] && break; sleep 0.05; done
	if [ ! -s "$bs" ]; then echo "FAIL: kafkamock did not start"; cat "$KAFKA_ERR"; exit 1; fi
	KAFKA_BS=$(cat "$bs")
}

# gen_entries N SEED OUT: N distinct log entries (the logContent objects Service
# Connector Hub writes), "KEY<TAB>JSON" a line in OUT (kcat -K), and the same records as
# search results ({"datetime","logContent"}) in OUT.expected for `check raw`.
gen_entries() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, random, sys
n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
r = random.Random(seed)
with open(out, "w") as f, open(out + ".expected", "w") as e:
    for i in range(n):
        lc = {"data": {"message": "entry %d of seed %d: %08x" % (i, seed, r.getrandbits(32)),
                       "level": r.choice(["INFO", "WARN", "ERROR"])},
              "id": "k-%d-%d" % (seed, i),
              "oracle": {"compartmentid": "ocid1.compartment.oc1..test",
                         "loggroupid": "ocid1.loggroup.oc1..test",
                         "logid": "ocid1.log.oc1..test", "tenantid": "ocid1.tenancy.oc1..test"},
              "source": "app-%d" % (i % 7), "specversion": "1.0",
              "time": "2025-03-14T09:%02d:%02d.%03dZ" % (i // 60000 % 60, i // 1000 % 60, i % 1000),
              "type": "com.oraclecloud.logging.custom.test"}
        s = json.dumps(lc, separators=(",", ":"))
        f.write("key-%d\t%s\n" % (i, s))
        e.write('{"datetime":0,"logContent":%s}\n' % s)
PY
}

# produce FILE [TOPIC]: kcat produces FILE's "KEY<TAB>VALUE" lines (keys spread them
# over the partitions).
produce() {
	kcat -P -b "$KAFKA_BS" -t "${2:-logs}" -K $'\t' -l "$1" 2>"$T/kcat.err" || {
		echo "FAIL: kcat could not produce"; cat "$T/kcat.err"; exit 1; }
}

# produce_lines FILE PARTITION [TOPIC]: kcat produces each line of FILE as one message
# (no key), in order, into PARTITION.
produce_lines() {
	kcat -P -b "$KAFKA_BS" -t "${3:-logs}" -p "$2" -l "$1" 2>"$T/kcat.err" || {
		echo "FAIL: kcat could not produce"; cat "$T/kcat.err"; exit 1; }
}

# write_kconf FILE GROUP METRICS_PORT < [sink] sections: a daemon with one streaming source
# (KSOURCE_EXTRA: more lines for its section).
write_kconf() {
	mkdir -p "$T/state-$2-$3"
	{
		cat <<CONF
[daemon]
state_dir = $T/state-$2-$3
stats_interval = 5s
shutdown_timeout = 10s
metrics_listen = 127.0.0.1:$3

[source stream]
type = streaming
bootstrap_servers = $KAFKA_BS
topic = logs
group_id = $2
security_protocol = plaintext
start = earliest
${KSOURCE_EXTRA:-}

CONF
		cat
	} >"$1"
}

# start_kdaemon CONF LOG: a daemon; sets KPID (and adds it to PIDS).
start_kdaemon() {
	OCI_LOGFWD_TEST_RETRY_SCALE="${OCI_LOGFWD_TEST_RETRY_SCALE:-100}" \
	    "$BUILD/oci-logfwd" -c "$1" >>"$2" 2>&1 &
	KPID=$!
	PIDS="$PIDS $KPID"
}

# kmetric PORT NAME: the sum of every sample of NAME on the daemon's /metrics.
kmetric() {
	http_get "http://127.0.0.1:$1/metrics" | awk -v n="$2" '
		index($0, n "{") == 1 || index($0, n " ") == 1 { s += $NF; f = 1 }
		END { if (f) print s; else print "" }'
}

# ksmetric PORT NAME SOURCE: the sum of the samples of NAME labelled source="SOURCE"
# (empty when there is none).
ksmetric() {
	http_get "http://127.0.0.1:$1/metrics" | awk -v n="$2" -v s="source=\"$3\"" '
		(index($0, n "{") == 1) && index($0, s) { v += $NF; f = 1 }
		END { if (f) print v; else print "" }'
}

# owned_is PORT N [PORT N]...: each daemon owns N partitions (all its streaming sources).
owned_is() {
	while [ "$#" -ge 2 ]; do
		[ "$(kmetric "$1" oci_logfwd_source_partitions_owned)" = "$2" ] || return 1
		shift 2
	done
}

# lag_is PORT N [PORT N]...: each daemon's consumer lag (all partitions) is N.
lag_is() {
	while [ "$#" -ge 2 ]; do
		[ "$(kmetric "$1" oci_logfwd_source_consumer_lag)" = "$2" ] || return 1
		shift 2
	done
}

# wait_for SECONDS CMD [ARG]...: runs CMD again every 0.2 s until it succeeds (0), or
# 1 when SECONDS have passed or a process of WAIT_PIDS (if set) is gone.
wait_for() {
	local end=$(( $(date +%s) + $1 )) p
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		for p in ${WAIT_PIDS:-}; do kill -0 "$p" 2>/dev/null || return 1; done
		sleep 0.2
	done
}
