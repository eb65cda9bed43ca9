-- The index holds text the Rust analyzer already split, folded and stemmed: tokens of
-- letters and digits separated by single spaces. FTS5's `ascii` tokenizer splits that exactly
-- as `unicode61` did (every non-ASCII character is part of a token, ASCII punctuation and
-- spaces separate), without looking up the Unicode category and case folding of every
-- character: that lookup was a sixth of the writer's time in a bulk import. The table is
-- rebuilt empty here and refilled on open (search::ensure_current sees the new analyzer
-- version).
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary, body, title_alt, alt, keys, tags,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(20.0, 6.0, 1.0, 15.0, 1.0, 0.5, 4.0)');
DELETE FROM search_meta WHERE key = 'analyzer_version';
-- FTS5 writes its pending postings to a new index segment whenever they pass `hashsize`
-- (1 MB by default): about every 50 articles of a bulk import, each segment then merged
-- again and again. 32 MB lets a 1,000-article import transaction flush about once.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 33554432);
