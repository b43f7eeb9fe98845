"""The round's resident screen as a visiting GP uses it: findings typed, then "Add the action" —
both are kept (one form; the action's fields belong to it)."""
from __future__ import annotations

import re

from selenium.webdriver.common.by import By

from carehome_browser import submit_and_wait


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
