-- The body as plain text (what a reader sees of body_html), for the index and for snippets.
ALTER TABLE articles ADD COLUMN body_text TEXT NOT NULL DEFAULT '';

-- Full-text index over pre-analyzed text: the Rust analyzer (src/text/analyzer.rs) writes
-- stems, so FTS5's unicode61 only splits on spaces. Contentless: the original text lives in
-- `articles`; rowid = article id. Rows are written in the same transaction as the article.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title,    -- stems of the title, one per original word
    summary,  -- stems of the summary
    body,     -- stems of the body text
    title_alt,-- per title word, the stem with an attached ب ل ك ف removed, else the stem
    alt,      -- the same for the summary and body
    keys,     -- spelling-variant keys (all fields)
    tags,     -- stems of the names of the article's tags
    content = '',
    contentless_delete = 1,
    -- No prefix index: it tripled the entries written per word, and prefix queries scan
    -- the (sorted) term list quickly enough without it.
    tokenize = 'unicode61 remove_diacritics 0'
);
-- Title above summary above body; the alt column (which repeats most stems) and variant keys
-- count least.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(20.0, 6.0, 1.0, 15.0, 1.0, 0.5, 4.0)');

-- A compact copy of what search filters and ranks on, one small entry per article: a search
-- visits it for every match instead of the wide article rows.
CREATE INDEX articles_search_filter
    ON articles (id, status, trashed_at, published_at, sort_at, updated_at);

-- Which analyzer built the index; a different one triggers a rebuild on start.
CREATE TABLE search_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
