"""Taps, counted as a carer's thumb would make them on a 375x812 phone, from the carer's home screen.
Targets (issue 16): the fall form's first question within 2 taps, "Call 999 - do not lift" within 4,
a whole fall with no red flag (all eight points "no", no head strike) within 10, typing aside."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from carehome_browser import Thumb, make_driver, page_title, set_screen, sign_in

PHONE_375 = (375, 812)
TABLET_LANDSCAPE = (1024, 768)


@pytest.fixture(params=[PHONE_375, TABLET_LANDSCAPE], ids=["phone-375x812", "tablet-1024x768"])
def phone(home, request):
    """A carer signed in on a phone, then on a tablet (the same taps are asked of both)."""
    driver = make_driver(size=request.param)
    set_screen(driver, request.param)
    driver.screen_height = request.param[1]
    sign_in(driver, home, "carer")
    assert page_title(driver) != "Sign in"
    yield driver
    driver.quit()


def open_fall_form(thumb: Thumb) -> None:
    driver = thumb.driver
    link = driver.find_element(By.XPATH, "//main//a[normalize-space()='Record a fall']")
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", link)
    assert top < driver.screen_height, f"'Record a fall' should be on the first screen of the carer's home, it is at {top}px"
    thumb.tap_and_wait(link)
    assert page_title(driver) == "Record a fall"


def test_call_999_within_four_taps_of_the_carers_home_screen(phone):
    thumb = Thumb(phone)
    open_fall_form(thumb)
    first = phone.find_element(By.CSS_SELECTOR, "#quick-fall-check fieldset legend")
    assert thumb.taps <= 2, f"{thumb.taps} taps to the first question"
    assert first.is_displayed()
    banner = phone.find_element(By.CSS_SELECTOR, "[data-shown-when='yes']")
    assert not banner.is_displayed(), "no red flag yet: no 999 banner"
    thumb.answer("breathing", "yes")
    assert banner.is_displayed() and "Call 999" in banner.text and "do not lift" in banner.text
    top = phone.execute_script("return arguments[0].getBoundingClientRect().top", banner)
    assert -1 <= top < phone.screen_height, f"the banner should be on screen when it appears, it is at {top}px"
    assert thumb.taps <= 4, f"{thumb.taps} taps to 'Call 999 - do not lift' (target 4)"
    print(f"taps to Call 999: {thumb.taps}")


def test_a_whole_fall_with_no_red_flag_within_ten_taps(phone, home):
    thumb = Thumb(phone)
    open_fall_form(thumb)
    thumb.tap(phone.find_element(By.XPATH, "//main//button[normalize-space()='No to all eight']"))
    radios = phone.find_elements(By.CSS_SELECTOR, "#quick-fall-check input[type=radio][value=no]")
    assert len(radios) == 8 and all(r.is_selected() for r in radios), "all eight answered 'no', each visible"
    # A resident near the end of the list (a different one on each screen size): the demo's recent falls
    # are on others, so no 'same fall?' question.
    options = len(Select(phone.find_element(By.NAME, "resident_id")).options)
    name = thumb.choose("resident_id", index=options - (1 if phone.screen_height == PHONE_375[1] else 2))
    thumb.choose("location", label_contains="Lounge")
    for field in ("witnessed", "injured", "head_strike"):
        thumb.answer(field, "no")
    thumb.tap_and_wait(phone.find_element(By.XPATH, "//main//button[normalize-space()='Save the fall']"))
    main = phone.find_element(By.TAG_NAME, "main").text
    assert "Fall saved" in main
    assert "No red flags on all eight points" in main
    assert "Do the post-fall check before lifting" not in main
    assert name.split(" (")[0] in main
    assert thumb.taps <= 10, f"{thumb.taps} taps for a whole fall with no red flag (target 10)"
    print(f"taps for a whole fall: {thumb.taps}")


@pytest.fixture(params=[TABLET_LANDSCAPE, PHONE_375], ids=["tablet-1024x768", "phone-375x812"])
def gp(home, request):
    """The visiting GP at the weekly round, on a tablet and on a phone."""
    driver = make_driver(size=request.param)
    set_screen(driver, request.param)
    driver.screen_height = request.param[1]
    sign_in(driver, home, "gp")
    yield driver
    driver.quit()


def test_the_gp_reviews_a_resident_at_the_round_in_four_taps_plus_typing(gp):
    """From the GP's home screen: today's round, the next resident, "Reviewed", the findings, "Save and go
    to the next resident". The findings are kept and the next resident on the agenda opens."""
    thumb = Thumb(gp)
    round_link = gp.find_element(By.CSS_SELECTOR, "main a[href^='/rounds/']")
    top = gp.execute_script("return arguments[0].getBoundingClientRect().top", round_link)
    assert top < gp.screen_height, f"today's round should be on the GP's first screen, it is at {top}px"
    thumb.tap_and_wait(round_link)
    thumb.tap_and_wait(gp.find_element(By.XPATH, "//main//a[normalize-space()='Start with the next resident']"))
    first_resident = gp.current_url
    thumb.answer("outcome", "reviewed")
    findings = "Chest clear; ankles less swollen. Continue furosemide 20 mg."
    gp.find_element(By.NAME, "findings").send_keys(findings)
    thumb.tap_and_wait(gp.find_element(By.XPATH, "//main//button[normalize-space()='Save and go to the next resident']"))
    assert gp.current_url != first_resident and "/residents/" in gp.current_url, "the next resident on the agenda opens"
    assert thumb.taps <= 4, f"{thumb.taps} taps for one resident's review (target 4 plus typing)"
    gp.get(first_resident)
    assert gp.find_element(By.NAME, "findings").get_attribute("value") == findings, "the findings were saved"
    print(f"GP taps for one review: {thumb.taps}")
