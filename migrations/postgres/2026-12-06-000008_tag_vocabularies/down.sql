DROP INDEX tags_media_topic;
ALTER TABLE tags DROP COLUMN wikidata, DROP COLUMN iso3166, DROP COLUMN iptc_media_topic;
