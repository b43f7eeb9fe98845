"""A generated home with years of history (`carehome generate-home`): its whole export is valid too, every
reference resolves, and `/fhir` pages through it. Two years here so that `make test` stays quick; the
ten-year figures are in the README (measured by hand)."""
from __future__ import annotations

import subprocess
import time

import pytest

from fhir_home import Home
from uk_core import problems, references

YEARS = "2"


@pytest.fixture(scope="module")
def generated(appliance, tmp_path_factory):
    data = tmp_path_factory.mktemp("generated") / "data"
    result = subprocess.run([str(appliance / "bin" / "carehome"), "generate-home", "--data-dir", str(data), "--plugins-dir",
                             str(appliance / "plugins"), "--years", YEARS, "--beds", "30", "--seed", "19", "--audit-per-day", "10"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    home = Home.served(appliance, data)
    yield home
    home.stop()


def test_a_generated_home_exports_with_zero_errors(generated, tmp_path):
    started = time.monotonic()
    export = generated.export(tmp_path)
    elapsed = time.monotonic() - started
    resources = [r for kind in export.values() for r in kind]
    errors = [problem for resource in resources for problem in problems(resource)]
    present = {f"{r['resourceType']}/{r['id']}" for r in resources}
    dangling = sorted({ref for r in resources for ref in references(r)} - present)
    size = sum(f.stat().st_size for f in tmp_path.glob("*.ndjson"))
    print(f"{YEARS}-year home: {len(resources)} resources in {len(export)} files, {size / 1e6:.1f} MB, "
          f"exported in {elapsed:.1f} s, {len(errors)} validation errors, {len(dangling)} dangling references")
    assert errors == [], "\n".join(errors[:30])
    assert dangling == []
    # Former residents are shared too: finished stays, inactive patients.
    assert any(not p["active"] for p in export["Patient"])
    assert any(e["status"] == "finished" for e in export["EpisodeOfCare"])
    assert len(export["Encounter"]) > 50


def test_paging_through_a_generated_homes_encounters(generated):
    found, pages = generated.search_all("/fhir/Encounter?_count=200")
    assert pages > 1
    assert len({e["id"] for e in found}) == len(found)
    assert all(problems(e) == [] for e in found[:200])
