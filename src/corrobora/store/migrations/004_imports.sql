-- Structured imports (corrobora/imports/): each run of `corrobora import` with the file's
-- hash and what became of its rows, for provenance; and official series (SESNSP, INEGI) by
-- region and period, which are counts, not events, and feed the analyses as they are.
CREATE TABLE import_runs (
    kind            TEXT NOT NULL,             -- acled, ucdp, gdelt, ocved, sesnsp
    dataset         TEXT NOT NULL,             -- the source name (data/sources.yaml)
    path            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    rows_read       INTEGER NOT NULL,
    imported        INTEGER NOT NULL,
    already_stored  INTEGER NOT NULL,
    skipped         INTEGER NOT NULL,
    problems        INTEGER NOT NULL,
    events_new      INTEGER NOT NULL,
    events_updated  INTEGER NOT NULL,
    imported_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE series (
    dataset  TEXT NOT NULL,                    -- SESNSP, INEGI, ...
    measure  TEXT NOT NULL,                    -- homicidio_doloso (victims), ...
    region   TEXT NOT NULL,                    -- ISO 3166-2 or 5-digit INEGI code
    period   DATE NOT NULL,                    -- first day of the period
    freq     TEXT NOT NULL DEFAULT 'month',
    value    DOUBLE PRECISION NOT NULL,
    origin   TEXT NOT NULL,                    -- file:line the value was read from
    PRIMARY KEY (dataset, measure, region, period)
);
