-- Console roles: "" (the queue only), "editor" or "lead" (they also see the insight page).
ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT '';

-- What the help site reports, counted per day instead of stored one row per event, so a
-- flood of the same event only raises a number. kind: search (subject = the term, detail =
-- found / none), open (subject = the term, detail = the page opened), helpful (subject = the
-- question, detail = yes / no), missing (subject = the question, detail = the note).
-- Nothing here names a person, a browser or an address.
CREATE TABLE IF NOT EXISTS help_events (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, kind, subject, detail)
);
CREATE INDEX IF NOT EXISTS cases_received ON cases (received_at)
