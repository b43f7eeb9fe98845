"""Helpers for the real-browser tests: start the demo appliance, drive Debian's headless Chromium."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

PASSWORD = "carehome-demo"
TABLET = (1024, 1366)
PHONE = (390, 844)
CHROMIUM = os.environ.get("CAREHOME_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CAREHOME_CHROMEDRIVER", "/usr/bin/chromedriver")
FORBIDDEN_TITLE = "You cannot open this page"
READY = re.compile(r"Demo home ready: (http://127\.0\.0\.1:\d+/)")


class DemoHome:
    """`carehome demo` on a free loopback port with its own temporary data directory."""

    def __init__(self, appliance: Path, startup_timeout: float = 120.0):
        self.appliance = Path(appliance)
        self.startup_timeout = startup_timeout
        self.tmp = tempfile.TemporaryDirectory(prefix="carehome-browser-")
        self.process: subprocess.Popen | None = None
        self.base_url = ""
        self.stdout_lines: list[str] = []
        self.log_path = Path(self.tmp.name) / "carehome.log"

    def start(self) -> "DemoHome":
        return self.launch().wait_ready()

    def launch(self) -> "DemoHome":
        """Starts the process (seeding the demo home takes a few seconds); `wait_ready` waits for its address."""
        binary = self.appliance / "bin" / "carehome"
        if not binary.is_file():
            raise RuntimeError(f"{binary} does not exist: run `make build` first")
        data = Path(self.tmp.name) / "home"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(binary), "demo", "--listen", "127.0.0.1:0", "--data-dir", str(data)],
            stdout=subprocess.PIPE, stderr=self._log, text=True, start_new_session=True)
        self._found = found = threading.Event()

        def read() -> None:
            assert self.process and self.process.stdout
            for line in self.process.stdout:
                self.stdout_lines.append(line.rstrip("\n"))
                match = READY.search(line)
                if match and not found.is_set():
                    self.base_url = match.group(1).rstrip("/")
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        return self

    def wait_ready(self) -> "DemoHome":
        self._found.wait(self.startup_timeout)
        if not self.base_url:
            self.stop()
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError("carehome demo did not print 'Demo home ready: URL'.\nstdout:\n"
                               + "\n".join(self.stdout_lines) + "\nlog tail:\n" + tail)
        return self

    def stop(self) -> None:
        if getattr(self, "_stopped", False):
            return
        self._stopped = True
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if getattr(self, "_log", None):
            self._log.close()
        self.tmp.cleanup()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def url(self, path: str) -> str:
        return self.base_url + path


def make_driver(*, javascript: bool = True, performance_log: bool = False, size=TABLET) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--lang=en-GB", f"--window-size={size[0]},{size[1]}"):
        options.add_argument(arg)
    prefs = {"credentials_enable_service": False, "profile.password_manager_enabled": False,
             "intl.accept_languages": "en-GB,en"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    if performance_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # A British tablet: dates in inputs read dd/mm/yyyy (Chromium takes its locale from the environment).
    env = dict(os.environ, LANG="en_GB.UTF-8", LANGUAGE="en_GB:en")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env=env), options=options)
    driver.set_page_load_timeout(60)
    set_screen(driver, size)
    return driver


def set_screen(driver, size) -> None:
    """The page sees exactly this viewport (a headless window's own size includes invisible chrome).
    Phone-sized screens are emulated as a mobile device (the viewport meta tag applies)."""
    driver.set_window_size(size[0], size[1] + 200)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size[0] < 600})


def page_title(driver) -> str:
    """The page's <h1> text (what a user reads as the page title)."""
    return driver.find_element(By.CSS_SELECTOR, "main h1").text.strip()


def nav_links(driver) -> dict[str, str]:
    """Navigation entries as {visible title: path}."""
    links = {}
    for a in driver.find_elements(By.CSS_SELECTOR, "nav.site-nav a"):
        links[a.text.strip()] = urlsplit(a.get_attribute("href")).path
    return links


def sign_in(driver, home: DemoHome, username: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form like a person; a fresh browser session each time."""
    driver.delete_all_cookies()
    driver.get(home.url("/login"))
    fill_sign_in(driver, username, password)


def fill_sign_in(driver, username: str, password: str = PASSWORD) -> None:
    """On the sign-in page: type the username and password and press "Sign in"."""
    user = driver.find_element(By.NAME, "username")
    user.clear()
    user.send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    submit_and_wait(driver, driver.find_element(By.XPATH, "//form[@action='/login']//button[normalize-space()='Sign in']"))


def sign_out(driver) -> None:
    submit_and_wait(driver, driver.find_element(By.XPATH, "//form[@action='/logout']//button[normalize-space()='Log out']"))


def submit_and_wait(driver, button) -> None:
    """Click a submit button and wait until the browser shows the next page (a new document with an <h1>)."""
    old_id = driver.find_element(By.TAG_NAME, "html").id
    label = button.text or button.get_attribute("value")
    button.click()

    def next_page(d):
        try:  # while the page changes, the driver may answer with errors about the old document
            return d.find_element(By.TAG_NAME, "html").id != old_id and bool(d.find_elements(By.CSS_SELECTOR, "main h1"))
        except WebDriverException:
            return False

    try:
        WebDriverWait(driver, 60, poll_frequency=0.1).until(next_page)
    except TimeoutException:
        raise AssertionError(f"pressing {label!r} did not lead to a new page within 60 s "
                             f"(still on {driver.current_url}, title {driver.title!r})") from None


class Thumb:
    """Presses things and counts the presses. Choosing from a list is two (open it, pick one)."""

    def __init__(self, driver):
        self.driver = driver
        self.taps = 0

    def tap(self, element) -> None:
        self.taps += 1
        element.click()

    def tap_and_wait(self, element) -> None:
        self.taps += 1
        submit_and_wait(self.driver, element)

    def choose(self, select_name: str, label_contains: str | None = None, index: int | None = None) -> str:
        self.taps += 2
        select = Select(self.driver.find_element(By.NAME, select_name))
        option = select.options[index] if index is not None else next(o for o in select.options if label_contains in o.text)
        select.select_by_value(option.get_attribute("value"))
        return option.text

    def answer(self, name: str, value: str) -> None:
        """Taps an answer's label (the big target), as a person does."""
        radio = self.driver.find_element(By.CSS_SELECTOR, f"main input[type=radio][name='{name}'][value='{value}']")
        self.tap(self.driver.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']"))
        assert radio.is_selected()


# axe-core 4.9.1, bundled by selenium-axe-python (a maintained fork of axe-selenium-python: the
# latter's releases for Python < 3.12 carry axe-core 3.1 from 2018, whose `dlitem` rule rejects the
# valid <dl><div><dt><dd></div></dl> that CareKit's UI.summaryList writes).
AXE_RUN = """
var done = arguments[arguments.length - 1];
axe.run(document, arguments[0]).then(function (r) {
  done({version: r.testEngine.version, violations: r.violations, passes: r.passes.length,
        incomplete: r.incomplete.map(function (i) { return i.id; })});
}, function (e) { done({error: String(e)}); });
"""


def run_axe(driver) -> dict:
    """Runs axe-core on the current page: {version, violations, passes (count), incomplete (rule ids)}."""
    from selenium_axe_python import Axe
    Axe(driver).inject()
    driver.set_script_timeout(180)
    result = driver.execute_async_script(AXE_RUN, {"resultTypes": ["violations"]})
    if "error" in result:
        raise RuntimeError("axe-core failed: " + result["error"])
    return result


# Every axe finding of the run (any impact), printed together at the end so the page owners can fix them.
AXE_FINDINGS: list[tuple[str, str, str, str, str]] = []


def record_axe_findings(page: str, version: str, violations) -> None:
    for v in violations:
        for node in v["nodes"]:
            target = " ".join(t if isinstance(t, str) else repr(t) for t in node["target"])
            AXE_FINDINGS.append((page, v["impact"] or "", v["id"], target, version))


def open_page(driver, url: str) -> int | None:
    """Loads `url` and returns the HTTP status of the page the browser ended on (after redirects),
    read from the performance log (needs a driver made with performance_log=True)."""
    import json
    driver.get_log("performance")  # forget earlier pages
    driver.get(url)
    status = None
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.responseReceived" and message["params"].get("type") == "Document":
            status = message["params"]["response"]["status"]
    return status
