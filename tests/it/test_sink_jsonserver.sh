#!/usr/bin/env bash
# The Oracle tutorial's case, for real: json-server 0.17.4 (npm, installed by
# tests/deps.sh) on 127.0.0.1 with {"todos": []} receives one todos item per event
# through the http sink with encoding = json and the tutorial's template.
. "$(dirname "$0")/sink_lib.sh"
JS="${OCI_LOGFWD_NPM_DIR:-${HOME:-/root}/.cache/oci-logfwd/npm}/node_modules/.bin/json-server"
[ -x "$JS" ] || { echo "json-server not installed (run: sh tests/deps.sh)"; exit 77; }
command -v node >/dev/null || { echo "node not installed"; exit 77; }
N=25
JPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
printf '{"todos": []}\n' >"$T/db.json"
"$JS" --host 127.0.0.1 --port "$JPORT" "$T/db.json" >"$T/js.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$JPORT/todos" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -sf "http://127.0.0.1:$JPORT/todos" >/dev/null || { echo "json-server did not start"; cat "$T/js.log"; exit 1; }
sink_conf "$T/js.conf" <<CONF
[sink tutorial]
type = http
url = http://127.0.0.1:$JPORT/todos
encoding = json
template = {"userId": 1, "title": "{{oci.source}}", "completed": false}
max_in_flight = 1
CONF
out=$("$BUILD/sinkdrv" --config "$T/js.conf" --events $N --state-dir "$T" --timeout-s 30 2>"$T/drv.log")
rc=$?
echo "$out"; cat "$T/drv.log"
[ $rc -eq 0 ] || { echo "FAIL: sinkdrv rc=$rc"; exit 1; }
[ "$(kv "$(printf '%s\n' "$out" | grep '^produced=')" delivered)" = $N ] || { echo "FAIL: not delivered"; exit 1; }
curl -sf "http://127.0.0.1:$JPORT/todos" >"$T/todos.json" || { echo "FAIL: GET /todos"; exit 1; }
python3 - "$T/todos.json" $N <<'PY' || exit 1
import json, sys
todos = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert len(todos) == n, "json-server holds %d todos, want %d" % (len(todos), n)
for t in todos:
    assert t["userId"] == 1 and t["title"] == "drv-src" and t["completed"] is False, t
    assert isinstance(t["id"], int), t
print("json-server: %d todos, e.g. %s" % (len(todos), json.dumps(todos[0])))
PY
echo PASS
