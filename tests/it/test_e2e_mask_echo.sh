#!/usr/bin/env bash
# Issue 11 item 10 (audit): OCI error text that echoes our Authorization header (ocisim
# --fault 500:echo-auth, as a careless gateway's error page does) is masked before it
# reaches the log or /healthz: keyId="***", signature="***" (/healthz may cut the text
# before the signature); the signature itself never
# appears.  The 500s are retried in place (the source waits, nothing is skipped).
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=20
gen_opts
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
start_ocisim --fault 500:every=1:burst=1:echo-auth
start_sink siem
BACKLOG_S=5
conf_head "$T/head.conf" "metrics_listen = 127.0.0.1:$MPORT"
{ cat "$T/head.conf"; sink_section siem raw; } > "$T/daemon.conf"
export OCI_LOGFWD_TEST_RETRY_SCALE=50
start_daemon "$T/daemon.conf"; phase "daemon started against a 500 that echoes Authorization"
echoed() { grep -q "fault: request" "$T/ocisim.log"; }
wait_for 20 echoed || fail "ocisim injected no fault"
logged() { grep -q "OCI is failing (500" "$T/daemon.log"; }
wait_for 20 logged || fail "the 500 was not logged"
health_has_error() {
	http_get "http://127.0.0.1:$MPORT/healthz" > "$T/healthz.txt"
	grep -q "request had Authorization" "$T/healthz.txt"
}
wait_for 20 health_has_error || { cat "$T/healthz.txt"; fail "/healthz does not show the OCI error"; }
stop_daemon; phase "stopped"
rc=0
for f in "$T/daemon.log" "$T/healthz.txt"; do
	grep -q 'request had Authorization' "$f" || { echo "FAIL: $f does not carry the echoed text"; rc=1; }
	if grep -Eq 'signature=\\?"[A-Za-z0-9+/=]{8,}' "$f"; then
		echo "FAIL: a signature reached $f:"; grep -Eo 'signature=\\?"[A-Za-z0-9+/=]{8,}' "$f" | head -2; rc=1
	fi
	if grep -Eq 'keyId=\\?"ocid1' "$f"; then echo "FAIL: the keyId reached $f"; rc=1; fi
	grep -Eq 'keyId=\\?"\*\*\*' "$f" || { echo "FAIL: no masked keyId in $f"; rc=1; }
done
[ "$rc" = 0 ] || fail "credentials echoed by OCI were not masked"
echo "PASS: an OCI error echoing the Authorization header is masked in the log and /healthz"
