"""axe-core (4.9, from selenium-axe-python) on the pages people use: no serious or critical violations,
and no empty table header (minor in axe, but a column a screen reader cannot name).

Every violation found, of any impact, is printed with its rule, impact and the selectors of the
elements, so the owner of the page can fix it (run with -s, or read the failure message)."""
from __future__ import annotations

import json

import pytest
from carehome_browser import FORBIDDEN_TITLE, TABLET, page_title, record_axe_findings, run_axe, set_screen

BLOCKING = {"serious", "critical"}
# Minor in axe's scale, but a screen reader then announces a column as nothing: fail on these too.
BLOCKING_RULES = {"empty-table-header"}


def is_blocking(violation) -> bool:
    return violation["impact"] in BLOCKING or violation["id"] in BLOCKING_RULES

# (who is signed in, page). None: nobody (the sign-in page).
PAGES = [
    (None, "/login"),
    ("nurse", "/"),
    ("manager", "/"),
    ("manager", "/admin"),
    ("manager", "/admin/users"),
    ("manager", "/admin/api-tokens"),
    ("admin", "/admin"),
    ("admin", "/admin/users"),
    ("nurse", "/residents"),
    ("nurse", "/admissions"),
    ("nurse", "/rounds"),
    ("nurse", "/falls"),
    ("nurse", "/medication"),
    ("nurse", "/medication/rules"),
    # The record pages staff spend most time on.
    ("nurse", "/residents/1"),
    ("nurse", "/falls/1"),
    ("nurse", "/rounds/1"),
    # Tables with a column of buttons (Mark done, Remove, Entered in error?).
    ("nurse", "/rounds/actions?show=open"),
    ("nurse", "/rounds/3/attendees"),
    # Forms people fill in, and the manager's audit trail.
    ("carer", "/falls/new"),
    # A plugin's own help page (its text and icon ship in the plugin's library).
    ("carer", "/falls/help"),
    ("manager", "/residents/new"),
    ("nurse", "/account"),
    ("manager", "/audit"),
    ("manager", "/audit/archive?user=nurse"),
    # Deterioration: the list, a resident's record with its trend charts, the forms and the escalation screen.
    ("nurse", "/deterioration"),
    ("nurse", "/deterioration/residents/1"),
    ("nurse", "/deterioration/residents/1/escalate"),
    ("nurse", "/deterioration/residents/1/baseline"),
    ("carer", "/deterioration/residents/1/soft-signs/new"),
    ("carer", "/deterioration/residents/1/observations/new"),
    # Hospital transfers: the list, a transfer with its review form, the figures with charts, the pack.
    ("nurse", "/transfers"),
    ("nurse", "/transfers/1"),
    ("carer", "/transfers/new?resident_id=1"),
    ("manager", "/transfers/figures"),
    ("manager", "/transfers/pack"),
    ("nurse", "/transfers/voice/new"),
    ("manager", "/transfers/deaths/1"),
    ("nurse", "/deterioration/residents/1/spo2-target"),
    ("nurse", "/deterioration/observations/1"),
    # Frontline screens (issue 16): the clock with its forms first, the round's resident screen with the
    # context beside the form, an action to give to someone else, a photo, a form kept after the timeout.
    ("nurse", "/residents/9/clock"),
    ("gp", "/rounds/4/residents/5"),
    ("manager", "/rounds/actions/5"),
    ("nurse", "/residents/2/photo"),
    (None, "/login?resume=" + "0" * 32),
]
# Grouped by account, so the browser signs in as few times as possible.
PAGES.sort(key=lambda page: [None, "nurse", "carer", "manager", "gp", "admin"].index(page[0]))
# axe on a tablet and on a phone: the phone's folded header, cards and one-column forms are other markup.
SIZES = {"tablet": TABLET, "phone": (375, 812)}


def describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s)) {v.get('helpUrl', '')}")
        for node in v["nodes"]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {target}\n        {node.get('html', '')[:200]}\n        {summary[:300]}")
    return "\n".join(lines)


@pytest.fixture(params=list(SIZES))
def screen(request, browser):
    """The shared browser at a tablet's size, then a phone's (set back to the tablet's afterwards)."""
    set_screen(browser, SIZES[request.param])
    yield request.param
    set_screen(browser, TABLET)


@pytest.mark.parametrize("username,path", PAGES, ids=[f"{u or 'signed-out'}:{p}" for u, p in PAGES])
def test_no_serious_or_critical_axe_violations(username, path, screen, as_user, browser, home):
    if username is None:
        browser.delete_all_cookies()
        browser.carehome_user = None
        driver = browser
    else:
        driver = as_user(username)
    driver.get(home.url(path))
    title = page_title(driver)
    assert title not in (FORBIDDEN_TITLE, "Page not found", "Something went wrong"), f"{path} did not open: {title}"
    if username is not None:
        assert title != "Sign in", f"{username} was not signed in on {path}"

    results = run_axe(driver)
    assert results["passes"] > 10, "axe checked nothing: was it injected?"
    violations = results["violations"]
    record_axe_findings(f"{path} as {username or 'signed-out'} ({screen})", results["version"], violations)
    report = describe(violations)
    print(f"\naxe-core {results['version']} on {path} as {username or 'signed-out'}: {len(violations)} violation(s)\n{report}")
    blocking = [v for v in violations if is_blocking(v)]
    duplicates = duplicate_ids(driver)
    assert not blocking, f"axe: serious or critical violations on {path} as {username or 'signed-out'}:\n{describe(blocking)}" \
        + (f"\n  duplicate ids (a label or error message then points at the wrong field): {duplicates}" if duplicates else "")
    # axe 4.9 no longer reports a repeated id by itself; a label's `for` then names two fields.
    assert not duplicates, f"ids used more than once on {path}: {duplicates}"


# The clock page has three recording forms with the same fields: each gives its fields their own ids.
def test_the_clock_page_has_no_repeated_ids(as_user, home):
    driver = as_user("nurse")
    driver.get(home.url("/residents/1/clock"))
    assert not duplicate_ids(driver)


def test_the_clock_page_names_every_table_column(as_user, home):
    """The clock page with recorded entries (its Recorded table), through axe."""
    driver = as_user("nurse")
    driver.get(home.url("/residents/1/clock"))
    assert driver.find_elements("xpath", "//caption[normalize-space()='Recorded']"), "resident 1 should have recorded clock entries"
    results = run_axe(driver)
    blocking = [v for v in results["violations"] if is_blocking(v)]
    record_axe_findings("/residents/1/clock as nurse", results["version"], results["violations"])
    assert not blocking, f"axe on /residents/1/clock:\n{describe(blocking)}"


def duplicate_ids(driver) -> dict[str, int]:
    return driver.execute_script("""
      var seen = {}, out = {};
      document.querySelectorAll('[id]').forEach(function (el) { seen[el.id] = (seen[el.id] || 0) + 1; });
      Object.keys(seen).forEach(function (id) { if (seen[id] > 1) out[id] = seen[id]; });
      return out;
    """)


def test_axe_finds_a_planted_violation(as_user, home):
    """The check itself can fail: an image without alt text on a real page is reported."""
    driver = as_user("nurse")
    driver.get(home.url("/"))
    driver.execute_script("var i=document.createElement('img');i.src='/assets/app.css';"
                          "document.querySelector('main').appendChild(i);"
                          "var b=document.createElement('button');document.querySelector('main').appendChild(b);")
    driver.execute_script("var t=document.createElement('table');t.innerHTML='<tr><th>Name</th><th></th></tr><tr><td>x</td><td>y</td></tr>';"
                          "document.querySelector('main').appendChild(t);")
    ids = {v["id"] for v in run_axe(driver)["violations"] if is_blocking(v)}
    assert {"image-alt", "button-name", "empty-table-header"} <= ids


def test_no_serious_or_critical_axe_violations_on_sign_in_with_an_error(fresh_browser, home):
    from carehome_browser import fill_sign_in
    driver = fresh_browser
    driver.get(home.url("/login"))
    fill_sign_in(driver, "carer", "wrong-password")
    assert driver.find_elements("css selector", ".error-summary"), "the wrong password should show an error"
    results = run_axe(driver)
    violations = results["violations"]
    record_axe_findings("/login with an error", results["version"], violations)
    print(f"\naxe on /login with an error: {len(violations)} violation(s)\n{describe(violations)}")
    blocking = [v for v in violations if is_blocking(v)]
    assert not blocking, f"axe: serious or critical violations on the sign-in error page:\n{describe(blocking)}"


def test_the_skip_link_is_the_first_tab_stop_and_moves_to_the_page(as_user, home):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    driver = as_user("nurse")
    driver.get(home.url("/falls"))
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    first = driver.switch_to.active_element
    assert "skip-link" in (first.get_attribute("class") or ""), "the first Tab should reach 'Skip to main content'"
    assert first.is_displayed() and first.rect["y"] >= 0 and first.rect["height"] > 0, "the skip link must show when focused"
    first.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "main"
    driver.switch_to.active_element.send_keys(Keys.TAB)
    after = driver.switch_to.active_element
    assert after.find_elements(By.XPATH, "ancestor::main"), "the next Tab should land inside the page, past the navigation"


# Touch targets on the tablet: WCAG 2.2 AA asks 24x24 px for every control; the shell promises
# large ones, so navigation and the main buttons are at least 44 px tall.
TARGET_PAGES = [("nurse", "/"), ("nurse", "/falls"), ("nurse", "/falls/new"), ("nurse", "/residents/1"),
                ("carer", "/falls/1/check"), ("carer", "/deterioration/residents/1/soft-signs/new"),
                ("nurse", "/medication"), ("manager", "/admin/users")]


@pytest.mark.parametrize("username,path", TARGET_PAGES, ids=[f"{u}:{p}" for u, p in TARGET_PAGES])
def test_touch_targets_are_large_enough(username, path, as_user, home):
    driver = as_user(username)
    driver.get(home.url(path))
    sizes = driver.execute_script("""
      var out = [];
      document.querySelectorAll('button, a.button, input:not([type=hidden]), select, textarea, summary, nav.site-nav a')
        .forEach(function (el) {
          var r = el.getBoundingClientRect();
          if (!r.width || !r.height) return;
          var label = el.id ? document.querySelector('label[for="' + el.id + '"]') : null;
          var lr = label ? label.getBoundingClientRect() : null;
          out.push({what: el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '')
                          + ' "' + (el.textContent || el.name || '').trim().slice(0, 30) + '"',
                    width: Math.max(r.width, lr ? lr.width : 0), height: Math.max(r.height, lr ? lr.height : 0),
                    big: el.matches('nav.site-nav a, .button:not(.button-small), button:not(.button-small), input[type=radio], input[type=checkbox]')});
        });
      return out;
    """)
    assert sizes, f"no controls found on {path}"
    too_small = [s for s in sizes if s["width"] < 24 or s["height"] < 24]
    assert not too_small, f"controls under 24x24 px on {path}: {too_small[:10]}"
    not_large = [s for s in sizes if s["big"] and s["height"] < 44]
    assert not not_large, f"navigation links, buttons, radio buttons or checkboxes (with their labels) under 44 px tall on {path}: {not_large[:10]}"
