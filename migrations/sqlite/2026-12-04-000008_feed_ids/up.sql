-- The host that feed entry ids (`tag:HOST,DATE:article:ID`) are minted under, fixed the
-- first time the server starts (from --public-url, else `localhost`): setting or changing
-- --public-url later must not re-id every entry, or every partner's reader sees 50 "new"
-- stories. NULL until that first start.
ALTER TABLE site_state ADD COLUMN id_authority TEXT;
