import CareKit

/// The registry's tables. Migrations are never edited once shipped: add a new one.
///
/// A resident's record is kept whole as JSON (`record`, one `ResidentRecord` version) with the
/// columns that are searched or must be unique copied beside it; every version is kept in
/// `residents_versions`. Movements and clock entries are rows of their own, never deleted: a wrong
/// one is marked entered in error with a reason.
enum Schema {
    static let migrations: [Migration] = [
        Migration(1, "create residents, versions, movements, clock entries and home profile", sql: """
        CREATE TABLE residents_residents (
            id INTEGER PRIMARY KEY,
            full_name TEXT NOT NULL,
            preferred_name TEXT NOT NULL,
            room TEXT NOT NULL,
            nhs_number TEXT,
            date_of_birth TEXT,
            status TEXT NOT NULL CHECK (status IN ('living-here', 'in-hospital', 'left', 'died')),
            record TEXT NOT NULL,
            version INTEGER NOT NULL,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        -- Two current residents may not share an NHS number (the store checks first and explains;
        -- this index is the last line of defence).
        CREATE UNIQUE INDEX residents_current_nhs_number ON residents_residents (nhs_number)
            WHERE nhs_number IS NOT NULL AND entered_in_error = 0 AND status IN ('living-here', 'in-hospital');

        CREATE TABLE residents_versions (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL REFERENCES residents_residents (id),
            version INTEGER NOT NULL,
            action TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            changed_by_id INTEGER NOT NULL,
            changed_by TEXT NOT NULL,
            summary TEXT NOT NULL,
            record TEXT NOT NULL,
            UNIQUE (resident_id, version)
        ) STRICT;

        CREATE TABLE residents_movements (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL REFERENCES residents_residents (id),
            kind TEXT NOT NULL CHECK (kind IN ('admitted', 'went-to-hospital', 'returned-from-hospital', 'left', 'died')),
            on_day TEXT NOT NULL,
            place TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            clock_tracked INTEGER NOT NULL DEFAULT 1,
            recorded_at TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by TEXT NOT NULL,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT,
            error_at TEXT,
            error_by TEXT
        ) STRICT;
        CREATE INDEX residents_movements_by_resident ON residents_movements (resident_id, on_day);

        CREATE TABLE residents_clock_entries (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL REFERENCES residents_residents (id),
            movement_id INTEGER NOT NULL REFERENCES residents_movements (id),
            item TEXT NOT NULL CHECK (item IN ('assessment', 'care-plan', 'medication-review-flag')),
            done_on TEXT NOT NULL,
            done_by TEXT NOT NULL,
            done_by_role TEXT NOT NULL DEFAULT '',
            domains TEXT NOT NULL DEFAULT '',
            review_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by TEXT NOT NULL,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT,
            error_at TEXT,
            error_by TEXT
        ) STRICT;
        CREATE INDEX residents_clock_entries_by_movement ON residents_clock_entries (movement_id);

        CREATE TABLE residents_home_profile (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            profile TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        ) STRICT;
        CREATE TABLE residents_home_profile_versions (
            id INTEGER PRIMARY KEY,
            version INTEGER NOT NULL UNIQUE,
            changed_at TEXT NOT NULL,
            changed_by_id INTEGER NOT NULL,
            changed_by TEXT NOT NULL,
            summary TEXT NOT NULL,
            profile TEXT NOT NULL
        ) STRICT;
        """),
        Migration(2, "indexes so that pages read today's residents, not the home's whole history", sql: """
        -- Today's residents by status; residents who moved on or after a day (occupied bed days);
        -- a resident's clock entries (the round's agenda asks for each current resident's clock).
        CREATE INDEX residents_residents_by_status ON residents_residents (status, entered_in_error);
        CREATE INDEX residents_movements_by_day ON residents_movements (on_day);
        CREATE INDEX residents_clock_entries_by_resident ON residents_clock_entries (resident_id, done_on);
        """),
        Migration(3, "residents' photos, kept like every record: a new photo is added, a removed one kept with its reason", sql: """
        CREATE TABLE residents_photos (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL REFERENCES residents_residents (id),
            jpeg BLOB NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            added_at TEXT NOT NULL,
            added_by_id INTEGER NOT NULL,
            added_by TEXT NOT NULL,
            removed_at TEXT,
            removed_by TEXT,
            removed_reason TEXT
        ) STRICT;
        CREATE INDEX residents_photos_by_resident ON residents_photos (resident_id, removed_at, id);
        """),
    ]
}
