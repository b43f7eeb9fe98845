"""The API tokens page: managers and administrators only, CSRF-checked forms, errors first with the input
kept, the token shown once, revocation at once."""
from __future__ import annotations

import re
import urllib.parse
import urllib.request

from fhir_home import NoRedirect, Reply


def post(home, path: str, fields: list[tuple[str, str]], follow=False) -> Reply:
    handlers = [urllib.request.HTTPCookieProcessor(home.jar)] + ([] if follow else [NoRedirect()])
    opener = urllib.request.build_opener(*handlers)
    data = urllib.parse.urlencode(fields).encode()
    try:
        with opener.open(urllib.request.Request(home.base + path, data=data), timeout=30) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


def form_tokens(page: str) -> list[tuple[str, str]]:
    return [("_csrf", re.search(r'name="_csrf" value="([^"]+)"', page).group(1)),
            ("_once", re.search(r'name="_once" value="([^"]+)"', page).group(1))]


def test_only_managers_and_administrators_reach_the_page(demo):
    demo.sign_in("nurse")
    assert demo.get("/admin/api-tokens", cookies=True).status == 403
    demo.sign_in("admin")
    assert demo.get("/admin/api-tokens", cookies=True).status == 200


def test_make_use_and_revoke_a_token_from_the_page(demo):
    demo.sign_in("manager")
    page = demo.get("/admin/api-tokens", cookies=True).body.decode()
    assert 'href="/admin/api-tokens"' in demo.get("/admin", cookies=True).body.decode()
    # Without the CSRF token nothing is made.
    assert post(demo, "/admin/api-tokens", [("name", "Forged"), ("scope", "all"), ("expires", "2030-01-01")]).status == 403

    wrong = post(demo, "/admin/api-tokens", form_tokens(page) + [("name", "GP system"), ("scope", "Patient"), ("expires", "2001-01-01")])
    assert wrong.status == 422
    body = wrong.body.decode()
    assert body.index("There is a problem") < body.index('name="name"'), "the error summary comes first"
    assert 'value="GP system"' in body and "today or later" in body
    assert re.search(r'value="Patient" checked', body), "the choices are kept"
    no_scope = post(demo, "/admin/api-tokens", form_tokens(page) + [("name", "GP system"), ("expires", "2030-01-01")])
    assert no_scope.status == 422 and "Choose what the system may read" in no_scope.body.decode()

    made = post(demo, "/admin/api-tokens", form_tokens(page) + [("name", "GP system"), ("scope", "Patient"), ("scope", "MedicationStatement"),
                                                               ("expires", "2027-01-31")])
    assert made.status == 201
    token = re.search(r"chfhir_[0-9a-f]{64}", made.body.decode()).group(0)
    assert made.headers["cache-control"] == "no-store"
    assert demo.fhir("/fhir/MedicationStatement?_count=1", token).status == 200
    assert demo.fhir("/fhir/Observation?_count=1", token).status == 403
    again = demo.get("/admin/api-tokens", cookies=True).body.decode()
    assert "GP system" in again and token not in again, "the token is shown once only"

    token_id = re.search(r'action="/admin/api-tokens/(\d+)/revoke"', again).group(1)
    revoked = post(demo, f"/admin/api-tokens/{token_id}/revoke", form_tokens(again))
    assert revoked.status == 303
    assert demo.fhir("/fhir/MedicationStatement?_count=1", token).status == 401
    rows = demo.audit_entries("action IN ('api-token-created', 'api-token-revoked') AND username = 'manager'")
    assert [row[2] for row in rows][-2:] == ["api-token-created", "api-token-revoked"]
