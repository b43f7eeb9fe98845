"""The admin's screen (issue 20) in a real browser: warnings first, Back up now followed to the end by
the page's own script, the restore drill and its record counts, a plugin switched off and back, axe
on every state of the page, and screenshots on a 375x812 phone, a tablet and a desktop (they are in
Tests/Browser/screenshots/admin-*.png for people to look at)."""
from __future__ import annotations

import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from carehome_browser import READY, make_driver, page_title, record_axe_findings, run_axe, sign_in, submit_and_wait
from test_accessibility import describe, is_blocking
from test_screenshots import overflowing, png_size, save_screenshots

SMALL_PHONE = (375, 812)
DESKTOP = (1440, 900)


def text_of(driver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def press(driver, label: str) -> None:
    submit_and_wait(driver, driver.find_element(By.XPATH, f"//main//button[normalize-space()='{label}']"))


def wait_for_text(driver, text: str, timeout: float = 90) -> None:
    """Waits (without reloading: the page's script does that) until the page says `text`."""
    # The script reloads the page meanwhile: an element read while it changes is simply read again.
    WebDriverWait(driver, timeout, poll_frequency=0.25, ignored_exceptions=(WebDriverException,)).until(
        lambda d: text in d.find_element(By.TAG_NAME, "body").text,
        message=f"the page never said {text!r}")


def assert_axe_clean(driver, page: str) -> None:
    result = run_axe(driver)
    record_axe_findings(page, result["version"], result["violations"])
    blocking = [v for v in result["violations"] if is_blocking(v)]
    assert not blocking, f"axe-core {result['version']} on {page}:\n{describe(blocking)}"


def section_order(driver) -> list[str]:
    return [h.text for h in driver.find_elements(By.CSS_SELECTOR, "main section.section > h2")]


def test_warnings_come_first_and_back_up_now_runs_to_the_end(as_user, browser, home, screenshot_dir):
    as_user("admin")
    browser.get(home.url("/admin"))
    assert page_title(browser) == "Administration"
    assert section_order(browser)[:2] == ["Needs attention", "Backups"], section_order(browser)
    attention = browser.find_element(By.XPATH, "//section[h2='Needs attention']").text
    assert "No backup has been taken on this appliance" in attention
    assert "No restore drill has passed on this appliance" in attention
    assert "Last good backup: none yet" in text_of(browser)

    press(browser, "Back up now")
    # The page follows the job by itself (admin.js) and reloads when it has finished.
    wait_for_text(browser, "Backup finished")
    page = text_of(browser)
    assert "Last good backup: just now" in page
    assert "No backup has been taken" not in page
    table = browser.find_element(By.XPATH, "//table[caption='Backups in the backup directory, newest first']")
    assert "Verified" in table.text and ".sqlite" in table.text
    assert table.find_elements(By.PARTIAL_LINK_TEXT, "Download")
    assert_axe_clean(browser, "admin:/admin after a backup")


def test_the_restore_drill_passes_and_shows_the_counts_side_by_side(as_user, browser, home, screenshot_dir):
    as_user("admin")
    browser.get(home.url("/admin"))
    if "Last good backup: none yet" in text_of(browser):
        press(browser, "Back up now")
        wait_for_text(browser, "Backup finished")
    press(browser, "Run a restore drill")
    wait_for_text(browser, "Restore drill finished")
    assert "Passed" in browser.find_element(By.XPATH, "//section[h2='Restore drill']").text
    assert "No restore drill has passed" not in text_of(browser)
    browser.find_element(By.PARTIAL_LINK_TEXT, "record counts side by side").click()
    WebDriverWait(browser, 20, ignored_exceptions=(WebDriverException,)).until(lambda d: page_title(d) == "Restore drill")
    assert "The last drill passed" in text_of(browser)
    counts = browser.find_element(By.XPATH, "//table[caption='Rows per table: backup and live home']")
    row = counts.find_element(By.XPATH, ".//tr[td[1]='residents_residents']")
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
    assert cells[1] == cells[2] and int(cells[1]) > 0, cells
    assert_axe_clean(browser, "admin:/admin/restore-drill")
    save_screenshots(browser, screenshot_dir, "admin-restore-drill")


def test_a_plugin_is_switched_off_for_the_next_start_and_back(as_user, browser, home):
    as_user("manager")
    browser.get(home.url("/admin"))
    row = browser.find_element(By.XPATH, "//table[caption='Plugins found in the plugins directory']//tr[td[2]='transfers']")
    submit_and_wait(browser, row.find_element(By.XPATH, ".//button[normalize-space()='Disable']"))
    assert "will be disabled when the appliance restarts" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    row = browser.find_element(By.XPATH, "//table[caption='Plugins found in the plugins directory']//tr[td[2]='transfers']")
    assert "Disabled after a restart" in row.text
    assert "Plugin changes wait for a restart" in text_of(browser)
    assert_axe_clean(browser, "manager:/admin with a plugin change waiting")
    # Back to the configuration's choice: nothing waits any more.
    submit_and_wait(browser, row.find_element(By.XPATH, ".//button[normalize-space()='Use carehome.conf']"))
    assert "Plugin changes wait for a restart" not in text_of(browser)
    # Still served meanwhile: nothing changes before a restart.
    as_user("nurse")
    browser.get(home.url("/transfers"))
    assert page_title(browser).startswith("Hospital transfers") or "transfer" in page_title(browser).lower()


@pytest.mark.parametrize("size,name", [(SMALL_PHONE, "phone"), ((1024, 1366), "tablet"), (DESKTOP, "desktop")])
def test_the_admin_page_fits_phone_tablet_and_desktop(size, name, home, screenshot_dir):
    driver = make_driver(size=size)
    try:
        sign_in(driver, home, "admin")
        driver.get(home.url("/admin"))
        assert page_title(driver) == "Administration"
        assert not overflowing(driver), f"/admin is wider than {size[0]}px: {overflowing(driver)}"
        # On a phone the buttons are large enough to tap and the warnings come first.
        button = driver.find_element(By.XPATH, "//main//button[normalize-space()='Back up now']")
        assert button.size["height"] >= 44, button.size
        first, full = save_screenshots(driver, screenshot_dir, f"admin-{name}")
        assert png_size(first) == size
    finally:
        driver.quit()


def test_without_javascript_the_page_says_to_reload(home):
    driver = make_driver(javascript=False)
    try:
        sign_in(driver, home, "manager")
        driver.get(home.url("/admin"))
        press(driver, "Back up now")
        page = text_of(driver)
        # Either still running (with the words to reload) or already finished on the page it came back to.
        assert ("reload the page" in page) or ("Backup finished" in page), page[:600]
        deadline_text = "Backup finished"
        for _ in range(120):
            if deadline_text in text_of(driver):
                break
            time.sleep(0.5)
            driver.get(home.url("/admin"))
        assert deadline_text in text_of(driver)
    finally:
        driver.quit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_restart_from_the_page_comes_back_by_itself(home, screenshot_dir):
    """A demo home of its own on a fixed port (the shared one must not restart): Restart, and the page
    goes back to the administration page by itself once the appliance answers again, still signed in."""
    appliance = home.appliance
    with tempfile.TemporaryDirectory(prefix="carehome-restart-") as tmp:
        port = free_port()
        process = subprocess.Popen([str(appliance / "bin" / "carehome"), "demo", "--listen", f"127.0.0.1:{port}",
                                    "--data-dir", str(Path(tmp) / "home")],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        driver = None
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if READY.search(line):
                    break
            base = f"http://127.0.0.1:{port}"

            class Own:
                def url(self, path: str) -> str:
                    return base + path
            driver = make_driver()
            sign_in(driver, Own(), "admin")
            driver.get(base + "/admin")
            pid = process.pid
            press(driver, "Restart the appliance")
            assert page_title(driver) == "Restarting"
            assert "wait about 10 seconds" in text_of(driver)
            assert_axe_clean(driver, "admin:restarting")
            # admin.js waits for the new start, then goes back to the page.
            WebDriverWait(driver, 60, poll_frequency=0.25, ignored_exceptions=(WebDriverException,)).until(
                lambda d: d.current_url.endswith("/admin") and page_title(d) == "Administration",
                message="the page did not come back to Administration after the restart")
            assert "The appliance has been running for under a minute" in text_of(driver)
            assert process.poll() is None and process.pid == pid, "the same process started again in its place"
        finally:
            if driver:
                driver.quit()
            process.send_signal(signal.SIGTERM)
            try:
                assert process.wait(20) == 0, "it stops cleanly on SIGTERM after restarting in place"
            finally:
                if process.poll() is None:
                    process.kill()
