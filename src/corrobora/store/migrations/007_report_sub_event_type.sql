-- A report's ACLED sub-event type ("Armed clash", "Abduction/forced disappearance"), as the
-- extractor's ontology maps its type or as an imported ACLED row codes it, so an ACLED CSV
-- export gives back the sub-event type ACLED wrote. Reports stored before are NULL: the
-- export then maps the event's type through the ontology.
ALTER TABLE event_reports ADD COLUMN acled_sub_event_type TEXT;
