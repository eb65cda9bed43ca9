ALTER TABLE site_state DROP COLUMN last_article_id;
