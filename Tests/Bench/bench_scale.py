"""`make bench-scale`: what a page costs in a home's tenth year against what it costs in its first month.

Two homes with the same current residents (the demo's) are made with `carehome generate-home`: one with
a month of history, one with --scale-years of it (former residents, falls, rounds, medicines, an audit
trail at --scale-audit-per-day). Both are served at once by the release build; every main page of every
plugin is loaded with wrk on one, then the other, round after round, and the medians compared:
p50, p99 and the server's CPU time per request. Then: start to first answer, peak memory, `carehome
check`, and `carehome backup` (time and size) of the large home.

Generated homes are kept in --scale-homes (the ten-year one takes a few minutes to make) and reused
while the plan (years, beds, seed, audit rate) and today's date are the same. Information only: it
never fails a build.
"""
import datetime
import os
import shutil
import sqlite3
import statistics
import subprocess
import time

from bench import (Wrk, assemble_plugins, cpu_seconds, free_port, log, login, machine_cpu, children_cpu,
                   start_and_time, stop, fmt_ms, verdict, QUIET)

TARGET_RATIO = 1.5
TARGET_CPU_MS = 10.0
TARGET_START_MS = 300.0
TARGET_PEAK_MB = 50.0


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def generate(args, plugins, years, audit_per_day, today):
    # The generator's own version is in the name: a home made by an older generator (without transfers,
    # observations or record seals) is not reused.
    name = f"y{years:g}-b{args.scale_beds}-s{args.scale_seed}-a{audit_per_day}-{today}-g2"
    directory = os.path.join(args.scale_homes, name)
    if os.path.exists(os.path.join(directory, "complete")):
        log(f"using the generated home {directory}")
        return directory, None
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    t0 = time.perf_counter()
    subprocess.run([args.carehome, "generate-home", "--data-dir", directory, "--plugins-dir", plugins, "--years", f"{years:g}",
                    "--beds", str(args.scale_beds), "--seed", str(args.scale_seed), "--audit-per-day", str(audit_per_day),
                    "--today", today], check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - t0
    open(os.path.join(directory, "complete"), "w").close()
    log(f"generated {directory} in {seconds:.0f} s ({os.path.getsize(os.path.join(directory, 'home.sqlite')) / 1e9:.2f} GB)")
    return directory, seconds


def ids(directory):
    """(a current resident living here, the open round) from the home's file, read-only."""
    db = sqlite3.connect(f"file:{os.path.join(directory, 'home.sqlite')}?mode=ro", uri=True)
    try:
        resident = db.execute("SELECT MIN(id) FROM residents_residents WHERE status = 'living-here'").fetchone()[0]
        open_round = db.execute("SELECT id FROM home_round_rounds WHERE status = 'open'").fetchone()
        return resident, open_round[0] if open_round else None
    finally:
        db.close()


def timed(argv):
    t0 = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True)
    return time.perf_counter() - t0, result


def measure_scale(args, work, processes):
    logs = os.path.join(work, "logs")
    os.makedirs(logs)
    plugins = assemble_plugins(args, work)
    config = os.path.join(work, "carehome.conf")
    with open(config, "w") as f:
        f.write(f"threads = {args.threads}\n")
        # The homes are measured as generated: the daily archiving would move the ten-year home's history mid-run.
        f.write("audit_archive = off\n")
    today = datetime.date.today().isoformat()
    connections = int(os.environ.get("BENCH_SCALE_CONNECTIONS", 4))
    duration = int(os.environ.get("BENCH_SCALE_DURATION", 2))
    rounds = int(os.environ.get("BENCH_SCALE_ROUNDS", 3))
    wrk = Wrk(1, connections, duration, timeout_s=30)
    log(f"carehome bench-scale: load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores, pool {args.threads} threads, "
        f"wrk -t1 -c{connections} -d{duration}s x {rounds} rounds; homes: a month and {args.scale_years:g} years of history, "
        f"{args.scale_beds} beds, seed {args.scale_seed}, {args.scale_audit_per_day} audit entries a day")

    small_dir, _ = generate(args, plugins, 1 / 12, args.scale_audit_per_day, today)
    large_dir, generated_s = generate(args, plugins, args.scale_years, args.scale_audit_per_day, today)

    def serve_argv(port, data_dir):
        return [args.carehome, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}", "--plugins-dir", plugins,
                "--config", config]

    # Start to first answer: restarts of each home (the first start after generation also upgrades nothing).
    starts = {}
    for label, directory in (("month", small_dir), ("years", large_dir)):
        port = free_port()
        times = []
        for _ in range(3):
            proc, ms = start_and_time(serve_argv(port, directory), port, deadline_s=120, log_path=os.path.join(logs, f"{label}.log"))
            times.append(ms)
            stop(proc)
        starts[label] = times

    servers = {}
    for label, directory in (("month", small_dir), ("years", large_dir)):
        port = free_port()
        proc, _ = start_and_time(serve_argv(port, directory), port, deadline_s=120, log_path=os.path.join(logs, f"{label}.log"))
        processes.append(proc)
        cookies = {}
        for user in ("nurse", "manager"):
            jar_dir = os.path.join(work, f"{label}-{user}")
            os.makedirs(jar_dir)
            cookies[user] = login(port, user, args.password, jar_dir)
        servers[label] = (port, proc, cookies, ids(directory))

    resident, open_round = servers["month"][3]
    if servers["years"][3] != (resident, open_round):
        log(f"WARNING the two homes differ in their current resident or open round: {servers['month'][3]} / {servers['years'][3]}")
    week_ago = (datetime.date.today() - datetime.timedelta(days=7)).isoformat()
    pages = [("/", "nurse"), ("/", "manager"), ("/residents", "nurse"), (f"/residents/{resident}", "nurse"),
             (f"/residents/{resident}/clock", "nurse"), ("/admissions", "nurse"), ("/falls", "nurse"), ("/falls/analytics", "manager"),
             ("/falls/checks", "nurse"), ("/falls/assessments", "nurse"), ("/rounds", "nurse"), ("/rounds/actions", "nurse"),
             ("/medication", "nurse"), (f"/medication/residents/{resident}", "nurse"),
             ("/deterioration", "nurse"), (f"/deterioration/residents/{resident}", "nurse"),
             ("/transfers", "nurse"), ("/transfers/figures", "manager"), ("/transfers/pack", "manager"), ("/audit", "manager"),
             ("/audit?user=nurse", "manager"), (f"/audit?resident={resident}", "manager"),
             (f"/audit?from={week_ago}&to={today}", "manager"), ("/audit?from=2000-01-01&to=2000-01-31", "manager")]
    if open_round:
        pages.insert(12, (f"/rounds/{open_round}", "nurse"))

    results = {}   # (page, role, label) -> [result]
    warnings = []

    def one(page, role, label):
        port, proc, cookies, _ = servers[label]
        cpu_before = cpu_seconds(proc.pid)
        machine_before, wrk_before = machine_cpu(), children_cpu()
        r = wrk.run(port, page, cookies[role])
        cpu = cpu_seconds(proc.pid) - cpu_before
        busy, total = (a - b for a, b in zip(machine_cpu(), machine_before))
        r["others"] = max(0.0, busy - cpu - (children_cpu() - wrk_before)) / total if total else 0.0
        r["cpu_ms"] = cpu / r["requests"] * 1e3 if r["requests"] else float("nan")
        if r["non2xx"] or r["socket_errors"] or not r["requests"]:
            warnings.append(f"{label} {page}: {r['requests']} answers, {r['non2xx']} non-2xx, {r['socket_errors']} socket errors")
        results.setdefault((page, role, label), []).append(r)

    for page, role in pages:          # warm-up: first views fill the caches kept until the next save
        for label in servers:
            wrk.run(servers[label][0], page, servers[label][2][role], duration=1)
    for _ in range(rounds):
        for page, role in pages:
            for label in ("month", "years"):
                one(page, role, label)

    peak = {label: vm_hwm_kib(servers[label][1].pid) / 1024 for label in servers}
    for label in list(servers):
        stop(servers[label][1])
        processes.remove(servers[label][1])

    # The large home's maintenance: check, backup.
    check_s, check = timed([args.carehome, "check", "--data-dir", large_dir])
    backups = os.path.join(work, "backups")
    os.makedirs(backups)
    backup_s, backup = timed([args.carehome, "backup", "--data-dir", large_dir, "--to-dir", backups])
    backup_files = [os.path.join(backups, f) for f in os.listdir(backups)] if os.path.isdir(backups) else []
    backup_bytes = sum(os.path.getsize(f) for f in backup_files)
    home_bytes = os.path.getsize(os.path.join(large_dir, "home.sqlite"))

    def med(label_results, key):
        quiet = [r for r in label_results if r["others"] <= QUIET]
        chosen = quiet if len(quiet) >= 2 else label_results
        return statistics.median(r[key] for r in chosen)

    log("")
    width = max(len(p) for p, _ in pages) + 10
    log(f"{'page (as)':<{width}}{'p50 month':>10}{'p50 years':>10}{'p99 years':>10}{'CPU month':>11}{'CPU years':>11}"
        f"{'ratio p50':>10}{'ratio CPU':>10}  verdict")
    verdicts = []
    for page, role in pages:
        m, y = results[(page, role, "month")], results[(page, role, "years")]
        p50m, p50y, p99y = med(m, "p50"), med(y, "p50"), med(y, "p99")
        cpum, cpuy = med(m, "cpu_ms"), med(y, "cpu_ms")
        ratio_p50, ratio_cpu = p50y / p50m if p50m else float("nan"), cpuy / cpum if cpum else float("nan")
        ok = ratio_cpu <= TARGET_RATIO and cpuy <= TARGET_CPU_MS
        verdicts.append(ok)
        log(f"{page + ' (' + role + ')':<{width}}{fmt_ms(p50m):>10}{fmt_ms(p50y):>10}{fmt_ms(p99y):>10}{cpum:>9.2f}ms{cpuy:>9.2f}ms"
            f"{ratio_p50:>10.2f}{ratio_cpu:>10.2f}  {verdict(ok)}")
    log("(medians of the quiet runs; CPU: the server's user+system CPU time per request; ratio = years / month;")
    log(f" verdict: CPU ratio <= {TARGET_RATIO} and CPU per request <= {TARGET_CPU_MS:g} ms on the large home)")
    for w in warnings:
        log(f"WARNING {w}")
    log("")
    start_month, start_years = statistics.median(starts["month"]), statistics.median(starts["years"])
    log(f"start to first /healthz: month " + ", ".join(f"{ms:.0f}" for ms in starts["month"]) + " ms; years "
        + ", ".join(f"{ms:.0f}" for ms in starts["years"]) + " ms")
    log(f"peak memory (VmHWM) under load: month {peak['month']:.1f} MiB, years {peak['years']:.1f} MiB")
    log(f"large home: {home_bytes / 1e9:.2f} GB" + (f", generated in {generated_s:.0f} s" if generated_s else ""))
    log(f"carehome check on the large home: {check_s:.1f} s ({'ok' if check.returncode == 0 else 'FAILED: ' + check.stderr.strip()[:200]})")
    log(f"carehome backup of the large home: {backup_s:.1f} s, {backup_bytes / 1e6:.1f} MB "
        + (f"({backup_bytes / home_bytes:.1%} of the live file)" if home_bytes else "")
        + ("" if backup.returncode == 0 else f" FAILED: {backup.stderr.strip()[:300]}"))
    log("")
    log("targets (information only):")
    log(f"  {verdict(all(verdicts))}  {sum(verdicts)} of {len(verdicts)} pages within {TARGET_RATIO}x of the month home's CPU "
        f"and under {TARGET_CPU_MS:g} ms CPU per request")
    log(f"  {verdict(start_years <= TARGET_START_MS)}  start to first answer on the large home {start_years:.0f} ms "
        f"(month home {start_month:.0f} ms; target <= {TARGET_START_MS:g} ms)")
    log(f"  {verdict(peak['years'] <= TARGET_PEAK_MB)}  peak memory {peak['years']:.1f} MiB with all the plugins loaded "
        f"(target <= {TARGET_PEAK_MB:g} MB)")
    return 0
