ALTER TABLE articles_search RESET (toast_tuple_target);
ALTER TABLE articles_search ALTER COLUMN doc SET STORAGE MAIN;
