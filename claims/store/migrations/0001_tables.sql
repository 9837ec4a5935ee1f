-- The case log's tables. {id} is each database's auto-numbered key (received order for
-- cases, history order for events).
CREATE TABLE IF NOT EXISTS cases (
    id {id},
    reference TEXT NOT NULL UNIQUE,
    submission_key TEXT NOT NULL UNIQUE,
    order_ref TEXT NOT NULL,
    email TEXT NOT NULL,
    claim_type TEXT NOT NULL,
    lane TEXT NOT NULL,
    lane_rank INTEGER NOT NULL,
    description TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_to TEXT,
    updated_at TEXT NOT NULL,
    purged_at TEXT
);
CREATE INDEX IF NOT EXISTS cases_queue ON cases (status, lane_rank, id);

CREATE TABLE IF NOT EXISTS photos (
    id {id},
    case_id INTEGER NOT NULL REFERENCES cases (id),
    stored_name TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    original_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS photos_case ON photos (case_id);

CREATE TABLE IF NOT EXISTS events (
    id {id},
    case_id INTEGER NOT NULL REFERENCES cases (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_case ON events (case_id, id);

CREATE TABLE IF NOT EXISTS messages (
    event_id INTEGER PRIMARY KEY REFERENCES events (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_case ON messages (case_id);

CREATE TABLE IF NOT EXISTS outbox (
    id {id},
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    status TEXT,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (sent_at, next_attempt_at);

CREATE TABLE IF NOT EXISTS agents (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent TEXT NOT NULL REFERENCES agents (name),
    expires_at TEXT NOT NULL
);
