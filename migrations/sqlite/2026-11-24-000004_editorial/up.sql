-- Editorial safety: every earlier version of an article, and redirects for renamed slugs.

-- Version `version` of an article exactly as it was: the editable fields, its tags, and who
-- made that version when. Written just before the article moves on to the next version, in
-- the same transaction, so history is never lost and never rewritten. The current version
-- lives in `articles`.
CREATE TABLE article_revisions (
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    slug          TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    summary_auto  BOOLEAN NOT NULL,
    body          TEXT    NOT NULL,
    source        TEXT,
    author        TEXT,
    lang          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    published_at  BIGINT,
    image_url     TEXT,
    image_caption TEXT,
    -- JSON: [{"id":4,"slug":"kazakhstan","name":"كازاخستان","kind":"country"}, …]
    tags          TEXT    NOT NULL,
    trashed_at    BIGINT,
    changed_by    TEXT,
    changed_at    BIGINT  NOT NULL,
    PRIMARY KEY (article_id, version)
) WITHOUT ROWID;

-- An old slug keeps resolving after a rename or a merge, so partner links do not break.
-- A live article or tag holding the slug always wins over a redirect.
CREATE TABLE article_redirects (
    slug       TEXT    PRIMARY KEY NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL
);
CREATE INDEX article_redirects_article ON article_redirects (article_id);

CREATE TABLE tag_redirects (
    slug       TEXT    PRIMARY KEY NOT NULL,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL
);
CREATE INDEX tag_redirects_tag ON tag_redirects (tag_id);

-- The trash lists newest-trashed first.
CREATE INDEX articles_trashed ON articles (trashed_at, id) WHERE trashed_at IS NOT NULL;
