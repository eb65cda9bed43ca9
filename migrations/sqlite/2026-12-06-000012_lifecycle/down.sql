DROP TRIGGER articles_listing_update;
CREATE TRIGGER articles_listing_update
AFTER UPDATE OF status, published_at, created_at, trashed_at ON articles
BEGIN
    UPDATE article_tags
    SET status = NEW.status,
        trashed = NEW.trashed_at IS NOT NULL,
        sort_at = COALESCE(NEW.published_at, NEW.created_at)
    WHERE article_id = NEW.id;
END;
DROP TRIGGER article_tags_listing_insert;
CREATE TRIGGER article_tags_listing_insert AFTER INSERT ON article_tags
BEGIN
    UPDATE article_tags SET (status, trashed, sort_at) = (
        SELECT a.status, a.trashed_at IS NOT NULL, COALESCE(a.published_at, a.created_at)
        FROM articles a WHERE a.id = NEW.article_id
    )
    WHERE article_id = NEW.article_id AND tag_id = NEW.tag_id;
END;
DROP INDEX articles_search_filter;
CREATE INDEX articles_search_filter
    ON articles (id, status, trashed_at, published_at, sort_at, updated_at);
DROP INDEX articles_public;
CREATE INDEX articles_public ON articles (status, trashed_at, sort_at, id);
ALTER TABLE changes DROP COLUMN event;
DROP TABLE article_corrections;
ALTER TABLE article_revisions DROP COLUMN ed_note;
ALTER TABLE article_revisions DROP COLUMN embargoed_until;
ALTER TABLE article_revisions DROP COLUMN pub_status;
ALTER TABLE articles DROP COLUMN ed_note;
ALTER TABLE articles DROP COLUMN embargoed_until;
ALTER TABLE articles DROP COLUMN pub_status;
