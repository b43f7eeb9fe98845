"""Forms as people use them: a mistyped password, and forms sent with JavaScript switched off."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from carehome_browser import (PASSWORD, fill_sign_in, make_driver, nav_links, page_title, sign_in, sign_out,
                              submit_and_wait)


def field_error(driver, field_id: str) -> str:
    """The message shown beside a field (inside the same .field block), without the hidden 'Error:' prefix."""
    field = driver.find_element(By.ID, field_id).find_element(By.XPATH, "ancestor::div[contains(@class,'field')][1]")
    messages = field.find_elements(By.CSS_SELECTOR, ".error-message")
    return messages[0].text.replace("Error:", "").strip() if messages else ""


def test_wrong_password_shows_the_reason_beside_the_field_and_keeps_the_username(fresh_browser, home):
    driver = fresh_browser
    driver.get(home.url("/login"))
    fill_sign_in(driver, "nurse", "not-the-password")

    assert page_title(driver) == "Sign in", "a wrong password must not sign in"
    assert not driver.find_elements(By.CSS_SELECTOR, "nav.site-nav")
    username = driver.find_element(By.NAME, "username")
    assert username.get_attribute("value") == "nurse", "the username typed should still be there"
    assert driver.find_element(By.NAME, "password").get_attribute("value") == "", "the password must not be sent back"
    message = field_error(driver, username.get_attribute("id"))
    assert message, "the reason should be shown beside the username field"
    assert "password" in message.lower()
    assert username.get_attribute("aria-invalid") == "true"
    assert (username.get_attribute("id") + "-error") in (username.get_attribute("aria-describedby") or "")
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary")
    assert message in summary.text, "the summary at the top should repeat the reason"
    summary.find_element(By.CSS_SELECTOR, "a").click()
    assert driver.switch_to.active_element == username, "the summary link should take you to the field"

    # The page still works: the right password now signs in.
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit_and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']"))
    assert page_title(driver) == "Dashboard"
    assert driver.find_element(By.CSS_SELECTOR, ".site-header .user-role").text == "Nurse"


def javascript_runs(driver) -> bool:
    """Whether the browser runs a page's own script (WebDriver's execute_script bypasses the setting)."""
    driver.get("about:blank")
    driver.execute_script("document.open();document.write('<title>before</title>"
                          "<script>document.title=\"script ran\"</script>');document.close();")
    return driver.title == "script ran"


@pytest.fixture(scope="module")
def no_js_browser(home):
    driver = make_driver(javascript=False)
    yield driver
    driver.quit()


def test_the_check_for_javascript_can_tell_on_from_off(browser, no_js_browser):
    assert javascript_runs(browser) is True
    assert javascript_runs(no_js_browser) is False


def test_sign_in_and_log_out_work_with_javascript_off(no_js_browser, home):
    driver = no_js_browser
    assert not javascript_runs(driver)
    driver.delete_all_cookies()
    driver.get(home.url("/login"))
    fill_sign_in(driver, "manager")
    assert page_title(driver) == "Dashboard"
    assert "/audit" in nav_links(driver).values()
    sign_out(driver)
    assert page_title(driver) == "Sign in"
    driver.get(home.url("/"))
    assert page_title(driver) == "Sign in", "logging out with JavaScript off must end the session"


def test_recording_a_fall_works_with_javascript_off(no_js_browser, home):
    driver = no_js_browser
    assert not javascript_runs(driver)
    sign_in(driver, home, "carer")
    driver.get(home.url("/falls/new"))
    form_title = page_title(driver)
    resident = Select(driver.find_element(By.NAME, "resident_id"))
    chosen = next(o for o in resident.options if o.get_attribute("value"))
    chosen_value, chosen_label = chosen.get_attribute("value"), chosen.text
    resident.select_by_value(chosen_value)
    button = driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]")
    submit_and_wait(driver, button)

    # Incomplete: the same form comes back with the reasons beside the fields and the choice kept.
    assert page_title(driver) == form_title
    assert driver.find_elements(By.CSS_SELECTOR, ".error-summary")
    assert field_error(driver, "f-location"), "'Where' was left empty: its reason should be beside it"
    assert Select(driver.find_element(By.NAME, "resident_id")).first_selected_option.get_attribute("value") == chosen_value

    Select(driver.find_element(By.NAME, "location")).select_by_index(1)
    for name in ("witnessed", "injured", "head_strike"):
        # With JavaScript off, as a person would: tap the answer's label.
        radio = driver.find_element(By.CSS_SELECTOR, f"input[type=radio][name={name}][value=no]")
        driver.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']").click()
        assert radio.is_selected()
    submit_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))

    assert "/falls/new" not in driver.current_url, "a complete fall should be saved and move on"
    flash = driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert "saved" in flash.lower(), f"expected a 'saved' message, got {flash!r}"
    resident_name = chosen_label.split(" (")[0]
    assert resident_name in driver.find_element(By.TAG_NAME, "main").text


def complete_quick_fall_form(driver) -> None:
    """Fills every required answer of the quick fall form (first resident, first place, all 'No')."""
    Select(driver.find_element(By.NAME, "resident_id")).select_by_index(1)
    Select(driver.find_element(By.NAME, "location")).select_by_index(1)
    for name in ("witnessed", "injured", "head_strike"):
        driver.find_element(By.CSS_SELECTOR, f"main input[type=radio][name={name}][value=no]").click()


def test_a_form_with_a_forged_csrf_token_changes_nothing(as_user, home):
    """A form posted with a token that is not the session's (as a cross-site form would) is refused."""
    driver = as_user("carer")
    driver.get(home.url("/falls"))
    falls_before = len(driver.find_elements(By.CSS_SELECTOR, "main table tbody tr"))
    assert falls_before > 0
    driver.get(home.url("/falls/new"))
    complete_quick_fall_form(driver)
    token = driver.find_element(By.CSS_SELECTOR, "main form input[name=_csrf]")
    assert len(token.get_attribute("value")) >= 32
    driver.execute_script("arguments[0].value = '0'.repeat(64)", token)
    submit_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))

    assert page_title(driver) == "You cannot open this page"
    assert "nothing was changed" in driver.find_element(By.TAG_NAME, "main").text
    driver.get(home.url("/falls"))
    assert len(driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")) == falls_before, "the fall was saved anyway"
