-- Photos a customer sent with a claim form that is not filed yet (the form came back with
-- errors, or the photos were uploaded as they were chosen). Each belongs to one form
-- (submission_id) in one browser (owner_hash: the sha256 of a token in its session); filing
-- the form moves them to photos in the same transaction.
CREATE TABLE IF NOT EXISTS staged_photos (
    id {id},
    submission_id TEXT NOT NULL,
    owner_hash TEXT NOT NULL,
    staged_at TEXT NOT NULL,
    stored_name TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    original_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS staged_photos_form ON staged_photos (owner_hash, submission_id);
CREATE INDEX IF NOT EXISTS staged_photos_age ON staged_photos (staged_at);
