-- Article ids are never reused: SQLite hands out max(id) + 1, so purging the newest article
-- would give its id to the next one, and partners' links, caches and mirrors would silently
-- show another article under it. The highest id ever handed out is kept here.
ALTER TABLE site_state ADD COLUMN last_article_id INTEGER NOT NULL DEFAULT 0;
UPDATE site_state SET last_article_id = MAX(
    (SELECT COALESCE(MAX(id), 0) FROM articles),
    (SELECT COALESCE(MAX(article_id), 0) FROM changes)
);
