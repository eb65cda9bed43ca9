-- The wire lifecycle: whether an article may be distributed (usable, withheld, canceled),
-- an embargo, an editors' note for partners, and reader-facing corrections. Versions keep
-- the first three like any other field.
ALTER TABLE articles ADD COLUMN pub_status TEXT NOT NULL DEFAULT 'usable'
    CHECK (pub_status IN ('usable', 'withheld', 'canceled'));
ALTER TABLE articles ADD COLUMN embargoed_until BIGINT;
ALTER TABLE articles ADD COLUMN ed_note TEXT;
ALTER TABLE article_revisions ADD COLUMN pub_status TEXT NOT NULL DEFAULT 'usable';
ALTER TABLE article_revisions ADD COLUMN embargoed_until BIGINT;
ALTER TABLE article_revisions ADD COLUMN ed_note TEXT;

CREATE TABLE article_corrections (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('correction', 'clarification')),
    text       TEXT    NOT NULL,
    -- The version of the article the correction made.
    version    INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by TEXT,
    PRIMARY KEY (article_id, position)
);

-- What each log entry meant to partners (published, updated, corrected, embargo_lifted,
-- withheld, canceled, deleted); entries logged before read as updates and deletes.
ALTER TABLE changes ADD COLUMN event TEXT NOT NULL DEFAULT 'updated';
UPDATE changes SET event = 'deleted' WHERE op = 'delete';

-- A withheld or canceled article is out of public view like a trashed one: the public index
-- and the search filter carry the status, and a link's `trashed` flag now means "hidden
-- whatever the status": in the trash, withheld or canceled.
DROP INDEX articles_public;
CREATE INDEX articles_public ON articles (status, trashed_at, pub_status, sort_at, id);
DROP INDEX articles_search_filter;
CREATE INDEX articles_search_filter
    ON articles (id, status, trashed_at, pub_status, published_at, sort_at, updated_at);

DROP TRIGGER article_tags_listing_insert;
CREATE TRIGGER article_tags_listing_insert AFTER INSERT ON article_tags
BEGIN
    UPDATE article_tags SET (status, trashed, sort_at) = (
        SELECT a.status, a.trashed_at IS NOT NULL OR a.pub_status <> 'usable',
               COALESCE(a.published_at, a.created_at)
        FROM articles a WHERE a.id = NEW.article_id
    )
    WHERE article_id = NEW.article_id AND tag_id = NEW.tag_id;
END;

DROP TRIGGER articles_listing_update;
CREATE TRIGGER articles_listing_update
AFTER UPDATE OF status, published_at, created_at, trashed_at, pub_status ON articles
BEGIN
    UPDATE article_tags
    SET status = NEW.status,
        trashed = NEW.trashed_at IS NOT NULL OR NEW.pub_status <> 'usable',
        sort_at = COALESCE(NEW.published_at, NEW.created_at)
    WHERE article_id = NEW.id;
END;
