-- What made each version: create, edit, trash, restore, merge (a tag merged into another),
-- import or revert (a revision restored), so an editor can read an article's history. The
-- article keeps the action of its current version; a revision copies it when it is kept.
-- Versions kept before this migration are read as well as can be: a first version was a
-- create, a version in the trash a trash, any other an edit.
ALTER TABLE articles ADD COLUMN last_action TEXT NOT NULL DEFAULT 'edit';
UPDATE articles SET last_action = 'create' WHERE version = 1;
UPDATE articles SET last_action = 'trash' WHERE trashed_at IS NOT NULL;
ALTER TABLE article_revisions ADD COLUMN action TEXT NOT NULL DEFAULT 'edit';
UPDATE article_revisions SET action = 'create' WHERE version = 1;
UPDATE article_revisions SET action = 'trash' WHERE trashed_at IS NOT NULL;
