"""Three carehome appliances and a real Prometheus on loopback: a care group's view in miniature.

The homes run the real `carehome` binary from the appliance tree with their own data directories
and metrics tokens; Prometheus is Debian's, with the rules shipped in Deploy/monitoring, scraping
every second. Everything listens on 127.0.0.1 and is stopped when the group is.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import http.cookiejar
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "Deploy" / "monitoring"
RULES = MONITORING / "carehome-rules.yml"
DASHBOARD = MONITORING / "carehome-dashboard.json"

SERVING = re.compile(r"(?:serving|ready:) (https?)://(127\.0\.0\.1:\d+)/")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_metrics(text: str) -> dict[tuple[str, frozenset], float]:
    """Prometheus' text format as {(name, frozenset of label pairs): value}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        pairs = frozenset((k, v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\"))
                          for k, v in LABEL.findall(labels or ""))
        samples[(name, pairs)] = float(value)
    return samples


class Process:
    """A child process in its own session, its output in a log file."""

    def __init__(self, args: list[str], log: Path, env: dict | None = None):
        self.args = args
        self.log_path = log
        self._log = open(log, "wb")
        self.popen = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._log, text=True,
                                      start_new_session=True, env=env)
        self.lines: list[str] = []
        self._address: str | None = None
        self.scheme = "http"
        self._found = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))
            match = SERVING.search(line)
            if match and not self._found.is_set():
                self.scheme, self._address = match.groups()
                self._found.set()
        self._found.set()

    def address(self, timeout: float = 60) -> str:
        """Waits for the line that names the address (`carehome serve` and `carehome demo` print one)."""
        self._found.wait(timeout)
        if not self._address:
            self.stop()
            raise RuntimeError(f"{self.args[:2]} printed no address.\nstdout: {self.lines}\nlog: "
                               + self.log_path.read_text(errors="replace")[-2000:])
        return self._address

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self._log.close()


class Home:
    """One appliance: `carehome serve` on its own data directory, with a metrics token; over HTTPS
    when it has a certificate (`ca_file`, made for carehome.local as the installer makes it)."""

    def __init__(self, name: str, data: Path, token: str, process: Process, ca_file: Path | None = None):
        self.name, self.data, self.token, self.process, self.ca_file = name, data, token, process, ca_file
        self.address = process.address()
        self.scheme = process.scheme

    def metrics(self) -> str:
        request = urllib.request.Request(f"{self.scheme}://{self.address}/metrics", headers={"Authorization": f"Bearer {self.token}"})
        context = None
        if self.ca_file:
            # The certificate names carehome.local, not 127.0.0.1: check the chain, not the name.
            context = ssl.create_default_context(cafile=str(self.ca_file))
            context.check_hostname = False
        with urllib.request.urlopen(request, timeout=10, context=context) as reply:
            assert reply.status == 200
            return reply.read().decode()

    def _read(self, sql: str) -> list[dict]:
        """Rows from the home's database, read directly (read-only) from SQLite."""
        with sqlite3.connect(f"file:{self.data / 'home.sqlite'}?mode=ro", uri=True) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute(sql)]

    def residents(self) -> list[dict]:
        """Every resident ever recorded in the home."""
        return self._read("SELECT full_name, preferred_name, nhs_number, date_of_birth, status, entered_in_error FROM residents_residents")

    def staff_names(self) -> list[str]:
        """The names staff accounts are shown by ("Niamh Nurse")."""
        return [row["display_name"] for row in self._read("SELECT display_name FROM core_users")]


class FormReader(HTMLParser):
    """The fields of the first form inside <main> whose action is `action`, with their default values."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.select = action, False, None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("action") == self.action and not self.fields:
            self.inside = True
        elif not self.inside:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("radio", "checkbox"):
            self.fields.setdefault(a["name"], a.get("value") or "")
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and a.get("value") and not self.fields.get(self.select):
            self.fields[self.select] = a["value"]  # the first real choice

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


class Browser:
    """A signed-in member of staff, as a browser with JavaScript off: cookies, forms, CSRF tokens."""

    def __init__(self, home: "Home", username: str, password: str):
        self.base = f"{home.scheme}://{home.address}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.submit("/login", {"username": username, "password": password})

    def submit(self, path: str, answers: dict[str, str]) -> str:
        """Opens the page at `path`, fills its form (defaults, then `answers`) and posts it; the page after."""
        with self.opener.open(self.base + path, timeout=15) as page:
            form = FormReader(path)
            form.feed(page.read().decode())
        assert "_csrf" in form.fields, f"no form posting to {path}"
        data = urllib.parse.urlencode({**form.fields, **answers}).encode()
        with self.opener.open(self.base + path, data=data, timeout=15) as reply:
            return reply.read().decode()


class Prometheus:
    def __init__(self, directory: Path, homes: list[Home]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        jobs = []
        for home in homes:
            token_file = directory / f"{home.name}.token"
            token_file.write_text(home.token + "\n")
            token_file.chmod(0o600)
            job = {"job_name": f"carehome-{home.name}",
                   "authorization": {"credentials_file": str(token_file)},
                   "static_configs": [{"targets": [home.address], "labels": {"home": home.name}}]}
            if home.ca_file:
                # As INSTALLING.md tells a care group: trust the home's own certificate, by its name.
                job |= {"scheme": "https", "tls_config": {"ca_file": str(home.ca_file), "server_name": "carehome.local"}}
            jobs.append(job)
        config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
                  "rule_files": [str(RULES)], "scrape_configs": jobs}
        config_file = directory / "prometheus.yml"
        config_file.write_text(json.dumps(config, indent=2))  # JSON is YAML
        self.process = Process(["prometheus", f"--config.file={config_file}", f"--storage.tsdb.path={directory / 'tsdb'}",
                                f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                               directory / "prometheus.log")
        deadline = time.monotonic() + 30
        while not self._ready():
            if self.process.popen.poll() is not None or time.monotonic() > deadline:
                self.process.stop()
                raise RuntimeError("Prometheus did not start:\n" + self.process.log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.2)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as reply:
                return reply.status == 200
        except OSError:
            return False

    def api(self, path: str, **params) -> dict | list:
        query = urllib.parse.urlencode(params, doseq=True)
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}" + (f"?{query}" if query else ""), timeout=10) as reply:
            body = json.load(reply)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict]:
        """An instant query's vector: [{"metric": {...}, "value": [time, "value"]}]."""
        data = self.api("query", query=expr)
        assert data["resultType"] == "vector", (expr, data["resultType"])
        return data["result"]

    def query_range(self, expr: str, seconds: int = 30) -> list[dict]:
        end = time.time()
        data = self.api("query_range", query=expr, start=end - seconds, end=end, step=1)
        return data["result"]

    def by_home(self, expr: str) -> dict[str, float]:
        return {r["metric"]["home"]: float(r["value"][1]) for r in self.query(expr)}

    def wait_for(self, what: str, check, timeout: float = 30, describe=None):
        """Polls `check()` until it returns something truthy; fails naming `what` (and `describe()`) after `timeout`."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = check()
            if last:
                return last
            time.sleep(0.25)
        raise AssertionError(f"waited {timeout}s for {what}; last: {describe() if describe else last}")

    def stop(self):
        self.process.stop()


class CareGroup:
    """Three homes with different data, and Prometheus scraping them:

    - willow-court: the demo home, with a good backup taken, over HTTPS with a certificate made
      the way Deploy/install.sh makes one (for carehome.local);
    - oak-lodge: the same demo residents, no backup, two more carers' accounts, and one more fall
      (with an injury) recorded by the demo nurse through the falls form;
    - ash-house: a new, empty home (no residents, no backup).
    """

    NAMES = ("willow-court", "oak-lodge", "ash-house")

    def __init__(self, appliance: Path):
        self.binary = Path(appliance) / "bin" / "carehome"
        if not self.binary.is_file():
            raise RuntimeError(f"{self.binary} does not exist: run `make build` first")
        self.tmp = tempfile.TemporaryDirectory(prefix="carehome-monitoring-")
        self.root = Path(self.tmp.name)
        self.processes: list[Process] = []
        self.homes: dict[str, Home] = {}
        self.prometheus: Prometheus | None = None
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _carehome(self, *args: str, stdin: str | None = None):
        result = subprocess.run([str(self.binary), *args], input=stdin, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"carehome {' '.join(args)} failed: {result.stderr}"
        return result

    def _start(self):
        import secrets
        # Seed the demo residents once (`carehome demo` with a data directory keeps them), then copy.
        seed = self.root / "seed"
        demo = Process([str(self.binary), "demo", "--listen", "127.0.0.1:0", "--data-dir", str(seed)], self.root / "seed.log")
        self.processes.append(demo)
        demo.address()
        demo.stop()
        data = {name: self.root / name for name in self.NAMES}
        shutil.copytree(seed, data["willow-court"], ignore=shutil.ignore_patterns("carehome.lock"))
        shutil.copytree(seed, data["oak-lodge"], ignore=shutil.ignore_patterns("carehome.lock"))
        data["ash-house"].mkdir()
        self._carehome("backup", "--data-dir", str(data["willow-court"]), "--to", str(self.root / "willow-court-backup.sqlite"), "--quiet")
        for carer in ("carer2", "carer3"):
            self._carehome("user", "add", "--data-dir", str(data["oak-lodge"]), "--username", carer, "--role", "carer",
                           stdin="monitoring-test-pass\n")
        cert, key = self.root / "willow-court-cert.pem", self.root / "willow-court-key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-days", "2", "-subj", "/CN=carehome.local/O=Carehome appliance (willow-court)",
                        "-addext", "subjectAltName=DNS:carehome.local,DNS:willow-court.local",
                        "-addext", "basicConstraints=critical,CA:FALSE", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=30)
        env = {**os.environ, "CAREHOME_LOG_LEVEL": "warning"}
        for name in self.NAMES:
            token = secrets.token_hex(24)
            config = self.root / f"{name}.conf"
            config.write_text(f"metrics_token = {token}\n")
            tls = ["--tls-cert", str(cert), "--tls-key", str(key)] if name == "willow-court" else []
            process = Process([str(self.binary), "serve", "--data-dir", str(data[name]), "--config", str(config),
                               "--listen", "127.0.0.1:0", *tls], self.root / f"{name}.log", env=env)
            self.processes.append(process)
            self.homes[name] = Home(name, data[name], token, process, ca_file=cert if tls else None)
        nurse = Browser(self.homes["oak-lodge"], "nurse", "carehome-demo")
        saved = nurse.submit("/falls/new", {"witnessed": "no", "injured": "yes", "head_strike": "no"})
        assert "saved" in saved.lower(), "the fall at Oak Lodge was not saved:\n" + saved[:3000]
        self.prometheus = Prometheus(self.root, list(self.homes.values()))
        self.processes.append(self.prometheus.process)
        p = self.prometheus
        def targets_down():
            targets = p.api("targets")["activeTargets"]
            if sorted(t["labels"]["home"] for t in targets if t["health"] == "up") == sorted(self.NAMES):
                return None
            return {t["labels"]["home"]: t["lastError"] or t["health"] for t in targets if t["health"] != "up"} or "no targets"
        p.wait_for("every home's target to be up", lambda: targets_down() is None, describe=targets_down)
        # Recording rules have run once the falls sum exists for every home.
        p.wait_for("the recording rules", lambda: len(p.query("home:carehome_falls_30d:sum")) == 3)

    def stop(self):
        for process in reversed(self.processes):
            process.stop()
        self.tmp.cleanup()
