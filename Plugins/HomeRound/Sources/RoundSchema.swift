import CareKit

/// The plugin's tables. Migrations are never edited once shipped: add a new one.
enum RoundSchema {
    static let migrations: [Migration] = [
        Migration(1, "create home round tables", sql: """
        CREATE TABLE home_round_rounds (
            id INTEGER PRIMARY KEY,
            round_day TEXT NOT NULL,
            week_start TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            opened_by INTEGER NOT NULL,
            opened_by_name TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            closed_by INTEGER,
            closed_by_name TEXT,
            closed_at TEXT,
            gp_record_note TEXT NOT NULL DEFAULT ''
        ) STRICT;

        -- Staff adding or removing a resident for one round; the latest change per resident wins.
        CREATE TABLE home_round_agenda_changes (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES home_round_rounds(id),
            resident_id INTEGER NOT NULL,
            change TEXT NOT NULL CHECK (change IN ('add', 'remove')),
            reason TEXT NOT NULL,
            by_user INTEGER NOT NULL,
            by_name TEXT NOT NULL,
            at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX home_round_agenda_changes_round ON home_round_agenda_changes(round_id, resident_id);

        -- The agenda as it stood when the round closed (reasons frozen, one line each).
        CREATE TABLE home_round_agenda_final (
            round_id INTEGER NOT NULL REFERENCES home_round_rounds(id),
            resident_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            score INTEGER NOT NULL,
            reasons TEXT NOT NULL,
            PRIMARY KEY (round_id, resident_id)
        ) STRICT;

        CREATE TABLE home_round_concerns (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            reason TEXT NOT NULL,
            raised_by INTEGER NOT NULL,
            raised_by_name TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            raised_on TEXT NOT NULL,
            taken_to_round INTEGER REFERENCES home_round_rounds(id),
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'taken', 'entered-in-error')),
            error_reason TEXT
        ) STRICT;
        CREATE INDEX home_round_concerns_resident ON home_round_concerns(resident_id, status);

        CREATE TABLE home_round_attendees (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES home_round_rounds(id),
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            organisation TEXT NOT NULL,
            added_by INTEGER NOT NULL,
            added_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'entered-in-error'))
        ) STRICT;

        -- One resident's entry in one round: the current version. Every save is also kept in
        -- home_round_entry_versions, including a save refused because someone else saved first.
        CREATE TABLE home_round_entries (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES home_round_rounds(id),
            resident_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            not_seen_reason TEXT NOT NULL,
            findings TEXT NOT NULL,
            assessment_done INTEGER NOT NULL,
            care_plan_done INTEGER NOT NULL,
            smr_flagged INTEGER NOT NULL,
            acp_discussed INTEGER NOT NULL,
            acp_notes TEXT NOT NULL,
            referrals TEXT NOT NULL,
            medicines_changed INTEGER NOT NULL,
            medicines_notes TEXT NOT NULL,
            family_to_inform INTEGER NOT NULL,
            family_notes TEXT NOT NULL,
            gp_record_updated INTEGER NOT NULL,
            saved_by INTEGER NOT NULL,
            saved_by_name TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            UNIQUE (round_id, resident_id)
        ) STRICT;

        CREATE TABLE home_round_entry_versions (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL,
            resident_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('saved', 'conflict')),
            based_on_version INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            not_seen_reason TEXT NOT NULL,
            findings TEXT NOT NULL,
            assessment_done INTEGER NOT NULL,
            care_plan_done INTEGER NOT NULL,
            smr_flagged INTEGER NOT NULL,
            acp_discussed INTEGER NOT NULL,
            acp_notes TEXT NOT NULL,
            referrals TEXT NOT NULL,
            medicines_changed INTEGER NOT NULL,
            medicines_notes TEXT NOT NULL,
            family_to_inform INTEGER NOT NULL,
            family_notes TEXT NOT NULL,
            gp_record_updated INTEGER NOT NULL,
            saved_by INTEGER NOT NULL,
            saved_by_name TEXT NOT NULL,
            saved_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX home_round_entry_versions_entry ON home_round_entry_versions(round_id, resident_id);

        CREATE TABLE home_round_actions (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES home_round_rounds(id),
            resident_id INTEGER NOT NULL,
            description TEXT NOT NULL,
            owner_name TEXT NOT NULL,
            owner_role TEXT NOT NULL,
            due_on TEXT NOT NULL,
            created_by INTEGER NOT NULL,
            created_by_name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            done_on TEXT,
            done_at TEXT,
            done_by INTEGER,
            done_by_name TEXT,
            done_note TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'entered-in-error')),
            error_reason TEXT
        ) STRICT;
        CREATE INDEX home_round_actions_resident ON home_round_actions(resident_id, status);
        CREATE INDEX home_round_actions_due ON home_round_actions(status, due_on);

        -- Falls heard through the fall-recorded event, so that a fall reaches the next agenda even
        -- when the falls plugin is later disabled.
        CREATE TABLE home_round_fall_events (
            fall_id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            occurred_at TEXT NOT NULL,
            head_strike INTEGER,
            injured INTEGER NOT NULL,
            heard_at TEXT NOT NULL
        ) STRICT;
        """),
        Migration(2, "close a resident's concerns and actions when they leave or die", sql: """
        -- When a resident leaves the home or dies, the system closes (never deletes) their pending
        -- concerns and open actions with the reason, so they leave the agenda and the action lists.
        -- SQLite cannot change a CHECK constraint, so both tables are rebuilt with a 'closed' status.
        -- Nothing references either table.
        CREATE TABLE home_round_concerns_rebuilt (
            id INTEGER PRIMARY KEY,
            resident_id INTEGER NOT NULL,
            reason TEXT NOT NULL,
            raised_by INTEGER NOT NULL,
            raised_by_name TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            raised_on TEXT NOT NULL,
            taken_to_round INTEGER REFERENCES home_round_rounds(id),
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'taken', 'entered-in-error', 'closed')),
            error_reason TEXT,
            closed_reason TEXT,
            closed_at TEXT,
            closed_by_name TEXT
        ) STRICT;
        INSERT INTO home_round_concerns_rebuilt (id, resident_id, reason, raised_by, raised_by_name, raised_at, raised_on, taken_to_round, status, error_reason)
            SELECT id, resident_id, reason, raised_by, raised_by_name, raised_at, raised_on, taken_to_round, status, error_reason FROM home_round_concerns;
        DROP TABLE home_round_concerns;
        ALTER TABLE home_round_concerns_rebuilt RENAME TO home_round_concerns;
        CREATE INDEX home_round_concerns_resident ON home_round_concerns(resident_id, status);

        CREATE TABLE home_round_actions_rebuilt (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES home_round_rounds(id),
            resident_id INTEGER NOT NULL,
            description TEXT NOT NULL,
            owner_name TEXT NOT NULL,
            owner_role TEXT NOT NULL,
            due_on TEXT NOT NULL,
            created_by INTEGER NOT NULL,
            created_by_name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            done_on TEXT,
            done_at TEXT,
            done_by INTEGER,
            done_by_name TEXT,
            done_note TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'entered-in-error', 'closed')),
            error_reason TEXT,
            closed_reason TEXT,
            closed_at TEXT,
            closed_by_name TEXT
        ) STRICT;
        INSERT INTO home_round_actions_rebuilt (id, round_id, resident_id, description, owner_name, owner_role, due_on, created_by, created_by_name,
                                                created_at, done_on, done_at, done_by, done_by_name, done_note, status, error_reason)
            SELECT id, round_id, resident_id, description, owner_name, owner_role, due_on, created_by, created_by_name,
                   created_at, done_on, done_at, done_by, done_by_name, done_note, status, error_reason FROM home_round_actions;
        DROP TABLE home_round_actions;
        ALTER TABLE home_round_actions_rebuilt RENAME TO home_round_actions;
        CREATE INDEX home_round_actions_resident ON home_round_actions(resident_id, status);
        CREATE INDEX home_round_actions_due ON home_round_actions(status, due_on);
        """),
        Migration(3, "index rounds by day, for the list's pages", sql: """
        CREATE INDEX home_round_rounds_by_day ON home_round_rounds(round_day);
        """),
        Migration(4, "indexes so that the agenda and the action lists read today's residents, not every round ever held", sql: """
        -- A resident's entries (advance care planning discussed, for the current residents only); falls
        -- heard since the last round; concerns still pending; the latest actions done or closed.
        CREATE INDEX home_round_entries_by_resident ON home_round_entries(resident_id);
        CREATE INDEX home_round_fall_events_by_time ON home_round_fall_events(occurred_at);
        CREATE INDEX home_round_concerns_pending ON home_round_concerns(status, id);
        CREATE INDEX home_round_actions_finished ON home_round_actions(COALESCE(done_on, due_on)) WHERE status <> 'open';
        """),
        Migration(5, "an action given to someone else keeps who held it before", sql: """
        -- One row each time an open action changes hands: the owner before, the owner after, who gave it
        -- and when. The action's row holds the owner now; this is its history (never rewritten).
        CREATE TABLE home_round_action_handovers (
            id INTEGER PRIMARY KEY,
            action_id INTEGER NOT NULL REFERENCES home_round_actions(id),
            from_name TEXT NOT NULL,
            from_role TEXT NOT NULL,
            to_name TEXT NOT NULL,
            to_role TEXT NOT NULL,
            changed_by INTEGER NOT NULL,
            changed_by_name TEXT NOT NULL,
            changed_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX home_round_action_handovers_action ON home_round_action_handovers(action_id);
        """),
        Migration(6, "indexes so that a round's attendees and the falls heard since a time are found, not read from all history", sql: """
        CREATE INDEX home_round_attendees_by_round ON home_round_attendees(round_id);
        CREATE INDEX home_round_fall_events_by_heard ON home_round_fall_events(heard_at);
        """),
    ]
}
