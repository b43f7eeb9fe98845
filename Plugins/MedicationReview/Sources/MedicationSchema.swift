public import CareKit

/// The plugin's tables. Migrations are never edited once shipped: add a new one.
enum MedicationSchema {
    static let migrations: [Migration] = [
        Migration(1, "create medicines, reviews, reconciliations, acknowledgements and falls tables", sql: """
        CREATE TABLE medication_review_medicines (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            name TEXT NOT NULL,
            dose TEXT NOT NULL,
            route TEXT NOT NULL,
            frequency TEXT NOT NULL,
            as_needed INTEGER NOT NULL CHECK (as_needed IN (0, 1)),
            started_on TEXT NOT NULL,
            indication TEXT NOT NULL DEFAULT '',
            stop_on TEXT,
            stop_reason TEXT NOT NULL DEFAULT '',
            entered_in_error INTEGER NOT NULL DEFAULT 0 CHECK (entered_in_error IN (0, 1)),
            error_reason TEXT NOT NULL DEFAULT '',
            change_note TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by TEXT NOT NULL
        ) STRICT;
        CREATE INDEX medication_review_medicines_resident ON medication_review_medicines (resident_id);
        -- Every version of every medicine, the current one included: the record's history.
        CREATE TABLE medication_review_medicine_versions (
            medicine_id INTEGER NOT NULL REFERENCES medication_review_medicines (id),
            version INTEGER NOT NULL,
            name TEXT NOT NULL,
            dose TEXT NOT NULL,
            route TEXT NOT NULL,
            frequency TEXT NOT NULL,
            as_needed INTEGER NOT NULL,
            started_on TEXT NOT NULL,
            indication TEXT NOT NULL,
            stop_on TEXT,
            stop_reason TEXT NOT NULL,
            entered_in_error INTEGER NOT NULL,
            error_reason TEXT NOT NULL,
            change_note TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by TEXT NOT NULL,
            PRIMARY KEY (medicine_id, version)
        ) STRICT;
        CREATE TABLE medication_review_reconciliations (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            reconciled_on TEXT NOT NULL,
            trigger TEXT NOT NULL CHECK (trigger IN ('admission', 'hospital-return')),
            trigger_on TEXT,
            sources TEXT NOT NULL,
            discrepancies_found INTEGER NOT NULL CHECK (discrepancies_found IN (0, 1)),
            discrepancies TEXT NOT NULL DEFAULT '',
            reconciled_by TEXT NOT NULL,
            reconciled_by_role TEXT NOT NULL,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by TEXT NOT NULL
        ) STRICT;
        CREATE INDEX medication_review_reconciliations_resident ON medication_review_reconciliations (resident_id);
        CREATE TABLE medication_review_reviews (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            reviewed_on TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            reviewer_role TEXT NOT NULL,
            discussed_with TEXT NOT NULL,
            discussion TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL,
            next_review_on TEXT NOT NULL,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by TEXT NOT NULL
        ) STRICT;
        CREATE INDEX medication_review_reviews_resident ON medication_review_reviews (resident_id);
        CREATE TABLE medication_review_review_changes (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES medication_review_reviews (id),
            medicine_id INTEGER NOT NULL REFERENCES medication_review_medicines (id),
            change TEXT NOT NULL CHECK (change IN ('stopped', 'started', 'changed')),
            detail TEXT NOT NULL
        ) STRICT;
        -- A clinician's acknowledgement or dismissal of a prompt, tied to the facts it was made on.
        CREATE TABLE medication_review_acknowledgements (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            rule_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            facts TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('acknowledged', 'dismissed')),
            reason TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            decided_by_id INTEGER NOT NULL,
            decided_by TEXT NOT NULL,
            decided_by_role TEXT NOT NULL
        ) STRICT;
        CREATE INDEX medication_review_acknowledgements_resident ON medication_review_acknowledgements (resident_id, rule_id);
        -- Falls heard from the falls plugin's events (so the rule works even if its service is off).
        CREATE TABLE medication_review_falls (
            fall_id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            occurred_at TEXT NOT NULL
        ) STRICT;
        """),
        Migration(2, "indexes on the resident for falls heard and on the review for its changes", sql: """
        -- Each current resident's falls (the falls-risk-drug prompt) and each review's changes were read by
        -- scanning every row the home ever recorded.
        CREATE INDEX medication_review_falls_resident ON medication_review_falls (resident_id);
        CREATE INDEX medication_review_review_changes_review ON medication_review_review_changes (review_id);
        """),
    ]
}
