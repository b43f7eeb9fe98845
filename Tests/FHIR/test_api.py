"""`/fhir` over real HTTP: what a token may read, paging, search by patient and date, `$everything`, and the
staff downloads (a resident's record and the transfer summary document)."""
from __future__ import annotations

from fhir.resources import get_fhir_model_class

from uk_core import problems, references


def first_patient_with_observations(export) -> str:
    return sorted({o["subject"]["reference"] for o in export["Observation"]})[0]


def test_metadata_needs_no_token_and_is_a_valid_capability_statement(demo):
    reply = demo.get("/fhir/metadata")
    assert reply.status == 200
    statement = get_fhir_model_class("CapabilityStatement").parse_obj(reply.json())
    assert statement.fhirVersion == "4.0.1"
    types = {r.type for r in statement.rest[0].resource}
    assert {"Patient", "Observation", "MedicationStatement", "Task"} <= types


def test_without_a_usable_token_nothing_is_read(demo):
    for token in (None, "chfhir_" + "0" * 64, "not-a-token"):
        reply = demo.get("/fhir/Patient", token=token)
        assert reply.status == 401
        outcome = reply.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert "entry" not in outcome and "Patient" not in reply.body.decode().replace("OperationOutcome", "")
        assert reply.headers["www-authenticate"].startswith("Bearer")


def test_search_by_patient_pages_with_next_links_and_finds_what_the_export_holds(demo, demo_export):
    patient = first_patient_with_observations(demo_export)
    expected = sorted(o["id"] for o in demo_export["Observation"] if o["subject"]["reference"] == patient)
    found, pages = demo.search_all(f"/fhir/Observation?patient={patient}&_count=3")
    assert sorted(o["id"] for o in found) == expected
    assert len(expected) > 3 and pages == -(-len(expected) // 3)
    bundle = demo.fhir(f"/fhir/Observation?patient={patient}&_count=3").json()
    get_fhir_model_class("Bundle").parse_obj(bundle)
    assert bundle["type"] == "searchset" and len(bundle["entry"]) == 3


def test_page_size_is_bounded(demo):
    bundle = demo.fhir("/fhir/Observation?_count=100000").json()
    assert len(bundle["entry"]) <= 200


def test_search_by_date(demo, demo_export):
    dates = sorted(o["effectiveDateTime"] for o in demo_export["Observation"])
    middle = dates[len(dates) // 2]
    found, _ = demo.search_all(f"/fhir/Observation?date=ge{middle}&_count=200")
    assert found and all(o["effectiveDateTime"] >= middle for o in found)
    assert len(found) == sum(1 for d in dates if d >= middle)


def test_read_by_id_gives_the_exported_resource(demo, demo_export):
    for kind, resources in demo_export.items():
        resource = resources[-1]
        reply = demo.fhir(f"/fhir/{kind}/{resource['id']}")
        assert reply.status == 200, kind
        assert reply.json() == resource
    missing = demo.fhir("/fhir/Patient/999999")
    assert missing.status == 404 and missing.json()["resourceType"] == "OperationOutcome"


def test_everything_for_a_patient(demo, demo_export):
    patient = first_patient_with_observations(demo_export)
    expected = {f"{r['resourceType']}/{r['id']}" for resources in demo_export.values() for r in resources
                if patient in references(r) or f"Patient/{r['id']}" == patient and r["resourceType"] == "Patient"}
    found, _ = demo.search_all(f"/fhir/{patient}/$everything?_count=50")
    assert {f"{r['resourceType']}/{r['id']}" for r in found} == expected


def test_unknown_search_parameters_are_refused_not_ignored(demo):
    reply = demo.fhir("/fhir/Observation?patinet=1")
    assert reply.status == 400 and reply.json()["resourceType"] == "OperationOutcome"


def test_scope_expiry_and_revocation(demo, demo_export):
    token = demo.add_token("Observations only", "Observation")
    assert demo.fhir("/fhir/Observation?_count=1", token).status == 200
    refused = demo.fhir("/fhir/Patient", token)
    assert refused.status == 403 and "Observation" in refused.json()["issue"][0]["diagnostics"]
    assert demo.fhir("/fhir?_type=Observation,Condition", token).status == 403
    # A resident's $everything needs the Patient in scope; with it, holds only the types the token may read.
    patient = first_patient_with_observations(demo_export)
    assert demo.fhir(f"/fhir/{patient}/$everything", token).status == 403
    narrow = demo.add_token("Patients and observations", "Patient,Observation")
    found, _ = demo.search_all(f"/fhir/{patient}/$everything?_count=200", narrow)
    assert {r["resourceType"] for r in found} == {"Patient", "Observation"}
    listed = demo.cli("api-token", "list", "--data-dir", str(demo.data)).stdout
    line = next(l for l in listed.splitlines() if l.endswith("\tObservations only"))
    assert "\tActive\t" in line and "chfhir_" not in listed
    demo.cli("api-token", "revoke", "--data-dir", str(demo.data), line.split("\t")[0])
    assert demo.fhir("/fhir/Observation?_count=1", token).status == 401
    rows = demo.audit_entries("username = 'api:Observations only'")
    actions = [row[2] for row in rows]
    assert "view" in actions and actions.count("refused") >= 3
    assert all(row[1] == "fhir" for row in rows)


def test_every_read_is_audited_under_the_tokens_name(demo, demo_export):
    patient = first_patient_with_observations(demo_export)
    demo.fhir(f"/fhir/Observation?patient={patient}&_count=2")
    rows = demo.audit_entries("username = 'api:FHIR test suite' AND action = 'view'")
    assert any(row[3] == int(patient.split("/")[1]) and f"patient={patient}" in row[4] for row in rows)


def test_staff_download_a_residents_record_and_the_transfer_document(demo, demo_export):
    patient = first_patient_with_observations(demo_export)
    resident = patient.split("/")[1]
    demo.sign_in("carer")
    assert demo.get(f"/export/residents/{resident}/fhir", cookies=True).status == 403
    document = demo.get(f"/export/residents/{resident}/transfer-document", cookies=True)
    assert document.status == 200 and document.headers["content-type"].startswith("application/fhir+json")
    bundle = document.json()
    get_fhir_model_class("Bundle").parse_obj(bundle)
    assert bundle["type"] == "document" and bundle["identifier"]["value"] and bundle["timestamp"]
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    titles = [s["title"] for s in composition["section"]]
    assert titles[:4] == ["Person demographics", "Advance care plans and ReSPECT", "Allergies and adverse reactions", "Medications"]
    inside = {e["fullUrl"].split("/fhir/", 1)[1] for e in bundle["entry"]}
    for entry in bundle["entry"]:
        assert problems(entry["resource"]) == []
        assert references(entry["resource"]) <= inside, entry["resource"]["id"]
    meds = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "MedicationStatement"]
    assert meds and all(m["status"] == "active" for m in meds)
    # The latest observation set only, whole: every reading taken at that time.
    sets = [o for o in demo_export["Observation"] if o["subject"]["reference"] == patient and o["id"].startswith("obs-")]
    newest = max(o["effectiveDateTime"] for o in sets)
    sent = [e["resource"] for e in bundle["entry"] if e["resource"]["id"].startswith("obs-")]
    assert sorted(o["id"] for o in sent) == sorted(o["id"] for o in sets if o["effectiveDateTime"] == newest)

    demo.sign_in("nurse")
    record = demo.get(f"/export/residents/{resident}/fhir", cookies=True)
    assert record.status == 200
    bundle = record.json()
    get_fhir_model_class("Bundle").parse_obj(bundle)
    inside = {e["fullUrl"].split("/fhir/", 1)[1] for e in bundle["entry"]}
    assert patient in inside and "Organization/home" in inside
    assert all(references(e["resource"]) <= inside for e in bundle["entry"])
    rows = demo.audit_entries(f"source = 'fhir' AND action = 'export' AND resident_id = {resident}")
    assert {row[0] for row in rows} >= {"carer", "nurse"}
