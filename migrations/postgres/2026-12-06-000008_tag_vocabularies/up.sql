-- migrations/sqlite 000014, one for one: tags tied to IPTC Media Topics, ISO 3166, Wikidata.
ALTER TABLE tags ADD COLUMN iptc_media_topic text;
ALTER TABLE tags ADD COLUMN iso3166 text;
ALTER TABLE tags ADD COLUMN wikidata text;
CREATE INDEX tags_media_topic ON tags (iptc_media_topic);
