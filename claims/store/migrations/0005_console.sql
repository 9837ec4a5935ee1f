-- The agent console: search, the customer's other cases, saved replies.

-- Looking a customer up by email, in any case of letters (order references: cases_order).
CREATE INDEX IF NOT EXISTS cases_email ON cases (lower(email));

-- Each case's searchable words: its description and every message, one document per case.
{sqlite} CREATE VIRTUAL TABLE case_text USING fts5 (
    body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
{postgresql} CREATE TABLE case_text (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    body TEXT NOT NULL
);
{postgresql} CREATE INDEX case_text_words ON case_text USING GIN (to_tsvector('english', body));

-- The words of the cases already in the log.
{sqlite} INSERT INTO case_text (rowid, body)
SELECT c.id, c.description || COALESCE(
    ' ' || (SELECT group_concat(m.body, ' ') FROM messages m WHERE m.case_id = c.id), '')
FROM cases c;
{postgresql} INSERT INTO case_text (case_id, body)
SELECT c.id, c.description || COALESCE(
    ' ' || (SELECT string_agg(m.body, ' ') FROM messages m WHERE m.case_id = c.id), '')
FROM cases c;

-- Replies agents share, with {reference}, {order_ref} and {agent} filled in when used.
CREATE TABLE IF NOT EXISTS saved_replies (
    id {id},
    title TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
