"""The database schema as named migrations, applied in order, each once (`Database._migrate`).

A migration is never edited after it shipped: a change is a new entry at the end. Before applying
new ones to an existing database the service takes a copy of it (`backup_folder`).
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", """
    CREATE TABLE counters (name TEXT NOT NULL, year INTEGER NOT NULL, value INTEGER NOT NULL,
                           PRIMARY KEY (name, year));
    CREATE TABLE cases (
        id TEXT PRIMARY KEY, office TEXT NOT NULL DEFAULT '', sop_id TEXT NOT NULL,
        year INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
        opened_at TEXT NOT NULL, step INTEGER NOT NULL, step_token TEXT NOT NULL,
        step_entered_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open', closed_at TEXT,
        letter_number TEXT, proofs TEXT NOT NULL DEFAULT '[]', message TEXT NOT NULL DEFAULT '',
        catatan TEXT NOT NULL DEFAULT '', UNIQUE (sop_id, year, seq));
    CREATE INDEX cases_open ON cases(status);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), kind TEXT NOT NULL,
        version INTEGER NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL, origin TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '', step INTEGER, created_at TEXT NOT NULL);
    CREATE INDEX documents_case ON documents(case_id);
    CREATE TABLE placements (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id), case_id TEXT NOT NULL,
        role TEXT, path TEXT NOT NULL, sha256 TEXT NOT NULL);
    CREATE INDEX placements_case ON placements(case_id);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, case_id TEXT, kind TEXT NOT NULL, role TEXT,
        step_from INTEGER, step_to INTEGER, decision TEXT, catatan TEXT, source TEXT,
        message TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '{}');
    CREATE INDEX events_case ON events(case_id);
    CREATE TABLE ops (
        id INTEGER PRIMARY KEY, event_id INTEGER REFERENCES events(id), op TEXT NOT NULL,
        sha256 TEXT, path TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX ops_pending ON ops(done);
    CREATE TABLE received (
        id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, path TEXT NOT NULL, at TEXT NOT NULL,
        case_id TEXT, token TEXT, outcome TEXT NOT NULL);
    CREATE INDEX received_sha ON received(sha256);
    CREATE TABLE decisions_seen (token TEXT NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL,
                                 PRIMARY KEY (token, value));
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """),
    # a `move` op names where the file comes from; a received document keeps the bytes as received
    ("0002_move_and_originals", """
    ALTER TABLE ops ADD COLUMN source TEXT;
    ALTER TABLE documents ADD COLUMN original_sha256 TEXT;
    """),
    # a failing operation is tried again later, not at every pass (and its trouble is kept)
    ("0003_op_retries", """
    ALTER TABLE ops ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE ops ADD COLUMN next_try REAL NOT NULL DEFAULT 0;
    ALTER TABLE ops ADD COLUMN error TEXT NOT NULL DEFAULT '';
    """),
    # who acted (the Unix user who saved the file), and as what when a stand-in (Plt./Plh.)
    ("0004_event_person", """
    ALTER TABLE events ADD COLUMN person TEXT;
    ALTER TABLE events ADD COLUMN person_title TEXT NOT NULL DEFAULT '';
    """),
    # what every register write asks must not read the whole history (closed cases stay cheap)
    ("0005_history_indexes", """
    CREATE INDEX events_kind ON events(kind, at);
    CREATE INDEX placements_path ON placements(path);
    """),
    # a decision that could not be carried out for the service's own trouble waits in its row
    ("0006_held_decision", """
    ALTER TABLE cases ADD COLUMN keputusan TEXT NOT NULL DEFAULT '';
    """),
    # the details people set in the concept's Rincian table (title, the letter answered), as JSON
    ("0007_case_rincian", """
    ALTER TABLE cases ADD COLUMN rincian TEXT NOT NULL DEFAULT '{}';
    """),
    # the notification outbox: a message is recorded with the event that causes it (one row per
    # address; `key` makes it once only), then sent, retried and marked by the sender
    ("0008_notifications", """
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, case_id TEXT,
        event_id INTEGER, role TEXT, person TEXT NOT NULL DEFAULT '', address TEXT NOT NULL,
        subject TEXT NOT NULL, body TEXT NOT NULL, attach_sha TEXT, attach_name TEXT,
        created_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT
        NULL DEFAULT 0, next_try REAL NOT NULL DEFAULT 0, sent_at TEXT,
        error TEXT NOT NULL DEFAULT '');
    CREATE INDEX notifications_due ON notifications(status, next_try);
    CREATE INDEX notifications_case ON notifications(case_id);
    """),
    # every step a case has finished, measured as the Lembar Kendali measures it (kendali.py), so
    # the dashboard and reports count on-time shares per month from an index instead of walking
    # every event of the year at each refresh; filled from the events by `steptimes.catch_up`
    ("0009_step_times", """
    CREATE TABLE step_times (
        case_id TEXT NOT NULL, n INTEGER NOT NULL, step INTEGER NOT NULL, role TEXT NOT NULL,
        started_at TEXT NOT NULL, ended_at TEXT NOT NULL, minutes INTEGER NOT NULL,
        late INTEGER NOT NULL, PRIMARY KEY (case_id, n));
    CREATE INDEX step_times_ended ON step_times(ended_at, step, late);
    """),
]
