"""The round's resident screen as a visiting GP uses it: findings typed, then "Add the action" —
both are kept (one form; the action's fields belong to it); the form within reach at once."""
from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By

from carehome_browser import make_driver, set_screen, sign_in, submit_and_wait


def test_findings_typed_before_adding_an_action_are_saved_with_it(as_user, home):
    driver = as_user("gp")
    driver.get(home.url("/rounds"))
    rounds = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "main a")
              if re.search(r"/rounds/\d+$", a.get_attribute("href") or "")]
    open_round = max(rounds, key=lambda href: int(href.rsplit("/", 1)[1]))
    driver.get(open_round)
    resident = driver.find_element(By.XPATH, "//main//table//a[contains(@href, '/residents/')]")
    driver.get(resident.get_attribute("href"))
    findings = driver.find_element(By.NAME, "findings")
    findings.clear()
    findings.send_keys("Chest clear on the round; ankles less swollen.")
    driver.find_element(By.NAME, "description").send_keys("Repeat U&E in a week")
    # Owners come from the staff list, so the action reaches Niamh's own list.
    driver.find_element(By.XPATH, "//select[@name='owner']/option[starts-with(normalize-space(), 'Niamh Nurse')]").click()
    submit_and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Add the action']"))
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Action added and the entry saved" in body
    assert driver.find_element(By.NAME, "findings").get_attribute("value") == "Chest clear on the round; ankles less swollen."
    assert "Repeat U&E in a week" in driver.find_element(By.TAG_NAME, "main").text
    as_user("nurse")
    driver.get(home.url("/rounds/actions?show=mine"))
    assert "Repeat U&E in a week" in driver.find_element(By.TAG_NAME, "main").text, "the action reaches Niamh's own list"


@pytest.mark.parametrize("size", [(1024, 768), (375, 812)], ids=["tablet-1024x768", "phone-375x812"])
def test_the_findings_field_is_on_the_first_screen_and_the_context_one_tap_away(size, home, screenshot_dir):
    """The review form comes first: the findings box starts within the first screen of the resident's
    round page (it was ~3,400 px down on a tablet, below the context and open actions). The context
    stands beside the form on a tablet and is one tap away on a phone. Findings, EHCH ticks and the
    action's fields are still one form."""
    driver = make_driver(size=size)
    try:
        set_screen(driver, size)
        sign_in(driver, home, "gp")
        driver.get(home.url("/rounds"))
        rounds = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "main a")
                  if re.search(r"/rounds/\d+$", a.get_attribute("href") or "")]
        driver.get(max(rounds, key=lambda href: int(href.rsplit("/", 1)[1])))
        driver.get(driver.find_element(By.XPATH, "//main//table//a[contains(@href, '/residents/')]").get_attribute("href"))
        findings = driver.find_element(By.NAME, "findings")
        top = driver.execute_script("return arguments[0].getBoundingClientRect().top", findings)
        assert 0 < top < size[1] - 60, f"the findings box should start on the first screen, it is at {top}px of {size[1]}"
        entry = driver.find_element(By.ID, "entry")
        for name in ("outcome", "findings", "description", "owner", "due"):
            field = driver.find_element(By.NAME, name)
            assert field.get_attribute("form") == "entry" or entry.find_elements(By.NAME, name), f"{name} belongs to the one form"
        context = driver.find_element(By.ID, "round-context")
        if size[0] >= 1000:
            left = driver.execute_script("return arguments[0].getBoundingClientRect().left", context)
            context_top = driver.execute_script("return arguments[0].getBoundingClientRect().top", context)
            assert left > size[0] / 2 and context_top < size[1], "on a tablet the context stands beside the form"
        else:
            jump = driver.find_element(By.CSS_SELECTOR, "main .round-jump a[href='#round-context']")
            assert driver.execute_script("return arguments[0].getBoundingClientRect().top", jump) < top, "the link to the context is above the form"
            jump.click()
            assert -1 <= driver.execute_script("return arguments[0].getBoundingClientRect().top", context) < 10, "one tap brings the context up"
        driver.save_screenshot(str(screenshot_dir / f"round-resident-{size[0]}x{size[1]}.png"))
    finally:
        driver.quit()
