-- Every layer of the flow, linked by foreign keys so an event traces back to its sentences.

CREATE TABLE sources (
    name         TEXT PRIMARY KEY,          -- outlet or submitter as named in reports
    kind         TEXT,                      -- wire, national, local, official, ngo, op-ed, analyst
    reliability  TEXT NOT NULL DEFAULT 'F', -- Admiralty A-F; F = cannot be judged
    country      TEXT
);

CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    content_hash  TEXT NOT NULL UNIQUE,
    title         TEXT,
    text          TEXT NOT NULL,
    lang          TEXT,
    lang_score    DOUBLE PRECISION,
    published_at  TIMESTAMPTZ,
    source        TEXT REFERENCES sources (name),
    url           TEXT,
    origin        TEXT NOT NULL,
    marking       TEXT NOT NULL DEFAULT 'TLP:CLEAR',
    minhash       BYTEA NOT NULL,
    duplicate_of  TEXT,                     -- earliest document this one republishes
    duplicate_score DOUBLE PRECISION,
    story_id      TEXT,
    ingested_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    ingest_seq    BIGINT NOT NULL           -- order of arrival, breaks published_at ties
);
CREATE SEQUENCE ingest_seq;

-- LSH band keys of each document's MinHash: documents sharing a key are copy candidates.
CREATE TABLE document_bands (
    band         SMALLINT NOT NULL,
    key          UBIGINT NOT NULL,
    document_id  TEXT NOT NULL REFERENCES documents (id)
);
CREATE INDEX document_bands_key ON document_bands (key);

CREATE TABLE gazetteer_places (
    geonameid     BIGINT PRIMARY KEY,
    name          TEXT NOT NULL,
    lat           DOUBLE PRECISION NOT NULL,
    lon           DOUBLE PRECISION NOT NULL,
    country_code  TEXT,
    admin1_code   TEXT,
    admin2_name   TEXT,
    inegi_code    TEXT,
    feature_code  TEXT,
    population    BIGINT
);

CREATE TABLE actors (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT,                      -- criminal_group, state_force, government, person...
    inter_code   INTEGER,                   -- ACLED inter code
    status       TEXT NOT NULL DEFAULT 'confirmed',  -- confirmed | candidate
    origin       TEXT                       -- where the entry comes from
);

CREATE TABLE mentions (
    id           TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents (id),
    kind         TEXT NOT NULL,             -- entity, place, date, number, attribution
    start_char   INTEGER NOT NULL,
    end_char     INTEGER NOT NULL,
    text         TEXT NOT NULL,
    label        TEXT,                      -- PER/ORG/LOC/MISC; number kind; attribution cue
    fine_label   TEXT,
    value        TEXT,                      -- normalised value: ISO date, "min-max", source name
    actor_id     TEXT REFERENCES actors (id),
    geonameid    BIGINT REFERENCES gazetteer_places (geonameid),
    geo_precision INTEGER,
    score        DOUBLE PRECISION
);
CREATE INDEX mentions_document ON mentions (document_id);

CREATE TABLE events (
    id                  TEXT PRIMARY KEY,
    type                TEXT NOT NULL,
    case_label          TEXT,
    acled_event_type    TEXT,
    date                DATE,
    date_max            DATE,               -- reports disagreeing on the date widen the range
    time_precision      INTEGER,
    -- No foreign key here: DuckDB rewrites an UPDATE of a foreign-key column as delete and
    -- insert, which the reports referencing the event forbid. Events are re-derived from their
    -- reports, whose places are checked.
    geonameid           BIGINT,
    geo_precision       INTEGER,
    fatalities_min      INTEGER,
    fatalities_max      INTEGER,
    n_reports           INTEGER NOT NULL,
    independent_sources INTEGER NOT NULL,
    reliability         TEXT NOT NULL,
    credibility         INTEGER NOT NULL,
    hedged              BOOLEAN NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE event_reports (
    id                TEXT PRIMARY KEY,
    document_id       TEXT NOT NULL REFERENCES documents (id),
    event_id          TEXT NOT NULL REFERENCES events (id),
    link_score        DOUBLE PRECISION,               -- how well the report fits its event
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
    source_key        TEXT NOT NULL,        -- the independent source this report counts as
    hedged            BOOLEAN NOT NULL,
    score             DOUBLE PRECISION
);
CREATE INDEX event_reports_document ON event_reports (document_id);
CREATE INDEX event_reports_event ON event_reports (event_id);

CREATE TABLE event_report_actors (
    event_report_id  TEXT NOT NULL REFERENCES event_reports (id),
    role             TEXT NOT NULL,
    text             TEXT NOT NULL,
    actor_id         TEXT REFERENCES actors (id)
);

-- Inputs that could not be read: kept so a run can be audited.
CREATE TABLE ingest_failures (
    origin     TEXT NOT NULL,
    problem    TEXT NOT NULL,
    failed_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
