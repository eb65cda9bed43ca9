-- Core tables. Times are INTEGER microseconds since the Unix epoch (UTC): they compare and
-- sort exactly, which keyset pagination depends on; the API renders them as RFC 3339.

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY NOT NULL,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    name_en     TEXT,
    kind        TEXT    NOT NULL
                CHECK (kind IN ('region', 'country', 'organization', 'topic', 'person')),
    parent_id   INTEGER REFERENCES tags (id) ON DELETE RESTRICT,
    description TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX tags_parent ON tags (parent_id);

CREATE TABLE articles (
    -- The small columns that filters, sorts and joins read come first, the long texts last:
    -- SQLite reads a row's columns in order, so a search that checks status and dates for
    -- thousands of matches never has to walk a body's overflow pages.
    id                   INTEGER PRIMARY KEY NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    published_at         BIGINT,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    -- Non-null means in the trash: hidden from every read, still here to restore.
    trashed_at           BIGINT,
    version              INTEGER NOT NULL DEFAULT 1,
    word_count           INTEGER NOT NULL,
    reading_time_minutes INTEGER NOT NULL,
    -- summary_auto says the summary was derived from the body and follows it.
    summary_auto         BOOLEAN NOT NULL DEFAULT 1,
    lang                 TEXT    NOT NULL DEFAULT 'ar',
    slug                 TEXT    NOT NULL,
    title                TEXT    NOT NULL,
    source               TEXT,
    author               TEXT,
    image_url            TEXT,
    image_caption        TEXT,
    -- Name of the API key that made the last change: revisions (a later issue) record it.
    updated_by           TEXT,
    summary              TEXT    NOT NULL,
    body                 TEXT    NOT NULL,
    body_html            TEXT    NOT NULL,
    -- Drafts have no published_at; sorting and keyset cursors need one total order.
    sort_at              BIGINT  GENERATED ALWAYS AS (COALESCE(published_at, created_at)) VIRTUAL
);
-- A slug is unique among live articles only, so a trashed article does not block its slug.
CREATE UNIQUE INDEX articles_slug_live ON articles (slug) WHERE trashed_at IS NULL;
CREATE INDEX articles_slug ON articles (slug);
CREATE INDEX articles_public ON articles (status, trashed_at, sort_at, id);
CREATE INDEX articles_sort ON articles (sort_at, id);
CREATE INDEX articles_updated ON articles (updated_at, id);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY NOT NULL,
    name         TEXT    NOT NULL,
    -- The public part of the key, used to find the row; the secret is only ever hashed.
    prefix       TEXT    NOT NULL UNIQUE,
    key_hash     TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    revoked_at   BIGINT
);
