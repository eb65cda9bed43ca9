DROP INDEX article_tags_listing;
DROP TRIGGER articles_listing_update;
DROP TRIGGER article_tags_listing_insert;
ALTER TABLE article_tags DROP COLUMN sort_at;
ALTER TABLE article_tags DROP COLUMN trashed;
ALTER TABLE article_tags DROP COLUMN status;
