"""Every form sent back with errors says so first: the page title starts "Error:", the error summary
is at the top of the form and takes the focus (so a long page does not look like a saved one)."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from carehome_browser import submit_and_wait

# (who, form page, the form's submit button). Each is sent empty or nearly so.
FORMS = [
    ("carer", "/falls/new", "Save the fall"),
    ("carer", "/deterioration/residents/2/soft-signs/new", "Save and take observations"),
    ("carer", "/deterioration/residents/2/observations/new", "Save the observations"),
    ("nurse", "/deterioration/residents/2/baseline", "Save their usual observations"),
    ("nurse", "/deterioration/residents/2/spo2-target", "Save the target"),
    ("nurse", "/deterioration/residents/2/escalate", "Save the escalation"),
    ("nurse", "/residents/new", None),
    ("nurse", "/residents/2/movements", None),
    ("nurse", "/medication/residents/2/medicines/new", None),
    ("nurse", "/medication/residents/2/reconciliation", None),
    ("nurse", "/medication/residents/2/reviews/new", None),
    ("nurse", "/falls/assessments/2", None),
    ("nurse", "/deterioration/observations/1", "Mark entered in error"),
    ("nurse", "/transfers/new", "Save the transfer"),
    ("nurse", "/transfers/voice/new", "Save their answers"),
    ("nurse", "/transfers/5", "Save"),
    ("manager", "/transfers/5", "Save a new review"),
    ("manager", "/transfers/5", "Mark entered in error"),
    ("manager", "/transfers/deaths/1", "Save"),
    ("nurse", "/residents/2/photo", "Save the photo"),
    ("manager", "/rounds/actions/5", "Give it to them"),
    ("manager", "/home-profile/edit", None),
]


# Forms of answers only, filled in from the record (a death's): these answers are unchosen first.
UNCHOOSE = {"/transfers/deaths/1": ["place"]}


def clear_text_fields(form, unchoose=()) -> None:
    """Every field of the form, its own and those that belong to it from elsewhere on the page (`form=`)."""
    fields = form.parent.execute_script("return Array.from(arguments[0].elements)", form)
    for field in fields:
        typed = field.tag_name == "textarea" or field.get_attribute("type") in ("text", "date", "datetime-local", "number")
        if typed and field.is_displayed() and field.get_attribute("readonly") is None:
            field.clear()
        if field.get_attribute("type") == "radio" and field.get_attribute("name") in unchoose:
            form.parent.execute_script("arguments[0].checked = false", field)


@pytest.mark.parametrize("user,path,label", FORMS, ids=[f"{u}:{p}:{l or 'main form'}" for u, p, l in FORMS])
def test_a_form_with_errors_says_so_first_and_takes_the_focus(user, path, label, as_user, home):
    driver = as_user(user)
    driver.get(home.url(path))
    forms = [f for f in driver.find_elements(By.CSS_SELECTOR, "main form[method=post]")
             if f.find_elements(By.CSS_SELECTOR, "button[type=submit]")]
    assert forms, f"{path} has no form"
    if label:
        button = driver.find_element(By.XPATH, f"//main//button[normalize-space()='{label}']")
        form = driver.execute_script("return arguments[0].form", button)
    else:
        form = max(forms, key=lambda f: len(f.find_elements(By.CSS_SELECTOR, "input, textarea, select")))
        button = form.find_elements(By.CSS_SELECTOR, "button[type=submit]")[0]
    clear_text_fields(form, UNCHOOSE.get(path, ()))
    submit_and_wait(driver, button)
    assert driver.title.startswith("Error:"), f"{path}: the title should start with 'Error:', it is {driver.title!r}"
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary")
    assert driver.switch_to.active_element == summary, f"{path}: the error summary should have the focus"
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", summary)
    height = driver.execute_script("return window.innerHeight")
    assert 0 <= top < height, f"{path}: the error summary should be on screen, it is at {top}px of {height}px"
