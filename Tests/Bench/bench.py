#!/usr/bin/env python3
"""The appliance against a minimal libmicrohttpd server, with wrk. Run by Tests/Bench/run.sh.

One run measures, on loopback only and for a bounded time:
  - requests/s and p50/p99 latency of the appliance's /healthz and of a page rendered by a plugin,
    each against Tests/Bench/reference.c answering the same bytes from memory with the same
    libmicrohttpd thread settings, and each ratio to the reference;
  - the appliance's resident memory (VmRSS) after start and after 100k requests;
  - the time from process start to the first served /healthz.
It prints PASS/FAIL against the issue's targets as information: it exits 0 whatever the figures
(it exits non-zero only when it could not measure at all).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

# Every plugin folder with an Entry/ (as Package.swift and the Makefile find them).
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PLUGINS = sorted(name for name in os.listdir(os.path.join(REPO_ROOT, "Plugins"))
                 if os.path.isdir(os.path.join(REPO_ROOT, "Plugins", name, "Entry")))
TARGET_HEALTHZ_RATIO = 0.70
TARGET_START_MS = 300.0
TARGET_RSS_MB = 50.0
TARGET_GROWTH_MB = 5.0
MEMORY_REQUESTS = 100_000


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def rss_split(pid):
    """'anon X + files Y MiB': the process's own memory and the mapped code of its libraries."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("RssAnon:", "RssFile:", "RssShmem:")):
                values[line.split(":")[0]] = int(line.split()[1])
    return (f"anon {mib(values.get('RssAnon', 0)):.1f} + files {mib(values.get('RssFile', 0)):.1f}"
            f" + shmem {mib(values.get('RssShmem', 0)):.1f} MiB")


def cpu_seconds(pid):
    """User + system CPU time of a process so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu():
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]   # user nice system irq softirq steal
    hz = os.sysconf("SC_CLK_TCK")
    return busy / hz, (busy + v[3] + v[4]) / hz


def children_cpu():
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def mib(kib):
    return kib / 1024.0


def get_status(port, path, timeout=1.0):
    """One GET over a fresh connection; the status code, or None when nothing answers yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            # Read to the end so the whole response has been served.
            while s.recv(65536):
                pass
    except OSError:
        return None
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return int(m.group(1)) if m else None


def start_and_time(argv, port, deadline_s=20.0, env=None, log_path=None):
    """Starts argv and polls /healthz in a tight loop. Returns (process, ms to the first 200)."""
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
    while True:
        status = get_status(port, "/healthz")
        now = time.perf_counter()
        if status == 200:
            return proc, (now - t0) * 1000.0
        if proc.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited with status {proc.returncode} before answering "
                               f"(see {log_path})")
        if now - t0 > deadline_s:
            stop(proc)
            raise RuntimeError(f"{argv[0]} did not answer /healthz with 200 within {deadline_s:.0f} s "
                               f"(last status {status}; see {log_path})")
        time.sleep(0.0002)


def stop(proc, timeout=10.0):
    """SIGTERM, then SIGKILL after `timeout`. Returns ms taken to exit after SIGTERM."""
    if proc.poll() is not None:
        return 0.0
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return float("inf")
    return (time.perf_counter() - t0) * 1000.0


def curl_capture(port, path, directory, name, cookie=None):
    """Fetches path with curl; returns (status, body file, headers file, bytes on the wire)."""
    body = os.path.join(directory, f"{name}.body")
    headers = os.path.join(directory, f"{name}.headers")
    argv = ["curl", "-sS", "--max-time", "10", "-o", body, "-D", headers, "-w", "%{http_code}",
            f"http://127.0.0.1:{port}{path}"]
    if cookie:
        argv[1:1] = ["-H", f"Cookie: {cookie}"]
    status = int(subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip() or 0)
    wire = os.path.getsize(body) + os.path.getsize(headers)
    return status, body, headers, wire


def login(port, user, password, directory):
    """Logs in through the login form as a browser would; returns the Cookie header value."""
    jar = os.path.join(directory, "cookies.txt")
    base = f"http://127.0.0.1:{port}"
    page = subprocess.run(["curl", "-sS", "--max-time", "10", "-c", jar, "-b", jar, f"{base}/login"],
                          check=True, capture_output=True, text=True).stdout
    form = re.search(r"<form[^>]*action=\"/login\"[^>]*>(.*?)</form>", page, re.S) or \
        re.search(r"<form[^>]*>(.*?)</form>", page, re.S)
    if not form:
        raise RuntimeError("GET /login has no form")
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[html_unescape(name.group(1))] = html_unescape(value.group(1)) if value else ""
    fields["username"] = user
    fields["password"] = password
    posted = subprocess.run(["curl", "-sS", "--max-time", "10", "-c", jar, "-b", jar, "-o", "/dev/null",
                             "-w", "%{http_code} %{redirect_url}", "--data", urllib.parse.urlencode(fields),
                             f"{base}/login"], check=True, capture_output=True, text=True).stdout
    header = "; ".join(f"{name}={value}" for name, value in read_cookie_jar(jar))
    if not posted.startswith("30") or not header:
        raise RuntimeError(f"login as {user!r} failed: POST /login answered {posted!r}")
    return header


def read_cookie_jar(path):
    """(name, value) pairs from curl's Netscape-format cookie jar (HttpOnly cookies included)."""
    pairs = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#HttpOnly_"):
                line = line[len("#HttpOnly_"):]
            elif line.startswith("#") or not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) >= 7:
                pairs.append((fields[5], fields[6]))
    return pairs


def html_unescape(text):
    import html
    return html.unescape(text)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
SIZES = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}


def parse_wrk(text):
    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")
    m = re.search(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB|TB) read", text, re.M)
    requests = int(m.group(1)) if m else 0
    read = float(m.group(4)) * SIZES[m.group(5)] if m else 0.0
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": latency(50), "p99": latency(99),
        "requests": requests,
        "bytes_per_request": read / requests if requests else 0.0,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in sock.groups()) if sock else 0,
    }


class Wrk:
    def __init__(self, threads, connections, duration, timeout_s=5):
        self.threads, self.connections, self.duration, self.timeout_s = threads, connections, duration, timeout_s

    def run(self, port, path, cookie=None, duration=None):
        argv = ["wrk", f"-t{self.threads}", f"-c{self.connections}", f"-d{duration or self.duration}s",
                f"--timeout={self.timeout_s}s", "--latency"]
        if cookie:
            argv += ["-H", f"Cookie: {cookie}"]
        argv.append(f"http://127.0.0.1:{port}{path}")
        text = subprocess.run(argv, check=True, capture_output=True, text=True,
                              timeout=(duration or self.duration) + 30).stdout
        result = parse_wrk(text)
        result["raw"] = text
        return result


class Target:
    """One server under test: the port, how to reach each path, the expected bytes per answer."""
    def __init__(self, name, port, proc):
        self.name, self.port, self.proc = name, port, proc
        self.requests = 0            # requests served so far, as counted by wrk
        self.results = {}            # path -> [wrk results]


def fmt_ms(ms):
    if ms != ms:
        return "n/a"
    return f"{ms * 1000:.0f}us" if ms < 1 else f"{ms:.2f}ms"


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--carehome", default=os.path.join(root, ".build", "release", "carehome"))
    p.add_argument("--build-dir", default=os.path.join(root, ".build", "release"),
                   help="where the plugin libraries lib<Name>.so are")
    p.add_argument("--reference", required=True, help="the compiled reference server")
    p.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_POOL_THREADS", 4)),
                   help="libmicrohttpd thread pool size the appliance uses (default 4)")
    p.add_argument("--page", action="append",
                   help="a page to load as a signed-in user; repeat for several (default: /residents and the dashboard /, "
                        "where every user lands; or the space-separated BENCH_PAGE). The first is the one profiled with --perf")
    p.add_argument("--user", default=os.environ.get("BENCH_USER", "nurse"))
    p.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", "carehome-demo"),
                   help="a demo account (see `carehome demo --help`)")
    p.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 3)),
                   help="seconds per wrk run (default 3)")
    p.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 5)),
                   help="interleaved rounds; the median is reported (default 5). libmicrohttpd's pool spreads "
                        "connections over its threads unevenly from one wrk run to the next, so a single "
                        "run varies by +-30%% on 2 cores")
    p.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 32)))
    p.add_argument("--wrk-threads", type=int, default=int(os.environ.get("BENCH_WRK_THREADS", 2)))
    p.add_argument("--starts", type=int, default=int(os.environ.get("BENCH_STARTS", 5)),
                   help="restarts timed for start to first response (default 5)")
    p.add_argument("--perf", action="store_true", default=os.environ.get("BENCH_PERF") == "1",
                   help="profile the appliance with perf during one page run and print the top functions; "
                        "count SQLite statements per request with uprobes (needs root)")
    p.add_argument("--stub", action="store_true",
                   help="no appliance: a second reference server stands in for it (checks the bench itself)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    p.add_argument("--scale", action="store_true",
                   help="make bench-scale: every main page on a home with a month of history and on one with "
                        "--scale-years of it (same current residents), alternating; start-up, memory, check, backup")
    p.add_argument("--scale-years", type=float, default=float(os.environ.get("BENCH_SCALE_YEARS", 10)))
    p.add_argument("--scale-beds", type=int, default=int(os.environ.get("BENCH_SCALE_BEDS", 60)))
    p.add_argument("--scale-seed", type=int, default=int(os.environ.get("BENCH_SCALE_SEED", 1)))
    p.add_argument("--scale-audit-per-day", type=int, default=int(os.environ.get("BENCH_SCALE_AUDIT_PER_DAY", 2000)))
    p.add_argument("--scale-homes", default=os.environ.get("BENCH_SCALE_HOMES", os.path.join(root, ".build", "bench", "homes")),
                   help="where generated homes are kept between runs (the ten-year home takes minutes to make)")
    args = p.parse_args()
    args.pages = args.page or os.environ.get("BENCH_PAGE", "/residents /").split()

    work = tempfile.mkdtemp(prefix="carehome-bench-")
    processes = []
    try:
        if args.scale:
            from bench_scale import measure_scale
            return measure_scale(args, work, processes)
        return measure(args, work, processes)
    finally:
        for proc in processes:
            stop(proc)
        if args.keep:
            log(f"(kept {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


def assemble_plugins(args, work):
    plugins = os.path.join(work, "plugins")
    os.makedirs(plugins)
    for name in PLUGINS:
        src = os.path.join(args.build_dir, f"lib{name}.so")
        if not os.path.exists(src):
            raise RuntimeError(f"{src} is missing: build with `swift build -c release` first")
        shutil.copy2(src, plugins)
    return plugins


def stub_files(work):
    """Bodies for the stand-in appliance: a healthz JSON and a page of a realistic size."""
    healthz = os.path.join(work, "stub-healthz.body")
    with open(healthz, "w") as f:
        f.write('{"status":"ok","version":"0.0.0","plugins":[]}')
    page = os.path.join(work, "stub-page.body")
    rows = "".join(f"<tr><td>Resident {i}</td><td>Room {i}</td><td>ok</td></tr>\n" for i in range(150))
    with open(page, "w") as f:
        f.write(f"<!doctype html><html><head><title>Residents</title></head><body><table>{rows}"
                f"</table></body></html>\n")
    return healthz, page


def measure(args, work, processes):
    logs = os.path.join(work, "logs")
    os.makedirs(logs)
    wrk = Wrk(args.wrk_threads, args.connections, args.duration)
    log(f"carehome bench: load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores, pool {args.threads} threads, wrk -t{args.wrk_threads} "
        f"-c{args.connections} -d{args.duration}s x {args.rounds} rounds, pages {' '.join(args.pages)}"
        + (" (STUB: reference against itself)" if args.stub else ""))

    # The appliance's command lines. A config file carries the pool size so both servers match.
    if args.stub:
        stub_healthz, stub_page = stub_files(work)

        def serve_argv(port, data_dir):
            argv = [args.reference, str(port), str(args.threads), "/healthz", stub_healthz, "-"]
            for page in args.pages:
                argv += [page, stub_page, "-"]
            return argv
        demo_argv = serve_argv
    else:
        plugins = assemble_plugins(args, work)
        config = os.path.join(work, "carehome.conf")
        with open(config, "w") as f:
            f.write(f"threads = {args.threads}\n")

        def serve_argv(port, data_dir):
            return [args.carehome, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}",
                    "--plugins-dir", plugins, "--config", config]

        def demo_argv(port, data_dir):
            return [args.carehome, "demo", "--listen", f"127.0.0.1:{port}", "--data-dir", data_dir,
                    "--plugins-dir", plugins]

    # 1. First start on a new data directory (the migrations run).
    fresh_dir = os.path.join(work, "fresh")
    os.makedirs(fresh_dir)
    port = free_port()
    proc, first_ms = start_and_time(serve_argv(port, fresh_dir), port, log_path=os.path.join(logs, "serve.log"))
    stop(proc)

    # 2. `carehome demo` creates a home with demo accounts and residents (so the page is a real one);
    #    then `carehome serve` serves that data directory as an installed appliance would.
    demo_dir = os.path.join(work, "demo")
    os.makedirs(demo_dir)
    app_port = free_port()
    proc, demo_ms = start_and_time(demo_argv(app_port, demo_dir), app_port, log_path=os.path.join(logs, "demo.log"))
    stop(proc)
    app_proc, _ = start_and_time(serve_argv(app_port, demo_dir), app_port, log_path=os.path.join(logs, "serve.log"))
    processes.append(app_proc)
    time.sleep(0.5)
    rss_start = rss_kib(app_proc.pid)
    split_start = rss_split(app_proc.pid)
    cookie = None if args.stub else login(app_port, args.user, args.password, work)

    captured = {}
    for index, path in enumerate(["/healthz"] + args.pages):
        status, body, headers, wire = curl_capture(app_port, path, work, f"page{index}", cookie if index else None)
        if status != 200:
            raise RuntimeError(f"the appliance answered {path} with {status}, not 200")
        captured[path] = (body, headers, wire)
        log(f"captured {path}: {os.path.getsize(body)} bytes of body, {wire} on the wire")

    with open(captured["/healthz"][0]) as f:
        try:
            health = json.load(f)
        except ValueError:
            health = {}
    states = [(p.get("id"), p.get("state")) for p in health.get("plugins", [])]
    log(f"/healthz says status {health.get('status')!r}; plugins: "
        + (", ".join(f"{i} {s}" for i, s in states) or "none"))
    if not args.stub and (len(states) < len(PLUGINS) or any(s != "loaded" for _, s in states)):
        log("WARNING not every plugin is loaded: the memory figure is not the target's")

    ref_port = free_port()
    ref_argv = [args.reference, str(ref_port), str(args.threads)]
    for path, (body, headers, _) in captured.items():
        ref_argv += [path, body, headers]
    ref_proc, _ = start_and_time(ref_argv, ref_port, log_path=os.path.join(logs, "reference.log"))
    processes.append(ref_proc)
    for path, (body, _, _) in captured.items():
        status, ref_body, _, _ = curl_capture(ref_port, path, work, "ref-check", None)
        with open(body, "rb") as a, open(ref_body, "rb") as b:
            if status != 200 or a.read() != b.read():
                raise RuntimeError(f"the reference does not answer {path} with the appliance's bytes")

    app = Target("carehome" if not args.stub else "stub", app_port, app_proc)
    ref = Target("reference", ref_port, ref_proc)
    app.requests = 3  # healthz capture, page capture, login page (stub: two)
    memory = []       # (requests served, RSS KiB)
    warnings = []

    def one(target, path):
        cpu_before = cpu_seconds(target.proc.pid)
        machine_before, wrk_before = machine_cpu(), children_cpu()
        result = wrk.run(target.port, path, cookie if (path != "/healthz" and target is app) else None)
        cpu = cpu_seconds(target.proc.pid) - cpu_before
        busy, total = (a - b for a, b in zip(machine_cpu(), machine_before))
        # What other processes on the machine used meanwhile (compilers, browsers): it skews every figure.
        result["others"] = max(0.0, busy - cpu - (children_cpu() - wrk_before)) / total if total else 0.0
        result["cpu_us"] = cpu / result["requests"] * 1e6 if result["requests"] else float("nan")
        target.results.setdefault(path, []).append(result)
        target.requests += result["requests"]
        expected = captured[path][2]
        if result["non2xx"] or result["socket_errors"]:
            warnings.append(f"{target.name} {path}: {result['non2xx']} non-2xx/3xx answers, "
                            f"{result['socket_errors']} socket errors")
        if result["requests"] and abs(result["bytes_per_request"] - expected) > 0.15 * expected + 64:
            warnings.append(f"{target.name} {path}: {result['bytes_per_request']:.0f} bytes per answer, "
                            f"expected about {expected} (not the captured page? redirected to login?)")
        if target is app:
            memory.append((app.requests, rss_kib(app.proc.pid)))

    # Warm both up briefly (first connections, caches), not counted in the figures.
    for target in (ref, app):
        for path in captured:
            r = wrk.run(target.port, path, cookie if (path != "/healthz" and target is app) else None, duration=1)
            target.requests += r["requests"]
    if app.requests:
        memory.append((app.requests, rss_kib(app.proc.pid)))

    for _ in range(args.rounds):
        for path in captured:
            one(ref, path)
            one(app, path)

    # Top up to 100k requests for the memory figure, if the rounds did not get there (at most a minute).
    top_up_until = time.monotonic() + 60
    while app.requests < memory[0][0] + MEMORY_REQUESTS and time.monotonic() < top_up_until:
        for path in captured:
            r = wrk.run(app.port, path, cookie if path != "/healthz" else None, duration=2)
            app.requests += r["requests"]
            memory.append((app.requests, rss_kib(app.proc.pid)))

    profile = None
    if args.perf and shutil.which("perf"):
        profile = sql_counts(app, ["/healthz"] + args.pages, cookie) + "\n\n" + \
            perf_profile(app, args.pages[0], cookie, wrk, work)

    split_end = rss_split(app_proc.pid)

    # 3. Restarts of the demo home's data directory (populated, migrated): start to first response.
    stop_ms = stop(app_proc)
    processes.remove(app_proc)
    start_ms = []
    for _ in range(args.starts):
        proc, ms = start_and_time(serve_argv(port, demo_dir), port, log_path=os.path.join(logs, "serve.log"))
        start_ms.append(ms)
        stop(proc)

    # Report.
    log("")
    log(f"start to first /healthz: restarts of the demo home " + ", ".join(f"{ms:.0f}" for ms in start_ms)
        + f" ms; first start on a new data dir {first_ms:.0f} ms; demo (creates and seeds) {demo_ms:.0f} ms;"
        f" SIGTERM to exit after the load {stop_ms:.0f} ms")
    log("")
    width = max(14, 2 + max(len(p) for p in captured))
    log(f"{'path':<{width}}{'server':<11}{'req/s':>10}{'p50':>10}{'p99':>10}{'CPU/req':>10}"
        f"   ratio: req/s    p50    p99  CPU/req")
    ratios = {}
    for path in captured:
        ref_m = summary(ref.results[path])
        app_m = summary(app.results[path])
        for name, m in (("reference", ref_m), (app.name, app_m)):
            line = (f"{path:<{width}}{name:<11}{m['rps']:>10.0f}{fmt_ms(m['p50']):>10}{fmt_ms(m['p99']):>10}"
                    f"{m['cpu_us']:>8.0f}us")
            if name != "reference":
                r = {k: app_m[k] / ref_m[k] if ref_m[k] else float("nan") for k in ("rps", "p50", "p99", "cpu_us")}
                ratios[path] = r
                line += f"   {fmt_ratio(r['rps']):>12} {r['p50']:>6.1f} {r['p99']:>6.1f} {r['cpu_us']:>8.1f}"
            else:
                line += " " * 45
            if m["used"] < args.rounds:
                line += f"  (median of {m['used']} quiet runs)"
            log(line.rstrip())
    log("(medians over the runs during which other processes used <= 10% of the CPU, if two or more were;")
    log(" CPU/req: the server's user+system CPU time per request, steadier than req/s on a shared machine;")
    log(" ratio = appliance / reference: for req/s higher is better; the others")
    log(" say how many times slower or costlier the appliance is)")
    log("each round, req/s:")
    for path in captured:
        for t in (ref, app):
            log(f"  {path:<{width}}{t.name:<11}" + " ".join(f"{r['rps']:>7.0f}" for r in t.results[path])
                + "   CPU/req us: " + " ".join(f"{r['cpu_us']:.0f}" for r in t.results[path])
                + "   others' CPU: " + " ".join(f"{r['others']:.0%}" for r in t.results[path]))
    others = max(r["others"] for t in (ref, app) for rs in t.results.values() for r in rs)
    if others > QUIET:
        warnings.append(f"other processes used up to {others:.0%} of the machine's CPU during the runs "
                        f"(load average {os.getloadavg()[0]:.1f}): the figures are skewed; run again on a quiet machine")

    first_100k = next(((n, kib) for n, kib in memory if n >= MEMORY_REQUESTS), memory[-1])
    peak = max(kib for _, kib in memory)
    growth = mib(first_100k[1] - rss_start)
    log("")
    log(f"memory (VmRSS): after start {mib(rss_start):.1f} MiB; after {first_100k[0]} requests "
        f"{mib(first_100k[1]):.1f} MiB (+{growth:.1f}); after {memory[-1][0]} requests "
        f"{mib(memory[-1][1]):.1f} MiB; peak {mib(peak):.1f} MiB")
    log(f"  after start {split_start}; at the end {split_end}")
    # The first sample comes after the 1 s warm-ups: the growth from there on tells a leak from the
    # one-off cost of the first requests (malloc arenas per thread, SQLite page caches, lazy metadata).
    base = memory[0]
    later = next(((n, kib) for n, kib in memory if n >= base[0] + MEMORY_REQUESTS), memory[-1])
    log(f"  after warm-up: {mib(base[1]):.1f} MiB at {base[0]} requests, {mib(later[1]):.1f} MiB "
        f"{later[0] - base[0]} requests later ({mib(later[1] - base[1]):+.1f} MiB)")
    log("  samples (requests:MiB): " + ", ".join(f"{n // 1000}k:{mib(kib):.1f}" for n, kib in memory))
    for w in warnings:
        log(f"WARNING {w}")
    if profile:
        log("")
        log(profile)

    median_start = statistics.median(start_ms) if start_ms else first_ms
    log("")
    log("targets (information only: the bench never fails the build):")
    hr = ratios["/healthz"]["rps"]
    log(f"  {verdict(hr >= TARGET_HEALTHZ_RATIO)}  /healthz throughput {hr:.0%} of the reference (target >= 70%)")
    log(f"  {verdict(median_start <= TARGET_START_MS)}  start to first response {median_start:.0f} ms median of "
        f"{len(start_ms)} restarts of the demo home, {first_ms:.0f} ms on a new data dir (target <= 300 ms)")
    log(f"  {verdict(mib(peak) <= TARGET_RSS_MB)}  memory {mib(peak):.1f} MiB at most"
        + (f" with all {len(PLUGINS)} plugins loaded" if not args.stub else "") + " (target <= 50 MB)")
    log(f"  {verdict(growth <= TARGET_GROWTH_MB)}  growth over the first {first_100k[0]} requests "
        f"{growth:+.1f} MiB from start, {mib(later[1] - base[1]):+.1f} MiB over {later[0] - base[0]} requests "
        f"after warm-up (target <= 5 MB)")
    for page in args.pages:
        log(f"  info  {page} throughput {ratios[page]['rps']:.1%} of the reference, "
            f"{ratios[page]['cpu_us']:.1f} times its CPU per request (no target)")
    return 0


QUIET = 0.10  # a run during which other processes used more of the machine's CPU than this is set aside


def summary(results):
    """Medians over the quiet runs (at least two), else over all of them."""
    quiet = [r for r in results if r["others"] <= QUIET]
    chosen = quiet if len(quiet) >= 2 else results
    m = {k: statistics.median(r[k] for r in chosen) for k in ("rps", "p50", "p99", "cpu_us")}
    m["used"] = len(chosen)
    return m


def fmt_ratio(x):
    return f"{x:.2f}" if x >= 0.1 else f"{x:.4f}"


def perf_profile(app, page, cookie, wrk, work):
    """CPU profile of the appliance under load on `page`, with DWARF call graphs (Swift code often
    has no frame pointers): self time by library, then inclusive time by function."""
    data = os.path.join(work, "perf.data")
    rec = subprocess.Popen(["perf", "record", "-F", "199", "--call-graph", "dwarf,16384", "-o", data,
                            "-p", str(app.proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    r = wrk.run(app.port, page, cookie, duration=4)
    app.requests += r["requests"]
    rec.send_signal(signal.SIGINT)
    rec.wait(timeout=60)

    def report(*options):
        text = subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none", *options],
                              capture_output=True, text=True, timeout=300).stdout
        demangle = shutil.which("swift-demangle")
        if demangle:
            text = subprocess.run([demangle, "--simplified"], input=text, capture_output=True, text=True).stdout
        return [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]
    dsos = report("--no-children", "--sort", "dso", "--percent-limit", "1")
    noise = re.compile(r"partial apply|thunk|reabstraction|\[\.\] 0x|\[\.\] 0+$|_syncHelper|DispatchQueue|"
                       r"Serialized|isolated|inSavepoint|inTransaction|withUnsafe|withBufferView|\(inlined\)|"
                       r"_dispatch|start_thread|_pthread|clone3?$|__libc_start|MHD_|\[k\] (entry|do_syscall)")
    symbols = [l for l in report("--children", "--sort", "sym", "--percent-limit", "2") if not noise.search(l)]
    return (f"perf profile of {app.name} during {page} ({r['rps']:.0f} req/s); self time by library:\n"
            + "\n".join("  " + l[:150] for l in dsos[:10])
            + "\ninclusive time (children) by function:\n" + "\n".join("  " + l[:170] for l in symbols[:40]))


def wait_idle(pid, timeout=15.0):
    """Waits until the process has used (almost) no CPU for 1.5 s: longer than the audit log's
    1-second group commit, so the entries queued by earlier requests have been written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1.5)
        if cpu_seconds(pid) - before < 0.015:
            return True
    return False


def sql_counts(app, paths, cookie):
    """SQLite statements prepared and steps run per request, counted with uprobes (perf probe, as root).
    Unlike req/s these counts do not depend on the machine's load."""
    lib = None
    with open(f"/proc/{app.proc.pid}/maps") as f:
        for line in f:
            if "libsqlite3" in line:
                lib = line.split()[-1]
                break
    if not lib:
        return "SQL counts: the appliance has no libsqlite3 mapped"
    group = "carehome_bench"
    added = subprocess.run(["perf", "probe", "-q", "-x", lib, "-a", f"{group}:prepare=sqlite3_prepare_v3",
                            "-a", f"{group}:step=sqlite3_step"], capture_output=True, text=True)
    if added.returncode != 0:
        return f"SQL counts: perf probe failed ({added.stderr.strip()[:200]})"
    n = 20

    def window(path):
        """Counts over: attach, n sequential requests to path (none if None), 1.3 s for their audit entries."""
        out = tempfile.NamedTemporaryFile(suffix=".perfstat", delete=False).name
        stat = subprocess.Popen(["perf", "stat", "-x,", "-o", out, "-e", f"{group}:prepare", "-e", f"{group}:step",
                                 "-p", str(app.proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        started = time.monotonic()
        for _ in range(n):
            if path is None:
                break
            subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "10"]
                           + (["-H", f"Cookie: {cookie}"] if cookie and path != "/healthz" else [])
                           + [f"http://127.0.0.1:{app.port}{path}"], check=False)
            app.requests += 1
        time.sleep(max(0.0, window.last - (time.monotonic() - started)) if path is None else 0.0)
        window.last = time.monotonic() - started
        time.sleep(1.3)
        stat.send_signal(signal.SIGINT)
        stat.wait(timeout=10)
        counts = {"prepare": 0.0, "step": 0.0}
        with open(out) as f:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) > 2 and parts[0].replace(".", "").isdigit():
                    counts[parts[2].split(":")[-1]] = float(parts[0])
        os.unlink(out)
        return counts
    window.last = 0.0

    lines = [f"SQLite work per request ({n} sequential requests by one user, with the audit entries they queue;"
             " the same time without requests in brackets):"]
    try:
        for path in paths:
            wait_idle(app.proc.pid)  # audit entries of earlier requests are written after them: let them go first
            busy = window(path)
            wait_idle(app.proc.pid)
            quiet = window(None)
            lines.append(f"  {path:<20} {busy['prepare'] / n:>7.1f} statements prepared, {busy['step'] / n:>7.1f} steps"
                         f"   ({quiet['prepare'] / n:.1f}, {quiet['step'] / n:.1f})")
    finally:
        subprocess.run(["perf", "probe", "-q", "-d", f"{group}:*"], capture_output=True)
    return "\n".join(lines)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        print(f"bench: could not measure: {e}", file=sys.stderr)
        sys.exit(1)
