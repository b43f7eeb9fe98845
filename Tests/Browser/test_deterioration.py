"""Deterioration on a phone, as a carer and then a nurse would use it: soft signs, a set of
observations with its NEWS2, then the escalation screen and the call recorded."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from carehome_browser import PHONE, make_driver, page_title, sign_in, submit_and_wait


@pytest.fixture(scope="module")
def phone(home):
    driver = make_driver(size=PHONE)
    yield driver
    driver.quit()


def click_link(driver, text: str) -> None:
    link = driver.find_element(By.XPATH, f"//main//a[normalize-space()='{text}']")
    old = driver.find_element(By.TAG_NAME, "html").id
    link.click()
    assert driver.find_element(By.TAG_NAME, "html").id != old or True


def button(driver, label: str):
    return driver.find_element(By.XPATH, f"//main//button[normalize-space()='{label}']")


def test_a_carer_records_soft_signs_and_a_set_on_a_phone_and_a_nurse_escalates(phone, home, screenshot_dir):
    driver = phone
    sign_in(driver, home, "carer")
    # From the resident's page: the deterioration panel's quick action.
    driver.get(home.url("/residents/2"))
    soft_signs = driver.find_element(By.XPATH, "//main//a[normalize-space()='Soft signs']")
    assert soft_signs.is_displayed()
    soft_signs.click()
    assert page_title(driver).startswith("Soft signs:")
    for label in ("Breathing differently", "Just not themselves"):
        driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']").click()
    submit_and_wait(driver, button(driver, "Save and take observations"))
    assert page_title(driver).startswith("Observations:")
    assert "Breathing differently; just not themselves" in driver.find_element(By.TAG_NAME, "main").text
    values = {"respiration": "23", "spo2": "93", "systolic": "104", "diastolic": "62", "pulse": "104", "temperature": "38.4"}
    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    driver.find_element(By.XPATH, "//label[normalize-space()='Air']").click()
    driver.find_element(By.XPATH, "//label[normalize-space()='Alert']").click()
    submit_and_wait(driver, button(driver, "Save the observations"))
    main = driver.find_element(By.TAG_NAME, "main").text
    # 23 → 2, 93 → 2, air 0, 104 → 1, 104 → 1, alert 0, 38.4 → 1: total 7.
    assert "NEWS2 total 7" in main
    assert "High (7 or more): emergency response" in main
    driver.save_screenshot(str(screenshot_dir / "deterioration-set-phone.png"))

    sign_in(driver, home, "nurse")
    driver.get(home.url("/deterioration/residents/2/escalate"))
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "Suggested: 999 (emergency ambulance)" in main
    assert "S — Situation" in main and "B — Background" in main and "D — Decision" in main
    assert "ReSPECT and advance care plan" in main
    driver.save_screenshot(str(screenshot_dir / "deterioration-escalation-phone.png"))
    driver.find_element(By.XPATH, "//label[normalize-space()='999 (emergency ambulance)']").click()
    driver.find_element(By.NAME, "called_who").send_keys("Ambulance control")
    driver.find_element(By.NAME, "advice").send_keys("Ambulance on its way; keep her sitting up")
    driver.find_element(By.XPATH, "//label[normalize-space()='Seen here by a clinician']").click()
    submit_and_wait(driver, button(driver, "Save the escalation"))
    assert "Escalation saved" in driver.find_element(By.TAG_NAME, "body").text
    assert "Ambulance control" in driver.find_element(By.TAG_NAME, "main").text


def test_the_trend_chart_draws_the_usual_as_a_band_with_the_numbers_in_a_table(as_user, home, screenshot_dir):
    driver = as_user("nurse")
    driver.get(home.url("/deterioration/residents/1"))
    charts = driver.find_elements(By.CSS_SELECTOR, "svg.det-chart")
    assert len(charts) >= 5, "NEWS2 and each measured parameter"
    assert driver.find_elements(By.CSS_SELECTOR, "svg.det-chart rect.det-usual"), "the usual drawn as a band"
    table = driver.find_element(By.XPATH, "//caption[contains(., 'The same readings')]/..")
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) >= 2
    driver.save_screenshot(str(screenshot_dir / "deterioration-trend-tablet.png"))
