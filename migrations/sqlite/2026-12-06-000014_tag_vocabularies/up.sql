-- Tags tied to the vocabularies partners route by: an IPTC Media Topic qcode
-- (`medtop:20000639`), an ISO 3166-1 alpha-2 code (`KZ`) and a Wikidata item (`Q232`).
ALTER TABLE tags ADD COLUMN iptc_media_topic TEXT;
ALTER TABLE tags ADD COLUMN iso3166 TEXT;
ALTER TABLE tags ADD COLUMN wikidata TEXT;
CREATE INDEX tags_media_topic ON tags (iptc_media_topic);
