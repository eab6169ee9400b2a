#!/usr/bin/env bash
# test_config.sh — the command line and the configuration file, end to end:
# -t on the reference config, a broken copy (exit 78, file:line [section] key), masked
# secrets, --version/--help, usage errors (64), option validation, SIGHUP reload with a
# bad file (old config kept), SIGTERM (exit 0), and `systemd-analyze verify` on the unit.
set -u
unset JOURNAL_STREAM
BUILD=${BUILD:-build}
BIN=$BUILD/oci-logfwd
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
T=$(mktemp -d /tmp/test_config.XXXXXX)
DPID=
NPID=
SIMPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect RC DESCRIPTION -- command...: runs it, output in $T/out and $T/err
expect() {
	local want=$1 what=$2; shift 3
	"$@" >"$T/out" 2>"$T/err"; local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else
		bad "$what: exit $rc, wanted $want"; sed 's/^/    /' "$T/err" | head -20; fi
}
has() { # has FILE TEXT DESCRIPTION
	if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3: no \"$2\" in $1:"; sed 's/^/    /' "$1" | head -20; fi
}
hasnt() {
	if grep -qF -- "$2" "$1"; then bad "$3: \"$2\" found in $1"; else ok "$3"; fi
}

[ -x "$BIN" ] || { echo "no $BIN (run make first)"; exit 1; }

# --- the reference configuration passes, given what start-up needs: its secrets
# (LoadCredential=) and its state folder (StateDirectory=)
mkdir -m 700 "$T/refcreds" "$T/refstate"
printf 'DD-KEY\n' >"$T/refcreds/datadog-api-key"; printf 'HEC-TOKEN\n' >"$T/refcreds/splunk-hec-token"
chmod 600 "$T/refcreds"/*
export CREDENTIALS_DIRECTORY="$T/refcreds" STATE_DIRECTORY="$T/refstate"
# -t loads the OCI credentials as start-up does: give ~/.oci/config (HOME) and the demo's
# DEMO_DIR an SDK config with the test-only key.
oci_cfg() { # oci_cfg DIR
	mkdir -p "$1"; cp tests/data/oci/testonly-api-key.pem "$1/key.pem"; chmod 600 "$1/key.pem"
	printf '[DEFAULT]\ntenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy\nuser = ocid1.user.oc1..aaaaaaaatestonlyuser\nfingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\nkey_file = %s/key.pem\nregion = us-ashburn-1\n' "$1" > "$1/config"
}
oci_cfg "$T/home/.oci"; oci_cfg "$T/demo/oci"
export HOME="$T/home"
expect 0 "-t on conf/oci-logfwd.conf" -- "$BIN" -t -c conf/oci-logfwd.conf
has "$T/out" "[sink siem]" "effective config printed"
has "$T/out" "queue_max_bytes = 64MiB" "defaults filled in"
mkdir -p "$T/demo/state"
expect 0 "--check-config (long form) on conf/demo.conf" -- env DEMO_DIR="$T/demo" OCISIM_PORT=1 \
	"$BIN" --check-config --config conf/demo.conf
has "$T/out" "endpoint = http://127.0.0.1:1" "\${VAR} expanded in demo.conf"

# --- a broken copy: bad size -> 78, message names file, line, section and key
cp conf/oci-logfwd.conf "$T/broken.conf"
line=$(grep -n '^batch_max_bytes = 1MiB' "$T/broken.conf" | head -1 | cut -d: -f1)
sed -i "${line}s/.*/batch_max_bytes = 12XB/" "$T/broken.conf"
expect 78 "-t on a broken copy" -- "$BIN" -t -c "$T/broken.conf"
has "$T/err" "$T/broken.conf:$line: [sink siem] batch_max_bytes: \"12XB\" is not a size" \
	"error names file:line [section] key"
# several errors at once, all reported
printf '[source a]\nquery = q\n[sink s]\ntype = http\nbatch_timeout = 1x\nfoo = 1\nsources = nope\n' \
	>"$T/multi.conf"
expect 78 "-t with several errors" -- "$BIN" -t -c "$T/multi.conf"
has "$T/err" "multi.conf:3: [sink s] url: missing" "missing url reported"
has "$T/err" "multi.conf:5: [sink s] batch_timeout" "bad duration reported"
has "$T/err" "multi.conf:6: [sink s] foo: unknown key" "unknown key reported"
has "$T/err" "multi.conf:7: [sink s] sources: \"nope\" is not a defined" "undefined source reported"
has "$T/err" "4 errors" "error count"
expect 78 "missing config file" -- "$BIN" -t -c "$T/absent.conf"
has "$T/err" "absent.conf: cannot open" "missing file named"
# the daemon refuses to start on a bad file, with the same messages
expect 78 "daemon on a broken file" -- "$BIN" -c "$T/broken.conf"
has "$T/err" "[sink siem] batch_max_bytes" "daemon logs the error"

unset CREDENTIALS_DIRECTORY

# --- secrets are masked in -t output (inline, _file, header, URL)
mkdir -m 700 "$T/creds"
printf 'FILE-SECRET-4711\n' >"$T/creds/hec"; chmod 600 "$T/creds/hec"
cat >"$T/secret.conf" <<'EOF'
[source a]
query = search "c/_Audit"
[sink hec]
type = splunk_hec
url = https://splunk.example:8088/services/collector/event
token_file = hec
[sink web]
type = http
url = https://bob:URL-SECRET-4712@web.example/in?token=QS-SECRET-4713
api_key = INLINE-SECRET-4714
header = Authorization: Bearer HDR-SECRET-4715
EOF
expect 0 "-t with secrets" -- env CREDENTIALS_DIRECTORY="$T/creds" "$BIN" -t -c "$T/secret.conf"
if grep -q 'SECRET-47' "$T/out" "$T/err"; then bad "a secret leaked into -t output"; grep 'SECRET-47' "$T/out"; else ok "no secret in -t output"; fi
has "$T/out" "token = ***" "token masked"
has "$T/out" "api_key = ***" "api_key masked"
chmod 644 "$T/creds/hec"
expect 78 "world-readable secret file" -- env CREDENTIALS_DIRECTORY="$T/creds" "$BIN" -t -c "$T/secret.conf"
has "$T/err" "chmod 600 $T/creds/hec" "tells how to fix the mode"
hasnt "$T/err" "FILE-SECRET" "secret not echoed"

# --- -t finds what start-up finds, and never hangs (on a FIFO or a device)
mkdir -p "$T/st"
ck() { # ck NAME: $T/NAME.conf = [daemon] + [source a] + stdin
	printf '[daemon]\nstate_dir = %s\n[source a]\nquery = search "c/_Audit"\n' "$T/st" >"$T/$1.conf"
	cat >>"$T/$1.conf"
}
printf '[sink d]\ntype = datadog\nsite = datadoghq.eu\n' | ck dd
expect 78 "-t: datadog without api_key" -- "$BIN" -t -c "$T/dd.conf"
has "$T/err" "[sink d] api_key: missing" "datadog api_key reported"
printf '[sink h]\ntype = splunk_hec\nurl = https://h:8088/services/collector/event\n' | ck hec
expect 78 "-t: splunk without token" -- "$BIN" -t -c "$T/hec.conf"
has "$T/err" "[sink h] token: missing" "splunk token reported"
printf '[sink w]\ntype = http\nurl = http://h/in\ntemplate = {"m": {{message}\n' | ck tpl
expect 78 "-t: a broken template" -- "$BIN" -t -c "$T/tpl.conf"
has "$T/err" "[sink w] template:" "template error reported"
printf '[sink w]\ntype = http\nurl = http://h/a b\n' | ck sp
expect 78 "-t: a URL with a space" -- "$BIN" -t -c "$T/sp.conf"
has "$T/err" "[sink w] url: holds a space" "space in URL reported"
printf '[sink w]\ntype = http\nurl = http://h/\nheader = X-A: ${CTL}\n' | ck ctl
expect 78 "-t: a control character in a header" -- env CTL=$'a\033b' "$BIN" -t -c "$T/ctl.conf"
has "$T/err" "[sink w] header: holds a control character" "control character reported"
printf '[sink w]\ntype = http\nurl = http://h/\ntoken = t\nheader = Authorization: Bearer x\n' | ck twice
expect 78 "-t: token and an Authorization header" -- "$BIN" -t -c "$T/twice.conf"
has "$T/err" "Authorization is also made from token" "double Authorization reported"
printf '[sink o]\ntype = stdout\ndead_letter = %s/no-such-folder/dl.ndjson\n' "$T" | ck nodl
expect 78 "-t: a dead_letter folder that does not exist" -- "$BIN" -t -c "$T/nodl.conf"
has "$T/err" "[sink o] dead_letter: folder \"$T/no-such-folder\"" "dead_letter folder reported"
sed -e "s|^state_dir = .*|state_dir = $T/no-state|" -e '/^dead_letter/d' "$T/nodl.conf" >"$T/nost.conf"
expect 78 "-t: a state_dir that does not exist" -- "$BIN" -t -c "$T/nost.conf"
has "$T/err" "[daemon] state_dir: folder \"$T/no-state\"" "state_dir reported"
if [ "$(id -u)" = 0 ]; then
	mkdir "$T/st-other"; chown 4242 "$T/st-other"
	sed "s|^state_dir = .*|state_dir = $T/st-other|" "$T/nost.conf" >"$T/own.conf"
	# The daemon refuses it; root's -t checks for the unit, whose DynamicUser owns it.
	expect 78 "daemon: a state_dir of another user" -- timeout 10 "$BIN" -c "$T/own.conf"
	has "$T/err" "belongs to uid 4242, not to the user the daemon runs as (uid 0): run chown 0 $T/st-other" "ownership reported with the fix"
	expect 0 "-t as root: a state_dir of the unit's own user" -- "$BIN" -t -c "$T/own.conf"
fi
printf '[sink o]\ntype = stdout\n[oci]\nconfig_file = /dev/zero\n' | ck zero
expect 78 "-t: config_file = /dev/zero (no hang)" -- timeout 10 "$BIN" -t -c "$T/zero.conf"
has "$T/err" "[oci] config_file: \"/dev/zero\" is a device" "/dev/zero refused"
mkfifo "$T/fifo"
printf '[sink w]\ntype = http\nurl = http://h/\ntoken_file = %s\n' "$T/fifo" | ck fifo
expect 78 "-t: a FIFO as token_file (no hang)" -- timeout 10 "$BIN" -t -c "$T/fifo.conf"
has "$T/err" "is a FIFO, not a regular file" "FIFO secret refused"
expect 78 "-t: a FIFO as the configuration file (no hang)" -- timeout 10 "$BIN" -t -c "$T/fifo"
has "$T/err" "is a FIFO, not a regular file" "FIFO configuration file refused"
# -t shows the effective query (a sort operator appended when the query has none)
printf '[sink o]\ntype = stdout\n' | ck sorted
expect 0 "-t: a query without a sort operator" -- "$BIN" -t -c "$T/sorted.conf"
has "$T/out" 'query = search "c/_Audit" | sort by datetime asc' "-t shows the effective query"
has "$T/out" '; query: " | sort by datetime asc" appended' "-t says the sort was appended"

# --- version, help, usage errors
expect 0 "--version" -- "$BIN" --version
has "$T/out" "oci-logfwd " "version printed"
expect 0 "-V" -- "$BIN" -V
expect 0 "--help" -- "$BIN" --help
has "$T/out" "--check-config" "help lists options"
expect 64 "unknown option" -- "$BIN" --bogus
expect 64 "stray argument" -- "$BIN" -t -c conf/oci-logfwd.conf extra
expect 64 "--from without --to" -- "$BIN" -c conf/oci-logfwd.conf --from -2h
expect 64 "--from after --to" -- "$BIN" -c conf/oci-logfwd.conf --from -1h --to -2h
has "$T/err" "--from must be before --to" "from/to order explained"
expect 64 "bad --from" -- "$BIN" -c conf/oci-logfwd.conf --from yesterday --to now
expect 64 "bad --log-level" -- "$BIN" --log-level loud -t -c conf/oci-logfwd.conf
expect 64 "--input without --dry-run" -- "$BIN" -c conf/oci-logfwd.conf --input x
expect 64 "-c without argument" -- "$BIN" -c

# --- the daemon: starts, reloads (a bad file keeps the old config), stops on TERM
mkdir -p "$T/state"
# The daemon needs an OCI to talk to: the simulator, with the test-only API key.
cp tests/data/oci/testonly-api-key.pem "$T/key.pem"; chmod 600 "$T/key.pem"
cat >"$T/oci-config" <<EOF
[DEFAULT]
tenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy
user = ocid1.user.oc1..aaaaaaaatestonlyuser
fingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
key_file = $T/key.pem
region = us-ashburn-1
EOF
"$BUILD/ocisim" --listen 127.0.0.1:0 --port-file "$T/ocisim.port" --rate 600/3600 \
    --public-key tests/data/oci/testonly-api-key-public.pem 2>"$T/ocisim.err" &
SIMPID=$!
for _ in $(seq 100); do [ -s "$T/ocisim.port" ] && break; sleep 0.05; done
cat >"$T/run.conf" <<EOF
[daemon]
state_dir = $T/state
stats_interval = 1s
[oci]
config_file = $T/oci-config
endpoint = http://127.0.0.1:$(cat "$T/ocisim.port")
[source a]
query = search "c/_Audit"
[sink out]
type = stdout
EOF
# A stand-in for systemd's notify socket records what the daemon tells systemd.
python3 - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(15)
with open(sys.argv[2], "a", buffering=1) as log:
    try:
        while True:
            msg = s.recv(4096).decode()
            log.write(msg.replace("\n", " | ") + "\n")
            if "STOPPING=1" in msg:
                break
    except socket.timeout:
        pass
PY
NPID=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 "$BIN" -c "$T/run.conf" >"$T/d.out" 2>"$T/d.err" &
DPID=$!
wait_for() { # wait_for TEXT FILE: up to 5 s
	for _ in $(seq 50); do grep -qF -- "$1" "$2" && return 0; sleep 0.1; done; return 1
}
if wait_for "started" "$T/d.err"; then ok "daemon started"; else bad "daemon did not start"; cat "$T/d.err"; fi
if wait_for "stats:" "$T/d.err"; then ok "stats line every stats_interval"; else bad "no stats line"; fi
printf 'page_size = 5000\n' >>"$T/run.conf"   # lands in [sink out]: unknown key
sed -i 's/^\[sink out\]$/[sink out]\nbatch_max_bytes = 12XB/' "$T/run.conf"
kill -HUP "$DPID"
if wait_for "keeping the running configuration" "$T/d.err"; then ok "bad reload refused"; else bad "bad reload not refused"; cat "$T/d.err"; fi
has "$T/d.err" "[sink out] batch_max_bytes: \"12XB\" is not a size" "reload logs each error"
kill -0 "$DPID" 2>/dev/null && ok "still running after a bad reload" || bad "died on a bad reload"
sed -i '/12XB/d; /page_size = 5000/d' "$T/run.conf"
kill -HUP "$DPID"
if wait_for "reloaded" "$T/d.err"; then ok "good reload applied"; else bad "good reload not applied"; cat "$T/d.err"; fi
# A FIFO as a secret file on SIGHUP: refused, the daemon neither hangs nor stops.
cp "$T/run.conf" "$T/run.conf.good"
printf 'token_file = %s\n' "$T/fifo" >>"$T/run.conf"
before=$(grep -c "keeping the running configuration" "$T/d.err")
kill -HUP "$DPID"
fifo_refused() { [ "$(grep -c "keeping the running configuration" "$T/d.err")" -gt "$before" ]; }
for _ in $(seq 50); do fifo_refused && break; sleep 0.1; done
if fifo_refused; then ok "SIGHUP with a FIFO secret refused"; else bad "SIGHUP with a FIFO secret: no refusal (hung?)"; fi
has "$T/d.err" "is a FIFO, not a regular file" "the FIFO is named"
cp "$T/run.conf.good" "$T/run.conf"
kill -USR1 "$DPID"
usr1_seen() { [ "$(grep -c "stats:" "$T/d.err")" -gt 2 ]; }
for _ in $(seq 50); do usr1_seen && break; sleep 0.1; done
kill -0 "$DPID" 2>/dev/null && ok "alive after the FIFO reload" || bad "died after the FIFO reload"
n=$(grep -c "the query has no sort operator" "$T/d.err")
[ "$n" = 1 ] && ok "the appended sort is said once at start-up" || bad "the appended sort was said $n times"
kill -TERM "$DPID"
wait "$DPID"; rc=$?; DPID=
[ "$rc" -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
has "$T/d.err" "SIGTERM" "stop logged"
wait "$NPID" 2>/dev/null
has "$T/notify.log" "READY=1" "sd_notify READY=1"
has "$T/notify.log" "STATUS=running: 1 source, 1 sink" "sd_notify STATUS"
has "$T/notify.log" "WATCHDOG=1" "watchdog pings (WATCHDOG_USEC)"
has "$T/notify.log" "RELOADING=1" "sd_notify RELOADING=1 on SIGHUP"
has "$T/notify.log" "STOPPING=1" "sd_notify STOPPING=1 on SIGTERM"

# --- the systemd unit
if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze not installed"; [ "$fails" -eq 0 ] && exit 77
else
	sed "s|@SBINDIR@|$ROOT/$BUILD|" systemd/oci-logfwd.service >"$T/oci-logfwd.service"
	if systemd-analyze verify "$T/oci-logfwd.service" >"$T/verify" 2>&1 && ! grep -q . "$T/verify"; then
		ok "systemd-analyze verify"
	else
		bad "systemd-analyze verify:"; cat "$T/verify"
	fi
	if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
		systemd-analyze security --offline=yes "$T/oci-logfwd.service" 2>/dev/null | tail -n 1
	fi
fi

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
