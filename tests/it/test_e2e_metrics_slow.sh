#!/usr/bin/env bash
# Issue 11 item 12: a client trickling its request cannot hold the metrics listener.
#  1. one client sends a header byte every 2 s (so evhttp's 10 s idle timeout never fires)
#     and never ends its headers: the daemon closes it anyway (a deadline per connection,
#     15 s from accept); before the fix it stayed open for as long as it trickled;
#  2. 200 such clients, each reconnecting at once when closed (an attacker keeps them
#     open): /metrics still answers, five times in a row, with the daemon's own text.
set -u
. "$(dirname "$0")/e2e2_lib.sh"

RATE=20
gen_opts
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
start_ocisim
start_sink keep
BACKLOG_S=5
conf_head "$T/head.conf" "metrics_listen = 127.0.0.1:$MPORT"
{ cat "$T/head.conf"; sink_section keep raw "batch_max_events = 100"; } > "$T/daemon.conf"
start_daemon "$T/daemon.conf"
metrics_ok() { http_get "http://127.0.0.1:$MPORT/metrics" | tail -n 1 | grep -q "HTTP 200"; }
wait_for 20 metrics_ok || fail "/metrics does not answer"
phase "daemon up, metrics on 127.0.0.1:$MPORT"

# 1. One trickling client: closed by the server.  60 s is a bound for "never", not a
#    timing figure (the deadline is 15 s; the client would trickle for 2 h).
python3 - "$MPORT" <<'PY' || fail "a trickling client was not closed by the server"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
s.settimeout(2)
t0, sent = time.monotonic(), 0
while time.monotonic() - t0 < 60:
    try:
        if s.recv(4096) == b"":
            break
    except socket.timeout:
        pass
    except OSError:
        break
    try:
        s.sendall(b"a")
        sent += 1
    except OSError:
        break
else:
    print("a client trickling a byte every 2 s was still connected after 60 s"); sys.exit(1)
print(f"trickling client closed by the server after {sent} bytes, {time.monotonic() - t0:.1f} s")
PY
phase "a trickling client is closed"

# 2. 200 trickling clients, re-opened as soon as they are closed; /metrics answers.
python3 - "$MPORT" <<'PY' || fail "/metrics did not answer while 200 trickling clients were connected"
import socket, sys, threading, time, select, urllib.request
port = int(sys.argv[1])
stop = False
reopened = 0
def opener():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    s.setblocking(False)
    return s
socks = [opener() for _ in range(200)]
def trickle():
    global reopened
    while not stop:
        for i, s in enumerate(socks):
            try:
                r, _, _ = select.select([s], [], [], 0)
                if r and s.recv(4096) == b"":
                    raise OSError("closed")
                s.send(b"a")
            except OSError:
                s.close()
                socks[i] = opener()
                reopened += 1
        time.sleep(1)
th = threading.Thread(target=trickle, daemon=True)
th.start()
time.sleep(2)  # let them all be accepted and trickling
ok = 0
for n in range(5):
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    except Exception as e:
        print(f"attempt {n}: /metrics did not answer: {e}"); stop = True; sys.exit(1)
    if "oci_logfwd_build_info" not in body:
        print(f"attempt {n}: not the daemon's metrics"); stop = True; sys.exit(1)
    ok += 1
    time.sleep(1)
h = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
print(f"/metrics answered {ok} times, /healthz {h.status}, while 200 clients trickled "
      f"({reopened} re-opened after the server closed them)")
stop = True
PY
kill -0 "$DPID" || fail "the daemon died"
metrics_ok || fail "/metrics does not answer at the end"
stop_daemon
echo "PASS: trickling clients are closed at their deadline and cannot hold /metrics"
