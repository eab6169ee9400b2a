#!/usr/bin/env bash
# Issue 10 item 9 / issue 11 item 14: a FIFO where a secret file should be must not
# freeze the daemon.  A running daemon is reloaded (SIGHUP) with a new [oci] profile whose
# key_file is a FIFO (mode 0600, so the permission check passes): the reload is refused
# and says why, the daemon keeps running (it answers /healthz and keeps delivering), and
# SIGTERM still ends it (stop_daemon is bounded).  Before the fix, fopen() of the FIFO
# blocked the event loop for good.
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=40
gen_opts
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
start_ocisim
start_sink siem
BACKLOG_S=5
conf_head "$T/head.conf" "metrics_listen = 127.0.0.1:$MPORT"
SIEM=$(sink_section siem raw "batch_max_events = 100" "retry_initial = 100ms" "retry_max_delay = 1s")
{ cat "$T/head.conf"; printf '%s\n' "$SIEM"; } > "$T/daemon.conf"
start_daemon "$T/daemon.conf"; phase "daemon started"
wait_for 20 test -s "$T/siem.out" || fail "no event reached sink siem"

mkfifo -m 600 "$T/oci/key.fifo"
cat >> "$T/oci/config" <<CFG

[FIFO]
tenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy
user = ocid1.user.oc1..aaaaaaaatestonlyuser
fingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
key_file = $T/oci/key.fifo
region = us-ashburn-1
CFG
sed 's/^profile = DEFAULT$/profile = FIFO/' "$T/daemon.conf" > "$T/daemon.conf.new"
grep -q '^profile = FIFO$' "$T/daemon.conf.new" || fail "the test did not switch the profile"
mv "$T/daemon.conf.new" "$T/daemon.conf"
kill -HUP "$DPID"; phase "SIGHUP: key_file is a FIFO"
wait_for 15 grep -q "reload failed" "$T/daemon.log" ||
    fail "the reload with a FIFO key_file was not refused"
grep -q "key.fifo.*not a regular file" "$T/daemon.log" ||
    fail "the log does not say the key file is not a regular file"
grep -q "configuration reloaded" "$T/daemon.log" && fail "the reload was reported as applied"
healthz_answers() { http_get "http://127.0.0.1:$MPORT/healthz" | tail -n 1 | grep -q '^HTTP [1-9]'; }
wait_for 10 healthz_answers || fail "/healthz does not answer after the refused reload"
at=$(wc -l < "$T/siem.out")
siem_grew() { [ "$(wc -l < "$T/siem.out")" -gt "$at" ]; }
wait_for 20 siem_grew || fail "delivery stopped after the refused reload"
stop_daemon; phase "stopped by SIGTERM"
echo "PASS: a FIFO key_file in a reload was refused; the daemon kept running and stopped on SIGTERM"
