"""Each demo role signs in and sees what it should; pages it may not use show the 403 page."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from carehome_browser import FORBIDDEN_TITLE, fill_sign_in, nav_links, open_page, page_title, sign_out

# Pages with resident records, contributed by the four plugins.
CARE_PAGES = ["/residents", "/admissions", "/rounds", "/falls", "/medication"]

# username: (role shown in the header, nav paths that must be there, nav paths that must not,
#            pages it opens, pages refused with the 403 page)
ROLES = {
    "carer": ("Carer", ["/", "/residents", "/falls", "/medication"], ["/admin", "/audit"],
              ["/residents", "/falls", "/medication"], ["/admin", "/audit"]),
    "nurse": ("Nurse", ["/", "/residents", "/admissions", "/rounds", "/falls", "/medication"], ["/admin", "/audit"],
              CARE_PAGES, ["/admin", "/admin/users", "/audit"]),
    "manager": ("Manager", ["/", "/residents", "/rounds", "/falls", "/medication", "/audit", "/admin"], [],
                CARE_PAGES + ["/admin", "/admin/users", "/audit"], []),
    "gp": ("Visiting clinician", ["/", "/residents", "/rounds", "/falls", "/medication"], ["/admin", "/audit"],
           CARE_PAGES, ["/audit", "/admin/users"]),
    "pharmacist": ("Visiting clinician", ["/", "/residents", "/falls", "/medication"], ["/admin", "/audit"],
                   ["/residents", "/medication"], ["/audit", "/admin/users"]),
    "admin": ("Administrator", ["/", "/admin"], CARE_PAGES + ["/audit"],
              ["/admin", "/admin/users"], CARE_PAGES + ["/audit", "/medication/rules"]),
}


@pytest.fixture(scope="module")
def resident_names(as_user, home):
    """Names of the demo residents as the nurse sees them on the residents list."""
    driver = as_user("nurse")
    driver.get(home.url("/residents"))
    names = [a.text.strip() for a in driver.find_elements(By.CSS_SELECTOR, "main .resident-grid .resident-card-name")]
    names = [n for n in names if n]
    assert len(names) >= 5, f"expected the demo residents on /residents, found {names}"
    return names


@pytest.mark.parametrize("username", list(ROLES))
def test_role_sees_its_navigation_dashboard_and_is_refused_the_rest(username, as_user, home, resident_names):
    role_title, nav_present, nav_absent, allowed, refused = ROLES[username]
    driver = as_user(username)

    assert page_title(driver) == "Dashboard", "signing in should land on the dashboard"
    assert driver.find_element(By.CSS_SELECTOR, ".site-header .user-role").text.strip() == role_title
    assert f"({role_title})" in driver.find_element(By.CSS_SELECTOR, "main p.lead").text

    paths = set(nav_links(driver).values())
    for path in nav_present:
        assert path in paths, f"{username} should see {path} in the navigation; sees {sorted(paths)}"
    for path in nav_absent:
        assert not any(p == path or p.startswith(path + "/") for p in paths), \
            f"{username} must not see {path} in the navigation; sees {sorted(paths)}"

    cards = [h.text.strip() for h in driver.find_elements(By.CSS_SELECTOR, "main .card h2")]
    assert cards, f"{username}'s dashboard shows no cards"
    dashboard_text = driver.find_element(By.TAG_NAME, "main").text
    if username == "admin":
        assert not [c for c in cards if any(w in c for w in ("Resident", "Falls", "Medication", "round", "Admissions"))], \
            f"the admin's dashboard shows resident cards: {cards}"
        leaked = [n for n in resident_names if n in dashboard_text]
        assert not leaked, f"the admin's dashboard shows residents' names: {leaked}"
    else:
        assert any("Resident" in c for c in cards), f"{username}'s dashboard has no residents card: {cards}"

    for path in allowed:
        status = open_page(driver, home.url(path))
        assert page_title(driver) != FORBIDDEN_TITLE, f"{username} was refused {path}"
        assert "login" not in driver.current_url
        assert status == 200, f"{path} for {username}: HTTP {status}"
    for path in refused:
        status = open_page(driver, home.url(path))
        assert page_title(driver) == FORBIDDEN_TITLE, f"{username} opened {path} (title {page_title(driver)!r})"
        assert status == 403, f"the refusal of {path} for {username} came with HTTP {status}"
        main_text = driver.find_element(By.TAG_NAME, "main").text
        assert "Go to the dashboard" in main_text
        # The refusal still sits in the shell: the user keeps their navigation and can sign out.
        assert nav_links(driver).get("Dashboard") == "/"
        if username == "admin":
            leaked = [n for n in resident_names if n in driver.page_source]
            assert not leaked, f"the admin's 403 page for {path} shows residents' names: {leaked}"


def test_signed_out_user_is_sent_to_sign_in_and_back_to_the_page_they_asked_for(fresh_browser, home):
    driver = fresh_browser
    driver.get(home.url("/falls"))
    assert page_title(driver) == "Sign in"
    assert "/login" in driver.current_url
    fill_sign_in(driver, "nurse")
    assert page_title(driver) == "Falls", "after signing in the nurse should be back on the falls list"

    sign_out(driver)
    assert page_title(driver) == "Sign in"
    driver.get(home.url("/residents"))
    assert page_title(driver) == "Sign in", "after logging out, resident pages must need a new sign-in"
    assert not driver.find_elements(By.CSS_SELECTOR, "nav.site-nav")

