import CareKit

/// The plugin's tables: every clinical record is kept (a wrong one is marked entered in error with a
/// reason); baselines and SpO2 targets are versions, the latest in force.
enum DeteriorationSchema {
    static let migrations: [Migration] = [
        Migration(1, "soft signs, observations, baselines, SpO2 targets, escalations", sql: """
        CREATE TABLE deterioration_soft_signs (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            noticed_at TEXT NOT NULL,
            signs TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX deterioration_soft_signs_by_resident ON deterioration_soft_signs (resident_id, noticed_at);
        CREATE INDEX deterioration_soft_signs_by_time ON deterioration_soft_signs (noticed_at);
        CREATE TABLE deterioration_observations (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            taken_at TEXT NOT NULL,
            respiration INTEGER,
            spo2 INTEGER,
            on_oxygen INTEGER,
            systolic INTEGER,
            diastolic INTEGER,
            pulse INTEGER,
            consciousness TEXT,
            temperature REAL,
            glucose REAL,
            weight REAL,
            scale INTEGER NOT NULL CHECK (scale IN (1, 2)),
            news2_total INTEGER,
            band INTEGER,
            above_usual INTEGER NOT NULL DEFAULT 0,
            soft_signs_id INTEGER,
            prompt TEXT NOT NULL DEFAULT '',
            confirmed_unusual TEXT NOT NULL DEFAULT '',
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX deterioration_observations_by_resident ON deterioration_observations (resident_id, taken_at);
        CREATE INDEX deterioration_observations_by_time ON deterioration_observations (taken_at);
        CREATE TABLE deterioration_baselines (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            usual_news2 INTEGER NOT NULL CHECK (usual_news2 BETWEEN 0 AND 20),
            respiration INTEGER,
            spo2 INTEGER,
            on_oxygen INTEGER,
            systolic INTEGER,
            pulse INTEGER,
            consciousness TEXT,
            temperature REAL,
            notes TEXT NOT NULL DEFAULT '',
            agreed_by TEXT NOT NULL,
            agreed_by_role TEXT NOT NULL,
            agreed_on TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX deterioration_baselines_by_resident ON deterioration_baselines (resident_id, id);
        CREATE TABLE deterioration_spo2_targets (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            scale INTEGER NOT NULL CHECK (scale IN (1, 2)),
            set_by TEXT NOT NULL,
            set_by_role TEXT NOT NULL,
            reason TEXT NOT NULL,
            set_on TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX deterioration_spo2_targets_by_resident ON deterioration_spo2_targets (resident_id, id);
        CREATE TABLE deterioration_escalations (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            called_at TEXT NOT NULL,
            route TEXT NOT NULL,
            called_who TEXT NOT NULL,
            advice TEXT NOT NULL,
            outcome TEXT NOT NULL,
            decision TEXT NOT NULL DEFAULT '',
            observation_id INTEGER,
            news2_total INTEGER,
            sbard TEXT NOT NULL,
            recorded_by_id INTEGER NOT NULL,
            recorded_by_name TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            entered_in_error INTEGER NOT NULL DEFAULT 0,
            error_reason TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX deterioration_escalations_by_resident ON deterioration_escalations (resident_id, called_at);
        CREATE INDEX deterioration_escalations_by_time ON deterioration_escalations (called_at);
        """),
    ]
}
