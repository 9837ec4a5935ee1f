-- Mail customers send in (replies by email): each message once, by its Message-ID, with what
-- became of it (attached to a case, unmatched, ignored or held) and its full original for
-- agents. An automatic answer still to be sent has answer_due = 1.
CREATE TABLE IF NOT EXISTS inbound_mail (
    id {id},
    message_id TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    case_id INTEGER REFERENCES cases (id),
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    refused_attachments TEXT NOT NULL,
    original TEXT NOT NULL,
    answer_due INTEGER NOT NULL,
    answered_at TEXT
);
CREATE INDEX IF NOT EXISTS inbound_mail_case ON inbound_mail (case_id);
CREATE INDEX IF NOT EXISTS inbound_mail_sender ON inbound_mail (sender, received_at);
CREATE INDEX IF NOT EXISTS inbound_mail_due ON inbound_mail (answer_due);

-- Who fetches the mailbox now: one fetcher at a time across workers and servers.
CREATE TABLE IF NOT EXISTS inbound_mail_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until TEXT NOT NULL
)
