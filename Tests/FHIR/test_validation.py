"""Every resource the demo home exports is valid FHIR R4 and meets the UK Core constraints we claim."""
from __future__ import annotations

import pytest

from uk_core import SNOMED, problems, references

# What the demo home holds, by type: each must be exported (a type that goes missing fails here).
EXPECTED_TYPES = {"Patient", "Organization", "Practitioner", "PractitionerRole", "EpisodeOfCare", "Encounter", "CarePlan",
                  "Condition", "AllergyIntolerance", "MedicationStatement", "Observation", "Flag", "Task"}


def test_export_writes_one_file_per_type_with_progress(demo, demo_export):
    assert set(demo_export) == EXPECTED_TYPES
    for kind, resources in demo_export.items():
        assert resources, f"{kind}.ndjson is empty"
        assert all(r["resourceType"] == kind for r in resources), f"{kind}.ndjson holds another type"
        ids = [r["id"] for r in resources]
        assert len(ids) == len(set(ids)), f"{kind}: ids repeat"
        assert f"{kind}.ndjson: {len(resources)} resources" in demo.export_output
    assert "Exported" in demo.export_output


def test_every_exported_resource_is_valid_r4_and_uk_core(demo_export):
    errors = [problem for resources in demo_export.values() for resource in resources for problem in problems(resource)]
    count = sum(len(r) for r in demo_export.values())
    print(f"validated {count} resources from the demo home: {len(errors)} errors")
    assert errors == [], "\n".join(errors[:30])


def test_every_reference_in_the_export_resolves(demo_export):
    present = {f"{r['resourceType']}/{r['id']}" for resources in demo_export.values() for r in resources}
    dangling = sorted({ref for resources in demo_export.values() for r in resources for ref in references(r)} - present)
    assert dangling == []


def test_news2_total_and_vital_signs_are_coded(demo_export):
    observations = demo_export["Observation"]
    news2 = [o for o in observations if any(c["system"] == SNOMED and c["code"] == "1104051000000101" for c in o["code"].get("coding", []))]
    assert news2, "no NEWS2 totals exported"
    assert all(isinstance(o["valueInteger"], int) for o in news2)
    profiles = {p.rsplit("/", 1)[-1] for o in observations for p in o["meta"]["profile"]}
    assert {"resprate", "oxygensat", "heartrate", "bodytemp", "bp"} <= profiles
    # Consciousness and soft signs have no code we know: words only.
    worded = [o for o in observations if "coding" not in o["code"]]
    assert worded and all(o["code"]["text"] for o in worded)


def test_patients_carry_the_nhs_number_with_its_verification_status(demo_export):
    with_number = [p for p in demo_export["Patient"] if p.get("identifier")]
    assert len(with_number) >= len(demo_export["Patient"]) - 2
    assert all(p.get("managingOrganization", {}).get("reference") == "Organization/home" for p in demo_export["Patient"])


def test_no_code_is_guessed_for_free_text(demo_export):
    for kind in ("Condition", "AllergyIntolerance", "MedicationStatement"):
        for resource in demo_export[kind]:
            concept = resource.get("code") or resource.get("medicationCodeableConcept")
            assert "coding" not in concept and concept["text"].strip(), f"{kind}/{resource['id']} has a code the appliance cannot know"


@pytest.mark.parametrize("broken, expected", [
    ({"resourceType": "Observation", "id": "x", "code": {"text": "a"}}, "FHIR R4"),
    ({"resourceType": "Patient", "id": "x", "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]},
      "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml"><p>A resident of the home, for a test</p></div>'},
      "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]}, "verification status"),
    ({"resourceType": "Patient", "id": "x", "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]},
      "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml"><p>A resident of the home, for a test</p></div>'},
      "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765918"}]}, "Modulus 11"),
    ({"resourceType": "Flag", "id": "x", "status": "done", "code": {"text": "x"}, "subject": {"reference": "Patient/1"}}, "value set"),
    ({"resourceType": "Condition", "id": "x", "subject": {"reference": "Patient/1"},
      "code": {"coding": [{"system": SNOMED, "code": "52448006", "display": "Dementia"}], "text": "Dementia"}}, "not one the appliance knows"),
])
def test_the_checks_can_fail(broken, expected):
    assert any(expected in problem for problem in problems(broken)), problems(broken)
