-- Backdrop on PostgreSQL, schema version 2: the transform outbox.
--
-- A dispatch (queue the data set's transforms over [earliest, latest]) is written in the same
-- transaction as the records that caused it and deleted once the broker has taken it; one the
-- broker refused waits here until a later write or the worker delivers it. `available_at` is
-- a lease: a claimer pushes it forward, so two processes never publish the same one at once.
CREATE TABLE IF NOT EXISTS backdrop.outbox (
    id text COLLATE "C" PRIMARY KEY,
    data_set text COLLATE "C" NOT NULL,
    earliest timestamptz NOT NULL,
    latest timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_available_at ON backdrop.outbox (available_at);
