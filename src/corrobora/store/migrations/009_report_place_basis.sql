-- How an event report's sentence names its place: 'locative', 'list', 'sentence',
-- 'paragraph' or 'dateline' (model/event.py EventReport.place_basis). Within a story, fusion
-- lets only a locative or listed place keep two reports apart. Reports stored before, and
-- imported rows, are NULL and count as locative (as fusion read every place before).
ALTER TABLE event_reports ADD COLUMN place_basis TEXT;
