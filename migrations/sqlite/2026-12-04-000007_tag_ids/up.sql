-- Tag ids are never reused, as article ids are not (000006): SQLite hands out max(id) + 1, so
-- after a merge or a delete a new tag took the old id, revision restores attached the new tag
-- in place of the merge target or the promised 409, and mirrors keyed by tag id mixed the two
-- up. The highest id ever handed out is kept here; ids already reused stay as they are.
ALTER TABLE site_state ADD COLUMN last_tag_id INTEGER NOT NULL DEFAULT 0;
UPDATE site_state SET last_tag_id = MAX(
    (SELECT COALESCE(MAX(id), 0) FROM tags),
    (SELECT COALESCE(MAX(tag_id), 0) FROM tag_redirects),
    (SELECT COALESCE(MAX(CAST(json_extract(t.value, '$.id') AS INTEGER)), 0)
       FROM article_revisions r, json_each(r.tags) t)
);
