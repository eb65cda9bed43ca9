-- migrations/sqlite 000015, one for one.
ALTER TABLE webhook_deliveries ADD COLUMN article_id integer;
CREATE INDEX webhook_deliveries_article ON webhook_deliveries (article_id, webhook_id);
