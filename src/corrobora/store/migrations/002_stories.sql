-- Story assignment (fuse/stories.py): each original's lead embedding, kept so later batches
-- compare against it without re-embedding, and the recorded decision that put the document
-- in its story (the document it was linked to and the score), for review.
ALTER TABLE documents ADD COLUMN embedding FLOAT[64];
ALTER TABLE documents ADD COLUMN story_link TEXT;
ALTER TABLE documents ADD COLUMN story_score DOUBLE PRECISION;
