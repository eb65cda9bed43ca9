DROP TABLE search_meta;
DROP TABLE articles_fts;
