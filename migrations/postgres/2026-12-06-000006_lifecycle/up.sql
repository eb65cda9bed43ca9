-- migrations/sqlite 000012, one for one: the wire lifecycle (pub_status, embargo, editors'
-- note), corrections, the event of each log entry, and withdrawn articles out of the
-- public index and the links' listing copy.
ALTER TABLE articles ADD COLUMN pub_status text NOT NULL DEFAULT 'usable'
    CHECK (pub_status IN ('usable', 'withheld', 'canceled'));
ALTER TABLE articles ADD COLUMN embargoed_until bigint;
ALTER TABLE articles ADD COLUMN ed_note text;
ALTER TABLE article_revisions ADD COLUMN pub_status text NOT NULL DEFAULT 'usable';
ALTER TABLE article_revisions ADD COLUMN embargoed_until bigint;
ALTER TABLE article_revisions ADD COLUMN ed_note text;

CREATE TABLE article_corrections (
    article_id integer NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    kind       text    NOT NULL CHECK (kind IN ('correction', 'clarification')),
    text       text    NOT NULL,
    version    integer NOT NULL,
    created_at bigint  NOT NULL,
    created_by text,
    PRIMARY KEY (article_id, position)
);

ALTER TABLE changes ADD COLUMN event text NOT NULL DEFAULT 'updated';
UPDATE changes SET event = 'deleted' WHERE op = 'delete';

DROP INDEX articles_public;
CREATE INDEX articles_public ON articles (status, trashed_at, pub_status, sort_at, id);

CREATE OR REPLACE FUNCTION article_tags_listing_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.status, a.trashed_at IS NOT NULL OR a.pub_status <> 'usable',
           COALESCE(a.published_at, a.created_at)
    INTO NEW.status, NEW.trashed, NEW.sort_at
    FROM articles a WHERE a.id = NEW.article_id;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION articles_listing_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_tags
    SET status = NEW.status,
        trashed = NEW.trashed_at IS NOT NULL OR NEW.pub_status <> 'usable',
        sort_at = COALESCE(NEW.published_at, NEW.created_at)
    WHERE article_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER articles_listing_update ON articles;
CREATE TRIGGER articles_listing_update
AFTER UPDATE OF status, published_at, created_at, trashed_at, pub_status ON articles
FOR EACH ROW EXECUTE FUNCTION articles_listing_update();
