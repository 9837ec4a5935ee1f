-- Mail given up on is kept out of every later delivery round.
ALTER TABLE outbox ADD COLUMN failed_at TEXT;
