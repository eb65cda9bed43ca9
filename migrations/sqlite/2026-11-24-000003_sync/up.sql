-- Sync and cache validation.

-- The modification before the last one. Last-Modified has whole seconds, so an
-- If-Modified-Since may be answered 304 only when no two changes fell in the same second;
-- these columns tell.
ALTER TABLE articles ADD COLUMN prev_updated_at BIGINT;
ALTER TABLE tags ADD COLUMN prev_updated_at BIGINT;

-- The change log partners poll (/api/v1/changes): one row per article that has ever been
-- public, at the sequence number of its latest public change. A new change replaces the
-- article's row with a higher seq, so a poll from any cursor sees every article whose public
-- state changed since, once, in commit order. AUTOINCREMENT: a seq is never reused, even
-- after the row with the highest one is replaced. No foreign key: a purged article keeps
-- its tombstone.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL UNIQUE,
    op         TEXT    NOT NULL CHECK (op IN ('upsert', 'delete')),
    -- For a delete: the slug the public last saw.
    slug       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    at         BIGINT  NOT NULL
);

-- One row. `version` grows with every committed write (articles and tags), the input of
-- every list and feed ETag; `changed_at`/`prev_changed_at` are the last two write times;
-- `swept_until` is the instant up to which scheduled articles that fell due were entered
-- into the change log.
CREATE TABLE site_state (
    id              INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    version         BIGINT  NOT NULL,
    changed_at      BIGINT  NOT NULL,
    prev_changed_at BIGINT  NOT NULL,
    swept_until     BIGINT  NOT NULL
);

INSERT INTO site_state (id, version, changed_at, prev_changed_at, swept_until)
VALUES (1, 1,
        CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER), 0,
        CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER));

-- Articles already public enter the log in publication order.
INSERT INTO changes (article_id, op, slug, version, at)
SELECT id, 'upsert', slug, version, updated_at
FROM articles
WHERE status = 'published' AND trashed_at IS NULL
  AND published_at <= (SELECT swept_until FROM site_state)
ORDER BY sort_at, id;
