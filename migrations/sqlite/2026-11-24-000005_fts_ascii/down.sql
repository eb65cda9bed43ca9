DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary, body, title_alt, alt, keys, tags,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(20.0, 6.0, 1.0, 15.0, 1.0, 0.5, 4.0)');
DELETE FROM search_meta WHERE key = 'analyzer_version';
