-- Validators per scope: a list or feed filtered by tags depends only on the articles linked
-- to those tags (and on tag names, which any article may embed). Each tag keeps a generation
-- that every change to one of its links or linked articles bumps, in the writing transaction,
-- by triggers, whatever code writes; `tags_version` moves with every change to a tag itself
-- (a rename changes every article that embeds it, a new parent changes a region's reach).
CREATE TABLE tag_generations (
    tag_id     INTEGER PRIMARY KEY NOT NULL,
    generation BIGINT  NOT NULL DEFAULT 1
);
INSERT INTO tag_generations (tag_id) SELECT id FROM tags;

ALTER TABLE site_state ADD COLUMN tags_version BIGINT NOT NULL DEFAULT 1;

CREATE TRIGGER tags_generation_new AFTER INSERT ON tags
BEGIN
    INSERT OR IGNORE INTO tag_generations (tag_id) VALUES (NEW.id);
END;

CREATE TRIGGER tags_version_update AFTER UPDATE ON tags
BEGIN
    UPDATE site_state SET tags_version = tags_version + 1 WHERE id = 1;
END;

CREATE TRIGGER tags_version_delete AFTER DELETE ON tags
BEGIN
    UPDATE site_state SET tags_version = tags_version + 1 WHERE id = 1;
    DELETE FROM tag_generations WHERE tag_id = OLD.id;
END;

CREATE TRIGGER article_tags_generation_insert AFTER INSERT ON article_tags
BEGIN
    UPDATE tag_generations SET generation = generation + 1 WHERE tag_id = NEW.tag_id;
END;

CREATE TRIGGER article_tags_generation_delete AFTER DELETE ON article_tags
BEGIN
    UPDATE tag_generations SET generation = generation + 1 WHERE tag_id = OLD.tag_id;
END;

CREATE TRIGGER article_tags_generation_retag AFTER UPDATE OF tag_id ON article_tags
BEGIN
    UPDATE tag_generations SET generation = generation + 1
    WHERE tag_id IN (OLD.tag_id, NEW.tag_id);
END;

CREATE TRIGGER articles_generation_update AFTER UPDATE ON articles
BEGIN
    UPDATE tag_generations SET generation = generation + 1
    WHERE tag_id IN (SELECT tag_id FROM article_tags WHERE article_id = NEW.id);
END;

-- A purge deletes the links by cascade; bumping here does not depend on cascades firing
-- triggers.
CREATE TRIGGER articles_generation_delete BEFORE DELETE ON articles
BEGIN
    UPDATE tag_generations SET generation = generation + 1
    WHERE tag_id IN (SELECT tag_id FROM article_tags WHERE article_id = OLD.id);
END;
