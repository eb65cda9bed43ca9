ALTER TABLE article_revisions DROP COLUMN action;
ALTER TABLE articles DROP COLUMN last_action;
