#!/usr/bin/env bash
# /metrics cannot be taken down by a local user.
#  - the daemon runs with 256 file descriptors; 1100 idle connections to metrics_listen
#    do not stop it: it pauses accepting (one warning, not a flood: no accept() spin) or
#    closes the oldest beyond its cap of 64 connections,
#    its checkpoint writes go on, and /metrics answers again once they are closed;
#  - a POST with Content-Length: 1 GB is refused before any body is sent (not buffered);
#  - 100 KB of headers are refused; an idle connection is closed by the server;
#  - binding 0.0.0.0 is warned about.
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=20
gen_opts
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
start_ocisim
start_sink keep
BACKLOG_S=5
conf_head "$T/head.conf" "metrics_listen = 0.0.0.0:$MPORT"
{ cat "$T/head.conf"; sink_section keep raw "batch_max_events = 100"; } > "$T/daemon.conf"
bash -c 'ulimit -n 256 && exec "$0" -c "$1"' "$BUILD/oci-logfwd" "$T/daemon.conf" \
    >>"$T/daemon.out" 2>>"$T/daemon.log" &
DPID=$!
metrics_ok() { http_get "http://127.0.0.1:$MPORT/metrics" | tail -n 1 | grep -q "HTTP 200"; }
wait_for 20 metrics_ok || fail "/metrics does not answer"
grep -q "metrics_listen 0.0.0.0:$MPORT: reachable from beyond this host" "$T/daemon.log" ||
    fail "binding 0.0.0.0 was not warned about"
phase "daemon up (256 descriptors), metrics on 0.0.0.0:$MPORT"

# 1100 idle connections, held until the daemon says it paused accepting, then closed.
python3 - "$MPORT" "$T/daemon.log" "$DPID" <<'PY' || fail "the idle-connection flood took the daemon down"
import socket, sys, time, os, resource
port, log, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
# This client needs the descriptors the daemon lacks: raise its own soft limit (a hard
# limit below 1150 still leaves far more than the daemon's 256).
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 1200 if hard == resource.RLIM_INFINITY else min(1200, hard)
if soft != resource.RLIM_INFINITY and soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
socks = []
for _ in range(min(1100, want - 50)):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    socks.append(s)
# The daemon either pauses accepting (descriptors short) or, holding at most 64
# connections, closes the oldest ones: both bound what the flood costs it.
def closed_by_server():
    n = 0
    for s in socks:
        try:
            if s.recv(1) == b"":
                n += 1
        except BlockingIOError:
            pass
        except OSError:
            n += 1
    return n
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    if "metrics: " in open(log).read() and "not accepting connections" in open(log).read():
        how = "the daemon paused accepting"
        break
    c = closed_by_server()
    if c >= len(socks) - 200:
        how = f"the daemon closed {c} of them (it holds at most 64)"
        break
    time.sleep(0.2)
else:
    print("neither a 'not accepting connections' warning nor connections closed by the "
          "daemon while 1100 connections were open"); sys.exit(1)
os.kill(pid, 0)  # still alive
for s in socks: s.close()
print(f"{len(socks)} connections opened and closed; {how}")
PY
wait_for 60 metrics_ok || fail "/metrics does not answer after the idle connections closed"
kill -0 "$DPID" || fail "the daemon died"
phase "/metrics answers again"
# Bounded logging: a flood would be thousands of lines.
n_warn=$(grep -c "not accepting connections" "$T/daemon.log")
n_accept=$(grep -ci "error from accept" "$T/daemon.log")
echo "  warnings about pausing: $n_warn; libevent accept() errors: $n_accept; log lines: $(wc -l < "$T/daemon.log")"
[ "$n_accept" = 0 ] || fail "libevent logged $n_accept accept() errors (it spins on accept)"
[ "$n_warn" -le 3 ] || fail "$n_warn pause warnings (not rate-limited)"
[ "$(wc -l < "$T/daemon.log")" -lt 200 ] || fail "the log grew to $(wc -l < "$T/daemon.log") lines"
grep -qi "checkpoint.*\(cannot\|failed\)\|cannot write" "$T/daemon.log" && fail "checkpoint writes failed during the flood"

# A POST announcing 1 GB: refused before the body is sent.
python3 - "$MPORT" <<'PY' || fail "a POST with Content-Length 1GB was not refused at once"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n")
try:
    line = s.recv(4096).split(b"\r\n")[0].decode()
except socket.timeout:
    print("no answer within 5 s: the server waits for (and would buffer) the body"); sys.exit(1)
code = int(line.split()[1]) if line.startswith("HTTP/") else 0
print(f"POST with Content-Length 1GB: {line!r}")
sys.exit(0 if 400 <= code < 500 else 1)
PY
# 100 KB of headers: refused.
python3 - "$MPORT" <<'PY' || fail "100 KB of headers were not refused"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
try:
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 100000 + b"\r\n\r\n")
except OSError:
    pass  # the server closed before reading it all: refused
try:
    data = s.recv(4096)
except (socket.timeout, OSError):
    data = b""
line = data.split(b"\r\n")[0].decode(errors="replace")
print(f"100 KB of headers: {line!r}")
sys.exit(0 if line == "" or line.split()[1].startswith("4") else 1)
PY
# An idle connection is closed by the server.
python3 - "$MPORT" <<'PY' || fail "an idle connection was not closed by the server"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
try:
    print("idle connection closed by the server" if s.recv(1) == b"" else "got data"); 
except socket.timeout:
    print("idle connection still open after 30 s"); sys.exit(1)
PY
metrics_ok || fail "/metrics does not answer at the end"
stop_daemon
echo "PASS: 1100 idle connections, a 1 GB POST, 100 KB headers and an idle client did not take /metrics or the daemon down"
