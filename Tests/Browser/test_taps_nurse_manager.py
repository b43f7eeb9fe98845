"""Taps, counted for the nurse and the manager as for the carer and the GP (test_taps.py): each role's main
tasks from their own home screen, on a 375x812 phone and a 1024x768 tablet. Scrolling is not a tap;
typing is not counted. The targets, and why:

Nurse
- the next item of a new admission's 7-day clock: 2 taps plus typing (the admission on the home screen,
  then "Record"); an assessment adds one tick per domain assessed, which is the record itself. Before:
  the same 2 taps, but the form opened 1,880 to 3,010 px down on a phone and 1,510 to 2,390 on a tablet;
  now the card's link lands on it (200 to 450 px).
- observations with their NEWS2: 4 taps plus typing (the resident in "Observations due", air or oxygen,
  consciousness, save). Already so; kept.
- acting on a medication review prompt: 2 taps plus the clinical reason (the prompt on the home screen,
  "Save decision"). Before: 4 (resident, prompt, "Acknowledge", save), from a card 3,000 px down a phone.

Manager
- compliance at a glance, then the late admission: 1 tap, and the overdue one is on the first screen.
- the EHCH impact pack: 1 tap, within the first two screens. Before: 1 tap, but 2,550 px down a phone's
  home screen (1,210 on a tablet); now 770 and 360.
- an overdue action given to someone else: 4 taps (the action, who: open and pick, "Give it to them").
  Before: not possible at all (a typed owner could not be changed).
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from carehome_browser import Thumb, make_driver, page_title, set_screen, sign_in

PHONE_375 = (375, 812)
TABLET_LANDSCAPE = (1024, 768)
SIZES = dict(params=[PHONE_375, TABLET_LANDSCAPE], ids=["phone-375x812", "tablet-1024x768"])


def signed_in(home, size, username):
    driver = make_driver(size=size)
    set_screen(driver, size)
    driver.screen_height = size[1]
    driver.is_phone = size == PHONE_375
    sign_in(driver, home, username)
    assert page_title(driver) == "Dashboard"
    return driver


@pytest.fixture(**SIZES)
def nurse(home, request):
    driver = signed_in(home, request.param, "nurse")
    yield driver
    driver.quit()


@pytest.fixture(**SIZES)
def manager(home, request):
    driver = signed_in(home, request.param, "manager")
    yield driver
    driver.quit()


def card(driver, title: str):
    """A dashboard card by its heading."""
    return driver.find_element(By.XPATH, f"//main//section[contains(@class,'card')][h2[normalize-space()='{title}']]")


def top(driver, element) -> float:
    return driver.execute_script("return arguments[0].getBoundingClientRect().top", element)


def on_screen(driver, element) -> bool:
    return 0 <= top(driver, element) < driver.screen_height


def set_date(driver, element_id: str, iso: str) -> None:
    """Types a date (the browser's own date field reads the locale's order; the value is what is sent)."""
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, element_id), iso)


# --- The nurse -----------------------------------------------------------------------------------------

def test_the_nurse_records_a_new_admissions_next_clock_item_in_two_taps(nurse):
    thumb = Thumb(nurse)
    clock_card = card(nurse, "Admissions: 7-working-day clock")
    # A new admission whose clock is still running (not an overdue one): the link opens the clock at the
    # form of the item to do first.
    line = next(li for li in clock_card.find_elements(By.CSS_SELECTOR, "li") if "Due in" in li.text)
    link = line.find_element(By.CSS_SELECTOR, "a")
    anchor = link.get_attribute("href").rsplit("#", 1)[1]
    thumb.tap_and_wait(link)
    assert page_title(nurse).startswith("7-day clock: ")
    form = nurse.find_element(By.CSS_SELECTOR, f"#{anchor} form")
    first_field = form.find_element(By.CSS_SELECTOR, "input:not([type=hidden]), textarea")
    assert on_screen(nurse, first_field), f"the form should open on screen, its first field is at {top(nurse, first_field)}px"
    if anchor == "record-assessment":
        for domain in ("physical", "psychological", "functional", "social", "environmental"):
            box = form.find_element(By.CSS_SELECTOR, f"input[name=domains][value={domain}]")
            thumb.tap(nurse.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']"))
        ticks = 5
    elif anchor == "record-care-plan":
        form.find_element(By.NAME, "done_by").send_keys("Dr Gareth Price")
        form.find_element(By.NAME, "done_by_role").send_keys("GP")
        set_date(nurse, "f-care-plan-review-on", "2027-02-26")
        ticks = 0
    else:
        ticks = 0  # the SMR flag: who and when are filled in already
    thumb.tap_and_wait(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "recorded" in nurse.find_element(By.CSS_SELECTOR, ".flash").text
    assert thumb.taps <= 2 + ticks, f"{thumb.taps} taps for a clock item (target 2, plus {ticks} domain ticks)"
    print(f"nurse taps for the clock item ({anchor}): {thumb.taps}")


def test_the_nurse_takes_observations_with_their_news2_in_four_taps(nurse):
    thumb = Thumb(nurse)
    due = card(nurse, "Observations due").find_element(By.CSS_SELECTOR, "a[href*='/observations/new']")
    thumb.tap_and_wait(due)
    assert page_title(nurse).startswith("Observations: ")
    for name, value in (("respiration", "18"), ("spo2", "96"), ("systolic", "128"), ("diastolic", "76"),
                        ("pulse", "82"), ("temperature", "37.1")):
        nurse.find_element(By.NAME, name).send_keys(value)
    thumb.answer("oxygen", "air")
    thumb.answer("consciousness", "alert")
    thumb.tap_and_wait(nurse.find_element(By.XPATH, "//main//button[normalize-space()='Save the observations']"))
    assert "Observations saved" in nurse.find_element(By.CSS_SELECTOR, ".flash").text
    assert "NEWS2" in nurse.find_element(By.TAG_NAME, "main").text
    assert thumb.taps <= 4, f"{thumb.taps} taps for a set of observations (target 4 plus typing)"
    print(f"nurse taps for observations: {thumb.taps}")


def test_the_nurse_acts_on_a_medication_review_prompt_in_two_taps_plus_the_reason(nurse):
    thumb = Thumb(nurse)
    prompt = card(nurse, "Medication review").find_element(By.CSS_SELECTOR, "a[href*='/medication/prompts/']")
    thumb.tap_and_wait(prompt)
    assert page_title(nurse).startswith("Prompt for ")
    acknowledge = nurse.find_element(By.CSS_SELECTOR, "input[name=decision][value=acknowledged]")
    assert acknowledge.is_selected(), "the only decision a nurse may make is chosen already"
    reason = nurse.find_element(By.NAME, "reason")
    assert on_screen(nurse, reason) or nurse.is_phone
    reason.send_keys("Discussed with the GP at the round; falls-risk drugs on the next SMR.")
    thumb.tap_and_wait(nurse.find_element(By.XPATH, "//main//button[normalize-space()='Save decision']"))
    assert "Prompt acknowledged" in nurse.find_element(By.CSS_SELECTOR, ".flash").text
    assert thumb.taps <= 2, f"{thumb.taps} taps to act on a prompt (target 2 plus the reason)"
    print(f"nurse taps for a prompt: {thumb.taps}")


# --- The manager ---------------------------------------------------------------------------------------

def test_the_manager_drills_from_compliance_at_a_glance_to_a_late_admission_in_one_tap(manager):
    thumb = Thumb(manager)
    first = manager.find_element(By.CSS_SELECTOR, "main .cards > section.card")
    assert first.find_element(By.TAG_NAME, "h2").text == "Admissions: 7-working-day clock", "compliance first on the manager's home"
    assert "overdue" in first.text
    late = next(li for li in first.find_elements(By.CSS_SELECTOR, "li") if "Overdue by" in li.text)
    link = late.find_element(By.CSS_SELECTOR, "a")
    assert on_screen(manager, link), f"the late admission should be on the first screen, it is at {top(manager, link)}px"
    name = link.text
    thumb.tap_and_wait(link)
    assert page_title(manager) == f"7-day clock: {name}"
    assert "Overdue by" in manager.find_element(By.TAG_NAME, "main").text
    assert thumb.taps <= 1
    print(f"manager taps to a late admission: {thumb.taps}")


def test_the_manager_opens_the_impact_pack_in_one_tap(manager):
    thumb = Thumb(manager)
    link = manager.find_element(By.XPATH, "//main//a[normalize-space()='EHCH impact pack']")
    where = top(manager, link)
    assert where < 2 * manager.screen_height, f"the impact pack should be near the top of the manager's home, it is at {where}px"
    thumb.tap_and_wait(link)
    assert page_title(manager) == "EHCH impact pack"
    assert thumb.taps <= 1
    print(f"manager taps to the impact pack: {thumb.taps} (link at {where:.0f}px)")


def test_the_manager_gives_an_overdue_action_to_someone_else_in_four_taps(manager):
    thumb = Thumb(manager)
    overdue = manager.find_element(By.XPATH, "//main//h3[starts-with(normalize-space(), 'Overdue in the home')]"
                                             "/following-sibling::ul[1]//a")
    description = overdue.text
    thumb.tap_and_wait(overdue)
    assert page_title(manager).startswith("Action for ")
    # To the nurse in charge on the phone, to the manager herself on the tablet (the same action each time).
    to = "Nurse in charge" if manager.is_phone else "Margaret Manager"
    chosen = thumb.choose("owner", label_contains=to)
    thumb.tap_and_wait(manager.find_element(By.XPATH, "//main//button[normalize-space()='Give it to them']"))
    assert "Action given to" in manager.find_element(By.CSS_SELECTOR, ".flash").text
    main = manager.find_element(By.TAG_NAME, "main").text
    assert "Given to someone else" in main and chosen.split(" (")[0] in main
    assert thumb.taps <= 4, f"{thumb.taps} taps to give an action to someone else (target 4)"
    if not manager.is_phone:
        # It is hers now: on her own list on the home screen.
        manager.get(manager.current_url.split("/rounds/")[0] + "/")
        mine = manager.find_element(By.XPATH, "//main//h3[starts-with(normalize-space(), 'Your actions')]/following-sibling::ul[1]")
        assert description in mine.text
    print(f"manager taps to give an action to someone else: {thumb.taps}")
