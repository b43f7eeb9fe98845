"""Fixtures for the real-browser suite: one demo home and one headless Chromium for the whole run."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from carehome_browser import AXE_FINDINGS, DemoHome, make_driver, sign_in

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def pytest_addoption(parser):
    parser.addoption("--appliance", default=os.environ.get("CAREHOME_APPLIANCE", str(REPO / ".build" / "appliance")),
                     help="the appliance tree built by `make build` (bin/carehome, plugins/)")


RUN: dict = {}


def pytest_collection_finish(session):
    """Start seeding the demo home while the browser starts (both take seconds)."""
    if session.items and not session.config.option.collectonly:
        RUN["home"] = DemoHome(Path(session.config.getoption("--appliance"))).launch()


def pytest_sessionfinish(session):
    if RUN.get("home"):
        RUN["home"].stop()  # if no test used it (does nothing when already stopped)


@pytest.fixture(scope="session")
def browser_early():
    driver = make_driver(performance_log=True)
    driver.carehome_user = None
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def home(request, browser_early):
    demo = RUN.get("home") or DemoHome(Path(request.config.getoption("--appliance"))).launch()
    demo.wait_ready()
    yield demo
    RUN["log_tail"] = demo.log_tail()
    demo.stop()


@pytest.fixture(scope="session")
def browser(home, browser_early):
    """A tablet-sized Chromium (1024x1366) with JavaScript on and the performance log recording."""
    return browser_early


@pytest.fixture(scope="session")
def as_user(browser, home):
    """`as_user("nurse")` signs the shared browser in as that demo account (only if it is not already)."""
    def switch(username: str):
        if browser.carehome_user != username:
            sign_in(browser, home, username)
            browser.carehome_user = username
        return browser
    return switch


@pytest.fixture
def fresh_browser(browser):
    """The shared browser, to be signed in from scratch by the test (forgets who was signed in)."""
    browser.delete_all_cookies()
    browser.carehome_user = None
    yield browser
    browser.delete_all_cookies()
    browser.carehome_user = None


@pytest.fixture(scope="session")
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter):
    if terminalreporter.stats.get("failed") and RUN.get("log_tail"):
        terminalreporter.section("carehome demo log (last lines), for the failures above")
        terminalreporter.write_line(RUN["log_tail"])
    if not AXE_FINDINGS:
        return
    terminalreporter.section("axe-core findings (page, impact, rule, element)")
    for page, impact, rule, target, version in AXE_FINDINGS:
        terminalreporter.write_line(f"{page}  [{impact}] {rule}  {target}  (axe-core {version})")
