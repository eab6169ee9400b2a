#!/usr/bin/env bash
# The Grafana dashboard (conf/grafana/oci-logfwd.json) and the alert rules
# (conf/prometheus/oci-logfwd-alerts.yml) ask for metrics a running daemon really serves:
#   - every oci_logfwd_* name in a query is a sample name of the daemon's /metrics
#     (ocisim + a sink that delivers + one that answers 400, so code labels exist);
#   - every label a selector matches on, or a query aggregates by, is a label of those
#     samples (instance and job come from Prometheus, not from the daemon);
#   - every exact label value a selector asks for (result="dead_letter", code="200")
#     occurs;
#   - the dashboard is Grafana 10+ JSON: schemaVersion >= 37, unique panel ids, each panel
#     queries the ${datasource} variable, panels do not overlap.
# A negative control runs the same check on copies with one metric renamed and one label
# renamed: both must fail, so the check cannot pass by finding nothing.
set -u
RATE=20
. "$(dirname "$0")/e2e2_lib.sh"
export OCI_LOGFWD_TEST_RETRY_SCALE=100
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
M="http://127.0.0.1:$MPORT"
DASH="$ROOT/conf/grafana/oci-logfwd.json"
RULES="$ROOT/conf/prometheus/oci-logfwd-alerts.yml"

start_ocisim
start_sink good
start_sink picky --fail-for-s 3600:400
BACKLOG_S=5
conf_head "$T/daemon.conf" "metrics_listen = 127.0.0.1:$MPORT"
{
	sink_section good raw
	sink_section picky raw "retry_initial = 100ms" "retry_max_delay = 1s"
} >>"$T/daemon.conf"
sed -i 's/^shutdown_timeout = .*/shutdown_timeout = 2s/' "$T/daemon.conf"
start_daemon "$T/daemon.conf"

cat >"$T/check.py" <<'PY'
import json, re, sys
metrics_file, dash_file, rules_file = sys.argv[1:4]
# The daemon's samples: name -> list of label dicts.
samples = {}
lab_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
for line in open(metrics_file):
    if line.startswith("#") or not line.strip():
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s', line)
    if m:
        samples.setdefault(m.group(1), []).append(dict(lab_re.findall(m.group(2) or "")))
FROM_PROMETHEUS = {"instance", "job"}
problems = []

def check_expr(where, expr):
    names = set(re.findall(r'\boci_logfwd_[a-zA-Z0-9_]+', expr))
    if not names:
        return
    for n in sorted(names):
        if n not in samples:
            problems.append(f"{where}: metric {n} is not in /metrics")
    for n, body in re.findall(r'\b(oci_logfwd_[a-zA-Z0-9_]+)\{([^}]*)\}', expr):
        for key, op, val in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"', body):
            if key in FROM_PROMETHEUS or n not in samples:
                continue
            if not any(key in l for l in samples[n]):
                problems.append(f"{where}: {n} has no label {key}")
            elif op == "=" and not any(l.get(key) == val for l in samples[n]):
                problems.append(f"{where}: no {n}{{{key}=\"{val}\"}} in /metrics")
    for group in re.findall(r'\b(?:by|without)\s*\(([^)]*)\)', expr):
        for key in [k.strip() for k in group.split(",") if k.strip()]:
            if key in FROM_PROMETHEUS:
                continue
            if not any(key in l for n in names if n in samples for l in samples[n]):
                problems.append(f"{where}: aggregates by {key}, a label none of {sorted(names)} has")
    # label_values(metric, label) of a template variable
    for n, key in re.findall(r'label_values\(\s*(oci_logfwd_[a-zA-Z0-9_]+)\s*,\s*([a-zA-Z_]+)\s*\)', expr):
        if key not in FROM_PROMETHEUS and n in samples and not any(key in l for l in samples[n]):
            problems.append(f"{where}: label_values({n}, {key}): no such label")

dash = json.load(open(dash_file))
n_exprs = 0
def walk(o, where):
    global n_exprs
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("expr", "definition") and isinstance(v, str):
                n_exprs += 1
                check_expr(where, v)
            elif k == "query" and isinstance(v, str):
                check_expr(where, v)
            else:
                walk(v, f"{where}/{o.get('title', k)}" if k == "panels" else where)
    elif isinstance(o, list):
        for x in o:
            walk(x, f"{where}[{x.get('title', '')}]" if isinstance(x, dict) and "title" in x else where)
walk(dash, "dashboard")
for i, line in enumerate(open(rules_file), 1):
    m = re.match(r'\s*expr:\s*(.*)$', line)
    if m:
        n_exprs += 1
        check_expr(f"{rules_file.rsplit('/', 1)[-1]}:{i}", m.group(1))

# Grafana 10+ dashboard shape.
if dash.get("schemaVersion", 0) < 37:
    problems.append(f"schemaVersion {dash.get('schemaVersion')} is older than Grafana 10's")
ids, cells = set(), {}
for p in dash["panels"]:
    if p["id"] in ids:
        problems.append(f"panel id {p['id']} twice")
    ids.add(p["id"])
    g = p["gridPos"]
    for x in range(g["x"], g["x"] + g["w"]):
        for y in range(g["y"], g["y"] + g["h"]):
            if (x, y) in cells:
                problems.append(f"panels {cells[(x, y)]!r} and {p['title']!r} overlap")
                break
            cells[(x, y)] = p["title"]
        else:
            continue
        break
    if p["type"] == "row":
        continue
    if not p.get("targets"):
        problems.append(f"panel {p['title']!r} has no query")
    for t in p.get("targets", []):
        if t.get("datasource", p.get("datasource", {})).get("uid") != "${datasource}":
            problems.append(f"panel {p['title']!r}: not on the ${{datasource}} variable")
for pr in problems:
    print(pr)
print(f"{n_exprs} queries, {len(problems)} problems")
sys.exit(1 if problems or n_exprs == 0 else 0)
PY

# The code labels appear once requests were made: wait (re-checking) until every query
# is satisfied, then the failure output, if any, is the last check's.
fetch_and_check() {
	http_get "$M/metrics" | sed '$d' >"$T/metrics.txt"
	python3 "$T/check.py" "$T/metrics.txt" "$DASH" "$RULES" >"$T/check.out" 2>&1
}
if ! wait_for 30 fetch_and_check; then
	cat "$T/check.out"; fail "the dashboard or the alerts ask for what /metrics does not have"
fi
cat "$T/check.out"

# Negative controls: a renamed metric, a renamed label.
sed 's/oci_logfwd_sink_queue_events/oci_logfwd_sink_queue_depth/' "$DASH" >"$T/renamed.json"
if python3 "$T/check.py" "$T/metrics.txt" "$T/renamed.json" "$RULES" >"$T/neg.out"; then
	fail "a renamed metric in the dashboard went unnoticed"
fi
grep -q 'oci_logfwd_sink_queue_depth is not in /metrics' "$T/neg.out" || { cat "$T/neg.out"; fail "wrong complaint"; }
sed 's/by (sink, code)/by (sink, status)/; s/result="dead_letter"/result="deadletter"/' "$RULES" >"$T/renamed.yml"
sed 's/by (sink, code)/by (sink, status)/' "$DASH" >"$T/renamed2.json"
if python3 "$T/check.py" "$T/metrics.txt" "$T/renamed2.json" "$T/renamed.yml" >"$T/neg2.out"; then
	fail "a renamed label / label value went unnoticed"
fi
grep -q 'aggregates by status' "$T/neg2.out" && grep -q 'result="deadletter"' "$T/neg2.out" ||
	{ cat "$T/neg2.out"; fail "wrong complaint for the renamed label"; }
echo "negative controls: $(head -n 1 "$T/neg.out"); $(grep -c . "$T/neg2.out") lines for the label renames"
echo PASS
