-- Analyst decisions over the automatic links (event-report -> event, document -> story).
-- Each row is one act of review; the fusion step replays them as constraints, so they
-- survive re-ingest and re-clustering. Subjects are report and document ids, which are
-- deterministic, rather than event ids, which re-clustering may renumber.
CREATE TABLE decisions (
    id          TEXT PRIMARY KEY,
    seq         BIGINT NOT NULL,            -- order of the decisions: later ones win
    kind        TEXT NOT NULL,              -- event_merge, event_split, report_confirm,
                                            -- report_reject, event_confirm, story_merge,
                                            -- story_split, story_confirm, undo
    subject     TEXT NOT NULL,              -- report, event or document id acted on
    target      TEXT,                       -- the event or story it concerns
    members     TEXT[],                     -- reports (documents, for stories) on the
                                            -- subject's side, at decision time
    others      TEXT[],                     -- reports on the other side: kept apart
                                            -- (split, reject) or together (merge, confirm)
    score       DOUBLE PRECISION,                     -- the automatic link's score when decided
    actor       TEXT NOT NULL,              -- analyst name
    note        TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    undone_by   TEXT                        -- id of the decision that undid this one
);
CREATE SEQUENCE decision_seq;

-- Time-bounded relations between actors, with what supports them: the registry (its
-- sources and as_of snapshot dates) or event reports that state them.
CREATE TABLE actor_relations (
    id          TEXT PRIMARY KEY,           -- hash of type, source, target, origin
    type        TEXT NOT NULL,              -- alliance, rivalry, splinter_of, faction_of,
                                            -- leader_of, cell_of, official_of
    source      TEXT NOT NULL,              -- actor id (no foreign key: the registry knows
    target      TEXT NOT NULL,              -- more actors than the reports have named yet)
    start_date  TEXT,                       -- "2024", "2024-07", "2024-07-25"
    end_date    TEXT,
    as_of       TEXT,                       -- a snapshot that saw it without bounding it
    origin      TEXT NOT NULL,              -- registry | text | analyst
    evidence    TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[], -- sources, or "document_id#start-end" sentences
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
CREATE INDEX actor_relations_source ON actor_relations (source);
CREATE INDEX actor_relations_target ON actor_relations (target);

-- Splitting and merging events moves reports between events and deletes emptied events in
-- one transaction. DuckDB checks a foreign key against rows the same transaction has already
-- deleted or updated (an UPDATE of an indexed column is a delete and an insert), so with
-- event_reports.event_id -> events and event_report_actors -> event_reports no review could
-- be written atomically. Both tables are rebuilt without those two keys; the fusion step
-- and the review commands write events and their reports together.
CREATE TABLE event_report_actors_new (
    event_report_id  TEXT NOT NULL,
    role             TEXT NOT NULL,
    text             TEXT NOT NULL,
    actor_id         TEXT REFERENCES actors (id)
);
INSERT INTO event_report_actors_new SELECT * FROM event_report_actors;
DROP TABLE event_report_actors;

CREATE TABLE event_reports_new (
    id                TEXT PRIMARY KEY,
    document_id       TEXT NOT NULL REFERENCES documents (id),
    event_id          TEXT NOT NULL,
    link_score        DOUBLE PRECISION,
    type              TEXT NOT NULL,
    case_label        TEXT,
    acled_event_type  TEXT,
    sentence_start    INTEGER NOT NULL,
    sentence_end      INTEGER NOT NULL,
    trigger_start     INTEGER NOT NULL,
    trigger_end       INTEGER NOT NULL,
    geonameid         BIGINT REFERENCES gazetteer_places (geonameid),
    place_text        TEXT,
    geo_precision     INTEGER,
    date              DATE,
    time_precision    INTEGER,
    fatalities_min    INTEGER,
    fatalities_max    INTEGER,
    injured_min       INTEGER,
    injured_max       INTEGER,
    weapons           TEXT[],
    attribution       TEXT[],
    source_key        TEXT NOT NULL,
    hedged            BOOLEAN NOT NULL,
    score             DOUBLE PRECISION
);
INSERT INTO event_reports_new SELECT * FROM event_reports;
DROP TABLE event_reports;
ALTER TABLE event_reports_new RENAME TO event_reports;
ALTER TABLE event_report_actors_new RENAME TO event_report_actors;
CREATE INDEX event_reports_document ON event_reports (document_id);
CREATE INDEX event_reports_event ON event_reports (event_id);
CREATE INDEX event_report_actors_report ON event_report_actors (event_report_id);
