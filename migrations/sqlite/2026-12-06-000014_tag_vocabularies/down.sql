DROP INDEX tags_media_topic;
ALTER TABLE tags DROP COLUMN wikidata;
ALTER TABLE tags DROP COLUMN iso3166;
ALTER TABLE tags DROP COLUMN iptc_media_topic;
