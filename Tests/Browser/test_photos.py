"""Residents as faces: a nurse adds a photo on a phone, and it shows on the residents' grid and the
resident's page; residents without one show their initials. Looked at on a 375x812 phone."""
from __future__ import annotations

import struct
import zlib

import pytest
from selenium.webdriver.common.by import By

from carehome_browser import make_driver, page_title, set_screen, sign_in, submit_and_wait

PHONE_375 = (375, 812)


def png(width: int, height: int) -> bytes:
    """A plain PNG: a warm gradient, as a stand-in for a photo."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (180 + x % 60, 120 + y % 80, 90)) for y in range(height))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture()
def phone(home):
    driver = make_driver(size=PHONE_375)
    set_screen(driver, PHONE_375)
    sign_in(driver, home, "nurse")
    yield driver
    driver.quit()


def test_a_nurse_adds_a_photo_on_a_phone_and_the_grid_shows_faces(phone, home, tmp_path, screenshot_dir):
    driver = phone
    driver.get(home.url("/residents"))
    cards = driver.find_elements(By.CSS_SELECTOR, "main .resident-grid .resident-card")
    assert len(cards) >= 5, "the demo's residents as cards"
    first = cards[0]
    assert first.rect["height"] >= 44 and first.rect["width"] >= 120
    columns = len({round(c.rect["x"]) for c in cards})
    assert columns == 2, f"two cards across a 375 px phone, found {columns}"
    name = first.find_element(By.CSS_SELECTOR, ".resident-card-name").text
    assert first.find_elements(By.CSS_SELECTOR, ".face-initials"), "no photo yet: initials"
    first.click()
    assert page_title(driver) == name
    resident_url = driver.current_url

    driver.find_element(By.LINK_TEXT, "Add a photo").click()
    picture = tmp_path / "IMG_2041.PNG"
    picture.write_bytes(png(900, 1200))
    driver.find_element(By.CSS_SELECTOR, "input[type=file][name=photo]").send_keys(str(picture))
    submit_and_wait(driver, driver.find_element(By.XPATH, "//main//button[normalize-space()='Save the photo']"))
    assert driver.title.startswith("Error:"), "without consent the photo is not kept"
    assert "agreed to the photo" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    driver.find_element(By.CSS_SELECTOR, "input[type=file][name=photo]").send_keys(str(picture))
    driver.find_element(By.CSS_SELECTOR, "label[for='f-consent']").click()
    submit_and_wait(driver, driver.find_element(By.XPATH, "//main//button[normalize-space()='Save the photo']"))
    assert driver.current_url == resident_url
    assert "Photo saved" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    face = driver.find_element(By.CSS_SELECTOR, ".resident-face img.face")
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", face) == 360, "900x1200 made 360x480"
    driver.save_screenshot(str(screenshot_dir / "phone-resident-photo.png"))

    driver.get(home.url("/residents"))
    shown = driver.find_element(By.CSS_SELECTOR, "main .resident-grid .resident-card img.face")
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", shown)
    driver.save_screenshot(str(screenshot_dir / "phone-residents-grid.png"))
