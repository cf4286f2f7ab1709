-- Run once by the postgres image when the data volume is first created, in
-- POSTGRES_DB, as the superuser: the portal's own role then needs no extra
-- rights. The PostgreSQL search backend needs both (accent folding and
-- trigram autocomplete); with Solr they cost nothing and keep the switch back
-- to PostgreSQL search a configuration change.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
