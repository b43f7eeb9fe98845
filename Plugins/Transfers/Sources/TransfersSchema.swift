import CareKit

/// The plugin's tables. Transfers are never deleted (a wrong one is marked entered in error with a
/// reason); every home-wide query is bounded by a date range served by an index.
enum TransfersSchema {
    static let migrations: [Migration] = [
        Migration(1, "transfers, MDT reviews, deaths, resident and family voice", sql: """
        CREATE TABLE transfers_transfers (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            left_at TEXT NOT NULL,
            left_on TEXT NOT NULL,
            reason TEXT NOT NULL,
            reason_detail TEXT NOT NULL DEFAULT '',
            fall_id INTEGER,
            linked_record TEXT NOT NULL DEFAULT '',
            route TEXT NOT NULL,
            by_ambulance INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            hospital TEXT NOT NULL DEFAULT '',
            stay_ended_on TEXT,
            stay_end TEXT,
            discharge_summary_on TEXT,
            reconciliation TEXT NOT NULL DEFAULT 'not-yet',
            reconciled_on TEXT,
            follow_up TEXT NOT NULL DEFAULT '',
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            updated_at TEXT,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX transfers_transfers_by_day ON transfers_transfers (left_on);
        CREATE INDEX transfers_transfers_by_resident ON transfers_transfers (resident_id, left_on);
        CREATE INDEX transfers_transfers_open ON transfers_transfers (stay_ended_on);
        CREATE TABLE transfers_reviews (
            id INTEGER PRIMARY KEY,
            transfer_id INTEGER NOT NULL REFERENCES transfers_transfers (id),
            avoidable TEXT NOT NULL,
            helped TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            reviewed_on TEXT NOT NULL,
            reviewed_by TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX transfers_reviews_by_transfer ON transfers_reviews (transfer_id, id);
        CREATE TABLE transfers_deaths (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL UNIQUE,
            died_on TEXT NOT NULL,
            place TEXT,
            preferred TEXT NOT NULL DEFAULT 'not-known',
            plan_existed INTEGER NOT NULL,
            completed INTEGER NOT NULL DEFAULT 0,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX transfers_deaths_by_day ON transfers_deaths (died_on);
        CREATE TABLE transfers_voice (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            asked_on TEXT NOT NULL,
            respondent TEXT NOT NULL,
            answers TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX transfers_voice_by_day ON transfers_voice (asked_on);
        """),
        // The medication plugin's structured medication review after a stay, heard through its event.
        Migration(2, "the structured medication review after a stay", sql: """
        ALTER TABLE transfers_transfers ADD COLUMN medication_review_on TEXT;
        """),
    ]
}
