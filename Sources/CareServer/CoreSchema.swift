package import CareKit

/// The server's own tables, migrated like a plugin's under the id `core`.
enum CoreSchema {
    static let migrations: [Migration] = [
        Migration(1, "accounts, sessions, audit trail, form submissions", sql: """
            CREATE TABLE core_users (
                id INTEGER PRIMARY KEY,
                username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                display_name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('carer', 'nurse', 'manager', 'clinician', 'admin')),
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by INTEGER,
                expires_on TEXT,
                disabled_at TEXT,
                password_changed_at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE core_sessions (
                token_hash TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES core_users(id),
                csrf_token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                ended_at TEXT,
                address TEXT NOT NULL
            ) STRICT;
            CREATE INDEX core_sessions_user ON core_sessions(user_id);
            CREATE TABLE core_audit (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                user_id INTEGER,
                username TEXT NOT NULL,
                address TEXT NOT NULL,
                source TEXT NOT NULL,
                action TEXT NOT NULL,
                resident_id INTEGER,
                detail TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            ) STRICT;
            CREATE INDEX core_audit_resident ON core_audit(resident_id, at);
            CREATE INDEX core_audit_user ON core_audit(user_id, at);
            -- Append-only: the application can never change or remove an entry. (Someone with the file
            -- can drop these triggers; the hash chain then shows the edit: `carehome audit verify`.)
            CREATE TRIGGER core_audit_no_update BEFORE UPDATE ON core_audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
            CREATE TRIGGER core_audit_no_delete BEFORE DELETE ON core_audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
            CREATE TABLE core_form_submissions (
                token TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL,
                location TEXT,
                created_at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE core_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
            """),
        Migration(2, "transactional outbox: events and the promise of an audit entry, written with the change", sql: """
            CREATE TABLE core_outbox (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('event', 'audit')),
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL
            ) STRICT;
            """),
        // The manager's audit page filters by username and by dates, newest first, and pages on (at, id):
        // without these a filter reads every entry (millions in a home's tenth year). Building them on a
        // ten-year home takes a few seconds, once.
        Migration(3, "audit trail indexes for the manager's filters and paging", sql: """
            CREATE INDEX core_audit_at ON core_audit(at);
            CREATE INDEX core_audit_username ON core_audit(username, at);
            """),
        // A form sent after its session ended, kept for its owner until they sign in again (PendingPosts).
        Migration(4, "forms kept across a sign-in", sql: """
            CREATE TABLE core_pending_posts (
                id TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES core_users(id),
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX core_pending_posts_user ON core_pending_posts(user_id, created_at);
            """),
        // Bearer tokens for outside systems reading /fhir (APITokens): only each token's SHA-256 is kept.
        Migration(5, "API tokens for FHIR access", sql: """
            CREATE TABLE core_api_tokens (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                scope TEXT NOT NULL,
                expires_on TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                revoked_at TEXT,
                revoked_by TEXT
            ) STRICT;
            """),
        // The admin's screen: what each backup file was found to be when checked (keyed by name, size and
        // modification time, so a file changed since reads as unchecked), each restore drill's outcome
        // (the DSPT's evidence that backups restore), and plugins switched on or off on the page, which
        // override plugins_enabled in carehome.conf (read-only under systemd) from the next start.
        Migration(6, "admin screen: backup checks, restore drills, plugin choices", sql: """
            CREATE TABLE core_backup_checks (
                file_name TEXT PRIMARY KEY,
                bytes INTEGER NOT NULL,
                modified_at TEXT NOT NULL,
                checked_at TEXT NOT NULL,
                ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
                how TEXT NOT NULL,
                detail TEXT NOT NULL
            ) STRICT;
            CREATE TABLE core_restore_drills (
                id INTEGER PRIMARY KEY,
                started_at TEXT NOT NULL,
                finished_at TEXT NOT NULL,
                backup_file TEXT NOT NULL,
                backup_made_at TEXT,
                ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
                detail TEXT NOT NULL,
                counts TEXT NOT NULL,
                run_by TEXT NOT NULL
            ) STRICT;
            CREATE INDEX core_restore_drills_finished ON core_restore_drills(finished_at);
            CREATE TABLE core_plugin_choices (
                plugin_id TEXT PRIMARY KEY,
                enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
                changed_at TEXT NOT NULL,
                changed_by TEXT NOT NULL
            ) STRICT;
            """),
        // Archiving the audit trail (AuditArchive): entries older than the manager's retention move, in
        // contiguous runs of the chain, into zstd-compressed segments kept in this same database, so every
        // backup carries them with no change to the backup format, and moving a run is one transaction
        // (the segment written and its live rows deleted together, or neither). A live entry may now be
        // deleted only when a recorded segment covers it; segments themselves are append-only. Each segment
        // lists the usernames and residents it holds, so a search opens only the segments that can match.
        Migration(7, "audit trail archive: compressed segments of the chain", sql: """
            CREATE TABLE core_audit_segments (
                id INTEGER PRIMARY KEY,
                first_id INTEGER NOT NULL UNIQUE,
                last_id INTEGER NOT NULL UNIQUE CHECK (last_id >= first_id),
                entries INTEGER NOT NULL CHECK (entries = last_id - first_id + 1),
                oldest_at TEXT NOT NULL,
                newest_at TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                last_hash TEXT NOT NULL,
                usernames TEXT NOT NULL,
                resident_ids TEXT NOT NULL,
                format INTEGER NOT NULL,
                plain_bytes INTEGER NOT NULL,
                data BLOB NOT NULL,
                archived_at TEXT NOT NULL
            ) STRICT;
            CREATE TRIGGER core_audit_segments_no_update BEFORE UPDATE ON core_audit_segments BEGIN SELECT RAISE(ABORT, 'the audit archive is append-only'); END;
            CREATE TRIGGER core_audit_segments_no_delete BEFORE DELETE ON core_audit_segments BEGIN SELECT RAISE(ABORT, 'the audit archive is append-only'); END;
            DROP TRIGGER core_audit_no_delete;
            CREATE TRIGGER core_audit_no_delete BEFORE DELETE ON core_audit
                WHEN NOT EXISTS (SELECT 1 FROM core_audit_segments WHERE last_id >= OLD.id AND first_id <= OLD.id)
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
            """),
    ]
}
