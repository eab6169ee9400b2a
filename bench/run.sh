#!/usr/bin/env bash
# bench/run.sh — end-to-end throughput, CPU per record and peak RSS of oci-logfwd (make bench).
#
# Starts build/ocisim (generating, no faults, no ingest delay) and sinksim --count-only
# on 127.0.0.1, runs `oci-logfwd --from T1 --to T2` (a backfill over a one-hour window
# holding BENCH_RECORDS records, 70 % VCN flow / 30 % audit, ~1.2 KB each) into http
# sink(s), and prints a table of medians over BENCH_RUNS runs: records, wall s, records/s,
# the daemon's CPU s (user+sys from wait4's rusage) and CPU µs/record, peak RSS.
#
# Every run is checked: each sink must report exactly the expected number of events, no
# duplicates, and the content hash that bench_expect computes from `ocisim --dump` of the
# same window (normalize + encode of every record, hashed like sinksim does).  A run that
# loses, duplicates or corrupts one event fails the benchmark (exit 1).
#
#   BENCH_RUNS=3 BENCH_RECORDS=1000000 BUILD=build/bench bash bench/run.sh
#   BENCH_RECORDS=100000 ...   quick mode
#   BENCH_ONLY="ecs raw"       only these scenarios (ecs, ecs-gzip, raw, ecs-4sinks, ecs-small,
#                              syslog-ng, fluent-bit)
#   FLUENT_BIT=/path/fluent-bit  the Fluent Bit peer's binary (else fluent-bit on PATH)
#
# The peers, measured in the same run on the same records into the same sink: syslog-ng
# from Debian (syslog-ng-core + syslog-ng-mod-http) reading `ocisim --dump` of the window
# on stdin and forwarding each record verbatim (no parsing, no normalizing) as NDJSON
# batches of 1000 to sinksim; Fluent Bit (not packaged in Debian 12: built from source,
# named by FLUENT_BIT) tailing the same file, parsing each line as JSON and posting JSON
# lines.  Each is checked like the daemon (count, no duplicates, content hash of the
# verbatim records); CPU and RSS are the peer's.  A peer that is not installed is skipped
# with a note.
#   BENCH_NO_RESULTS=1         don't rewrite bench/RESULTS.md
#   BENCH_KEEP=1               keep the work directory (logs); a failing run always keeps it
#   BENCH_WRAP="valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p"
#                              run the daemon under a wrapper (profiles; the CPU and RSS
#                              figures are then the wrapper's: implies BENCH_NO_RESULTS)
set -euo pipefail
BUILD="${BUILD:-build/bench}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
for b in oci-logfwd ocisim sinksim bench/bench_expect; do
	if [ ! -x "$BUILD/$b" ]; then
		echo "bench: $BUILD/$b missing (make bench builds it)" >&2
		exit 1
	fi
done
exec python3 - "$ROOT" "$BUILD" <<'PY'
import json, os, platform, signal, statistics, subprocess, sys, tempfile, time, datetime
import urllib.request

root, build = sys.argv[1], sys.argv[2]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
RECORDS = int(os.environ.get("BENCH_RECORDS", "1000000"))
ONLY = os.environ.get("BENCH_ONLY", "").split()
WRAP = os.environ.get("BENCH_WRAP", "").split()
if WRAP:
    os.environ["BENCH_NO_RESULTS"] = "1"
SEED = 7
QUERY = ('search "ocid1.compartment.oc1..aaaaaaaaq7k3m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmna/_Audit", '
         '"ocid1.compartment.oc1..aaaaaaaa3nfz7b2ckq4wl6xdr5ty2mj7eo3ap6hs4gu5vi2zqbxwk3la/'
         'ocid1.loggroup.oc1.iad.amaaaaaa4kq2zx7mwb3nc5rj6dt2lb4yvo7fe3pa5gs6ui2wqkxna/'
         'ocid1.log.oc1.iad.amaaaaaa7m2xw5vdj4nlc6hr2t5yzb3fo7pe4gsu6ai2wqkx3rmbkq4a" | sort by datetime asc')
REGION = "us-ashburn-1"
# RECORDS per hour of log time; the window is one hour starting on an hour boundary
# 3 h back (inside any retention, and every record searchable: ingest delay 0).
RATE = f"{RECORDS}/3600"
now = int(time.time())
t1 = (now // 3600 - 3) * 3600
T1 = datetime.datetime.fromtimestamp(t1, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
T2 = datetime.datetime.fromtimestamp(t1 + 3600, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
# The RSS-flatness run: a tenth of the records (the first 6 minutes of the window).
T2S = datetime.datetime.fromtimestamp(t1 + 360, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

work = tempfile.mkdtemp(prefix="oci-logfwd-bench.")
procs = []

failed = []
def die(msg):
    failed.append(msg)  # keeps the work directory (its logs) for a look
    print(f"bench: FAIL: {msg}", file=sys.stderr)
    cleanup()
    sys.exit(1)

def cleanup():
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

def wait_port(path, proc, what):
    for _ in range(200):
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return int(open(path).read())
        if proc.poll() is not None:
            die(f"{what} exited ({proc.returncode})")
        time.sleep(0.05)
    die(f"{what} did not start")

def machine():
    model = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) // 1024
    return f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {model}, {mem} MiB RAM, {platform.system()} {platform.release()}"

def commit():
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return "unknown"

ocisim_args = ["--rate", RATE, "--seed", str(SEED), "--flow-share", "0.7",
               "--ingest-delay", "audit=0s,flow=0s"]

def tools_id():
    # the expectation depends on the generator and on the encoders: a rebuilt ocisim or
    # bench_expect (that is, lib/) must not reuse an old cached answer
    import hashlib
    h = hashlib.sha1()
    for b in ("ocisim", "bench/bench_expect"):
        with open(f"{build}/{b}", "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:12]
TOOLS = tools_id()

expect_cache = {}
def expected(fmt, t2):
    """count + content hash of what a sink must receive, from ocisim --dump."""
    key = (fmt, t2)
    if key in expect_cache:
        return expect_cache[key]
    cache = os.path.join(build, f"expect-{fmt}-{RECORDS}-{T1}-{t2}-{TOOLS}.json".replace(":", ""))
    if os.path.exists(cache):
        e = json.load(open(cache))
    else:
        print(f"  (computing the expected events: ocisim --dump | bench_expect {fmt}, {T1}..{t2})", flush=True)
        dump = subprocess.Popen([f"{build}/ocisim", "--dump", "--from", T1, "--to", t2,
                                 "--query", QUERY] + ocisim_args, stdout=subprocess.PIPE)
        out = subprocess.run([f"{build}/bench/bench_expect", fmt, REGION], stdin=dump.stdout,
                             capture_output=True, text=True)
        dump.stdout.close()
        if dump.wait() != 0 or out.returncode != 0:
            die(f"bench_expect {fmt} failed: {out.stderr}")
        e = json.loads(out.stdout)
        if e["skipped"]:
            die(f"bench_expect: {e['skipped']} records did not normalize")
        with open(cache + ".tmp", "w") as f:
            json.dump(e, f)
        os.rename(cache + ".tmp", cache)
    expect_cache[key] = e
    return e

# OCI side: one simulator for every run, with an SDK config for the test-only key.
os.makedirs(f"{work}/oci")
key = f"{work}/oci/key.pem"
with open(key, "wb") as f:
    f.write(open(f"{root}/tests/data/oci/testonly-api-key.pem", "rb").read())
os.chmod(key, 0o600)
with open(f"{work}/oci/config", "w") as f:
    f.write("[DEFAULT]\ntenancy = ocid1.tenancy.oc1..aaaaaaaatestonlytenancy\n"
            "user = ocid1.user.oc1..aaaaaaaatestonlyuser\n"
            "fingerprint = 6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\n"
            f"key_file = {key}\nregion = {REGION}\n")

def proc_cpu(pid):
    """user+sys seconds a running process has used so far (/proc/PID/stat)."""
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0

def stop_sink(sp):
    """SIGTERM (sinksim writes its stats file), reap it; returns its user+sys CPU s."""
    sp.send_signal(signal.SIGTERM)
    _, status, ru = os.wait4(sp.pid, 0)
    sp.returncode = os.waitstatus_to_exitcode(status)
    return ru.ru_utime + ru.ru_stime

def run_one(name, sinks, t2, runidx):
    """sinks: list of (format, compression). Returns a dict of figures, or dies."""
    d = f"{work}/{name}-{runidx}"
    os.makedirs(f"{d}/state")
    sims = []
    for i, _ in enumerate(sinks):
        pf = f"{d}/sink{i}.port"
        p = subprocess.Popen([f"{build}/sinksim", "--listen", "127.0.0.1:0", "--port-file", pf,
                              "--mode", "http", "--count-only", "--stats-file", f"{d}/sink{i}.stats"],
                             stderr=open(f"{d}/sink{i}.log", "w"))
        procs.append(p)
        sims.append((p, wait_port(pf, p, "sinksim")))
    conf = f"{d}/bench.conf"
    with open(conf, "w") as f:
        f.write(f"[daemon]\nstate_dir = {d}/state\nlog_level = notice\nstats_interval = 1h\n"
                f"[oci]\nauth = api_key\nconfig_file = {work}/oci/config\nregion = {REGION}\n"
                f"endpoint = http://127.0.0.1:{oci_port}\n"
                f"[source bench]\nquery = {QUERY}\nlag = 0s\noverlap = 0\n")
        for i, (fmt, comp) in enumerate(sinks):
            f.write(f"[sink s{i}]\ntype = http\nurl = http://127.0.0.1:{sims[i][1]}/\n"
                    f"format = {fmt}\ncompression = {comp}\n")
    log = open(f"{d}/daemon.log", "w")
    sim0 = proc_cpu(op.pid)
    t0 = time.monotonic()
    p = subprocess.Popen(WRAP + [f"{build}/oci-logfwd", "-c", conf, "--from", T1, "--to", t2],
                         stdout=log, stderr=log)
    procs.append(p)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    simcpu = proc_cpu(op.pid) - sim0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        die(f"{name}: oci-logfwd exited {p.returncode}; see {d}/daemon.log:\n" + open(f"{d}/daemon.log").read()[-2000:])
    sinkcpu = sum(stop_sink(sp) for sp, _ in sims)
    for i, (fmt, comp) in enumerate(sinks):
        if sims[i][0].returncode != 0 or not os.path.exists(f"{d}/sink{i}.stats"):
            die(f"{name}: sinksim {i} exited {sims[i][0].returncode} without its stats; "
                f"see {d}/sink{i}.log:\n" + open(f"{d}/sink{i}.log").read()[-2000:])
        st = json.load(open(f"{d}/sink{i}.stats"))
        e = expected(fmt, t2)
        if st["events"] != e["records"] or st["duplicate_events"] != 0 or \
           st["unique_events"] != e["unique"] or st["content_sum"] != e["content_sum"]:
            die(f"{name} sink {i}: received events={st['events']} unique={st['unique_events']} "
                f"dups={st['duplicate_events']} sum={st['content_sum']}; expected "
                f"{e['records']} records, {e['unique']} unique, sum {e['content_sum']}")
        if st["codes"].keys() - {"200"}:
            die(f"{name} sink {i}: unexpected answers {st['codes']}")
    n = expected(sinks[0][0], t2)["records"]
    cpu = ru.ru_utime + ru.ru_stime
    return {"records": n, "wall": wall, "rate": n / wall, "cpu": cpu, "us": cpu * 1e6 / n,
            "user": ru.ru_utime, "sys": ru.ru_stime, "rss": ru.ru_maxrss / 1024.0,
            "sim": simcpu, "sink": sinkcpu,
            "requests": sum(json.load(open(f"{d}/sink{i}.stats"))["requests"] for i in range(len(sinks)))}

SNG_HTTP = "/usr/lib/syslog-ng"
def syslog_ng_missing():
    import glob, shutil
    if shutil.which("syslog-ng") is None:
        return "syslog-ng not installed (apt-get install syslog-ng-core syslog-ng-mod-http)"
    if not glob.glob(f"{SNG_HTTP}/*/libhttp.so"):
        return "syslog-ng's http module not installed (apt-get install syslog-ng-mod-http)"
    return None

def sng_version():
    try:
        out = subprocess.run(["syslog-ng", "--version"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Installer-Version:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"

def fluent_bit_bin():
    """Fluent Bit is not packaged in Debian 12: FLUENT_BIT names a binary (built from
    source), else one on PATH."""
    import shutil
    return os.environ.get("FLUENT_BIT") or shutil.which("fluent-bit")

def fluent_bit_missing():
    b = fluent_bit_bin()
    if not b or not os.access(b, os.X_OK):
        return ("Fluent Bit not found (not packaged in Debian 12; build it from source and "
                "set FLUENT_BIT=/path/to/fluent-bit)")
    return None

def fb_version():
    try:
        out = subprocess.run([fluent_bit_bin(), "--version"], capture_output=True, text=True).stdout
        return out.split()[2] if out.startswith("Fluent Bit v") else "?"
    except (OSError, IndexError):
        return "?"

def peer_config(kind, d, port, df):
    """The peer's configuration file and its command line (stdin: the records or None)."""
    if kind == "fluent-bit":
        with open(f"{d}/parsers.conf", "w") as f:
            f.write("[PARSER]\n    Name   json\n    Format json\n")
        conf = f"{d}/fluent-bit.conf"
        with open(conf, "w") as f:
            # tail from the head of the record file, each line parsed as JSON (its own
            # json parser: what the issue measured), posted as JSON lines without an
            # added date key; Mem_Buf_Limit bounds what it reads ahead of the sink
            f.write("[SERVICE]\n    Flush 0.1\n    Log_Level warn\n"
                    f"    Parsers_File {d}/parsers.conf\n"
                    "[INPUT]\n    Name tail\n"
                    f"    Path {df}\n    Read_from_Head true\n    Parser json\n"
                    "    Buffer_Max_Size 2M\n    Mem_Buf_Limit 16M\n"
                    "[OUTPUT]\n    Name http\n    Match *\n    Host 127.0.0.1\n"
                    f"    Port {port}\n    URI /\n    Format json_lines\n"
                    "    json_date_key false\n")
        return [fluent_bit_bin(), "-c", conf], False
    conf = f"{d}/syslog-ng.conf"
    with open(conf, "w") as f:
        # flags(no-parse): the line is the message, as is; 1000 a batch like the daemon's
        # pages; the body is the records joined by newlines (NDJSON); flow-control with a
        # 10000-message window: the source waits for the sink instead of reading the
        # whole input into memory (bounded, like the daemon's queue)
        f.write("@version: 3.38\n"
                "options { stats-freq(0); log-msg-size(1048576); log-fifo-size(10000); };\n"
                "source s { stdin(flags(no-parse) log-iw-size(10000)); };\n"
                f"destination d {{ http(url(\"http://127.0.0.1:{port}/\") method(\"POST\") "
                "body(\"${MESSAGE}\") batch-lines(1000) batch-timeout(100) workers(1) "
                "headers(\"Content-Type: application/x-ndjson\")); };\n"
                "log { source(s); destination(d); flags(flow-control); };\n")
    return ["syslog-ng", "-F", "-f", conf, "--no-caps", "-R", f"{d}/persist",
            "-p", f"{d}/pid", "-c", f"{d}/ctl"], True

def run_peer(name, t2, runidx):
    """A peer (syslog-ng or Fluent Bit) forwarding the window's records verbatim to one
    sinksim."""
    d = f"{work}/{name}-{runidx}"
    os.makedirs(d)
    pf = f"{d}/sink0.port"
    sp = subprocess.Popen([f"{build}/sinksim", "--listen", "127.0.0.1:0", "--port-file", pf,
                           "--mode", "http", "--count-only", "--stats-file", f"{d}/sink0.stats"],
                          stderr=open(f"{d}/sink0.log", "w"))
    procs.append(sp)
    port = wait_port(pf, sp, "sinksim")
    # the records come from a file written beforehand: the generator's speed must not
    # bound the peer's
    df = f"{work}/dump-{t2}.ndjson".replace(":", "")
    if not os.path.exists(df):
        with open(df + ".tmp", "wb") as f:
            subprocess.run([f"{build}/ocisim", "--dump", "--from", T1, "--to", t2,
                            "--query", QUERY] + ocisim_args, stdout=f, check=True)
        os.rename(df + ".tmp", df)
    argv, wants_stdin = peer_config(name, d, port, df)
    # stdin stays open after the records: syslog-ng drops what its queue still holds when
    # it exits at the end of its input, so it is stopped once the sink has everything
    dump = subprocess.Popen(["sh", "-c", ('cat "$0" && ' if wants_stdin else '') +
                             'exec sleep 100000', df], stdout=subprocess.PIPE)
    procs.append(dump)
    log = open(f"{d}/{name}.log", "w")
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=dump.stdout, stdout=log, stderr=log)
    dump.stdout.close()
    procs.append(p)
    want = expected("verbatim", t2)["records"]
    deadline = time.monotonic() + 900
    while True:
        # re-read every time: done when the sink has received every record
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sinksim/stats", timeout=5) as u:
                got = json.load(u)["events"]
        except OSError:
            got = -1
        if got >= want:
            break
        if p.poll() is not None:
            die(f"{name}: the peer exited {p.returncode} early; see {d}/{name}.log")
        if time.monotonic() > deadline:
            die(f"{name}: the sink has {got} of {want} records after 900 s")
        time.sleep(0.02)
    wall = time.monotonic() - t0
    p.send_signal(signal.SIGTERM)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    dump.terminate()
    dump.wait()
    if p.returncode != 0:
        die(f"{name}: the peer exited {p.returncode}; see {d}/{name}.log:\n" + open(f"{d}/{name}.log").read()[-2000:])
    sp.send_signal(signal.SIGTERM)
    sp.wait(10)
    st = json.load(open(f"{d}/sink0.stats"))
    e = expected("verbatim", t2)
    if st["events"] != e["records"] or st["duplicate_events"] != 0 or \
       st["unique_events"] != e["unique"] or st["content_sum"] != e["content_sum"]:
        die(f"{name}: received events={st['events']} unique={st['unique_events']} "
            f"dups={st['duplicate_events']} sum={st['content_sum']}; expected "
            f"{e['records']} records, {e['unique']} unique, sum {e['content_sum']}")
    n = e["records"]
    cpu = ru.ru_utime + ru.ru_stime
    return {"records": n, "wall": wall, "rate": n / wall, "cpu": cpu, "us": cpu * 1e6 / n,
            "user": ru.ru_utime, "sys": ru.ru_stime, "rss": ru.ru_maxrss / 1024.0,
            "requests": st["requests"]}

def on_term(sig, frame):
    cleanup()
    sys.exit(1)
signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)

SCEN = [
    ("ecs", "ecs, 1 http sink", [("ecs", "none")], T2),
    ("ecs-gzip", "ecs + gzip, 1 http sink", [("ecs", "gzip")], T2),
    ("raw", "raw, 1 http sink", [("raw", "none")], T2),
    ("ecs-4sinks", "ecs, 4 http sinks", [("ecs", "none")] * 4, T2),
    ("ecs-small", "ecs, 1 sink, 1/10 of the records", [("ecs", "none")], T2S),
    ("syslog-ng", "peer: syslog-ng {v} (Debian), verbatim, 1 http sink", None, T2),
    ("fluent-bit", "peer: Fluent Bit {v} (from source), json_lines, 1 http sink", None, T2),
]
if ONLY:
    SCEN = [s for s in SCEN if s[0] in ONLY]

try:
    op = subprocess.Popen([f"{build}/ocisim", "--listen", "127.0.0.1:0", "--port-file", f"{work}/ocisim.port",
                           "--public-key", f"{root}/tests/data/oci/testonly-api-key-public.pem"] + ocisim_args,
                          stderr=open(f"{work}/ocisim.log", "w"))
    procs.append(op)
    oci_port = wait_port(f"{work}/ocisim.port", op, "ocisim")
    mach = machine()
    load0 = open("/proc/loadavg").read().split()[0]
    print(f"oci-logfwd benchmark: {RECORDS} records/h window {T1}..{T2}, {RUNS} run(s) each, medians")
    print(f"machine: {mach}")
    rows = []
    notes = []
    ecs_rate = None
    for sid, label, sinks, t2 in SCEN:
        if sinks is None:
            why = syslog_ng_missing() if sid == "syslog-ng" else fluent_bit_missing()
            if why:
                notes.append(f"peer skipped: {why}")
                print(f"  {sid}: skipped: {why}", flush=True)
                continue
            label = label.format(v=sng_version() if sid == "syslog-ng" else fb_version())
            expected("verbatim", t2)
        else:
            for fmt, _ in sinks:
                expected(fmt, t2)
        res = []
        for r in range(RUNS):
            res.append(run_peer(sid, t2, r) if sinks is None else run_one(sid, sinks, t2, r))
            x = res[-1]
            print(f"  {sid} run {r + 1}: {x['records']} records {x['wall']:.2f} s "
                  f"{x['rate']:,.0f}/s cpu {x['cpu']:.2f} s ({x['user']:.2f} user + {x['sys']:.2f} sys) "
                  f"{x['us']:.2f} us/rec rss {x['rss']:.1f} MiB, {x['requests']} requests"
                  + (f"; ocisim cpu {x['sim']:.2f} s" if "sim" in x else "")
                  + (f", sinksim cpu {x['sink']:.2f} s" if "sink" in x else ""), flush=True)
        med = {k: statistics.median(x[k] for x in res) for k in ("wall", "rate", "cpu", "us", "rss")}
        med["records"] = res[0]["records"]
        rows.append((label, med))
        if sid == "ecs":
            ecs_rate = med["rate"]
        if sinks is None and ecs_rate is not None:
            notes.append(f"oci-logfwd (ecs, 1 sink) / {sid} records/s in this run: "
                         f"{ecs_rate / med['rate']:.2f}x ({sid} forwards the records "
                         + ("verbatim, without parsing or normalizing them)" if sid == "syslog-ng"
                            else "after parsing each line as JSON, without normalizing them)"))
    hdr = "| scenario | records | wall s | records/s | CPU s | CPU µs/record | peak RSS MiB |"
    sep = "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    lines = [hdr, sep] + [f"| {l} | {m['records']:,} | {m['wall']:.2f} | {m['rate']:,.0f} | {m['cpu']:.2f} | "
                          f"{m['us']:.2f} | {m['rss']:.1f} |" for l, m in rows]
    print()
    print("\n".join(lines))
    for nt in notes:
        print(nt)
    # other processes on the machine bound wall clock and skew CPU: say how busy it was
    load1 = open("/proc/loadavg").read().split()[0]
    notes.append(f"load average (1 min) {load0} at the start, {load1} at the end of the run")
    print(f"load average (1 min): {load0} at the start, {load1} at the end")
    cid = commit()  # before RESULTS.md is rewritten (which would make it -dirty)
    print(f"\nmachine: {mach}; commit {cid}; every run delivered every record (count + content hash)")
    if not os.environ.get("BENCH_NO_RESULTS"):
        # a hand-written "## History" section at the end of RESULTS.md is kept
        kept = ""
        try:
            old = open(f"{root}/bench/RESULTS.md").read()
            if "\n## History" in old:
                kept = old[old.index("\n## History"):]
        except OSError:
            pass
        with open(f"{root}/bench/RESULTS.md", "w") as f:
            f.write("# oci-logfwd benchmark results\n\n"
                    f"Written by `make bench` (bench/run.sh) on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
                    f"commit `{cid}`.\n\n"
                    f"Machine: {mach}.\n\n"
                    f"Backfill (`oci-logfwd --from {T1} --to <T2>`) from `ocisim` (generating {RECORDS:,} records "
                    "per hour of log time, 70 % VCN flow / 30 % audit, ~1.2 KB each, no faults) into "
                    "`sinksim --count-only` on loopback; all three processes share the machine. "
                    "CPU = the daemon's user+sys (rusage of the child), RSS = its peak (ru_maxrss). "
                    f"Median of {RUNS} run(s). Every run is checked: each sink received exactly the "
                    "expected events (count, no duplicates, and a content hash of every encoded event "
                    "computed independently from `ocisim --dump`).\n\n")
            f.write("\n".join(lines) + "\n" + "".join(f"\n{nt}\n" for nt in notes) + kept)
finally:
    cleanup()
    if not failed and not os.environ.get("BENCH_KEEP"):
        # the peer's record file alone is ~1.2 GB at 1,000,000 records
        import shutil
        shutil.rmtree(work, ignore_errors=True)
PY
