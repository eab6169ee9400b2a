#!/usr/bin/env bash
# test_kafka_auth.sh — issue 13: when the brokers refuse the SASL credentials, the
# streaming source and the kafka sink say which cause, decided by the error code and the
# username's form (never by the broker's words): a well-formed OCI username
# (TENANCY/USER/ocid1.streampool...) means the auth token was refused; a malformed one is
# named as such.  Against kafkasasl (a broker that only does SASL/PLAIN, answering a wrong
# user or password with SASL_AUTHENTICATION_FAILED as Kafka does), for the source and the
# sink: --once and --probe exit 69 with the message; the daemon stays up, logs the cause
# once (not once per reconnect), and /healthz names it.  Two kafka sinks each log their
# own refusal (the sink's memory of its last error was shared by all kafka sinks).  The
# right credentials are accepted and draw no refusal message; the sink's --probe then
# reads the topic's partitions, and warns of a topic the brokers do not have.  -t refuses
# what OCI Streaming would, and needs no OCI configuration for streaming-only files.
source "$(dirname "$0")/kafka_lib.sh"
if [ ! -x "$BUILD/kafkasasl" ]; then echo "skip: $BUILD/kafkasasl not built"; exit 77; fi

USER_OK="mytenancy/oracleidentitycloudservice/jane@example.com/ocid1.streampool.oc1.iad.amaaaaaatestpool"
USER_BAD="mytenancy/jane@example.com"   # no stream pool OCID: not OCI's form
TOKEN_MSG="the username's form is right; the broker refused the auth token in sasl_password_file"
FORM_MSG="sasl_username is not in the OCI form TENANCY_NAME/USER_NAME/STREAM_POOL_OCID"

rm -f "$T/sasl.bs"
"$BUILD/kafkasasl" --user "$USER_OK" --password 'right-T0ken' --topic out:3 --bootstrap-file "$T/sasl.bs" \
    >/dev/null 2>"$T/sasl.log" &
PIDS="$PIDS $!"
for _ in $(seq 1 200); do [ -s "$T/sasl.bs" ] && break; sleep 0.05; done
[ -s "$T/sasl.bs" ] || { echo "FAIL: kafkasasl did not start"; cat "$T/sasl.log"; exit 1; }
SASL_BS=$(cat "$T/sasl.bs")
printf 'wrong-T0ken\n' >"$T/tok.wrong"
printf 'right-T0ken\n' >"$T/tok.right"
chmod 600 "$T/tok.wrong" "$T/tok.right"
# refusals USER: how many times kafkasasl refused USER so far.
refusals() { grep -cF "kafkasasl: auth refused user=$1" "$T/sasl.log"; }

# A plaintext cluster with records, feeding the kafka sink cases.
N=20
start_kafka logs:2
gen_entries "$N" 41 "$T/in.tsv"
produce "$T/in.tsv"

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# src_conf FILE USER TOKEN_FILE [METRICS_PORT]: a streaming source on kafkasasl.
src_conf() {
	mkdir -p "$T/state-src"
	cat >"$1" <<CONF
[daemon]
state_dir = $T/state-src
shutdown_timeout = 5s
${4:+metrics_listen = 127.0.0.1:$4}

[source s]
type = streaming
bootstrap_servers = $SASL_BS
topic = logs
group_id = g-auth
security_protocol = sasl_plaintext
sasl_username = $2
sasl_password_file = $3

[sink f]
type = file
path = $T/src-out.ndjson
CONF
}

# sink_conf FILE USER TOKEN_FILE GROUP [METRICS_PORT]: kafkamock's records into kafka
# sinks on kafkasasl (two of them when a metrics port is given: the daemon case).
sink_conf() {
	mkdir -p "$T/state-$4"
	{
		cat <<CONF
[daemon]
state_dir = $T/state-$4
shutdown_timeout = 5s
${5:+metrics_listen = 127.0.0.1:$5}

[source stream]
type = streaming
bootstrap_servers = $KAFKA_BS
topic = logs
group_id = $4
security_protocol = plaintext

[sink k1]
type = kafka
bootstrap_servers = $SASL_BS
topic = out
security_protocol = sasl_plaintext
sasl_username = $2
sasl_password_file = $3
format = raw
batch_timeout = 100ms
retry_max_delay = 1s
CONF
		[ -n "${5:-}" ] && cat <<CONF

[sink k2]
type = kafka
bootstrap_servers = $SASL_BS
topic = out2
security_protocol = sasl_plaintext
sasl_username = $2
sasl_password_file = $3
format = raw
batch_timeout = 100ms
retry_max_delay = 1s
CONF
	} >"$1"
}

# oneshot NAME EXPECT_TEXT ARGS...: the run exits 69 and its output holds EXPECT_TEXT.
oneshot() {
	local name=$1 want=$2 t0=$SECONDS; shift 2
	timeout 60 "$BUILD/oci-logfwd" "$@" >"$T/$name.out" 2>&1; local rc=$?
	if [ "$rc" -ne 69 ]; then
		fail "$name: exit $rc (want 69)"; show_log "$T/$name.out"
	elif ! grep -qF "$want" "$T/$name.out"; then
		fail "$name: no \"$want\""; show_log "$T/$name.out"
	else
		echo "ok: $name: exit 69 after $((SECONDS - t0)) s: $(grep -m1 -oF "$want" "$T/$name.out")"
	fi
}

# --- the source --------------------------------------------------------------------
src_conf "$T/src-token.conf" "$USER_OK" "$T/tok.wrong"
src_conf "$T/src-form.conf" "$USER_BAD" "$T/tok.right"
oneshot src-once-token "$TOKEN_MSG" -c "$T/src-token.conf" --once
oneshot src-probe-token "$TOKEN_MSG" -c "$T/src-token.conf" --probe
oneshot src-once-form "$FORM_MSG" -c "$T/src-form.conf" --once
oneshot src-probe-form "$FORM_MSG" -c "$T/src-form.conf" --probe
grep -q "^source  *s  *FAILED" "$T/src-probe-token.out" || fail "--probe: no FAILED row for the source"
# The right credentials: accepted, and no refusal is reported (kafkasasl then closes the
# connection at the first request it does not serve: another failure, not this one).
src_conf "$T/src-right.conf" "$USER_OK" "$T/tok.right"
before=$(grep -c "auth accepted user=$USER_OK" "$T/sasl.log")
timeout 60 "$BUILD/oci-logfwd" -c "$T/src-right.conf" --probe >"$T/src-right.out" 2>&1
[ "$(grep -c "auth accepted user=$USER_OK" "$T/sasl.log")" -gt "$before" ] ||
	fail "the right token was not accepted by kafkasasl"
grep -q "refused the credentials" "$T/src-right.out" &&
	fail "a refusal reported for accepted credentials: $(grep -m1 refused "$T/src-right.out")"

# Daemon: stays up, logs the cause once however often librdkafka reconnects, /healthz
# answers 503 naming the source and the cause.
PS=$(free_port)
src_conf "$T/src-daemon.conf" "$USER_OK" "$T/tok.wrong" "$PS"
r0=$(refusals "$USER_OK")
start_kdaemon "$T/src-daemon.conf" "$T/src-daemon.log"; DS=$KPID
health() { python3 -c 'import sys,urllib.request,urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5); print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
except Exception as e:
    print("ERR", e)' "http://127.0.0.1:$1/healthz"; }
end=$(( $(date +%s) + 60 ))
until [ $(( $(refusals "$USER_OK") - r0 )) -ge 4 ]; do
	[ "$(date +%s)" -ge "$end" ] && { fail "the source did not reconnect 4 times"; break; }
	kill -0 "$DS" 2>/dev/null || break
	sleep 0.2
done
echo "source daemon: refused $(( $(refusals "$USER_OK") - r0 )) times"
kill -0 "$DS" 2>/dev/null || fail "the daemon exited on a refusal"
n=$(grep -c "\[source s\] kafka: the brokers refused the credentials" "$T/src-daemon.log")
[ "$n" = 1 ] || fail "the source's refusal was logged $n times (want once)"
grep -F "[source s]" "$T/src-daemon.log" | grep -qF "$TOKEN_MSG" || fail "the daemon's log lacks the cause"
# unhealthy PORT KIND NAME TEXT: /healthz answers 503 and names KIND NAME with an error
# holding TEXT.
unhealthy() { python3 -c 'import json,sys,urllib.request,urllib.error
port, kind, name, text = sys.argv[1:]
try:
    urllib.request.urlopen("http://127.0.0.1:%s/healthz" % port, timeout=5)
    sys.exit(1)
except urllib.error.HTTPError as e:
    if e.code != 503:
        sys.exit(1)
    body = json.loads(e.read().decode())
except Exception:
    sys.exit(1)
sys.exit(0 if any(p.get(kind) == name and text in p.get("error", "")
                  for p in body.get("problems", [])) else 1)' "$@"; }
src_unhealthy() { unhealthy "$PS" source s "credentials refused: the username's form is right"; }
end=$(( $(date +%s) + 30 ))
until src_unhealthy; do
	[ "$(date +%s)" -ge "$end" ] && { fail "/healthz does not name the refusal: $(health "$PS")"; break; }
	sleep 0.2
done
echo "source /healthz: $(health "$PS" | cut -c1-200)"
t0=$SECONDS; kill -TERM "$DS"; wait "$DS"; rc=$?
echo "source daemon: stopped in $((SECONDS - t0)) s"
[ "$rc" -eq 0 ] || fail "the daemon's SIGTERM exit was $rc"

# --- the sink ----------------------------------------------------------------------
sink_conf "$T/sink-token.conf" "$USER_OK" "$T/tok.wrong" g-sink1
sink_conf "$T/sink-form.conf" "$USER_BAD" "$T/tok.right" g-sink2
oneshot sink-once-token "$TOKEN_MSG" -c "$T/sink-token.conf" --once
oneshot sink-probe-token "$TOKEN_MSG" -c "$T/sink-token.conf" --probe
oneshot sink-once-form "$FORM_MSG" -c "$T/sink-form.conf" --once
oneshot sink-probe-form "$FORM_MSG" -c "$T/sink-form.conf" --probe
grep -q "^sink  *k1  *FAILED" "$T/sink-probe-token.out" || fail "--probe: no FAILED row for the sink"
# Nothing was delivered, so nothing was committed: the group still lags by every record.
"$BUILD/oci-logfwd" -c "$T/sink-token.conf" --probe >"$T/sink-lag.out" 2>&1
grep -q "the group's lag $N messages" "$T/sink-lag.out" ||
	fail "the refused --once moved the group's offsets: $(grep -o "the group's lag [0-9]* messages" "$T/sink-lag.out")"

# The right credentials: --probe authenticates and reads the topic's partitions; a topic
# the brokers do not have is a warning with the fix (brokers that create topics on first
# use would make it), not a failure.
sink_conf "$T/sink-right.conf" "$USER_OK" "$T/tok.right" g-sink4
cat >>"$T/sink-right.conf" <<CONF

[sink k9]
type = kafka
bootstrap_servers = $SASL_BS
topic = nosuch
security_protocol = sasl_plaintext
sasl_username = $USER_OK
sasl_password_file = $T/tok.right
CONF
timeout 60 "$BUILD/oci-logfwd" -c "$T/sink-right.conf" --probe >"$T/sink-right.out" 2>&1; rc=$?
grep "^sink" "$T/sink-right.out"
[ "$rc" -eq 0 ] || fail "--probe with the right credentials: exit $rc"
grep -q "^sink  *k1  *OK  *kafka topic out at $SASL_BS: 3 partitions" "$T/sink-right.out" ||
	fail "--probe did not read the 3 partitions of out"
grep -q "^sink  *k9  *WARN  *kafka topic nosuch at $SASL_BS: no such topic" "$T/sink-right.out" &&
	grep -q "Topic nosuch does not exist: create it" "$T/sink-right.out" ||
	fail "--probe of a missing topic: no WARN with the fix"
grep -q "refused" "$T/sink-right.out" && fail "a refusal reported for accepted credentials"

# Daemon with two kafka sinks refused: each logs its own refusal, once; /healthz names
# both; the daemon stays up.
PK=$(free_port)
sink_conf "$T/sink-daemon.conf" "$USER_OK" "$T/tok.wrong" g-sink3 "$PK"
r0=$(refusals "$USER_OK")
start_kdaemon "$T/sink-daemon.conf" "$T/sink-daemon.log"; DK=$KPID
end=$(( $(date +%s) + 60 ))
until [ $(( $(refusals "$USER_OK") - r0 )) -ge 8 ]; do
	[ "$(date +%s)" -ge "$end" ] && { fail "the sinks did not reconnect 8 times"; break; }
	kill -0 "$DK" 2>/dev/null || break
	sleep 0.2
done
echo "sink daemon: refused $(( $(refusals "$USER_OK") - r0 )) times (two sinks)"
kill -0 "$DK" 2>/dev/null || fail "the daemon exited on a refusal"
for k in k1 k2; do
	n=$(grep -c "\[sink $k\] kafka: the brokers refused the credentials" "$T/sink-daemon.log")
	[ "$n" = 1 ] || fail "sink $k's refusal was logged $n times (want once)"
done
sinks_unhealthy() { unhealthy "$PK" sink k1 "credentials refused: the username's form is right" &&
	unhealthy "$PK" sink k2 "credentials refused: the username's form is right"; }
end=$(( $(date +%s) + 30 ))
until sinks_unhealthy; do
	[ "$(date +%s)" -ge "$end" ] && { fail "/healthz does not name both sinks: $(health "$PK")"; break; }
	sleep 0.2
done
echo "sinks /healthz: $(health "$PK" | cut -c1-160)"
t0=$SECONDS; kill -TERM "$DK"; wait "$DK"; rc=$?
echo "sink daemon: stopped in $((SECONDS - t0)) s"
[ "$rc" -eq 0 ] || fail "the daemon's SIGTERM exit was $rc"

# --- -t ----------------------------------------------------------------------------
# OCI Streaming's endpoint with a malformed username: refused on its line; with the
# right form the file passes -t without any OCI configuration (HOME has none).
mkdir -p "$T/home"
sed "s|^bootstrap_servers = .*|bootstrap_servers = cell-1.streaming.us-ashburn-1.oci.oraclecloud.com:9092|; s|^security_protocol = .*|security_protocol = sasl_ssl|" \
    "$T/src-form.conf" >"$T/t-bad.conf"
HOME="$T/home" "$BUILD/oci-logfwd" -t -c "$T/t-bad.conf" >"$T/t-bad.out" 2>&1; rc=$?
if [ "$rc" -eq 78 ] && grep -q "\[source s\] sasl_username: is not in the OCI form" "$T/t-bad.out"; then
	echo "ok: -t: $(grep -m1 -o "sasl_username: is not in the OCI form[^(]*" "$T/t-bad.out")"
else
	fail "-t with a malformed OCI username: exit $rc"; cat "$T/t-bad.out"
fi
sed "s|^bootstrap_servers = .*|bootstrap_servers = cell-1.streaming.us-ashburn-1.oci.oraclecloud.com:9092|; s|^security_protocol = .*|security_protocol = sasl_ssl|" \
    "$T/src-token.conf" >"$T/t-good.conf"
HOME="$T/home" "$BUILD/oci-logfwd" -t -c "$T/t-good.conf" >"$T/t-good.out" 2>&1; rc=$?
[ "$rc" -eq 0 ] || { fail "-t of a streaming-only file: exit $rc"; cat "$T/t-good.out"; }
[ "$(grep -c "sasl_password_file" "$T/t-good.out")" = 1 ] ||
	fail "-t shows sasl_password_file $(grep -c sasl_password_file "$T/t-good.out") times"

# No token ever reaches an output or a log.
cat "$T"/*.out "$T"/*-daemon.log | grep -qF -e 'wrong-T0ken' -e 'right-T0ken' && fail "a token was printed"

[ "$fails" -eq 0 ] && echo "PASS"
exit "$fails"
