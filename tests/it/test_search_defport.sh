#!/usr/bin/env bash
# An endpoint with the scheme's default port (http://127.0.0.1:80, like
# https://logging.<region>.oci.oraclecloud.com:443) must sign the host that goes on the
# wire: libcurl sends "Host: 127.0.0.1" without ":80", and a signature over
# "host: 127.0.0.1:80" is a 401 on every request.  Needs port 80 (root): exit 77 when it
# cannot be had.
. "$(dirname "$0")/search_lib.sh"
write_config "$ROOT/tests/data/oci/testonly-api-key.pem" 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af
rm -f "$T/port"
"$BUILD/ocisim" --listen 127.0.0.1:80 --port-file "$T/port" --log "$T/sim.log" \
    --public-key "$ROOT/tests/data/oci/testonly-api-key-public.pem" $GEN 2>"$T/sim.err" &
SIM_PID=$!
for _ in $(seq 1 100); do
	[ -s "$T/port" ] && break
	kill -0 "$SIM_PID" 2>/dev/null || break
	sleep 0.05
done
if [ ! -s "$T/port" ]; then
	echo "skip: cannot listen on 127.0.0.1:80 (busy, or not root): $(cat "$T/sim.err")"
	exit 77
fi
fail=0
for ep in http://127.0.0.1:80 http://127.0.0.1:80/; do
	"$BUILD/searchcli" --config-file "$T/config" --endpoint "$ep" --from "$FROM" \
	    --to 2025-03-14T09:05:00Z --limit 1000 --max-attempts 2 > "$T/out.tsv" 2> "$T/cli.err"
	rc=$?
	grep -E "done|401" "$T/cli.err" | head -3
	if [ "$rc" -ne 0 ] || ! grep -q "status=OK records=4167" "$T/cli.err"; then
		echo "FAIL: endpoint $ep: exit $rc"; fail=1
	fi
	compare_window "$FROM" 2025-03-14T09:05:00Z "$T/out.tsv" $GEN || fail=1
done
if grep -q "401 for" "$T/sim.log"; then echo "FAIL: ocisim refused a signature:"; grep "401 for" "$T/sim.log" | head -3; fail=1; fi
[ $fail -eq 0 ] && echo PASS
exit $fail
