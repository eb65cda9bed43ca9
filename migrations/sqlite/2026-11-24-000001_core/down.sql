DROP TABLE api_keys;
DROP TABLE article_tags;
DROP TABLE articles;
DROP TABLE tags;
