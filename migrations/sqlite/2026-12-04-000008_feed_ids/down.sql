ALTER TABLE site_state DROP COLUMN id_authority;
