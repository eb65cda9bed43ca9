DROP TRIGGER articles_listing_update ON articles;
CREATE OR REPLACE FUNCTION articles_listing_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_tags
    SET status = NEW.status,
        trashed = NEW.trashed_at IS NOT NULL,
        sort_at = COALESCE(NEW.published_at, NEW.created_at)
    WHERE article_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER articles_listing_update
AFTER UPDATE OF status, published_at, created_at, trashed_at ON articles
FOR EACH ROW EXECUTE FUNCTION articles_listing_update();
CREATE OR REPLACE FUNCTION article_tags_listing_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.status, a.trashed_at IS NOT NULL, COALESCE(a.published_at, a.created_at)
    INTO NEW.status, NEW.trashed, NEW.sort_at
    FROM articles a WHERE a.id = NEW.article_id;
    RETURN NEW;
END $$;
DROP INDEX articles_public;
CREATE INDEX articles_public ON articles (status, trashed_at, sort_at, id);
ALTER TABLE changes DROP COLUMN event;
DROP TABLE article_corrections;
ALTER TABLE article_revisions DROP COLUMN ed_note, DROP COLUMN embargoed_until, DROP COLUMN pub_status;
ALTER TABLE articles DROP COLUMN ed_note, DROP COLUMN embargoed_until, DROP COLUMN pub_status;
