-- A list by tag reads the tag's links alone: each link carries what a list filters and sorts
-- on (the article's status, whether it is in the trash, its sort instant), and one index on
-- (tag, status, trash, sort instant, article) answers a public page of one tag in order and
-- counts its total without reading an article row. Triggers keep the copies equal to the
-- article's, whatever code writes either table.
ALTER TABLE article_tags ADD COLUMN status TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE article_tags ADD COLUMN trashed BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE article_tags ADD COLUMN sort_at BIGINT NOT NULL DEFAULT 0;

UPDATE article_tags SET (status, trashed, sort_at) = (
    SELECT a.status, a.trashed_at IS NOT NULL, COALESCE(a.published_at, a.created_at)
    FROM articles a WHERE a.id = article_tags.article_id
);

CREATE TRIGGER article_tags_listing_insert AFTER INSERT ON article_tags
BEGIN
    UPDATE article_tags SET (status, trashed, sort_at) = (
        SELECT a.status, a.trashed_at IS NOT NULL, COALESCE(a.published_at, a.created_at)
        FROM articles a WHERE a.id = NEW.article_id
    )
    WHERE article_id = NEW.article_id AND tag_id = NEW.tag_id;
END;

CREATE TRIGGER articles_listing_update
AFTER UPDATE OF status, published_at, created_at, trashed_at ON articles
BEGIN
    UPDATE article_tags
    SET status = NEW.status,
        trashed = NEW.trashed_at IS NOT NULL,
        sort_at = COALESCE(NEW.published_at, NEW.created_at)
    WHERE article_id = NEW.id;
END;

CREATE INDEX article_tags_listing ON article_tags (tag_id, status, trashed, sort_at, article_id);
