"""Nothing a page loads comes from outside the appliance: every request the browser makes goes to
the appliance's own address, and every src/href/action in the pages points there too."""
from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from carehome_browser import page_title

PAGES = {
    None: ["/login"],
    "nurse": ["/", "/residents", "/residents/1", "/admissions", "/rounds", "/rounds/1", "/falls", "/falls/1",
              "/falls/new", "/medication", "/medication/rules"],
    "manager": ["/", "/admin", "/admin/users", "/audit", "/home-profile"],
}
LOCAL_SCHEMES = {"data", "blob", "about"}


def requests_in_log(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def outside(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return f"{parts.scheme}://{parts.netloc}" != origin


def referenced_urls(driver) -> list[tuple[str, str]]:
    """(element and attribute, absolute URL) for every src/href/action-like attribute in the page."""
    return [tuple(pair) for pair in driver.execute_script("""
      var out = [], attributes = ['src', 'href', 'action', 'srcset', 'poster', 'data', 'formaction', 'xlink:href'];
      document.querySelectorAll('*').forEach(function (el) {
        attributes.forEach(function (name) {
          var raw = el.getAttribute(name);
          if (raw === null) return;
          var first = raw.trim().split(/\\s+/)[0];
          out.push(['<' + el.tagName.toLowerCase() + ' ' + name + '>', new URL(first, document.baseURI).href]);
        });
      });
      return out;
    """)]


def test_pages_load_nothing_from_outside_the_appliance(browser, as_user, home):
    origin = home.base_url
    requests: list[str] = []
    browser.get_log("performance")  # start from an empty log
    outside_references = []
    console: list[tuple[str, str, str]] = []
    browser.get_log("browser")
    visited = 0
    for username, paths in PAGES.items():
        if username is None:
            browser.delete_all_cookies()
            browser.carehome_user = None
        else:
            as_user(username)
        for path in paths:
            browser.get(home.url(path))
            assert page_title(browser) not in ("Sign in", "You cannot open this page") or username is None
            visited += 1
            outside_references += [(path, what, url) for what, url in referenced_urls(browser) if outside(url, origin)]
            requests += requests_in_log(browser)
            console += [(path, e["level"], e["message"]) for e in browser.get_log("browser")
                        if e["level"] == "SEVERE" or "Content Security Policy" in e["message"]]

    assert visited == sum(len(p) for p in PAGES.values())
    assert any(u.endswith("/assets/app.css") for u in requests), "the log should show the stylesheet being fetched"
    external = sorted({u for u in requests if outside(u, origin)})
    assert not external, "requests to outside the appliance:\n" + "\n".join(external)
    # A refused load (the Content-Security-Policy blocking an outside or inline resource) or a
    # failed one shows up in the console: the page then looks or works differently from what was meant.
    assert not console, "errors in the browser console:\n" + "\n".join(map(str, console))
    assert not outside_references, "links or sources outside the appliance:\n" + "\n".join(map(str, outside_references))


def test_the_check_sees_a_request_to_another_origin(browser, home):
    """The check can fail: an image from another address shows up in the log (on a blank page,
    where no Content-Security-Policy stops the request first)."""
    browser.carehome_user = None
    browser.get("about:blank")
    browser.get_log("performance")
    browser.execute_script("document.open();document.write('<img src=\"http://127.0.0.2:9/x.png\">');document.close();")
    deadline = time.monotonic() + 10
    seen: list[str] = []
    while time.monotonic() < deadline and not seen:
        seen = [u for u in requests_in_log(browser) if outside(u, home.base_url)]
        time.sleep(0.2)
    assert seen == ["http://127.0.0.2:9/x.png"]
