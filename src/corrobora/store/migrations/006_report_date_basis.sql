-- Where an event report's date comes from: 'sentence' (a date the sentence states),
-- 'context' (the sentence it continues, or the dateline) or 'published' (the publication
-- day, when nothing dates the event). Fusion takes an event's day from stated dates and
-- lets publication days only bound it. Reports stored before are NULL: fusion reads a
-- day-precise date as stated, any other as a publication day.
ALTER TABLE event_reports ADD COLUMN date_basis TEXT;
