"""The audit trail's archive on the manager's page: the retention shown and changed as a manager would,
a refused value kept beside its message, and the archive's search page."""
from __future__ import annotations

from selenium.webdriver.common.by import By

from carehome_browser import page_title, submit_and_wait
from test_forms import field_error


def retention_form(driver):
    field = driver.find_element(By.NAME, "keep_months")
    return field, field.find_element(By.XPATH, "ancestor::form[1]").find_element(By.CSS_SELECTOR, "button[type=submit]")


def test_the_manager_changes_the_retention_and_a_mistake_is_explained_with_the_typing_kept(as_user, home):
    driver = as_user("manager")
    driver.get(home.url("/audit"))
    archive = driver.find_element(By.ID, "archive")
    assert archive.text == "Archive"
    section = driver.find_element(By.TAG_NAME, "main").text
    assert "Entries older than 24 months move into the archive" in section
    assert "Nothing has been archived yet" in section

    field, save = retention_form(driver)
    field.clear()
    field.send_keys("two years")
    submit_and_wait(driver, save)
    field, save = retention_form(driver)
    assert field.get_attribute("value") == "two years", "what was typed stays in the field"
    assert "whole number of months from 3 to 240" in field_error(driver, field.get_attribute("id"))
    assert field.get_attribute("aria-invalid") == "true"

    field.clear()
    field.send_keys("30")
    submit_and_wait(driver, save)
    assert "after 30 months" in driver.find_element(By.TAG_NAME, "main").text
    assert "Entries older than 30 months" in driver.find_element(By.TAG_NAME, "main").text

    # Put the demo's setting back for the other tests.
    field, save = retention_form(driver)
    field.clear()
    field.send_keys("24")
    submit_and_wait(driver, save)
    assert "Entries older than 24 months" in driver.find_element(By.TAG_NAME, "main").text


def test_the_archive_search_page_opens_for_the_manager(as_user, home):
    driver = as_user("manager")
    driver.get(home.url("/audit/archive?user=nurse"))
    assert page_title(driver) == "Archived audit entries"
    assert "Nothing has been archived yet" in driver.find_element(By.TAG_NAME, "main").text
