-- A report's actors keep their ACLED inter code (1 state forces ... 7 civilians, 8 external
-- forces) and, for an unnamed actor, ACLED's name for it with the event's country
-- ("Unidentified Armed Group (Mexico)"), so unnamed actors group and filter as ACLED's do.
-- Imported ACLED rows carry both from the file. The table is rebuilt, as in 003: DuckDB
-- 1.5 aborts when a transaction adds a column to a table whose index it drops and remakes.
CREATE TABLE event_report_actors_new (
    event_report_id  TEXT NOT NULL,
    role             TEXT NOT NULL,
    text             TEXT NOT NULL,
    actor_id         TEXT REFERENCES actors (id),
    inter            INTEGER,
    acled_name       TEXT
);
INSERT INTO event_report_actors_new (event_report_id, role, text, actor_id)
    SELECT event_report_id, role, text, actor_id FROM event_report_actors;
DROP TABLE event_report_actors;
ALTER TABLE event_report_actors_new RENAME TO event_report_actors;
CREATE INDEX event_report_actors_report ON event_report_actors (event_report_id);
