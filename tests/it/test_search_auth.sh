#!/usr/bin/env bash
# A wrong key, a wrong fingerprint (keyId) and a client clock 10 minutes off each end the
# search with SEARCH_AUTH (exit 2) after ONE request, and a clear log line naming the cause
# OCI (ocisim) reported.  The clock is skewed with the test-only OCI_LOGFWD_CLOCK_SKEW_S.
. "$(dirname "$0")/search_lib.sh"

GOOD_FP=6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
start_sim --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" $GEN
fail=0

# run NAME EXPECTED-REGEX [env...]: one search that must fail with auth and log the cause.
run() {
	name=$1; want=$2; shift 2
	env "$@" "$BUILD/searchcli" --config-file "$T/config" --endpoint "http://127.0.0.1:$PORT" \
	    --from "$FROM" --to 2025-03-14T09:01:00Z > /dev/null 2> "$T/$name.err"
	rc=$?
	echo "--- $name (exit $rc):"; grep -E "error|warning" "$T/$name.err"
	if [ $rc -ne 2 ]; then echo "FAIL $name: exit $rc, want 2"; fail=1; fi
	if ! grep -Eq "$want" "$T/$name.err"; then echo "FAIL $name: no log line matching /$want/"; fail=1; fi
	if [ "$(grep -c '401' "$T/$name.err")" -lt 1 ]; then echo "FAIL $name: 401 not logged"; fail=1; fi
}

write_config "$ROOT/tests/data/oci/testonly-wrong-key.pem" "$GOOD_FP"
run wrong_key "OCI refused authentication: HTTP 401 NotAuthenticated.*signature does not verify"

write_config "$ROOT/tests/data/oci/testonly-api-key.pem" 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff
run wrong_fingerprint "OCI refused authentication: HTTP 401 NotAuthenticated.*no API key with fingerprint 00:11:22"
grep -q "does not match key_file" "$T/wrong_fingerprint.err" || { echo "FAIL: no startup fingerprint warning"; fail=1; }

write_config "$ROOT/tests/data/oci/testonly-api-key.pem" "$GOOD_FP"
run clock_skew "clock skew.*Our clock is \+6[0-9][0-9] s off OCI's" OCI_LOGFWD_CLOCK_SKEW_S=600

# a key file readable by others is refused before any request, with the fix
chmod 644 "$T/key.pem"
"$BUILD/searchcli" --config-file "$T/config" --endpoint "http://127.0.0.1:$PORT" \
    --from "$FROM" --to "$TO" > /dev/null 2> "$T/perm.err"; rc=$?
cat "$T/perm.err"
[ $rc -eq 78 ] && grep -q "chmod 600 $T/key.pem" "$T/perm.err" || { echo "FAIL: key mode"; fail=1; }

stop_sim
python3 -c "
import json,sys; s=json.load(open('$T/summary.json'))
print('ocisim summary:', s)
sys.exit(0 if s['auth_failures'] == 3 and s['search_requests'] == 3 else 1)" || { echo "FAIL: expected exactly 3 refused requests (no hammering)"; fail=1; }
[ $fail -eq 0 ] && echo PASS
exit $fail
