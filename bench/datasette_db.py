#!/usr/bin/env python3
"""Builds the database Datasette serves in bench/run.sh: the same articles, tags and links
as anbaa's benchmark database, in the shape a Datasette user would give them (plain tables,
the indexes the queries need, and sqlite-utils' FTS5 table over title, summary and body with
FTS5's default tokenizer, external content, ranked with bm25).

    bench/datasette_db.py ANBAA_DB OUT_DB

Standard library only: anbaa's own search index needs a newer SQLite than Python may have,
so only plain tables are read from ANBAA_DB.
"""
import sqlite3
import sys

src, out = sys.argv[1], sys.argv[2]
db = sqlite3.connect(out)
db.execute("ATTACH DATABASE ? AS src", (src,))
db.executescript(
    """
    CREATE TABLE tags (
        id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, name_en TEXT,
        kind TEXT NOT NULL, parent_id INTEGER REFERENCES tags (id)
    );
    INSERT INTO tags SELECT id, slug, name, name_en, kind, parent_id FROM src.tags;
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
        published_at INTEGER, updated_at INTEGER NOT NULL, title TEXT NOT NULL,
        summary TEXT NOT NULL, author TEXT, image_url TEXT, body TEXT NOT NULL
    );
    INSERT INTO articles
        SELECT id, slug, status, published_at, updated_at, title, summary, author, image_url,
               body
        FROM src.articles WHERE trashed_at IS NULL;
    CREATE INDEX articles_published ON articles (status, published_at);
    CREATE TABLE article_tags (
        article_id INTEGER NOT NULL REFERENCES articles (id),
        tag_id INTEGER NOT NULL REFERENCES tags (id),
        PRIMARY KEY (article_id, tag_id)
    );
    INSERT INTO article_tags SELECT article_id, tag_id FROM src.article_tags;
    CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, summary, body, content = 'articles', content_rowid = 'id'
    );
    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
    ANALYZE;
    """
)
db.commit()
db.execute("DETACH DATABASE src")
db.execute("VACUUM")
db.close()
