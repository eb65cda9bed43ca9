-- Keep each article's tsvector in the table row (compressed) rather than in TOAST: a search
-- ranks every match, and fetching each document from the TOAST table was most of its time;
-- the planner, which does not count detoasting, also took the small main table for cheap
-- and scanned it instead of using the GIN index. Measured at 100,000 articles (a word in
-- 34,000 of them): the search query 1,100 -> 700 ms, its count 760 -> 200 ms. Rows written
-- before this migration move when rewritten (`anbaa reindex`).
ALTER TABLE articles_search ALTER COLUMN doc SET STORAGE MAIN;
