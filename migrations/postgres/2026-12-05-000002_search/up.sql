-- The search index on PostgreSQL: one tsvector per live article, built by the application
-- from the same Rust analyzer as SQLite's FTS5 rows (never to_tsvector), with weight labels
-- for the columns (A title, B summary, C body and variant keys, D tag names). Written in the
-- same transaction as the article; a purged article takes its row with it.
CREATE TABLE articles_search (
    article_id  integer  PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    doc         tsvector NOT NULL
);

CREATE INDEX articles_search_doc ON articles_search USING gin (doc);
