#!/usr/bin/env bash
# Issue 11 item 14: -t finds what start-up finds in the OCI credentials.  A key_file that
# does not exist, or one readable by others (0644), made start-up exit 69 while -t said 0;
# -t now loads them with the same function (oci_client_new) and exits 69 too.
set -u
unset JOURNAL_STREAM
BUILD=${BUILD:-build}
BIN=$BUILD/oci-logfwd
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
[ -x "$BIN" ] || { echo "skip: no $BIN"; exit 77; }
T=$(mktemp -d /tmp/test_config_oci.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run WANT WHAT ARGS...: bounded (a hang is a failure), exit status compared.
run() {
	local want=$1 what=$2; shift 2
	timeout 20 "$@" >"$T/out" 2>"$T/err"; local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else
		bad "$what: exit $rc, wanted $want"; sed 's/^/    /' "$T/err" | head -10; fi
}

mkdir -m 700 "$T/state" "$T/oci"
cp tests/data/oci/testonly-api-key.pem "$T/oci/key.pem"
chmod 600 "$T/oci/key.pem"
cfg() { # cfg KEY_FILE
	printf '[DEFAULT]\ntenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy\nuser = ocid1.user.oc1..aaaaaaaatestonlyuser\nfingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\nkey_file = %s\nregion = us-ashburn-1\n' "$1" > "$T/oci/config"
}
cat > "$T/d.conf" <<CONF
[daemon]
state_dir = $T/state

[oci]
auth = api_key
config_file = $T/oci/config
endpoint = http://127.0.0.1:1

[source s]
query = search "ocid1.compartment.oc1..x" | sort by datetime asc

[sink f]
type = file
path = $T/out.ndjson
CONF

cfg "$T/oci/key.pem"
run 0 "-t with a usable key" "$BIN" -t -c "$T/d.conf"

cfg "$T/oci/absent.pem"
run 69 "-t with a key_file that does not exist" "$BIN" -t -c "$T/d.conf"
grep -q "absent.pem" "$T/err" && ok "names the key file" || bad "the key file is not named: $(cat "$T/err")"
run 69 "start-up with a key_file that does not exist" "$BIN" --once -c "$T/d.conf"

cp "$T/oci/key.pem" "$T/oci/open.pem"; chmod 644 "$T/oci/open.pem"
cfg "$T/oci/open.pem"
run 69 "-t with a key_file of mode 0644" "$BIN" -t -c "$T/d.conf"
grep -q "chmod 600" "$T/err" && ok "tells how to fix the mode" || bad "no fix given: $(cat "$T/err")"
run 69 "start-up with a key_file of mode 0644" "$BIN" --once -c "$T/d.conf"

mkfifo -m 600 "$T/oci/key.fifo"
cfg "$T/oci/key.fifo"
run 69 "-t with a FIFO as key_file (no hang)" "$BIN" -t -c "$T/d.conf"
grep -q "not a regular file" "$T/err" && ok "FIFO refused" || bad "FIFO not refused: $(cat "$T/err")"

echo "$fails failure(s)"
[ "$fails" = 0 ]
