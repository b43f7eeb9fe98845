#!/usr/bin/env python3
"""Helpers for the Deploy tests that act on a home.sqlite file directly, as another process would.

  dbtool.py fill DB N              add N notes (2 KB each) in one transaction
  dbtool.py write DB STOPFILE      add notes one transaction at a time until STOPFILE exists
  dbtool.py count DB               print the number of notes
  dbtool.py compare SOURCE COPY    exit 0 if COPY holds exactly SOURCE's first k notes, ids 1..k,
                                   and its running total equals k (a consistent moment)
  dbtool.py damage FILE            overwrite the 3rd and 4th pages with rubbish
  dbtool.py set-schema DB N        set core_meta.schema_version (a "newer" database)
  dbtool.py hold DB READYFILE STOPFILE   keep the database open (as a running server would)
"""
import os
import sqlite3
import sys
import time

TABLES = """
CREATE TABLE IF NOT EXISTS test_deploy_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS test_deploy_totals (id INTEGER PRIMARY KEY CHECK (id = 1), notes INTEGER NOT NULL) STRICT;
INSERT OR IGNORE INTO test_deploy_totals (id, notes) VALUES (1, 0);
"""


def connect(path):
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA synchronous = FULL")
    return db


def add(db, count):
    db.execute("BEGIN IMMEDIATE")
    for _ in range(count):
        db.execute("INSERT INTO test_deploy_notes (body) VALUES (?)", ("Night check: settled. " + "." * 2000,))
    db.execute("UPDATE test_deploy_totals SET notes = notes + ? WHERE id = 1", (count,))
    db.execute("COMMIT")


def main(command, path, *rest):
    if command == "fill":
        db = connect(path)
        db.executescript(TABLES)
        add(db, int(rest[0]))
    elif command == "write":
        db = connect(path)
        while not os.path.exists(rest[0]):
            add(db, 1)
    elif command == "count":
        print(connect(path).execute("SELECT COUNT(*) FROM test_deploy_notes").fetchone()[0])
    elif command == "compare":
        source, copy = connect(path), connect(rest[0])
        ids = [row[0] for row in copy.execute("SELECT id FROM test_deploy_notes ORDER BY id")]
        total = copy.execute("SELECT notes FROM test_deploy_totals").fetchone()[0]
        k = len(ids)
        if ids != list(range(1, k + 1)):
            sys.exit(f"restored note ids are not 1..{k}")
        if total != k:
            sys.exit(f"torn copy: running total {total} but {k} notes")
        a = source.execute("SELECT id, body FROM test_deploy_notes WHERE id <= ? ORDER BY id", (k,)).fetchall()
        b = copy.execute("SELECT id, body FROM test_deploy_notes ORDER BY id").fetchall()
        if a != b:
            sys.exit("restored notes differ from the source's")
        print(k)
    elif command == "damage":
        with open(path, "r+b") as f:
            header = f.read(100)
            page = int.from_bytes(header[16:18], "big") or 65536
            f.seek(2 * page)
            f.write(b"\xa5" * (2 * page))
            f.flush()
            os.fsync(f.fileno())
    elif command == "set-schema":
        db = connect(path)
        db.execute("UPDATE core_meta SET value = ? WHERE key = 'schema_version'", (rest[0],))
        db.close()
    elif command == "hold":
        db = connect(path)
        db.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
        open(rest[0], "w").close()
        while not os.path.exists(rest[1]):
            time.sleep(0.05)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
