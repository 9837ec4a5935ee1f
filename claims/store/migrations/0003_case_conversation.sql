-- A case's place in the queue is its own number, no longer its id: a case going back to the
-- queue keeps it, a reopened case gets a new one (behind every case queued before it).
-- Places so far are the ids. PostgreSQL hands out new places from a sequence; on SQLite
-- writers take turns, so the highest place plus one is exact.
ALTER TABLE cases ADD COLUMN queue_place BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET queue_place = id;
CREATE UNIQUE INDEX IF NOT EXISTS cases_place ON cases (queue_place);
DROP INDEX IF EXISTS cases_queue;
CREATE INDEX IF NOT EXISTS cases_queue ON cases (status, lane_rank, queue_place);
{postgresql} CREATE SEQUENCE IF NOT EXISTS queue_places;
{postgresql} SELECT setval('queue_places', (SELECT COALESCE(MAX(queue_place), 0) + 1 FROM cases), false);

-- The order reference as the look-up compares it: without spaces or a leading #, lower case.
ALTER TABLE cases ADD COLUMN order_key TEXT NOT NULL DEFAULT '';
UPDATE cases SET order_key = LOWER(LTRIM(REPLACE(order_ref, ' ', ''), '#'));
CREATE INDEX IF NOT EXISTS cases_order ON cases (order_key);

-- Personal links name this version; raising it revokes every link sent before.
ALTER TABLE cases ADD COLUMN link_version INTEGER NOT NULL DEFAULT 1;

-- When the customer last added information that no agent has answered yet.
ALTER TABLE cases ADD COLUMN customer_added_at TEXT;

-- The customer's form an addition came from: the same form sent twice adds once.
ALTER TABLE events ADD COLUMN submission_key TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS events_submission ON events (submission_key);
