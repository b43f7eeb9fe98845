"""What every resource the appliance shares must satisfy: FHIR R4 itself, checked by the `fhir.resources`
models (6.4.0: FHIR 4.0.1, the release UK Core builds on), and the UK Core and value-set constraints the
README claims, checked here because the models do not check bindings, narratives or profiles."""
from __future__ import annotations

from fhir.resources import __fhir_version__, get_fhir_model_class

assert __fhir_version__ == "4.0.1", f"fhir.resources models FHIR {__fhir_version__}, not R4 (4.0.1): pin fhir.resources 6.4.0"

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
VERIFICATION_URL = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
VERIFICATION_SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
VERIFICATION_CODES = {"01": "Number present and verified", "02": "Number present but not traced", "03": "Trace required",
                      "04": "Trace attempted - No match or multiple match found",
                      "05": "Trace needs to be resolved - (NHS number or patient detail conflict)", "06": "Trace in progress",
                      "07": "Number not present and trace not required", "08": "Trace postponed (baby under six weeks old)"}
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"

# Every code the appliance may send, by system, with its display: anything else is a guessed code.
KNOWN_CODES = {
    SNOMED: {"1104051000000101": "Royal College of Physicians NEWS2 (National Early Warning Score 2) total score"},
    LOINC: {"9279-1": "Respiratory rate", "2708-6": "Oxygen saturation in Arterial blood", "8867-4": "Heart rate",
            "8310-5": "Body temperature", "29463-7": "Body weight", "85354-9": "Blood pressure panel with all children optional",
            "8480-6": "Systolic blood pressure", "8462-4": "Diastolic blood pressure"},
    VERIFICATION_SYSTEM: VERIFICATION_CODES,
    "http://terminology.hl7.org/CodeSystem/observation-category": {"vital-signs": "Vital Signs", "survey": "Survey", "exam": "Exam"},
    "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical": {"active": "Active"},
    "http://terminology.hl7.org/CodeSystem/v3-ActCode": {"HH": "home health"},
}
# The FHIR R4 core profile each vital sign claims, its LOINC code and its UCUM unit.
VITAL_SIGNS = {"resprate": ("9279-1", "/min"), "oxygensat": ("2708-6", "%"), "heartrate": ("8867-4", "/min"),
               "bodytemp": ("8310-5", "Cel"), "bodyweight": ("29463-7", "kg"), "bp": ("85354-9", None)}

# Required bindings of the coded elements we fill (FHIR R4 value sets).
STATUS = {
    "Observation": {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"},
    "Encounter": {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"},
    "EpisodeOfCare": {"planned", "waitlist", "active", "onhold", "finished", "cancelled", "entered-in-error"},
    "CarePlan": {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"},
    "MedicationStatement": {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"},
    "Flag": {"active", "inactive", "entered-in-error"},
    "Task": {"draft", "requested", "received", "accepted", "rejected", "ready", "cancelled", "in-progress", "on-hold", "failed",
             "completed", "entered-in-error"},
    "Composition": {"preliminary", "final", "amended", "entered-in-error"},
}
INTENT = {"CarePlan": {"proposal", "plan", "order", "option"},
          "Task": {"unknown", "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"}}
EPISODE_HISTORY = STATUS["EpisodeOfCare"]


def nhs_number_valid(number: str) -> bool:
    """Modulus 11 (CLINICAL.md)."""
    if len(number) != 10 or not number.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def walk(value, path="$"):
    """Every (path, dict) inside a resource."""
    if isinstance(value, dict):
        yield path, value
        for key, inner in value.items():
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from walk(inner, f"{path}[{index}]")


def problems(resource: dict) -> list[str]:
    """Every way `resource` breaks FHIR R4 or a constraint we claim, in words (empty: none)."""
    found = []
    kind = resource.get("resourceType")
    try:
        get_fhir_model_class(kind).parse_obj(resource)
    except Exception as error:  # the model's own message names the element
        found.append(f"FHIR R4: {str(error).splitlines()[:3]}")
        return found
    where = f"{kind}/{resource.get('id')}"
    profiles = resource.get("meta", {}).get("profile", [])
    if kind not in ("Bundle",) and not any(p == UK_CORE + kind for p in profiles):
        found.append(f"{where}: does not claim UKCore-{kind}")
    text = resource.get("text", {})
    if text.get("status") != "generated" or not text.get("div", "").startswith('<div xmlns="http://www.w3.org/1999/xhtml">') \
            or len(text.get("div", "")) < 60:
        found.append(f"{where}: no narrative (text) in XHTML")
    if kind in STATUS and resource.get("status") not in STATUS[kind]:
        found.append(f"{where}: status {resource.get('status')!r} is not in the R4 value set")
    if kind in INTENT and resource.get("intent") not in INTENT[kind]:
        found.append(f"{where}: intent {resource.get('intent')!r} is not in the R4 value set")
    for path, item in walk(resource):
        if "coding" in item and not item.get("text"):
            found.append(f"{where} {path}: a CodeableConcept without text")
        if isinstance(item.get("text"), str) and not item["text"].strip():
            found.append(f"{where} {path}: empty text")
        if "system" in item and "code" in item and "display" in item:
            known = KNOWN_CODES.get(item["system"])
            if known is None or known.get(item["code"]) != item["display"]:
                found.append(f"{where} {path}: code {item['system']}|{item['code']} ({item['display']}) is not one the appliance knows")
        if "reference" in item and not isinstance(item["reference"], str):
            found.append(f"{where} {path}: reference is not text")
    if kind == "Patient":
        for identifier in resource.get("identifier", []):
            if identifier.get("system") != NHS_NUMBER:
                found.append(f"{where}: an identifier other than the NHS number: {identifier.get('system')}")
                continue
            if not nhs_number_valid(identifier.get("value", "")):
                found.append(f"{where}: NHS number fails Modulus 11")
            extensions = [e for e in identifier.get("extension", []) if e.get("url") == VERIFICATION_URL]
            if len(extensions) != 1:
                found.append(f"{where}: the NHS number has no UK Core verification status extension")
                continue
            codings = extensions[0].get("valueCodeableConcept", {}).get("coding", [])
            if len(codings) != 1 or codings[0].get("system") != VERIFICATION_SYSTEM or codings[0].get("code") not in ("01", "02"):
                found.append(f"{where}: verification status must be 01 or 02 from {VERIFICATION_SYSTEM}")
    if kind == "Organization":
        for identifier in resource.get("identifier", []):
            if identifier.get("system") != ODS or not identifier.get("value", "").isalnum():
                found.append(f"{where}: identifier must be an ODS code")
    if kind == "Observation":
        codes = {c["code"]: c for c in resource["code"].get("coding", [])}
        for profile in profiles:
            short = profile.rsplit("/", 1)[-1]
            if short in VITAL_SIGNS:
                loinc, unit = VITAL_SIGNS[short]
                category = [c.get("code") for cat in resource.get("category", []) for c in cat.get("coding", [])]
                if "vital-signs" not in category:
                    found.append(f"{where}: a vital sign without the vital-signs category")
                if loinc not in codes or codes[loinc].get("system") != LOINC:
                    found.append(f"{where}: {short} must carry LOINC {loinc}")
                if unit and (resource.get("valueQuantity", {}).get("system") != UCUM or resource["valueQuantity"].get("code") != unit):
                    found.append(f"{where}: {short} must be in UCUM {unit}")
                if short == "bp" and not any(c.get("code", {}).get("coding", [{}])[0].get("code") == "8480-6" for c in resource.get("component", [])):
                    found.append(f"{where}: blood pressure without a systolic component")
        if "1104051000000101" in codes:
            if codes["1104051000000101"].get("system") != SNOMED or not (0 <= resource.get("valueInteger", -1) <= 20):
                found.append(f"{where}: NEWS2 total must be SNOMED CT 1104051000000101 with an integer 0 to 20")
    if kind == "EpisodeOfCare":
        for entry in resource.get("statusHistory", []):
            if entry.get("status") not in EPISODE_HISTORY:
                found.append(f"{where}: statusHistory status {entry.get('status')!r}")
    return found


def references(resource: dict) -> set[str]:
    return {item["reference"] for _, item in walk(resource) if isinstance(item.get("reference"), str)}
