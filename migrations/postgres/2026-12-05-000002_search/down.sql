DROP TABLE articles_search;
