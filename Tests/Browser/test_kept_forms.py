"""Nothing typed or chosen is lost to the idle timeout: a form sent after the session ran out is kept on
the box for the person whose session it was, and saved once when they sign in again (issue 16); somebody
else signing in on that screen does not get it. A photo on a 375x812 phone, as nurses take them, and one
form of each plugin that records care on a tablet."""
from __future__ import annotations

import hashlib
import random
import sqlite3
import struct
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from carehome_browser import fill_sign_in, make_driver, page_title, set_screen, sign_in, submit_and_wait

PHONE_375 = (375, 812)


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress to nothing (hundreds of kilobytes, like a photo): far more than the
    16 KB anyone without a live session may send."""
    rng = random.Random(16)
    rows = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(width * 3)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def let_the_session_run_out(driver, home) -> None:
    """Moves the session's last use an hour back, as if the tablet had been left for an hour (the idle
    timeout is 15 minutes). The page open in the browser keeps its form and tokens."""
    token = driver.get_cookie("carehome_session")["value"]
    an_hour_ago = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    database = Path(home.tmp.name) / "home" / "home.sqlite"
    with sqlite3.connect(database, timeout=10) as db:
        changed = db.execute("UPDATE core_sessions SET last_seen_at = ? WHERE token_hash = ?",
                             (an_hour_ago, hashlib.sha256(token.encode()).hexdigest())).rowcount
    assert changed == 1, "the browser's session was found in the home's database"


@pytest.fixture()
def phone(home):
    driver = make_driver(size=PHONE_375)
    set_screen(driver, PHONE_375)
    yield driver
    driver.quit()


def test_a_photo_sent_after_the_timeout_is_saved_when_the_same_nurse_signs_in_again(phone, home, tmp_path, screenshot_dir):
    driver = phone
    sign_in(driver, home, "nurse")
    driver.get(home.url("/residents"))
    # The last face on the grid (the photo test uses the first).
    card = driver.find_elements(By.CSS_SELECTOR, "main .resident-grid .resident-card")[-1]
    assert card.find_elements(By.CSS_SELECTOR, ".face-initials"), "no photo yet"
    card.click()
    name, resident_url = page_title(driver), driver.current_url
    driver.find_element(By.LINK_TEXT, "Add a photo").click()
    picture = tmp_path / "IMG_3107.PNG"
    picture.write_bytes(noisy_png(480, 640))
    assert picture.stat().st_size > 200_000
    driver.find_element(By.CSS_SELECTOR, "input[type=file][name=photo]").send_keys(str(picture))
    driver.find_element(By.CSS_SELECTOR, "label[for='f-consent']").click()

    let_the_session_run_out(driver, home)
    submit_and_wait(driver, driver.find_element(By.XPATH, "//main//button[normalize-space()='Save the photo']"))
    assert page_title(driver) == "Sign in"
    banner = driver.find_element(By.CSS_SELECTOR, "main .banner-warning")
    assert "not saved yet" in banner.text and "sign in again as yourself" in banner.text
    red, green, blue = [int(v) for v in driver.execute_script(
        "return getComputedStyle(arguments[0]).backgroundColor", banner).strip("rgba()").split(",")[:3]]
    assert red >= green and blue < green - 30, f"the banner is in warning colours (yellow), not green: rgb({red}, {green}, {blue})"
    resume_page = driver.current_url
    assert "resume=" in resume_page
    driver.save_screenshot(str(screenshot_dir / "phone-kept-photo-sign-in.png"))

    # Someone else signs in on that screen: they do not get the nurse's photo.
    fill_sign_in(driver, "manager")
    assert page_title(driver) == "Dashboard"
    driver.get(resident_url)
    assert driver.find_elements(By.CSS_SELECTOR, ".resident-face .face-initials"), "the manager's sign-in saved nothing"
    driver.delete_cookie("carehome_session")  # the manager walks away (signing out is behind the phone's menu)

    # The nurse signs in again on the screen that kept it: the photo is saved, once.
    driver.get(resume_page)
    fill_sign_in(driver, "nurse")
    assert driver.current_url == resident_url, "back on the resident's page the photo was for"
    assert "Photo saved" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    face = driver.find_element(By.CSS_SELECTOR, ".resident-face img.face")
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", face) == 360, "480x640 made 360x480"
    assert face.get_attribute("alt") == f"Photo of {name}"
    driver.save_screenshot(str(screenshot_dir / "phone-kept-photo-saved.png"))


# One form of each plugin that records care: (who, page, what to type or choose, the button, what the
# page after the save shows). ("select", name, index), ("radio" or "check", name, value), or (name, text).
KEPT_FORMS = [
    ("carer", "/falls/new", [("select", "resident_id", 3), ("select", "location", 1), ("radio", "witnessed", "no"),
                             ("radio", "injured", "no"), ("radio", "head_strike", "no")], "Save the fall", "Fall saved"),
    ("carer", "/deterioration/residents/4/observations/new", [("respiration", "17"), ("spo2", "97"), ("systolic", "131"),
                                                               ("pulse", "76"), ("temperature", "36.9"), ("radio", "oxygen", "air"),
                                                               ("radio", "consciousness", "alert")], "Save the observations", "Observations saved"),
    ("nurse", "/transfers/6", [("follow_up", "Kept across the timeout: GP to review the discharge letter")], "Save",
     "Kept across the timeout: GP to review the discharge letter"),
    ("gp", "/rounds/4/residents/8", [("radio", "outcome", "reviewed"), ("findings", "Kept across the timeout: chest clear.")], "Save",
     "Kept across the timeout: chest clear."),
    ("nurse", "/medication/residents/4/reconciliation", [("radio", "trigger", "admission"), ("check", "sources", "Resident or family"),
                                                         ("radio", "discrepancies_found", "no")], "Save reconciliation", "Medicines reconciliation saved"),
]


@pytest.mark.parametrize("user,path,fill,button,expected", KEPT_FORMS, ids=[f"{f[0]}:{f[1]}" for f in KEPT_FORMS])
def test_a_form_sent_after_the_timeout_is_saved_when_its_owner_signs_in_again(user, path, fill, button, expected, home):
    driver = make_driver()
    try:
        sign_in(driver, home, user)
        driver.get(home.url(path))
        for item in fill:
            if item[0] == "select":
                Select(driver.find_element(By.NAME, item[1])).select_by_index(item[2])
            elif item[0] in ("radio", "check"):
                radio = driver.find_element(By.CSS_SELECTOR, f"main input[name='{item[1]}'][value='{item[2]}']")
                driver.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']").click()
            else:
                field = driver.find_element(By.NAME, item[0])
                field.clear()
                field.send_keys(item[1])
        let_the_session_run_out(driver, home)
        submit_and_wait(driver, driver.find_element(By.XPATH, f"//main//form//button[normalize-space()='{button}']"))
        assert page_title(driver) == "Sign in"
        assert "not saved yet" in driver.find_element(By.CSS_SELECTOR, "main .banner-warning").text
        fill_sign_in(driver, user)
        main = driver.find_element(By.TAG_NAME, "main")
        assert expected in main.text or expected in (main.get_attribute("innerHTML") or ""), \
            f"{path}: after signing in again the page should show {expected!r}; it is {page_title(driver)!r}"
    finally:
        driver.quit()
