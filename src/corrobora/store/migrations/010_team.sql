-- Team mode (issue 20): organisations, their users and roles, API tokens (only their
-- SHA-256 is kept), TLP 2.0 markings of stored objects with the organisation that owns
-- each, the sharing lists of AMBER objects and the recipients of RED ones, and the audit
-- log. Portable SQL (DuckDB and PostgreSQL): no engine-only types, no function defaults
-- (timestamps are given by the writer, as in 008).
CREATE TABLE orgs (
    id          VARCHAR PRIMARY KEY,           -- short name: ngo-a
    name        VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id          VARCHAR PRIMARY KEY,           -- login name
    org_id      VARCHAR NOT NULL REFERENCES orgs (id),
    role        VARCHAR NOT NULL,              -- viewer | analyst | admin
    disabled    BOOLEAN NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    token_hash  VARCHAR PRIMARY KEY,           -- sha256 hex of the token, never the token
    user_id     VARCHAR NOT NULL REFERENCES users (id),
    label       VARCHAR,
    created_at  TIMESTAMP NOT NULL,
    revoked     BOOLEAN NOT NULL
);

-- An object may carry several markings; a reader must hold every one (OpenCTI's rule).
-- kind: document | event_report | decision. org_id: the owning organisation.
CREATE TABLE markings (
    kind        VARCHAR NOT NULL,
    object_id   VARCHAR NOT NULL,
    marking     VARCHAR NOT NULL,              -- TLP:CLEAR ... TLP:RED
    org_id      VARCHAR,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX markings_object ON markings (kind, object_id);

-- AMBER: the organisations besides the owner that may read the object (MISP's sharing
-- groups). RED: the users who may.
CREATE TABLE marking_shares (
    kind        VARCHAR NOT NULL,
    object_id   VARCHAR NOT NULL,
    org_id      VARCHAR NOT NULL
);
CREATE INDEX marking_shares_object ON marking_shares (kind, object_id);

CREATE TABLE marking_recipients (
    kind        VARCHAR NOT NULL,
    object_id   VARCHAR NOT NULL,
    user_id     VARCHAR NOT NULL
);
CREATE INDEX marking_recipients_object ON marking_recipients (kind, object_id);

CREATE TABLE audit_log (
    id          VARCHAR PRIMARY KEY,
    at_time     TIMESTAMP NOT NULL,
    user_id     VARCHAR,                       -- NULL: the local single-analyst mode
    org_id      VARCHAR,
    action      VARCHAR NOT NULL,              -- read, write, decision, report, admin
    object_kind VARCHAR NOT NULL,
    object_id   VARCHAR NOT NULL,
    marking     VARCHAR,
    detail      VARCHAR
);
CREATE INDEX audit_log_at ON audit_log (at_time);

-- Analysts' own reports ("human sources"): the document they became, who submitted it for
-- which organisation, the Admiralty grades given (source reliability A-F, information
-- credibility 1-6) and how the information was obtained.
CREATE TABLE analyst_reports (
    document_id  VARCHAR PRIMARY KEY,
    submitted_by VARCHAR,                      -- NULL: the local single-analyst mode
    org_id       VARCHAR,
    source_name  VARCHAR NOT NULL,
    reliability  VARCHAR NOT NULL,
    credibility  INTEGER NOT NULL,
    provenance   VARCHAR,
    submitted_at TIMESTAMP NOT NULL
);
