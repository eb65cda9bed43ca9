DROP INDEX articles_trashed;
DROP TABLE tag_redirects;
DROP TABLE article_redirects;
DROP TABLE article_revisions;
