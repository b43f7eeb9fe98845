"""Layout on the screens staff use: the navigation on a tablet either way up and on a phone, and
wide tables on a phone. Assertions are on element geometry (positions and sizes), not on pixels."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from carehome_browser import PHONE, make_driver, set_screen, sign_in

LANDSCAPE = (1024, 768)
PORTRAIT = (768, 1024)


@pytest.fixture(scope="module")
def device(home):
    """One extra Chromium whose screen size each test sets; signs in as asked."""
    driver = make_driver(size=LANDSCAPE)
    driver.carehome_user = None

    def use(username: str, size):
        set_screen(driver, size)
        if driver.carehome_user != username:
            sign_in(driver, home, username)
            driver.carehome_user = username
        return driver
    yield use
    driver.quit()


def nav_geometry(driver):
    return driver.execute_script("""
      var links = Array.from(document.querySelectorAll('nav.site-nav a')).map(function (a) {
        var r = a.getBoundingClientRect();
        return {text: a.textContent.trim(), top: Math.round(r.top), bottom: Math.round(r.bottom),
                left: Math.round(r.left), right: Math.round(r.right), height: Math.round(r.height)};
      });
      var list = document.querySelector('nav.site-nav ul').getBoundingClientRect();
      var style = getComputedStyle(document.querySelector('nav.site-nav ul'));
      var header = document.querySelector('header.site-header').getBoundingClientRect();
      return {links: links, header: Math.round(header.height), width: document.documentElement.clientWidth,
              left: Math.round(list.left + parseFloat(style.paddingLeft)), right: Math.round(list.right - parseFloat(style.paddingRight))};
    """)


def rows_of(links) -> list[list[dict]]:
    rows: dict[int, list] = {}
    for link in links:
        rows.setdefault(link["top"], []).append(link)
    return [rows[top] for top in sorted(rows)]


def describe(links) -> str:
    return "; ".join(f"{l['text']} at y={l['top']} x={l['left']}-{l['right']}" for l in links)


def assert_usable(nav, username, size):
    links = nav["links"]
    assert len(links) == EXPECTED_NAV[username], f"navigation entries: {[l['text'] for l in links]}"
    assert all(l["right"] <= nav["width"] and l["left"] >= 0 for l in links), f"an entry sticks out of the screen: {describe(links)}"
    assert all(l["height"] >= 44 for l in links), "navigation links must stay 44 px tall for fingers"
    heights = {l["height"] for l in links}
    assert len(heights) == 1, f"a label breaks over two lines inside its entry at {size}: {describe(links)}"


def assert_tidy(nav, size):
    """Wrapped entries stand in even columns: every row starts at the left edge, the first row spans
    the width, and each later row's entries line up under the first row's."""
    rows = rows_of(nav["links"])
    first = rows[0]
    assert abs(first[0]["left"] - nav["left"]) <= 2 and abs(first[-1]["right"] - nav["right"]) <= 2, \
        f"the first row of the navigation does not span the width ({nav['left']}-{nav['right']}) at {size}: {describe(first)}"
    for row in rows[1:]:
        assert len(row) <= len(first), f"a later row is longer than the first at {size}: {describe(row)}"
        for entry, above in zip(row, first):
            assert abs(entry["left"] - above["left"]) <= 2 and abs(entry["right"] - above["right"]) <= 2, \
                f"{entry['text']} does not line up under {above['text']} at {size}: {describe(row)}"


# Everything the role may use, so that fitting the row never hides an entry.
EXPECTED_NAV = {
    "manager": 9,   # Dashboard, Residents, Admissions, Home round, Falls, Medication, Home profile, Audit trail, Administration
    "nurse": 6,     # Dashboard, Residents, Admissions, Home round, Falls, Medication
}


@pytest.mark.parametrize("username", ["manager", "nurse"])
@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["1024x768", "768x1024"])
def test_the_navigation_fits_a_tablet(username, size, device, home, screenshot_dir):
    """One row on a landscape tablet. Upright (768 px), the nurse's six entries are one row; the
    manager's nine cannot be without cutting labels to nothing, so they make two rows of even columns."""
    driver = device(username, size)
    driver.get(home.url("/"))
    nav = nav_geometry(driver)
    driver.save_screenshot(str(screenshot_dir / f"nav-{username}-{size[0]}x{size[1]}.png"))
    assert_usable(nav, username, size)
    assert not driver.find_element(By.CSS_SELECTOR, "button.menu-toggle").is_displayed(), "the phone's Menu button has no place on a tablet"
    rows = rows_of(nav["links"])
    allowed = 2 if (username, size) == ("manager", PORTRAIT) else 1
    assert len(rows) <= allowed, f"the navigation wraps onto {len(rows)} rows at {size}: {describe(nav['links'])}"
    if len(rows) > 1:
        assert_tidy(nav, size)


PHONE_375 = (375, 812)


@pytest.mark.parametrize("username", ["manager", "nurse", "carer"])
@pytest.mark.parametrize("size", [PHONE, PHONE_375], ids=["390x844", "375x812"])
def test_the_header_is_compact_on_a_phone(username, size, device, home, screenshot_dir):
    """At most 15% of a phone's screen, with who is signed in still shown; the whole menu one tap away."""
    driver = device(username, size)
    driver.get(home.url("/"))
    header = driver.find_element(By.CSS_SELECTOR, "header.site-header")
    height = header.rect["height"]
    driver.save_screenshot(str(screenshot_dir / f"header-{username}-{size[0]}x{size[1]}.png"))
    assert height <= size[1] * 0.15, f"the header takes {height} px of a {size[1]} px phone screen (15% is {size[1] * 0.15:.0f})"
    assert driver.find_element(By.CSS_SELECTOR, ".user-name").is_displayed(), "who is signed in stays on screen"
    assert not driver.find_element(By.CSS_SELECTOR, "nav.site-nav").is_displayed()
    toggle = driver.find_element(By.CSS_SELECTOR, "button.menu-toggle")
    assert toggle.rect["height"] >= 44 and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    if username == "carer":
        return
    nav = nav_geometry(driver)
    driver.save_screenshot(str(screenshot_dir / f"nav-{username}-{size[0]}x{size[1]}.png"))
    assert_usable(nav, username, size)
    assert_tidy(nav, size)
    assert driver.find_element(By.XPATH, "//form[@action='/logout']//button").is_displayed(), "Log out is in the open menu"


def test_without_the_script_a_phone_shows_the_whole_menu(no_js_phone, home):
    """The folded menu needs the script; without it nothing is hidden."""
    driver = no_js_phone
    sign_in(driver, home, "nurse")
    assert driver.find_element(By.CSS_SELECTOR, "nav.site-nav").is_displayed()
    assert not driver.find_element(By.CSS_SELECTOR, "button.menu-toggle").is_displayed()
    assert driver.find_element(By.XPATH, "//form[@action='/logout']//button").is_displayed()


@pytest.fixture()
def no_js_phone(home):
    driver = make_driver(javascript=False, size=PHONE)
    set_screen(driver, PHONE)
    yield driver
    driver.quit()


def test_a_wide_table_on_a_phone_shows_it_scrolls_and_can_be_scrolled_from_the_keyboard(device, home, screenshot_dir):
    driver = device("nurse", PHONE)
    driver.get(home.url("/falls"))
    boxes = driver.execute_script("""
      return Array.from(document.querySelectorAll('main .table-wrap')).map(function (box, i) {
        var caption = box.querySelector('caption');
        return {index: i, scrolls: box.scrollWidth > box.clientWidth + 1, tabindex: box.getAttribute('tabindex'),
                role: box.getAttribute('role'), name: box.getAttribute('aria-label') || '',
                caption: caption ? caption.firstChild.textContent.trim() : '',
                background: getComputedStyle(box).backgroundImage,
                hint: caption ? getComputedStyle(caption, '::after').content : ''};
      });
    """)
    wide = [b for b in boxes if b["scrolls"]]
    assert wide, f"the falls list should be wider than a {PHONE[0]} px phone (it has many columns): {boxes}"
    box = wide[0]
    assert box["tabindex"] == "0", "a keyboard user must be able to reach the scrolling table"
    assert box["role"] == "region" and box["name"] and box["name"] == box["caption"], \
        f"the scrolling box needs a name (its caption) for a screen reader: {box}"
    assert box["background"].count("radial-gradient") == 2, f"no shadow on the edges to show more columns: {box['background']}"
    assert "Scroll sideways" in box["hint"], f"the caption should say the table scrolls: {box['hint']!r}"
    element = driver.find_elements(By.CSS_SELECTOR, "main .table-wrap")[box["index"]]
    driver.execute_script("arguments[0].focus(); arguments[0].scrollIntoView({block: 'start'});", element)
    assert driver.switch_to.active_element == element
    driver.save_screenshot(str(screenshot_dir / "phone-falls-table.png"))
    before = driver.execute_script("return arguments[0].scrollLeft", element)
    element.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    try:  # keyboard scrolling may be animated: wait for it to move, not for a time
        WebDriverWait(driver, 5, poll_frequency=0.05).until(
            lambda d: d.execute_script("return arguments[0].scrollLeft", element) > before)
    except TimeoutException:
        raise AssertionError("the arrow keys should scroll the table sideways") from None
    driver.save_screenshot(str(screenshot_dir / "phone-falls-table-scrolled.png"))


@pytest.mark.parametrize("path", ["/rounds/actions?show=open", "/falls/checks"])
def test_things_to_act_on_are_cards_on_a_phone_with_the_action_first(path, device, home, screenshot_dir):
    driver = device("nurse", PHONE)
    driver.get(home.url(path))
    cards = driver.execute_script("""
      return Array.from(document.querySelectorAll('table.data-cards tbody tr')).map(function (row) {
        var action = row.querySelector('td.card-action'), first = row.querySelector('td:not(.card-action)');
        var a = action.getBoundingClientRect(), f = first.getBoundingClientRect();
        var control = action.querySelector('a, button');
        var c = control ? control.getBoundingClientRect() : null;
        return {actionTop: a.top, firstTop: f.top, controlRight: c ? c.right : null, controlHeight: c ? c.height : null,
                label: getComputedStyle(first, '::before').content};
      });
    """)
    width = driver.execute_script("return document.documentElement.clientWidth")
    driver.save_screenshot(str(screenshot_dir / f"phone-cards-{path.strip('/').replace('/', '-').replace('?', '-')}.png"))
    assert cards, f"the demo should have things to act on at {path}"
    with_controls = [c for c in cards if c["controlRight"] is not None]
    assert with_controls, "each card should carry its action"
    for card in with_controls:
        assert card["actionTop"] < card["firstTop"], f"the action should come first on a phone: {card}"
        assert card["controlRight"] <= width, f"the action is cut off at the edge ({card['controlRight']} > {width})"
        assert card["controlHeight"] >= 44, f"the action should be a 44 px target: {card}"
        assert card["label"] not in ("none", "normal", ""), "each cell should say which column it is"
