"""Screenshots of the main screens on a 10-inch tablet (1024x1366) and the dashboard on a phone,
saved in Tests/Browser/screenshots/ (gitignored) for people to look at. Each also checks what a
person would notice at once: the page opened, and nothing is wider than the screen."""
from __future__ import annotations

import base64
import re
import struct

import pytest
from urllib.parse import urlsplit
from selenium.webdriver.common.by import By

from carehome_browser import FORBIDDEN_TITLE, PHONE, TABLET, make_driver, page_title, set_screen, sign_in

# name: (who, path, the page title expected (start of the <h1>))
SCREENS = {
    "login": (None, "/login", "Sign in"),
    "dashboard-nurse": ("nurse", "/", "Dashboard"),
    "dashboard-manager": ("manager", "/", "Dashboard"),
    "resident": ("nurse", "/residents/1", None),
    "residents": ("nurse", "/residents", "Residents"),
    "falls": ("nurse", "/falls", "Falls"),
    "round": ("nurse", "this week's round", None),
    "medication": ("nurse", "/medication", None),
    "admin-users": ("manager", "/admin/users", "Staff accounts"),
}
MAX_HEIGHT = 6000


def png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def overflowing(driver) -> list[str]:
    """Elements sticking out past the right edge of the window (forcing sideways scrolling),
    ignoring what sits inside a scrolling box (wide tables in .table-wrap scroll by design)."""
    return driver.execute_script("""
      var width = document.documentElement.clientWidth, out = [];
      if (document.documentElement.scrollWidth <= width) return out;
      document.querySelectorAll('body *').forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= width + 1) return;
        for (var p = el.parentElement; p; p = p.parentElement) {
          var o = getComputedStyle(p).overflowX;
          if (o === 'auto' || o === 'scroll' || o === 'hidden') return;
        }
        out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                 (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                 ' (right edge ' + Math.round(r.right) + 'px)');
      });
      return out.slice(0, 10);
    """)


def save_screenshots(driver, directory, name) -> list:
    """`name.png`: the first screen, as the person sees it; `name-full.png`: the whole page (to MAX_HEIGHT)."""
    first = directory / f"{name}.png"
    driver.save_screenshot(str(first))
    width, height = driver.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.scrollHeight]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, MAX_HEIGHT), "scale": 1}})
    full = directory / f"{name}-full.png"
    full.write_bytes(base64.b64decode(shot["data"]))
    return [first, full]


@pytest.mark.parametrize("name", list(SCREENS))
def test_tablet_screenshot(name, as_user, browser, home, screenshot_dir):
    username, path, expected_title = SCREENS[name]
    if username is None:
        browser.delete_all_cookies()
        browser.carehome_user = None
    else:
        as_user(username)
    if path == "this week's round":
        browser.get(home.url("/rounds"))
        path = next(p for p in (urlsplit(a.get_attribute("href")).path
                                for a in browser.find_elements(By.CSS_SELECTOR, "main a[href]"))
                    if re.fullmatch(r"/rounds/\d+", p))
    browser.get(home.url(path))
    title = page_title(browser)
    assert title not in (FORBIDDEN_TITLE, "Page not found", "Something went wrong", "Sign in" if username else "")
    if expected_title:
        assert title.startswith(expected_title)
    assert browser.execute_script("return document.documentElement.clientWidth") == TABLET[0]
    assert not overflowing(browser), f"{path} is wider than a 1024px tablet: {overflowing(browser)}"
    # The stylesheet applied: the header is not the browser's default transparent box.
    header_background = browser.execute_script(
        "return getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header_background not in ("rgba(0, 0, 0, 0)", "transparent"), "the site stylesheet did not apply"
    first, full = save_screenshots(browser, screenshot_dir, f"tablet-{name}")
    assert png_size(first) == TABLET
    assert png_size(full)[0] == TABLET[0]


@pytest.fixture(scope="module")
def phone(home):
    driver = make_driver(size=PHONE)
    yield driver
    driver.quit()


@pytest.mark.parametrize("path", ["/", "/falls", "/residents/1"])
def test_phone_screens_fit_the_width(path, phone, home, screenshot_dir):
    if not phone.get_cookies():
        sign_in(phone, home, "carer")
    phone.get(home.url(path))
    assert page_title(phone) not in (FORBIDDEN_TITLE, "Sign in")
    assert not overflowing(phone), f"{path} is wider than a {PHONE[0]}px phone: {overflowing(phone)}"
    # The navigation and the log-out button stay reachable on a phone: one tap on "Menu".
    name = "dashboard" if path == "/" else path.strip("/").replace("/", "-")
    first, full = save_screenshots(phone, screenshot_dir, f"phone-{name}")
    phone.find_element(By.CSS_SELECTOR, "button.menu-toggle").click()
    assert phone.find_element(By.XPATH, "//button[normalize-space()='Log out']").is_displayed()
    assert phone.find_element(By.CSS_SELECTOR, "nav.site-nav a[href='/']").is_displayed()
    assert png_size(first) == PHONE
    assert png_size(full)[0] == PHONE[0]


def test_printing_a_resident_page_leaves_out_the_navigation(as_user, browser, home, screenshot_dir):
    as_user("nurse")
    browser.get(home.url("/residents/1"))
    name = page_title(browser)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element(By.CSS_SELECTOR, "nav.site-nav").is_displayed(), "the navigation prints"
        assert not browser.find_element(By.XPATH, "//button[normalize-space()='Log out']").is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "main h1").is_displayed() and page_title(browser) == name
        browser.save_screenshot(str(screenshot_dir / "print-resident.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


@pytest.mark.parametrize("path", ["/residents/print", "/residents/1"])
def test_a_printed_sheet_names_the_home_and_when_it_was_printed(path, as_user, browser, home, screenshot_dir):
    as_user("nurse")
    browser.get(home.url(path))
    home_name = browser.find_element(By.CSS_SELECTOR, ".home-name").text.strip()
    masthead = browser.find_element(By.CSS_SELECTOR, ".print-masthead")
    assert not masthead.is_displayed(), "the printed heading should not show on screen (the header does)"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert masthead.is_displayed(), f"printing {path}: no heading with the home's name"
        text = masthead.text
        assert home_name and home_name in text, f"printing {path}: {text!r} does not name the home {home_name!r}"
        assert re.search(r"Printed \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} by Niamh Nurse", text), text
        top = browser.find_element(By.CSS_SELECTOR, "main h1").rect["y"]
        assert masthead.rect["y"] < top, "the home's name should head the sheet, above the title"
        browser.save_screenshot(str(screenshot_dir / f"print-{path.strip('/').replace('/', '-')}.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


# The screens issue 16 changed, on a 375x812 phone as the nurse, the manager and the GP use them.
FRONTLINE_PHONE_PAGES = [("nurse", "/residents/9/clock"), ("nurse", "/medication/prompts/5-MR-RECON/acknowledge"),
                         ("manager", "/rounds/actions/5"), ("nurse", "/transfers/7"), ("gp", "/rounds/4/residents/5")]


@pytest.mark.parametrize("username,path", FRONTLINE_PHONE_PAGES, ids=[f"{u}:{p}" for u, p in FRONTLINE_PHONE_PAGES])
def test_frontline_screens_fit_a_375_phone(username, path, home, screenshot_dir):
    driver = make_driver(size=(375, 812))
    try:
        set_screen(driver, (375, 812))
        sign_in(driver, home, username)
        driver.get(home.url(path))
        assert page_title(driver) not in (FORBIDDEN_TITLE, "Sign in", "Page not found")
        assert not overflowing(driver), f"{path} is wider than a 375px phone: {overflowing(driver)}"
        save_screenshots(driver, screenshot_dir, "phone375-" + path.strip("/").replace("/", "-"))
    finally:
        driver.quit()
