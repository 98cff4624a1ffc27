-- A small database as a plain SQL dump (what Cloud SQL exports, gzipped
-- by the test): the dr drill CLI test restores it.
CREATE TABLE schema_migrations (version text PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('20261120090000');
CREATE TABLE weddings (id serial PRIMARY KEY, couple text NOT NULL, updated_at timestamptz NOT NULL);
INSERT INTO weddings (couple, updated_at) VALUES ('Ada & Grace', now()), ('Alan & Joan', now() - interval '1 hour');
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
INSERT INTO users (email) VALUES ('ada@example.com'), ('grace@example.com'), ('alan@example.com');
