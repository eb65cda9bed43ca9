-- Which article a delivery announced: a withdrawal reaches every endpoint that was told of
-- the article, even when its tags no longer pass the endpoint's filter.
ALTER TABLE webhook_deliveries ADD COLUMN article_id INTEGER;
CREATE INDEX webhook_deliveries_article ON webhook_deliveries (article_id, webhook_id);
