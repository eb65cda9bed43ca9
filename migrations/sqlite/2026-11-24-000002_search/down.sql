DROP INDEX articles_search_filter;
DROP TABLE search_meta;
DROP TABLE articles_fts;
ALTER TABLE articles DROP COLUMN body_text;
