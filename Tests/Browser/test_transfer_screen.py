"""A hospital transfer's page as a nurse uses it: the outcome and follow-up, and the MDT's review, are one
form (the review's fields belong to it), so saving one part keeps what was typed in the other (issue 16)."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from carehome_browser import submit_and_wait


def choose(driver, name: str, index: int = 0) -> None:
    radio = driver.find_elements(By.CSS_SELECTOR, f"main input[type=radio][name='{name}']")[index]
    driver.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']").click()


def test_the_follow_up_typed_before_saving_a_review_is_saved_with_it(as_user, home):
    driver = as_user("nurse")
    driver.get(home.url("/transfers/7"))
    follow_up = driver.find_element(By.NAME, "follow_up")
    follow_up.clear()
    follow_up.send_keys("Typed before the review: repeat bloods in a week")
    choose(driver, "avoidable", 0)
    choose(driver, "helped", 0)
    driver.find_element(By.NAME, "notes").send_keys("Reviewed with the GP")
    review_button = driver.find_element(By.XPATH, "//main//button[contains(normalize-space(), 'review')]")
    assert review_button.get_attribute("form") == "update", "the review is sent with the outcome part"
    submit_and_wait(driver, review_button)
    assert "Review saved, with the transfer's changes" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    main = driver.find_element(By.TAG_NAME, "main")
    assert driver.find_element(By.NAME, "follow_up").get_attribute("value") == "Typed before the review: repeat bloods in a week"
    assert "Reviewed with the GP" in main.text


def test_a_review_started_and_then_saved_with_save_is_kept(as_user, home):
    driver = as_user("nurse")
    driver.get(home.url("/transfers/7"))
    choose(driver, "avoidable", 1)
    # "What would have helped" left unanswered: both parts come back as typed, with the reason.
    driver.find_element(By.NAME, "notes").send_keys("Started, not finished")
    follow_up = driver.find_element(By.NAME, "follow_up")
    follow_up.clear()
    follow_up.send_keys("Typed with a half-done review")
    submit_and_wait(driver, driver.find_element(By.XPATH, "//main//form[@id='update']//button[normalize-space()='Save']"))
    assert driver.title.startswith("Error:")
    assert "Choose what would have helped" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert driver.find_element(By.NAME, "follow_up").get_attribute("value") == "Typed with a half-done review"
    assert driver.find_element(By.NAME, "notes").get_attribute("value") == "Started, not finished"
    choose(driver, "helped", 1)
    submit_and_wait(driver, driver.find_element(By.XPATH, "//main//form[@id='update']//button[normalize-space()='Save']"))
    assert "Review saved" in driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert driver.find_element(By.NAME, "follow_up").get_attribute("value") == "Typed with a half-done review"
    assert "Started, not finished" in driver.find_element(By.TAG_NAME, "main").text
