#!/usr/bin/env python3
"""kill -9 under write load, restart, and check what followed each save (`make test-hard`).

Starts `carehome demo` from the appliance tree on a data directory kept across restarts, signs a nurse
in, and has writers add residents and record falls as fast as the server answers, while the server is
killed with SIGKILL at a random moment, several times, restarting after each. Then, on the database:

  - every acknowledged save is there (none lost);
  - every committed new resident and every committed fall has its audit entry (its own, or the entry
    written at the next start from the promise the save committed with it);
  - every committed fall reached the home round's list and the medication rules, and every new resident
    got their falls-assessment prompt (the follow-on work of the events);
  - the outbox is empty and `carehome audit verify` passes.

Loopback only; bounded (cycles x seconds). Exits 1 when any check fails; prints the counts either way.
"""
import argparse
import datetime
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zoneinfo

sys.path.insert(0, os.path.dirname(__file__))
from exhaustion import cookies_from, exchange, get, post_request, sign_in  # noqa: E402


def log(message):
    print(message, flush=True)


def start(binary, data):
    proc = subprocess.Popen([binary, "demo", "--listen", "127.0.0.1:0", "--data-dir", data], stdout=subprocess.PIPE,
                            stderr=open(os.path.join(os.path.dirname(data), "server.log"), "ab"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if not line:
            break
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
            return proc, int(m.group(1))
    proc.kill()
    raise RuntimeError("the server did not start")


def csrf_token(port, cookie):
    _, _, body = get(port, "/residents/new", cookie)
    m = re.search(rb'name="_csrf" value="([0-9a-f]+)"', body)
    if not m:
        raise RuntimeError("no CSRF token on /residents/new")
    return m.group(1).decode()


def now_input():
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London")) - datetime.timedelta(minutes=1)
    return now.strftime("%Y-%m-%dT%H:%M")


class Writer(threading.Thread):
    def __init__(self, port, cookie, token, residents, acked, lock, serial):
        super().__init__(daemon=True)
        self.port, self.cookie, self.token = port, cookie, token
        self.residents, self.acked, self.lock, self.serial = residents, acked, lock, serial

    def run(self):
        n = 0
        while True:
            n += 1
            try:
                if n % 3 == 1:
                    today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London")).date().isoformat()
                    form = {"_csrf": self.token, "full_name": f"Crash Test {self.serial}-{n}", "date_of_birth": "1940-01-01",
                            "room": str(100 + n % 50), "allergies": "None known", "admission_date": today, "admission_type": "permanent", "plan_exists": "no"}
                    status, head, _ = exchange(self.port, post_request("/residents/new", form, self.cookie), timeout=10)
                    m = re.search(r"(?im)^location:\s*/residents/(\d+)\s*$", head)
                    if status == 303 and m:
                        with self.lock:
                            self.acked["residents"].append(int(m.group(1)))
                            self.residents.append(int(m.group(1)))
                    elif status == 0:
                        return
                else:
                    with self.lock:
                        resident = random.choice(self.residents)
                    form = {"_csrf": self.token, "resident_id": str(resident), "occurred_at": now_input(), "location": "lounge",
                            "witnessed": "yes", "injured": "no", "head_strike": "no"}
                    status, head, _ = exchange(self.port, post_request("/falls/new", form, self.cookie), timeout=10)
                    m = re.search(r"(?im)^location:\s*/falls/(\d+)/check\s*$", head)
                    if status == 303 and m:
                        with self.lock:
                            self.acked["falls"].append(int(m.group(1)))
                    elif status == 0:
                        return
            except OSError:
                return


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appliance", default=".build/appliance")
    parser.add_argument("--cycles", type=int, default=6)
    parser.add_argument("--writers", type=int, default=3)
    args = parser.parse_args()
    binary = os.path.join(args.appliance, "bin", "carehome")
    work = tempfile.mkdtemp(prefix="carehome-crash-")
    data = os.path.join(work, "home")
    database = os.path.join(data, "home.sqlite")

    proc, port = start(binary, data)
    with sqlite3.connect(database, timeout=10) as db:
        first_resident = db.execute("SELECT COALESCE(MAX(id), 0) FROM residents_residents").fetchone()[0]
        first_fall = db.execute("SELECT COALESCE(MAX(id), 0) FROM falls_log_falls").fetchone()[0]
        residents = [r[0] for r in db.execute("SELECT id FROM residents_residents")]
        first_audit = db.execute("SELECT COALESCE(MAX(id), 0) FROM core_audit").fetchone()[0]
    acked = {"residents": [], "falls": []}
    lock = threading.Lock()
    for cycle in range(args.cycles):
        _, session = sign_in(port, "nurse", "carehome-demo")
        cookie = f"carehome_session={session}"
        token = csrf_token(port, cookie)
        writers = [Writer(port, cookie, token, residents, acked, lock, f"{cycle}{i}") for i in range(args.writers)]
        for w in writers:
            w.start()
        time.sleep(random.uniform(1.5, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for w in writers:
            w.join(timeout=15)
        proc, port = start(binary, data)
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

    failures = []
    with sqlite3.connect(database, timeout=10) as db:
        q = lambda sql, *a: db.execute(sql, a).fetchall()
        new_residents = [r[0] for r in q("SELECT id FROM residents_residents WHERE id > ?", first_resident)]
        new_falls = q("SELECT id, resident_id FROM falls_log_falls WHERE id > ?", first_fall)
        lost_residents = sorted(set(acked["residents"]) - set(new_residents))
        lost_falls = sorted(set(acked["falls"]) - {f[0] for f in new_falls})
        audited_residents = {r[0] for r in q("SELECT resident_id FROM core_audit WHERE source = 'residents' AND action IN ('create', 'change-recovered') AND resident_id > ? AND id > ?", first_resident, first_audit)}
        no_audit_residents = [r for r in new_residents if r not in audited_residents]
        fall_audits = {}
        for resident, count in q("SELECT resident_id, COUNT(*) FROM core_audit WHERE source = 'falls-log' AND action IN ('create', 'change-recovered') AND id > ? GROUP BY resident_id", first_audit):
            fall_audits[resident] = count
        falls_per_resident = {}
        for _, resident in new_falls:
            falls_per_resident[resident] = falls_per_resident.get(resident, 0) + 1
        falls_without_audit = sum(max(0, n - fall_audits.get(r, 0)) for r, n in falls_per_resident.items())
        round_heard = {r[0] for r in q("SELECT fall_id FROM home_round_fall_events")}
        medication_heard = {r[0] for r in q("SELECT fall_id FROM medication_review_falls")}
        missed_round = [f for f, _ in new_falls if f not in round_heard]
        missed_medication = [f for f, _ in new_falls if f not in medication_heard]
        prompted = {r[0] for r in q("SELECT resident_id FROM falls_log_assessments WHERE prompted_by = 'admission'")}
        missed_prompt = [r for r in new_residents if r not in prompted]
        try:
            outbox = q("SELECT COUNT(*) FROM core_outbox")[0][0]
        except sqlite3.OperationalError:
            outbox = None
        recovered = q("SELECT COUNT(*) FROM core_audit WHERE action = 'change-recovered'")[0][0]
    verify = subprocess.run([binary, "audit", "verify", "--data-dir", data], capture_output=True, text=True)
    # Every record's seal commits with it: after the kills, check finds each as the appliance last saved it.
    check = subprocess.run([binary, "check", "--data-dir", data], capture_output=True, text=True)
    sealed = re.search(r"records: (\d+) rows in \d+ tables are as the appliance last saved them", check.stdout)
    with open(os.path.join(work, "server.log"), errors="replace") as f:
        server_log = f.read()
    redelivered = sum(int(n) for n in re.findall(r"outbox\.events=(\d+)", server_log))

    log(f"crash test: {args.cycles} kill -9 cycles, {args.writers} writers")
    log(f"  acknowledged: {len(acked['residents'])} residents, {len(acked['falls'])} falls; committed: "
        f"{len(new_residents)} residents, {len(new_falls)} falls")
    log(f"  lost acknowledged saves: {len(lost_residents) + len(lost_falls)}")
    log(f"  committed without an audit entry: {len(no_audit_residents)} residents, {falls_without_audit} falls "
        f"({recovered} entries written at a restart from the outbox; {redelivered} events delivered at a restart)")
    log(f"  follow-on missing: {len(missed_round)} falls not on the round's list, {len(missed_medication)} not in the "
        f"medication rules, {len(missed_prompt)} new residents without a falls-assessment prompt")
    log(f"  outbox rows left: {outbox}; audit verify: exit {verify.returncode}; check: exit {check.returncode}"
        f"{f', {sealed.group(1)} records as last saved' if sealed else ''}")
    if lost_residents or lost_falls:
        failures.append(f"acknowledged saves lost: residents {lost_residents[:5]}, falls {lost_falls[:5]}")
    if no_audit_residents or falls_without_audit:
        failures.append(f"committed saves without an audit entry: residents {no_audit_residents[:5]}, {falls_without_audit} falls")
    if missed_round or missed_medication or missed_prompt:
        failures.append(f"follow-on work missing: round {missed_round[:5]}, medication {missed_medication[:5]}, prompts {missed_prompt[:5]}")
    if outbox:
        failures.append(f"{outbox} outbox rows left after a clean stop")
    if verify.returncode != 0:
        failures.append(f"audit verify failed: {verify.stdout} {verify.stderr}")
    if check.returncode != 0 or not sealed:
        failures.append(f"check after the kills: {check.stdout[-600:]} {check.stderr[-400:]}")
    if len(new_falls) + len(new_residents) < 20:
        failures.append("too few saves were made to show anything")
    for failure in failures:
        log(f"FAIL: {failure}")
    if failures:
        log(f"(data kept in {work})")
        return 1
    log("PASS: every committed save has its audit entry and its follow-on work")
    subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main())
