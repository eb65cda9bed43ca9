-- Every committed write moves the site counters (site_state): each such statement also
-- notifies the channel every node listens on, in the same transaction, so the notification
-- is delivered at commit and never for a rollback. The payload is empty: a node only needs
-- to know that something changed (PostgreSQL folds identical notifications of one
-- transaction into one).
CREATE FUNCTION site_state_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('anbaa_site', '');
    RETURN NULL;
END $$;

CREATE TRIGGER site_state_notify AFTER UPDATE ON site_state
FOR EACH STATEMENT EXECUTE FUNCTION site_state_notify();
