ALTER TABLE site_state DROP COLUMN last_tag_id;
