#!/usr/bin/env python3
"""Resource exhaustion by someone who never signs in, against the real server (`make test-hard`).

Starts `carehome demo` from the appliance tree on 127.0.0.1, signs a nurse in, and while the nurse
keeps opening pages (a fresh connection each time, as a browser opening a new tab would), runs the
attacks of issue 14 from other loopback addresses (127.0.0.x: Linux answers the whole 127/8), bounded
in count and time:

  1. sign-ins with 4 MiB usernames, then many sign-ins with long and with distinct usernames;
  2. 200 connections from 4 addresses, each sending most of a 7.9 MB POST body without a session;
  3. 260 slow-header connections from 5 addresses, one byte every few seconds, reconnecting when cut.

Then it asserts the issue's targets: the signed-in pages' p99 under 200 ms during the attacks, the
server's resident memory back within 20 MB of its baseline afterwards, and the audit table grown by
no more than a bound. It prints the figures either way; it exits 1 when a target is missed.
Loopback only; about a minute.
"""
import argparse
import os
import random
import re
import socket
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

P99_TARGET_MS = 200.0
RSS_RETURN_MB = 20.0
# Entries written for clients that never signed in (user_id NULL) may grow by at most this much (rows and
# bytes of text) for the whole attack; the nurse's own page views are audited as usual and not counted.
AUDIT_ROWS_BOUND = 300
AUDIT_BYTES_BOUND = 64 * 1024
STAFF_TIMEOUT_S = 5.0


def log(message):
    print(message, flush=True)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


def connect(port, source="127.0.0.1", timeout=STAFF_TIMEOUT_S):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def exchange(port, request, source="127.0.0.1", timeout=STAFF_TIMEOUT_S):
    """Sends one request on a fresh connection; returns (status, headers text, body bytes)."""
    with connect(port, source, timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?i)content-length:\s*(\d+)", head)
                if m and len(body) >= int(m.group(1)):
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return (int(m.group(1)) if m else 0), head.decode("latin-1"), body


def get(port, path, cookie="", source="127.0.0.1", timeout=STAFF_TIMEOUT_S):
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    return exchange(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n".encode(),
                    source, timeout)


def post_request(path, fields, cookie=""):
    body = urllib.parse.urlencode(fields).encode()
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def cookies_from(head):
    return {m.group(1): m.group(2) for m in re.finditer(r"(?im)^set-cookie:\s*([^=;\s]+)=([^;\r\n]*)", head)}


def login_cookie(port, source):
    _, head, _ = get(port, "/login", source=source)
    return cookies_from(head).get("carehome_login", "")


def sign_in(port, username, password, source="127.0.0.1"):
    token = login_cookie(port, source)
    status, head, _ = exchange(port, post_request("/login", {"_csrf": token, "username": username, "password": password},
                                                  cookie=f"carehome_login={token}"), source)
    return status, cookies_from(head).get("carehome_session")


class Staff(threading.Thread):
    """A signed-in nurse opening pages, one fresh connection per page, every 100 ms."""

    def __init__(self, port, cookie):
        super().__init__(daemon=True)
        self.port, self.cookie = port, cookie
        self.latencies, self.failures, self.times = [], [], []
        self.stop = threading.Event()

    def run(self):
        paths = ["/", "/residents"]
        i = 0
        while not self.stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                status, _, _ = get(self.port, path, self.cookie)
                if status != 200:
                    self.failures.append(f"{path}: {status}")
            except OSError as error:
                self.failures.append(f"{path}: {error}")
            self.latencies.append((time.perf_counter() - started) * 1000.0)
            self.times.append(started)
            self.stop.wait(0.1)


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0.0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_mib(self.pid))
            except (OSError, RuntimeError):
                return
            self.stop.wait(0.2)


def in_parallel(jobs, workers):
    """Runs callables on `workers` threads; errors (refused, reset: the server's defence) are counted."""
    jobs = list(jobs)
    lock = threading.Lock()
    errors = [0]

    def worker():
        while True:
            with lock:
                if not jobs:
                    return
                job = jobs.pop()
            try:
                job()
            except OSError:
                with lock:
                    errors[0] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors[0]


def attack_sign_ins(port):
    """Sign-ins with huge usernames, then with long and with distinct usernames, from 127.0.0.2-3."""
    huge = "a" * (4 * 1024 * 1024)

    def big(source):
        def job():
            token = login_cookie(port, source)
            exchange(port, post_request("/login", {"_csrf": token, "username": huge, "password": "x"},
                                        cookie=f"carehome_login={token}"), source, timeout=30)
        return job

    errors = in_parallel([big("127.0.0.2") for _ in range(20)], 4)
    long_name = "b" * 9000

    def small(source, username):
        def job():
            token = login_cookie(port, source)
            exchange(port, post_request("/login", {"_csrf": token, "username": username, "password": "guess-guess"},
                                        cookie=f"carehome_login={token}"), source, timeout=30)
        return job

    jobs = [small("127.0.0.3", long_name) for _ in range(100)]
    jobs += [small("127.0.0.4", "".join(random.choices(string.ascii_lowercase, k=30))) for _ in range(100)]
    errors += in_parallel(jobs, 4)
    return errors


def attack_big_bodies(port, seconds):
    """200 connections from 4 addresses, each sending 7.8 MB of a declared 7.9 MB form, then holding."""
    declared = 7_900_000
    chunk = b"a" * 65536
    holders, lock = [], threading.Lock()

    def job(source):
        def run():
            s = connect(port, source, timeout=10)
            with lock:
                holders.append(s)
            s.sendall((f"POST /residents/new HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                       f"Content-Length: {declared}\r\n\r\nname=").encode())
            sent = 0
            while sent < declared - 100_000:
                s.sendall(chunk)
                sent += len(chunk)
        return run

    jobs = [job(f"127.0.0.{10 + i % 4}") for i in range(200)]
    errors = in_parallel(jobs, 16)
    time.sleep(seconds)
    with lock:
        for s in holders:
            s.close()
    return errors


def attack_slow_headers(port, seconds):
    """260 connections from 5 addresses sending a header one byte every 3 s; reconnecting when cut."""
    deadline = time.monotonic() + seconds
    opened, errors = [0], [0]
    lock = threading.Lock()

    def one(source):
        while time.monotonic() < deadline:
            try:
                s = connect(port, source, timeout=5)
            except OSError:
                with lock:
                    errors[0] += 1
                time.sleep(1)
                continue
            with lock:
                opened[0] += 1
            try:
                s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                while time.monotonic() < deadline:
                    s.sendall(b"a")
                    time.sleep(3)
            except OSError:
                pass
            finally:
                s.close()

    threads = [threading.Thread(target=one, args=(f"127.0.0.{20 + i % 5}",), daemon=True) for i in range(260)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return opened[0], errors[0]


def audit_figures(database):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        rows, size, longest = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(username) + LENGTH(detail) + LENGTH(address)), 0), "
            "COALESCE(MAX(LENGTH(username)), 0) FROM core_audit WHERE user_id IS NULL").fetchone()
    return rows, size, longest


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))] if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appliance", default=".build/appliance")
    parser.add_argument("--hold", type=float, default=8.0, help="seconds the big bodies are held open")
    parser.add_argument("--slow", type=float, default=25.0, help="seconds of slow-header attack")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="carehome-hard-")
    data = os.path.join(work, "home")
    out = open(os.path.join(work, "server.log"), "wb")
    binary = os.path.join(args.appliance, "bin", "carehome")
    proc = subprocess.Popen([binary, "demo", "--listen", "127.0.0.1:0", "--data-dir", data], stdout=subprocess.PIPE,
                            stderr=out)
    port = None
    started = time.monotonic()
    while port is None and time.monotonic() - started < 60:
        line = proc.stdout.readline().decode()
        if not line:
            break
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1))
    if port is None:
        log(f"FAIL: the demo server did not start (log: {work}/server.log)")
        proc.kill()
        return 1
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    failures = []
    try:
        status, session = sign_in(port, "nurse", "carehome-demo")
        if not session:
            log(f"FAIL: the nurse could not sign in ({status})")
            return 1
        cookie = f"carehome_session={session}"
        for _ in range(40):
            get(port, "/", cookie)
            get(port, "/residents", cookie)
        time.sleep(2)
        baseline = rss_mib(proc.pid)
        database = os.path.join(data, "home.sqlite")
        audit_before = audit_figures(database)
        log(f"baseline: RSS {baseline:.1f} MiB; audit {audit_before[0]} rows, {audit_before[1]} bytes of text")

        staff = Staff(port, cookie)
        sampler = Sampler(proc.pid)
        staff.start()
        sampler.start()
        phases = []
        t0 = time.monotonic()
        phases.append(("sign-ins", time.perf_counter()))
        errors = attack_sign_ins(port)
        log(f"sign-in attack: 20 x 4 MiB usernames, 100 x 9000-character, 100 distinct; {errors} refused or cut "
            f"({time.monotonic() - t0:.1f} s)")
        t0 = time.monotonic()
        phases.append(("big bodies", time.perf_counter()))
        errors = attack_big_bodies(port, args.hold)
        log(f"big-body attack: 200 connections x 7.9 MB declared from 4 addresses; {errors} refused or cut "
            f"({time.monotonic() - t0:.1f} s); peak RSS so far {sampler.peak:.1f} MiB")
        t0 = time.monotonic()
        phases.append(("slow headers", time.perf_counter()))
        opened, refused = attack_slow_headers(port, args.slow)
        log(f"slow-header attack: 260 clients from 5 addresses for {args.slow:.0f} s; {opened} connections opened, "
            f"{refused} refused ({time.monotonic() - t0:.1f} s)")
        staff.stop.set()
        staff.join()
        phases.append(("end", time.perf_counter()))
        for (name, start), (_, end) in zip(phases, phases[1:]):
            during = [l for l, t in zip(staff.latencies, staff.times) if start <= t < end]
            log(f"  during {name}: {len(during)} page loads, p50 {percentile(during, 50):.1f} ms, "
                f"p99 {percentile(during, 99):.1f} ms")

        after = baseline
        settle = time.monotonic()
        while time.monotonic() - settle < 15:
            time.sleep(1)
            after = rss_mib(proc.pid)
            if after - baseline <= RSS_RETURN_MB:
                break
        sampler.stop.set()
        audit_after = audit_figures(database)
        p50, p99 = percentile(staff.latencies, 50), percentile(staff.latencies, 99)
        grown_rows, grown_bytes = audit_after[0] - audit_before[0], audit_after[1] - audit_before[1]
        log(f"signed-in pages during the attacks: {len(staff.latencies)} requests, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
            f"max {max(staff.latencies):.1f} ms, {len(staff.failures)} failed")
        log(f"memory: baseline {baseline:.1f} MiB, peak {sampler.peak:.1f} MiB, after {after:.1f} MiB "
            f"({after - baseline:+.1f} MiB)")
        log(f"audit entries for clients not signed in: +{grown_rows} rows, +{grown_bytes} bytes of text, longest username {audit_after[2]} characters")
        if p99 >= P99_TARGET_MS:
            failures.append(f"p99 {p99:.1f} ms is not under {P99_TARGET_MS:.0f} ms")
        if staff.failures:
            failures.append(f"{len(staff.failures)} signed-in page loads failed, e.g. {staff.failures[:3]}")
        if after - baseline > RSS_RETURN_MB:
            failures.append(f"memory stayed {after - baseline:.1f} MiB above its baseline (bound {RSS_RETURN_MB:.0f})")
        if grown_rows > AUDIT_ROWS_BOUND or grown_bytes > AUDIT_BYTES_BOUND:
            failures.append(f"the audit table grew by {grown_rows} rows and {grown_bytes} bytes "
                            f"(bound {AUDIT_ROWS_BOUND} rows, {AUDIT_BYTES_BOUND} bytes)")
        if proc.poll() is not None:
            failures.append(f"the server exited with {proc.returncode}")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    for failure in failures:
        log(f"FAIL: {failure}")
    if not failures:
        log("PASS: exhaustion targets met")
        subprocess.run(["rm", "-rf", work])
    else:
        log(f"(server log and data kept in {work})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
