DROP TABLE site_state;
DROP TABLE changes;
ALTER TABLE tags DROP COLUMN prev_updated_at;
ALTER TABLE articles DROP COLUMN prev_updated_at;
