DROP INDEX webhook_deliveries_article;
ALTER TABLE webhook_deliveries DROP COLUMN article_id;
