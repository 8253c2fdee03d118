-- Live intake (`corrobora watch`, sources/watch.py): each feed or page polled with what HTTP
-- told us last (ETag, Last-Modified, for conditional GETs), its errors and back-off; each
-- item taken from it (so an item is fetched and ingested once); and a log of the polls,
-- which the dashboard's sources page shows. Timestamps are given by the writer (no function
-- defaults: duckdb#18259).
CREATE TABLE intake_feeds (
    url            TEXT PRIMARY KEY,          -- as configured (redirects are followed anew)
    kind           TEXT NOT NULL,             -- feed (RSS/Atom) or page
    etag           TEXT,
    last_modified  TEXT,
    last_polled    TIMESTAMPTZ,
    last_outcome   TEXT,                      -- new, unchanged, not_modified, error
    last_ok        TIMESTAMPTZ,
    errors         INTEGER NOT NULL,          -- consecutive failed polls (0 after a success)
    last_error     TEXT,
    next_poll      TIMESTAMPTZ,               -- not before (schedule, back-off, Retry-After)
    items          INTEGER NOT NULL           -- items taken from it, in all
);

CREATE TABLE intake_items (
    feed_url     TEXT NOT NULL,
    item_key     TEXT NOT NULL,               -- the entry's guid, else its link, else its hash
    url          TEXT,
    document_id  TEXT,                        -- the stored document (documents.id)
    title        TEXT,
    first_seen   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (feed_url, item_key)
);

CREATE TABLE intake_polls (
    feed_url     TEXT NOT NULL,
    polled_at    TIMESTAMPTZ NOT NULL,
    outcome      TEXT NOT NULL,
    http_status  INTEGER,
    new_items    INTEGER NOT NULL,
    problem      TEXT
);
