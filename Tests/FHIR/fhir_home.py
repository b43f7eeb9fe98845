"""A carehome appliance from the appliance tree, for the FHIR suite: started on a free loopback port,
read with an API token made by `carehome api-token add`, exported with `carehome export fhir`, and
signed into as staff through the real sign-in form. Stopped when the suite ends."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

READY = re.compile(r"(?:serving|ready:) (https?)://(127\.0\.0\.1:\d+)/")
DEMO_PASSWORD = "carehome-demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reply:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body

    def json(self):
        return json.loads(self.body)


class Home:
    """One home: its data directory, the running server, and a token that may read everything."""

    def __init__(self, appliance: Path, data: Path, args: list[str]):
        self.appliance = appliance
        self.carehome = str(appliance / "bin" / "carehome")
        self.data = data
        self.log = open(data.parent / f"{data.name}.log", "wb")
        env = dict(os.environ, CAREHOME_LOG_LEVEL="warning")
        self.process = subprocess.Popen([self.carehome] + args, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                        start_new_session=True, env=env)
        self.base = None
        found = threading.Event()

        def read():
            for line in self.process.stdout:
                match = READY.search(line)
                if match and not found.is_set():
                    self.base = f"{match.group(1)}://{match.group(2)}"
                    found.set()
            found.set()
        threading.Thread(target=read, daemon=True).start()
        found.wait(60)
        assert self.base, f"the appliance did not start: see {self.log.name}"
        self.token = self.add_token("FHIR test suite", "all")
        self.jar = http.cookiejar.CookieJar()

    @classmethod
    def demo(cls, appliance: Path, folder: Path) -> "Home":
        data = folder / "data"
        return cls(appliance, data, ["demo", "--data-dir", str(data), "--listen", f"127.0.0.1:{free_port()}"])

    @classmethod
    def served(cls, appliance: Path, data: Path) -> "Home":
        return cls(appliance, data, ["serve", "--data-dir", str(data), "--plugins-dir", str(appliance / "plugins"),
                                     "--listen", f"127.0.0.1:{free_port()}"])

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([self.carehome, *args], capture_output=True, text=True, timeout=600,
                                env=dict(os.environ, CAREHOME_LOG_LEVEL="warning"))
        if check:
            assert result.returncode == 0, f"carehome {' '.join(args)} failed: {result.stderr}"
        return result

    def add_token(self, name: str, scope: str, expires: str = "") -> str:
        expires = expires or time.strftime("%Y-%m-%d", time.gmtime(time.time() + 300 * 86400))
        out = self.cli("api-token", "add", "--data-dir", str(self.data), "--name", name, "--scope", scope, "--expires", expires).stdout
        return out.strip().splitlines()[-1]

    def export(self, folder: Path) -> dict[str, list[dict]]:
        result = self.cli("export", "fhir", "--data-dir", str(self.data), "--out", str(folder))
        self.export_output = result.stdout
        resources = {}
        for file in sorted(folder.glob("*.ndjson")):
            lines = file.read_text().splitlines()
            resources[file.stem] = [json.loads(line) for line in lines]
        return resources

    # HTTP

    def get(self, path: str, token: str | None = None, cookies: bool = False) -> Reply:
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar)) if cookies else urllib.request.build_opener()
        opener.addheaders = []
        try:
            with opener.open(request, timeout=60) as response:
                return Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())

    def fhir(self, path: str, token: str | None = None) -> Reply:
        return self.get(path, token=token or self.token)

    def search_all(self, path: str, token: str | None = None) -> tuple[list[dict], int]:
        """Every resource a search finds, following next links; and how many pages it took."""
        found, pages, url = [], 0, path
        while url:
            reply = self.fhir(url, token)
            assert reply.status == 200, reply.body[:500]
            bundle = reply.json()
            pages += 1
            found += [entry["resource"] for entry in bundle.get("entry", [])]
            url = next((link["url"] for link in bundle.get("link", []) if link["relation"] == "next"), None)
            assert pages < 10_000
        return found, pages

    def sign_in(self, username: str, password: str = DEMO_PASSWORD):
        page = self.get("/login", cookies=True).body.decode()
        csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', page).group(1)
        data = urllib.parse.urlencode({"_csrf": csrf, "username": username, "password": password, "next": "/"}).encode()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        try:
            opener.open(urllib.request.Request(self.base + "/login", data=data), timeout=30)
        except urllib.error.HTTPError as error:
            assert error.code == 303, f"sign-in as {username} failed: {error.code}"

    def audit_entries(self, where: str) -> list[tuple]:
        """Rows of the audit trail (flushed within a second of a read)."""
        import sqlite3
        time.sleep(1.5)
        with sqlite3.connect(f"file:{self.data / 'home.sqlite'}?mode=ro", uri=True) as db:
            return db.execute(f"SELECT username, source, action, resident_id, detail FROM core_audit WHERE {where} ORDER BY id").fetchall()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
